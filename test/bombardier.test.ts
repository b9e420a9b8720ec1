// Unit tests of the bombardier readers for what the real artifacts in fixtures/ do not
// show: every unit bombardier's formatter can print, the "Errors:" section, the
// "(Total)/(2xx)" distributions of newer builds, and detection.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseBytesPerSec, parseDurationMs } from '../src/ingest/bombardier/units.js';
import { detectBombardierText, ingestBombardierText } from '../src/ingest/bombardier/text.js';
import { detectBombardierJson, ingestBombardierJson } from '../src/ingest/bombardier/json.js';
import { detectFormat } from '../src/ingest/pipeline.js';
import { InputError } from '../src/ingest/errors.js';
import { testContext } from './helpers/ctx.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ce-bombardier-'));
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}
function sniffOf(name: string, head: string) {
  return { path: name, name, head, gzip: false, size: head.length };
}

describe('bombardier units', () => {
  it('reads every time unit of formatTimeUs and of Go durations', () => {
    expect(parseDurationMs('495.38us')).toBeCloseTo(0.49538, 9);
    expect(parseDurationMs('12.5µs')).toBeCloseTo(0.0125, 9);
    expect(parseDurationMs('800ns')).toBeCloseTo(0.0008, 9);
    expect(parseDurationMs('37.30ms')).toBeCloseTo(37.3, 9);
    expect(parseDurationMs('0.93s')).toBeCloseTo(930, 9);
    expect(parseDurationMs('1.50m')).toBeCloseTo(90_000, 9);
    expect(parseDurationMs('2.00h')).toBeCloseTo(7_200_000, 9);
    expect(parseDurationMs('1m2.5s')).toBeCloseTo(62_500, 9);
    expect(parseDurationMs('1h0m0s')).toBe(3_600_000);
    expect(parseDurationMs('1h2m3.5s')).toBeCloseTo(3_723_500, 9);
  });
  it('rejects what is not a duration', () => {
    for (const bad of ['', 'ms', '12', '1.2.3s', '5 ms', '-3ms', '1x', 'NaNs']) expect(parseDurationMs(bad), bad).toBeNull();
  });
  it('reads formatBinary throughput, including the unit-less bytes below 1 KB', () => {
    expect(parseBytesPerSec('512.00/s')).toBe(512);
    expect(parseBytesPerSec('512.00B/s')).toBe(512);
    expect(parseBytesPerSec('158.30KB/s')).toBeCloseTo(158.3 * 1024, 6);
    expect(parseBytesPerSec('11.61MB/s')).toBeCloseTo(11.61 * 1024 ** 2, 3);
    expect(parseBytesPerSec('21.70GB/s')).toBeCloseTo(21.7 * 1024 ** 3, 0);
    expect(parseBytesPerSec('1.00TB/s')).toBe(1024 ** 4);
    expect(parseBytesPerSec('12KiB/s')).toBeNull();
    expect(parseBytesPerSec('fast')).toBeNull();
  });
});

// Laid out the way bombardier's plain-text template prints (printf "  %-10v %10v ...",
// "\n    %10v - %v" for errors), with values chosen for the test.
const REPORT_WITH_ERRORS = [
  'Bombarding https://api.example.test:8443/v1/items?id=7 for 1m30s using 125 connection(s)',
  '[==========================================================>-----] 1m20s\r[=================================================================] 1m30s',
  'Done!',
  'Statistics        Avg      Stdev        Max',
  '  Reqs/sec      1200.50     300.25    2500.00',
  '  Latency      850.00us   495.38us      1.50m',
  '  Latency Distribution (Total)',
  '     50%   700.00us',
  '     75%     1.20ms',
  '     90%     2.00ms',
  '     95%     3.00ms',
  '     99%      1.00s',
  '  Latency Distribution (2xx)',
  '     50%   650.00us',
  '     99%   900.00ms',
  '  HTTP codes:',
  '    1xx - 0, 2xx - 100000, 3xx - 10, 4xx - 20, 5xx - 30',
  '    others - 45',
  '  Errors:',
  '       timeout - 40',
  '    dial tcp 10.0.0.1:8443: connect: connection refused - with a dash - 5',
  '  Throughput:   512.00/s',
  '',
].join('\n');

describe('bombardier text', () => {
  it('reads errors, (Total) distribution, mixed units and a Go duration intro', async () => {
    const ctx = testContext();
    const [part] = await ingestBombardierText(file('errors.txt', REPORT_WITH_ERRORS), ctx);
    expect(ctx.warnings).toEqual([]);
    const s = part!.summary;
    expect(s.requests).toBe(100000 + 10 + 20 + 30 + 45);
    expect(s.failures).toBe(20 + 30 + 45);
    expect(s.statuses).toEqual({ '1xx': 0, '2xx': 100000, '3xx': 10, '4xx': 20, '5xx': 30 });
    expect(s.rps).toBe(1200.5);
    expect(s.latencyMs.mean).toBeCloseTo(0.85, 9);
    expect(s.latencyMs.max).toBeCloseTo(90_000, 6);
    // the (Total) distribution, not the (2xx) one
    expect(s.latencyMs.p50).toBeCloseTo(0.7, 9);
    expect(s.latencyMs.p99).toBeCloseTo(1000, 9);
    expect(s.extraPercentiles).toEqual({ p75: 1.2 });
    expect(part!.durationS).toBe(90);
    expect(part!.labels).toEqual({ connections: '125' });
    expect(part!.metrics.throughputBytesPerSec).toBe(512);
    expect(part!.endpoints[0]!.name).toBe('/v1/items?id=7');
    expect(part!.errors).toEqual([
      { endpoint: '/v1/items?id=7', method: null, message: 'HTTP 4xx', status: '4xx', count: 20, kind: 'failure' },
      { endpoint: '/v1/items?id=7', method: null, message: 'HTTP 5xx', status: '5xx', count: 30, kind: 'failure' },
      { endpoint: '/v1/items?id=7', method: null, message: 'timeout', status: null, count: 40, kind: 'failure' },
      { endpoint: '/v1/items?id=7', method: null, message: 'dial tcp 10.0.0.1:8443: connect: connection refused - with a dash', status: null, count: 5, kind: 'failure' },
    ]);
  });

  it('keeps a report without latency statistics and warns about unknown lines inside a report', async () => {
    const text = [
      'Statistics        Avg      Stdev        Max',
      "  There wasn't enough data to compute statistics for requests.",
      "  There wasn't enough data to compute statistics for latencies.",
      '  something new in a later version',
      '  HTTP codes:',
      '    1xx - 0, 2xx - 0, 3xx - 0, 4xx - 0, 5xx - 0',
      '    others - 3',
      '  Errors:',
      '    the server closed connection before returning the first response byte. Make sure the server returns \'Connection: close\' response header before closing the connection - 3',
      '  Throughput:     0.00/s',
    ].join('\r\n');
    const ctx = testContext();
    const [part] = await ingestBombardierText(file('empty.txt', text), ctx);
    expect(part!.summary.requests).toBe(3);
    expect(part!.summary.failures).toBe(3);
    expect(part!.summary.rps).toBeNull();
    expect(part!.summary.latencyMs.mean).toBeNull();
    expect(part!.endpoints[0]!.name).toBe('all');
    expect(part!.errors.map((e) => e.count)).toEqual([3]);
    expect(ctx.warnings).toEqual([{ line: 4, message: '1 unrecognised line(s) inside a bombardier report were ignored' }]);
  });

  it('warns with the line of an unreadable figure', async () => {
    const ctx = testContext();
    const text = REPORT_WITH_ERRORS.replace('     90%     2.00ms', '     90%     2.00ps');
    const [part] = await ingestBombardierText(file('badunit.txt', text), ctx);
    expect(part!.summary.latencyMs.p90).toBeNull();
    expect(ctx.warnings).toEqual([{ line: 10, message: 'unreadable latency "2.00ps" in the latency distribution' }]);
  });

  it('is an InputError naming the file when there is no report', async () => {
    const p = file('nothing.txt', 'Bombarding http://x/ for 10s using 1 connection(s)\n\r 9s\r 8s');
    const ctx = testContext();
    const err = await ingestBombardierText(p, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).file).toBe(p);
    expect(ctx.warnings.map((w) => w.message)).toEqual(['bombardier run against http://x/ has no results (the file ends); skipped']);
  });
});

describe('bombardier JSON', () => {
  it('reads transport errors, a count test and a rate, and places JSON errors in the whole file', async () => {
    const json = JSON.stringify({
      spec: { numberOfConnections: 4, testType: 'number-of-requests', numberOfRequests: 10, method: 'PUT', url: 'http://h/x', body: '', stream: false, timeoutSeconds: 2, client: 'fasthttp', rate: 50 },
      result: { bytesRead: 100, bytesWritten: 50, timeTakenSeconds: 0.5, req1xx: 0, req2xx: 6, req3xx: 0, req4xx: 0, req5xx: 0, others: 4, errors: [{ description: 'timeout', count: 4 }], latency: { mean: 1500, stddev: 10, max: 3000 }, rps: { mean: 20, stddev: 1, max: 22, percentiles: {} } },
    });
    const ctx = testContext();
    const [part] = await ingestBombardierJson(file('count.json', json), ctx);
    expect(part!.summary.requests).toBe(10);
    expect(part!.summary.failures).toBe(4);
    expect(part!.summary.latencyMs.mean).toBe(1.5);
    expect(part!.labels).toEqual({ connections: '4', rate: '50' });
    expect(part!.metrics.throughputBytesPerSec).toBe(300);
    expect(part!.errors).toEqual([{ endpoint: '/x', method: 'PUT', message: 'timeout', status: null, count: 4, kind: 'failure' }]);

    const bad = json.replace(',"method"', ',,"method"');
    const broken = 'Bombarding http://h/x with 10 request(s) using 4 connection(s)\nDone!\n' + bad;
    const err = await ingestBombardierJson(file('broken.txt', broken), testContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line).toBe(3);
    expect((err as InputError).column).toBe(bad.indexOf(',,') + 2); // the second comma, 1-based
  });

  it('detects each format by content, JSON with an intro line included', () => {
    const intro = 'Bombarding http://127.0.0.1:18080/ for 5s using 20 connection(s)\n\r 4s\r 5s\nDone!\n{"spec":{"numberOfConnections":20,"testType":"timed"';
    expect(detectBombardierJson(sniffOf('a.txt', intro))).toBe(true);
    expect(detectBombardierText(sniffOf('a.txt', intro))).toBe(false);
    expect(detectBombardierText(sniffOf('a.log', REPORT_WITH_ERRORS))).toBe(true);
    expect(detectFormat(sniffOf('a.txt', intro))?.format).toBe('bombardier-json');
    expect(detectFormat(sniffOf('a.log', REPORT_WITH_ERRORS))?.format).toBe('bombardier-text');
    expect(detectBombardierText(sniffOf('notes.md', 'Statistics are hard. Avg and Max matter.'))).toBe(false);
    expect(detectBombardierJson(sniffOf('x.json', '{"status":"success","data":{"resultType":"matrix","result":[]}}'))).toBe(false);
  });
});
