// Every known input format, in detection order (most specific first).
import type { Ingester } from './types.js';
import { ingesters as k6 } from './k6/index.js';
import { ingesters as locust } from './locust/index.js';
import { ingesters as bombardier } from './bombardier/index.js';
import { ingesters as prometheus } from './prometheus/index.js';

export const INGESTERS: Ingester[] = [...k6, ...locust, ...bombardier, ...prometheus];

export function findIngester(format: string): Ingester | undefined {
  return INGESTERS.find((i) => i.format === format);
}

export function formatNames(): string[] {
  return INGESTERS.map((i) => i.format);
}
