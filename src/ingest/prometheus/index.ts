// The prometheus formats. Each format lives in its own module; this file lists them.
// (Live queries are not a file format: see live.ts.)
import type { Ingester } from '../types.js';
import { prometheusJson } from './saved.js';

export const ingesters: Ingester[] = [prometheusJson];
