// The CSV and the NDJSON output of one k6 run (the canary run, written by one k6
// process with `--out json --out csv`) must give the same model apart from the clock:
// CSV timestamps are whole seconds, so only durations, rps and the timeline differ.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { k6Csv } from '../src/ingest/k6/csv.js';
import { findIngester } from '../src/ingest/registry.js';
import { testContext } from './helpers/ctx.js';

const fixtures = path.resolve(__dirname, '..', 'fixtures');
const csvFile = path.join(fixtures, 'k6-csv', 'canary-v048', 'input', 'k6-out.csv.gz');
const ndjsonFile = path.join(fixtures, 'k6-json', 'canary-v0.48', 'input', 'k6-out.ndjson.gz');

describe('k6 CSV vs NDJSON of the same run', () => {
  it.skipIf(!existsSync(ndjsonFile))('agree on counts, endpoints, errors, metrics and latency', async () => {
    const ndjson = findIngester('k6-json');
    expect(ndjson, 'the k6-json ingester is registered').toBeDefined();
    const [c] = await k6Csv.ingest(csvFile, testContext());
    const [j] = await ndjson!.ingest(ndjsonFile, testContext());
    const shape = (p: typeof c) => ({
      requests: p!.summary.requests,
      failures: p!.summary.failures,
      statuses: p!.summary.statuses,
      endpoints: p!.endpoints.map((e) => [e.name, e.method, e.requests, e.failures, e.statuses]),
      errors: p!.errors,
      metrics: { ...p!.metrics, throughputBytesPerSec: undefined },
    });
    expect(shape(c)).toEqual(shape(j));
    // CSV prints values with 6 decimals (ns); both are recorded in whole µs.
    for (const [a, b] of [[c!.summary, j!.summary], ...c!.endpoints.map((e, i) => [e, j!.endpoints[i]!] as const)] as const) {
      for (const k of ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'] as const) expect(a.latencyMs[k]!, `${a.name} ${k}`).toBeCloseTo(b.latencyMs[k]!, 5);
    }
    expect(c!.timeline.reduce((n, p) => n + p.requests, 0)).toBe(j!.timeline.reduce((n, p) => n + p.requests, 0));
    expect(Math.abs(c!.durationS! - j!.durationS!)).toBeLessThan(1);
  });
});
