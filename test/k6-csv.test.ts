// Unit tests of the k6 CSV ingester on generated files: exact counts, percentiles against
// sorted arrays, timeline buckets, quoting, time formats, detection and bad input.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { k6Csv, parseExtraTags, parseTimestamp } from '../src/ingest/k6/csv.js';
import { InputError } from '../src/ingest/errors.js';
import { sniffFile } from '../src/ingest/read.js';
import { decodeHistogram } from '../src/model/histogram.js';
import { testContext } from './helpers/ctx.js';

const HEADER = 'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata';
const dir = mkdtempSync(path.join(tmpdir(), 'k6-csv-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function write(lines: string[], gzip = false): string {
  const file = path.join(dir, `r${n++}.csv${gzip ? '.gz' : ''}`);
  const text = lines.join('\n') + '\n';
  writeFileSync(file, gzip ? gzipSync(text) : text);
  return file;
}

interface Req {
  t: number;
  ms: number;
  name: string;
  method: string;
  status: string;
  error?: string;
}

/** The rows k6 writes for one request (the ones the ingester reads, plus noise it must skip). */
function rows(r: Req, ts: (t: number) => string = (t) => String(Math.floor(t))): string[] {
  const failed = r.status === '0' || Number(r.status) >= 400;
  // check, error, error_code, expected_response, group, method, name, proto, scenario, service, status, subproto, tls_version, url, extra_tags, metadata
  const tags = (err = '') => ',' + ['', err, '', failed ? 'false' : 'true', '', r.method, r.name, 'HTTP/1.1', 'default', '', r.status, '', '', r.name, '', ''].join(',');
  const err = r.error ?? '';
  return [
    `http_reqs,${ts(r.t)},1.000000${tags(err)}`,
    `http_req_duration,${ts(r.t)},${r.ms.toFixed(6)}${tags(err)}`,
    `http_req_blocked,${ts(r.t)},0.004000${tags(err)}`,
    `http_req_failed,${ts(r.t)},${failed ? '1.000000' : '0.000000'}${tags(err)}`,
  ];
}

/** Deterministic pseudo-random numbers (the test must not be flaky). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The exact percentile as k6 computes it: linear interpolation at p/100·(n−1). */
function interpolated(sorted: number[], p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
}

describe('k6 CSV ingester', () => {
  it('counts requests, failures and statuses exactly, and percentiles within 0.1% of the exact (interpolated, as k6) ones', async () => {
    const rand = lcg(42);
    const t0 = 1_795_375_000;
    const reqs: Req[] = [];
    for (let i = 0; i < 3000; i++) {
      const predict = rand() < 0.6;
      const status = rand() < 0.03 ? '500' : '200';
      // A long-tailed latency like a real service: most fast, some very slow.
      const ms = 1 + rand() * 20 + (rand() < 0.1 ? rand() * 2000 : 0);
      reqs.push({ t: t0 + i / 100, ms, name: predict ? 'POST /predict' : 'GET /', method: predict ? 'POST' : 'GET', status });
    }
    const lines = [HEADER, 'vus,' + t0 + ',7.000000' + ','.repeat(16), ...reqs.flatMap((r) => rows(r)), 'iterations,' + t0 + ',1.000000' + ','.repeat(16)];
    const [part] = await k6Csv.ingest(write(lines, true), testContext());
    const p = part!;

    expect(p.summary.requests).toBe(3000);
    expect(p.summary.failures).toBe(reqs.filter((r) => r.status === '500').length);
    expect(p.summary.statuses).toEqual({ '200': reqs.filter((r) => r.status === '200').length, '500': reqs.filter((r) => r.status === '500').length });
    expect(p.summary.precision).toBe('samples');
    expect(p.metrics.iterations).toBe(1);

    for (const ep of p.endpoints) {
      const sorted = reqs.filter((r) => r.name === ep.name).map((r) => Number(r.ms.toFixed(6))).sort((a, b) => a - b);
      expect(ep.requests).toBe(sorted.length);
      expect(ep.latencyMs.min).toBeCloseTo(sorted[0]!, 6);
      expect(ep.latencyMs.max).toBeCloseTo(sorted[sorted.length - 1]!, 6);
      expect(ep.latencyMs.mean).toBeCloseTo(sorted.reduce((a, b) => a + b, 0) / sorted.length, 6);
      for (const [key, pct] of [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99]] as const) {
        const exact = interpolated(sorted, pct);
        expect(Math.abs(ep.latencyMs[key]! - exact) / exact, `${ep.name} ${key}`).toBeLessThanOrEqual(0.001);
      }
      expect(decodeHistogram(ep.histogram!).totalCount).toBe(sorted.length);
    }

    // 3000 requests at 100/s from a whole second: 30 one-second buckets of 100.
    expect(p.timeline).toHaveLength(30);
    expect(p.timeline.map((pt) => pt.t)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(p.timeline.every((pt) => pt.requests === 100)).toBe(true);
    expect(p.timeline.reduce((a, pt) => a + pt.failures, 0)).toBe(p.summary.failures);
    expect(p.timeline.every((pt) => pt.users === 7)).toBe(true);
    const first = reqs.slice(0, 100).map((r) => Number(r.ms.toFixed(6))).sort((a, b) => a - b);
    expect(Math.abs(p.timeline[0]!.latencyMs.p90! - interpolated(first, 90)) / interpolated(first, 90)).toBeLessThanOrEqual(0.001);
    expect(p.timelineLatency).toBe('interval');
    // 29 s between the first and the last whole-second timestamp.
    expect(p.durationS).toBe(29);
    expect(p.summary.rps).toBeCloseTo(3000 / 29, 9);
  });

  it('groups failures into errors by endpoint, status and error message, including quoted messages', async () => {
    const t = 1_795_375_000;
    const lines = [
      HEADER,
      ...rows({ t, ms: 5, name: 'GET /', method: 'GET', status: '500' }),
      ...rows({ t, ms: 6, name: 'GET /', method: 'GET', status: '500' }),
      ...rows({ t, ms: 7, name: 'GET /a,b', method: 'GET', status: '0', error: 'x' }).map((l) => l.replace(',x,', ',"dial tcp 127.0.0.1:1: connect: refused, ""again""",').replace(/GET \/a,b/g, '"GET /a,b"')),
      ...rows({ t: t + 1, ms: 8, name: 'GET /', method: 'GET', status: '200' }),
    ];
    const [part] = await k6Csv.ingest(write(lines), testContext());
    expect(part!.errors).toEqual([
      { endpoint: 'GET /', method: 'GET', message: 'HTTP 500', status: '500', count: 2, kind: 'failure' },
      { endpoint: 'GET /a,b', method: 'GET', message: 'dial tcp 127.0.0.1:1: connect: refused, "again"', status: '0', count: 1, kind: 'failure' },
    ]);
    expect(part!.summary.requests).toBe(4);
    expect(part!.summary.failures).toBe(3);
  });

  it('reads a quoted field that spans two lines', async () => {
    const t = 1_795_375_000;
    const r = rows({ t, ms: 9, name: 'GET /', method: 'GET', status: '0', error: 'x' }).map((l) => l.replace(',x,', ',"line one\nline two",'));
    const [part] = await k6Csv.ingest(write([HEADER, ...r]), testContext());
    expect(part!.summary.requests).toBe(1);
    expect(part!.errors[0]!.message).toBe('line one\nline two');
  });

  it('maps columns by header name (older k6 without expected_response or metadata)', async () => {
    const header = 'metric_name,timestamp,metric_value,check,error,error_code,group,method,name,proto,scenario,status,subproto,tls_version,url,extra_tags';
    const lines = [header, 'http_reqs,1595325560,1.000000,,,,,GET,http://test.k6.io,HTTP/1.1,default,200,,,http://test.k6.io,', 'http_req_duration,1595325560,221.899000,,,,,GET,http://test.k6.io,HTTP/1.1,default,200,,,http://test.k6.io,'];
    const [part] = await k6Csv.ingest(write(lines), testContext());
    expect(part!.endpoints.map((e) => [e.name, e.method, e.requests])).toEqual([['http://test.k6.io', 'GET', 1]]);
    expect(part!.summary.latencyMs.max).toBeCloseTo(221.899, 6);
    expect(part!.start).toBe('2020-07-21T09:59:20.000Z');
  });

  it('makes the extra tags every row carries with one value (k6 run --tag) run labels', async () => {
    const row = (metric: string, extra: string) => `${metric},1795375932,1.000000,,,,true,,GET,GET /a,HTTP/1.1,default,,200,,,GET /a,${extra},`;
    const labelsOf = async (extras: string[]) => (await k6Csv.ingest(write([HEADER, ...extras.map((e, i) => row(i % 2 ? 'http_req_duration' : 'http_reqs', e))]), testContext()))[0]!.labels;
    // vu and iter are k6's own tags (--system-tags=vu,iter); `endpoint` varies.
    expect(await labelsOf(['variant=canary&endpoint=a&vu=1', 'endpoint=b&variant=canary&iter=3', 'variant=canary&team=ml', 'team=ml&variant=canary'])).toEqual({ variant: 'canary' });
    expect(await labelsOf(['variant=canary', 'variant=stable'])).toEqual({});
    expect(await labelsOf(['variant=canary', ''])).toEqual({});
    expect(parseExtraTags('a=1&b=x=y&=z&c&vu=3')).toEqual(new Map([['a', '1'], ['b', 'x=y']]));
    expect(parseExtraTags('')).toBeUndefined();
  });

  it('reads every timeFormat k6 offers', () => {
    const ms = Date.UTC(2026, 10, 22, 19, 32, 12, 964);
    expect(parseTimestamp('1795375932')).toBe(Math.floor(ms / 1000) * 1000);
    expect(parseTimestamp(String(ms))).toBe(ms);
    expect(parseTimestamp(String(ms * 1000))).toBe(ms);
    expect(parseTimestamp(String(ms) + '000000')).toBe(ms);
    expect(parseTimestamp('2026-11-22T19:32:12.964Z')).toBe(ms);
    expect(parseTimestamp('2026-11-22T20:32:12.964+01:00')).toBe(ms);
    expect(parseTimestamp('soon')).toBeNaN();
  });

  it('warns when the timeline interval is finer than whole-second timestamps, and not with ms timestamps', async () => {
    const t = 1_795_375_000;
    const coarse = [HEADER, ...rows({ t, ms: 5, name: 'GET /', method: 'GET', status: '200' })];
    const ctx = testContext({ timelineIntervalS: 0.5 });
    await k6Csv.ingest(write(coarse), ctx);
    expect(ctx.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/whole seconds/)]);

    const fine = [HEADER, ...rows({ t: t + 0.25, ms: 5, name: 'GET /', method: 'GET', status: '200' }, (x) => String(Math.round(x * 1000))), ...rows({ t: t + 0.75, ms: 6, name: 'GET /', method: 'GET', status: '200' }, (x) => String(Math.round(x * 1000)))];
    const ctx2 = testContext({ timelineIntervalS: 0.5 });
    const [part] = await k6Csv.ingest(write(fine), ctx2);
    expect(ctx2.warnings).toEqual([]);
    expect(part!.timeline.map((p) => [p.t, p.requests])).toEqual([[0, 1], [0.5, 1]]);
    expect(testContext().warnings).toEqual([]);
  });

  it('keeps good rows around bad ones and warns once with the count and the first line', async () => {
    const t = 1_795_375_000;
    const lines = [HEADER, ...rows({ t, ms: 5, name: 'GET /', method: 'GET', status: '200' }), 'http_req_duration,notatime,5.0' + ',x'.repeat(16), 'http_reqs,1795375000', ...rows({ t, ms: 6, name: 'GET /', method: 'GET', status: '200' })];
    const ctx = testContext();
    const [part] = await k6Csv.ingest(write(lines), ctx);
    expect(part!.summary.requests).toBe(2);
    expect(ctx.warnings).toEqual([{ line: 6, message: expect.stringMatching(/skipped 2 malformed row\(s\).*line 6/) }]);
  });

  it('skips negative durations with a warning', async () => {
    const t = 1_795_375_000;
    const ctx = testContext();
    const lines = [HEADER, ...rows({ t, ms: 5, name: 'GET /', method: 'GET', status: '200' }), ...rows({ t, ms: -3, name: 'GET /', method: 'GET', status: '200' })];
    const [part] = await k6Csv.ingest(write(lines), ctx);
    expect(part!.summary.latencyMs.min).toBe(5);
    expect(ctx.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/1 negative/)]);
  });

  it('gives clear errors for an empty file, a header without rows and a foreign header', async () => {
    await expect(k6Csv.ingest(write([]), testContext())).rejects.toThrow(InputError);
    await expect(k6Csv.ingest(write([HEADER]), testContext())).rejects.toThrow(/header but no samples/);
    const err = await k6Csv.ingest(write(['a,b,c', '1,2,3']), testContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line).toBe(1);
  });

  it('detects k6 CSV (plain and gzip) by its header only', async () => {
    const t = 1_795_375_000;
    const body = rows({ t, ms: 5, name: 'GET /', method: 'GET', status: '200' });
    expect(k6Csv.detect(await sniffFile(write([HEADER, ...body])))).toBe(true);
    expect(k6Csv.detect(await sniffFile(write([HEADER, ...body], true)))).toBe(true);
    expect(k6Csv.detect(await sniffFile(write(['Type,Name,Request Count', 'GET,/,1'])))).toBe(false);
    expect(k6Csv.detect(await sniffFile(write(['{"metric":"http_reqs","type":"Point"}'])))).toBe(false);
  });
});
