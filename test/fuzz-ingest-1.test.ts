// Fuzz shard 1 of 2: see test/helpers/fuzz-run.ts (split so vitest's two workers share the cases).
import { defineFuzzShard } from './helpers/fuzz-run.js';

defineFuzzShard(0, 2);
