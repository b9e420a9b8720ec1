// Numbers that cannot be true are caught where they enter the model, with a warning
// naming the file (issue 20, point 10); rounding inversions are clamped silently.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { orderLatency } from '../src/ingest/number-checks.js';
import { k6Decl, k6Point, LOCUST_STATS_HEADER, removeScratch, scratch } from './helpers/bad-inputs.js';

afterAll(removeScratch);

const row = (name: string, requests: string | number, failures: number, p50: number, p95: number, max: number) =>
  `GET,${name},${requests},${failures},${p50},${p50},1,${max},35.0,0.72,0.0,${p50},${p50},${p50},${p50},${p95},${p95},${p95},${p95},${p95},${p95},${max}`;

describe('impossible numbers in the inputs', () => {
  it('Locust: more failures than requests are capped, out-of-order percentiles left out, a count beyond 2^53 left out; each warned with the file', async () => {
    const s = await scratch();
    await s.write(
      'run_stats.csv',
      [LOCUST_STATS_HEADER, row('/a', 1, 500, 10, 20, 30), row('/b', 10, 0, 400, 20, 30), row('/c', '1.2345678901234568e+29', 0, 10, 20, 30), `,Aggregated,11,500,10,10,1,30,35.0,0.72,0.0,10,10,10,10,20,20,20,20,20,20,30`].join('\n') + '\n',
    );
    const r = await s.ingest(['run_stats.csv']);
    const run = r.runs[0]!;
    const a = run.endpoints.find((e) => e.name === '/a')!;
    expect([a.requests, a.failures]).toEqual([1, 1]);
    const b = run.endpoints.find((e) => e.name === '/b')!;
    expect(b.latencyMs.p50).toBeNull();
    expect(b.latencyMs.max).toBe(30);
    expect(run.endpoints.some((e) => e.name === '/c')).toBe(false);
    expect(run.summary.failures).toBeLessThanOrEqual(run.summary.requests);
    const text = r.warnings.map((w) => `${w.file}: ${w.message}`).join('\n');
    expect(text).toMatch(/run_stats\.csv: endpoint GET \/a: 500 failures of 1 requests cannot be; failures capped/);
    expect(text).toMatch(/run_stats\.csv: endpoint GET \/b: the latency figures cannot be true \(p50 400 > p90 20 ms\); the percentiles are left out/);
    expect(text).toMatch(/run_stats\.csv: endpoint GET \/c: impossible request or failure count/);
  });

  it('k6: http_reqs samples of -5 and 2^53+1 are skipped with a warning, not summed', async () => {
    const s = await scratch();
    const t = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const lines = [k6Decl('http_reqs', 'counter'), k6Decl('http_req_duration', 'trend')];
    for (let i = 0; i < 4; i++) lines.push(k6Point(t(i), 'http_reqs', 1), k6Point(t(i), 'http_req_duration', 10 + i));
    lines.push(k6Point(t(4), 'http_reqs', -5), k6Point(t(5), 'http_reqs', 2 ** 53 + 2));
    for (const [file, text] of [
      ['k6.json', lines.join('\n') + '\n'],
      ['k6.csv', 'metric_name,timestamp,metric_value,name,method,status\n' + [1, 1, 1, 1, -5, 2 ** 53 + 2].map((v, i) => `http_reqs,${1767225600 + i},${v},GET /a,GET,200`).join('\n') + '\n'],
    ] as const) {
      await s.write(file, text);
      const r = await s.ingest([file]);
      expect(r.runs[0]!.summary.requests).toBe(4);
      expect(r.warnings.some((w) => w.file === file)).toBe(true);
    }
  });
});

describe('timeline order', () => {
  it('a Locust report whose history is out of order gives a timeline in time order, with a warning', async () => {
    const { checkPartNumbers } = await import('../src/ingest/number-checks.js');
    const { emptyRunPart } = await import('../src/ingest/types.js');
    const part = emptyRunPart({ groupKey: 'g', rank: 1, tool: 'locust', source: { path: 'report.html', format: 'locust-html' } });
    const pt = (t: number, requests: number) => ({ t, requests, failures: 0, users: 5, latencyMs: { p50: 10, p90: 12, p95: 13, p99: 14, max: 15 } });
    part.timeline = [pt(0, 5), pt(10, 7), pt(5, 6), pt(15, 8)];
    const warnings: string[] = [];
    checkPartNumbers(part, (m) => warnings.push(m));
    expect(part.timeline.map((p) => [p.t, p.requests])).toEqual([
      [0, 5],
      [5, 6],
      [10, 7],
      [15, 8],
    ]);
    expect(warnings).toEqual(["the timeline's intervals were not in time order (first: t=5 s after t=10 s); sorted them"]);
  });
});

describe('latency order', () => {
  const tol = { samples: { rel: 0.002, abs: 0.001 }, reported: { rel: 0.06, abs: 1 } };

  it('clamps rounding inversions silently: HDR p99 6.149 over max 6.148719, Locust p99 12 over max 11.52', () => {
    const hdr = { min: 1, mean: 3, p50: 2, p90: 5, p95: 6, p99: 6.149, max: 6.148719 };
    expect(orderLatency(hdr, tol.samples)).toBeNull();
    expect(hdr.p99).toBe(6.148719);
    const locust = { min: 2, mean: 6, p50: 6, p90: 9, p95: 10, p99: 12, max: 11.52 };
    expect(orderLatency(locust, tol.reported)).toBeNull();
    expect(locust.p99).toBe(11.52);
  });

  it('any figures come out in order, or with the impossible ones left out', () => {
    const v = fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null });
    fc.assert(
      fc.property(v, v, v, v, v, v, v, fc.boolean(), (min, mean, p50, p90, p95, p99, max, sampled) => {
        const l = { min, mean, p50, p90, p95, p99, max };
        orderLatency(l, sampled ? tol.samples : tol.reported);
        const seq = [l.min, l.p50, l.p90, l.p95, l.p99, l.max].filter((x): x is number => x !== null);
        for (let i = 1; i < seq.length; i++) if (seq[i]! < seq[i - 1]!) return false;
        if (l.mean !== null && l.min !== null && l.max !== null && (l.mean < l.min || l.mean > l.max)) return false;
        return true;
      }),
      { numRuns: 2000, seed: 20 },
    );
  });
});
