// Fuzz shard 2 of 2: see test/helpers/fuzz-run.ts (split so vitest's two workers share the cases).
import { defineFuzzShard } from './helpers/fuzz-run.js';

defineFuzzShard(1, 2);
