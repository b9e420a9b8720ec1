// Unit tests of the k6 summary ingester: the threshold quirk of --summary-export,
// submetric endpoints, extra percentiles, detection and bad input.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../src/ingest/errors.js';
import { k6Summary, parseMetricKey } from '../src/ingest/k6/summary.js';
import { sniffFile } from '../src/ingest/read.js';
import { testContext } from './helpers/ctx.js';

const dir = mkdtempSync(path.join(tmpdir(), 'k6-summary-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function write(content: string | object, gzip = false): string {
  const file = path.join(dir, `s${n++}.json${gzip ? '.gz' : ''}`);
  const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2);
  writeFileSync(file, gzip ? gzipSync(text) : text);
  return file;
}

const fixtures = path.resolve(__dirname, '..', 'fixtures', 'k6-summary');

describe('k6 summary thresholds', () => {
  it('reads --summary-export `true` as a FAILED threshold and `false` as passed', async () => {
    // Real export of k6 v0.48: stdout shows ✗ for {endpoint:predict} p(95)<250 and ✓ for http_req_failed rate<0.05.
    const [part] = await k6Summary.ingest(path.join(fixtures, 'export-thresholds-v048', 'input', 'summary-export.json'), testContext());
    expect(part!.thresholds).toEqual([
      { metric: 'http_req_duration{endpoint:predict}', expression: 'p(95)<250', ok: false },
      { metric: 'http_req_failed', expression: 'rate<0.05', ok: true },
    ]);
  });

  it('reads handleSummary {"ok": false} as failed', async () => {
    const [part] = await k6Summary.ingest(path.join(fixtures, 'handle-summary-v048', 'input', 'handle-summary.json'), testContext());
    const byKey = Object.fromEntries(part!.thresholds.map((t) => [`${t.metric} ${t.expression}`, t.ok]));
    expect(byKey).toEqual({
      'checks rate>0.9': true,
      'http_req_duration p(99)<500': true,
      'http_req_duration{endpoint:predict} p(95)<100': false,
      'http_req_failed rate<0.05': true,
    });
  });

  it('gives the same answer for the same run in both shapes', async () => {
    const handle = { metrics: { http_reqs: { type: 'counter', values: { count: 10, rate: 2 } }, http_req_duration: { type: 'trend', values: { avg: 5, med: 4, 'p(95)': 9 }, thresholds: { 'p(95)<8': { ok: false }, 'avg<10': { ok: true } } } } };
    const legacy = { metrics: { http_reqs: { count: 10, rate: 2 }, http_req_duration: { avg: 5, med: 4, 'p(95)': 9, thresholds: { 'p(95)<8': true, 'avg<10': false } } } };
    const [a] = await k6Summary.ingest(write(handle), testContext());
    const [b] = await k6Summary.ingest(write(legacy), testContext());
    expect(a!.thresholds).toEqual(b!.thresholds);
    expect(a!.thresholds.find((t) => t.expression === 'p(95)<8')!.ok).toBe(false);
    expect(a!.summary.latencyMs).toEqual(b!.summary.latencyMs);
  });
});

describe('k6 summary figures', () => {
  it('counts failed requests from http_req_failed passes, not fails', async () => {
    const ctx = testContext();
    const [part] = await k6Summary.ingest(write({ metrics: { http_reqs: { count: 100, rate: 10 }, http_req_failed: { passes: 3, fails: 97, value: 0.03 }, http_req_duration: { avg: 1, min: 0.5, med: 1, max: 2, 'p(90)': 1.5, 'p(95)': 1.8 } } }), ctx);
    expect(part!.summary).toMatchObject({ requests: 100, failures: 3, rps: 10, precision: 'reported' });
    expect(part!.summary.latencyMs).toEqual({ min: 0.5, mean: 1, p50: 1, p90: 1.5, p95: 1.8, p99: null, max: 2 });
    expect(part!.durationS).toBe(10);
    expect(part!.start).toBeNull();
    expect(ctx.warnings).toEqual([]);
  });

  it('warns when http_req_failed is missing', async () => {
    const ctx = testContext();
    const [part] = await k6Summary.ingest(write({ metrics: { http_reqs: { count: 5, rate: 1 }, http_req_duration: { avg: 1 } } }), ctx);
    expect(part!.summary.failures).toBe(0);
    expect(ctx.warnings).toHaveLength(1);
    expect(ctx.warnings[0]!.message).toMatch(/http_req_failed/);
  });

  it('makes endpoints from name/endpoint submetrics with matching http_reqs and http_req_failed', async () => {
    const doc = {
      state: { testRunDurationMs: 20000 },
      metrics: {
        http_reqs: { type: 'counter', values: { count: 30, rate: 1.5 } },
        'http_reqs{name:POST /predict,method:POST}': { type: 'counter', values: { count: 20, rate: 1 } },
        'http_req_failed{name:POST /predict,method:POST}': { type: 'rate', values: { passes: 2, fails: 18, rate: 0.1 } },
        'http_req_duration{name:POST /predict,method:POST}': { type: 'trend', values: { avg: 50, med: 40, 'p(95)': 90, 'p(99.9)': 120 } },
        'http_req_duration{endpoint:root}': { type: 'trend', values: { avg: 5, count: 10 } },
        'http_req_duration{expected_response:true}': { type: 'trend', values: { avg: 5, count: 28 } },
        'http_req_duration{status:200}': { type: 'trend', values: { avg: 5, count: 28 } },
        'http_req_duration{endpoint:nocount}': { type: 'trend', values: { avg: 5 } },
        http_req_duration: { type: 'trend', values: { avg: 30, med: 20, 'p(95)': 80, count: 30 } },
      },
    };
    const [part] = await k6Summary.ingest(write(doc), testContext());
    expect(part!.durationS).toBe(20);
    expect(part!.endpoints.map((e) => [e.name, e.method, e.requests, e.failures, e.rps])).toEqual([
      ['POST /predict', 'POST', 20, 2, 1],
      ['root', null, 10, 0, 0.5],
    ]);
    expect(part!.endpoints[0]!.extraPercentiles).toEqual({ 'p99.9': 120 });
    expect(part!.endpoints[0]!.latencyMs.p95).toBe(90);
  });

  it('leaves negative counts out, as if missing, with a warning (a damaged file; found by the fuzzer)', async () => {
    const ctx = testContext();
    const doc = {
      metrics: {
        http_reqs: { count: -5, rate: 1 },
        http_req_failed: { passes: -1, fails: 4 },
        http_req_duration: { avg: 1, count: 4 },
        'http_req_duration{endpoint:predict}': { avg: 1, count: -1 },
        'http_req_duration{endpoint:root}': { avg: 1, count: 3 },
      },
    };
    const [part] = await k6Summary.ingest(write(doc), ctx);
    expect(part!.summary).toMatchObject({ requests: 4, failures: 0 });
    expect(part!.endpoints.map((e) => [e.name, e.requests])).toEqual([['root', 3]]);
    expect(ctx.warnings.map((w) => w.message)).toEqual(['3 negative count(s) left out, as if missing (first: http_reqs.count)']);
  });

  it('keeps custom metrics with k6 stat names mapped to ours', async () => {
    const [part] = await k6Summary.ingest(write({ metrics: { http_reqs: { count: 1, rate: 1 }, http_req_failed: { passes: 0, fails: 1 }, cold_start: { type: 'trend', contains: 'default', values: { avg: 3, med: 2, 'p(95)': 7 } } } }), testContext());
    expect(part!.metrics.custom).toEqual({ cold_start: { mean: 3, p50: 2, p95: 7 } });
  });

  it('parses submetric selectors, including values with commas and colons', () => {
    expect(parseMetricKey('http_req_duration{name:GET http://x/a?b=1,c=2,method:GET}')).toEqual({ base: 'http_req_duration', tags: { name: 'GET http://x/a?b=1,c=2', method: 'GET' } });
    expect(parseMetricKey('http_reqs')).toEqual({ base: 'http_reqs', tags: {} });
  });
});

describe('k6 summary detection and errors', () => {
  it('detects both shapes, plain and gzip, and not other JSON', async () => {
    const legacy = path.join(fixtures, 'export-thresholds-v048', 'input', 'summary-export.json');
    const handle = path.join(fixtures, 'handle-summary-v037', 'input', 'handle-summary.json');
    expect(k6Summary.detect(await sniffFile(legacy))).toBe(true);
    expect(k6Summary.detect(await sniffFile(handle))).toBe(true);
    expect(k6Summary.detect(await sniffFile(write({ metrics: { http_reqs: { count: 1, rate: 1 } } }, true)))).toBe(true);
    expect(k6Summary.detect(await sniffFile(write({ status: 'success', data: { resultType: 'matrix', result: [] } })))).toBe(false);
    expect(k6Summary.detect(await sniffFile(write({ metrics: { foo: 'bar' } })))).toBe(false);
    expect(k6Summary.detect(await sniffFile(write('{"type":"Point","metric":"http_reqs","data":{}}\n')))).toBe(false);
  });

  it('reports invalid JSON with line and column', async () => {
    const file = write('{\n  "metrics": {\n    "http_reqs": {"count": 1,, "rate": 2}\n  }\n}\n');
    const err = await k6Summary.ingest(file, testContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line).toBe(3);
    expect((err as InputError).column).toBeGreaterThan(1);
  });

  it('rejects JSON without a metrics object', async () => {
    await expect(k6Summary.ingest(write({ hello: 1 }), testContext())).rejects.toThrow(/no "metrics" object/);
  });

  it('skips metric entries that are not summaries, with a warning', async () => {
    const ctx = testContext();
    const [part] = await k6Summary.ingest(write({ metrics: { http_reqs: { count: 4, rate: 2 }, http_req_failed: { passes: 1, fails: 3 }, weird: 'text' } }), ctx);
    expect(part!.summary.requests).toBe(4);
    expect(ctx.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/1 metric/)]);
  });
});
