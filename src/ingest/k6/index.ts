// The k6 formats. Each format lives in its own module; this file lists them.
import type { Ingester } from '../types.js';
import { k6Summary } from './summary.js';
import { k6Csv } from './csv.js';
import { k6Ndjson } from './ndjson.js';

export const ingesters: Ingester[] = [
  k6Summary,
  k6Csv,
  k6Ndjson,
];
