// The k6 --out json ingester: the byte scanner against JSON.parse, tricky lines,
// HDR percentiles against exact ones, and the worker-thread path against one thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ingestNdjson } from '../src/ingest/k6/ndjson.js';
import { createLineResult, FALLBACK, parseLineJson, POINT, scanLine, TIME_ONLY, type LineResult } from '../src/ingest/k6/ndjson-line.js';
import { getKernel, readRecord } from '../src/ingest/k6/ndjson-kernel.js';
import { createScan, finishScan, scanChunk } from '../src/ingest/k6/ndjson-scan.js';
import { parseRfc3339MsString } from '../src/ingest/k6/ndjson-time.js';
import { generateK6Ndjson } from '../src/bench/generate-k6.js';
import { testContext } from './helpers/ctx.js';

const fixtures = path.resolve(__dirname, '..', 'fixtures', 'k6-json');
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ce-k6json-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The WebAssembly kernel (default), the JavaScript byte scanner alone, and JSON.parse on every line. */
async function bothPaths(file: string) {
  const fastCtx = testContext();
  const jsCtx = testContext();
  const slowCtx = testContext();
  const [fast] = await ingestNdjson(file, fastCtx, { fast: true, workers: 0 });
  const [js] = await ingestNdjson(file, jsCtx, { fast: true, kernel: false, workers: 0 });
  const [slow] = await ingestNdjson(file, slowCtx, { fast: false, workers: 0 });
  expect(js).toEqual(slow);
  expect(jsCtx.warnings).toEqual(slowCtx.warnings);
  return { fast: fast!, slow: slow!, fastWarnings: fastCtx.warnings, slowWarnings: slowCtx.warnings };
}

describe('fast scanner and JSON.parse give identical models', () => {
  for (const c of ['canary-v0.48', 'main-ramp-v0.37', 'corrupt-middle-line', 'truncated-last-line']) {
    it(c, async () => {
      const { fast, slow, fastWarnings, slowWarnings } = await bothPaths(path.join(fixtures, c, 'input', 'k6-out.ndjson.gz'));
      expect(fast.summary.requests).toBeGreaterThan(0);
      expect(fast).toEqual(slow);
      expect(fastWarnings).toEqual(slowWarnings);
    }, 60_000);
  }

  it('on tricky lines: escapes, unicode, key orders, extra fields, exponents, offsets, CRLF, BOM', async () => {
    const t = '2026-11-22T19:32:12.964529223Z';
    const lines = [
      '\ufeff{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}',
      '{"metric":"http_reqs","type":"Point","data":{"time":"' + t + '","value":1,"tags":{"method":"GET","name":"GET /a \\"quoted\\"","status":"200"}}}',
      '{"metric":"http_req_duration","type":"Point","data":{"time":"' + t + '","value":12.5,"tags":{"method":"GET","name":"GET /a \\"quoted\\"","status":"200"}}}',
      // unicode in the name (raw UTF-8 and a \\u escape), old key order
      '{"type":"Point","data":{"time":"2026-11-22T20:32:13.5+01:00","value":1,"tags":{"method":"POST","name":"POST /café/✓","status":"201"}},"metric":"http_reqs"}',
      '{"type":"Point","data":{"time":"2026-11-22T20:32:13.5+01:00","value":1.5e2,"tags":{"method":"POST","name":"POST /caf\\u00e9/✓","status":"201"}},"metric":"http_req_duration"}',
      // other key orders, whitespace, extra fields
      '{ "data": {"tags": {"status": "200", "name": "GET /b", "method": "GET"}, "value": 3E-1, "time": "' + t + '"}, "type": "Point", "metric": "http_req_duration" }',
      '{"metric":"http_req_duration","type":"Point","data":{"time":"' + t + '","value":7.25,"tags":{"name":"GET /b","method":"GET","status":"200"},"metadata":{"trace_id":"x"}}}\r',
      '{"metric":"http_req_waiting","type":"Point","data":{"time":"2026-11-22T19:32:20.000000001Z","value":7.1,"tags":{"name":"GET /b"}}}',
      // numbers: long mantissa, negative zero, a tag that is not a string, null tags
      '{"metric":"http_req_duration","type":"Point","data":{"time":"' + t + '","value":0.12345678901234567,"tags":{"name":"GET /b","method":"GET","status":200}}}',
      '{"metric":"my_counter","type":"Point","data":{"time":"' + t + '","value":-0,"tags":null}}',
      '{"metric":"my_trend","type":"Point","data":{"time":"' + t + '","value":123456789012345678,"tags":{}}}',
      // a negative duration is skipped and warned about
      '{"metric":"http_req_duration","type":"Point","data":{"time":"' + t + '","value":-3,"tags":{"name":"GET /b","method":"GET"}}}',
      '{"metric":"http_req_failed","type":"Point","data":{"time":"' + t + '","value":1,"tags":{"name":"GET /b","method":"GET","status":"503","error":"upstream \\"gone\\""}}}',
      '',
    ];
    const file = path.join(dir, 'tricky.ndjson');
    writeFileSync(file, lines.join('\n'));
    const { fast, slow, fastWarnings, slowWarnings } = await bothPaths(file);
    expect(fast).toEqual(slow);
    expect(fastWarnings).toEqual(slowWarnings);
    expect(fastWarnings.map((w) => w.line)).toEqual([12]);
    const names = fast.endpoints.map((e) => e.name);
    expect(names).toContain('GET /a "quoted"');
    expect(names).toContain('POST /café/✓');
    const cafe = fast.endpoints.find((e) => e.name === 'POST /café/✓')!;
    expect(cafe.latencyMs.max).toBe(150);
    const b = fast.endpoints.find((e) => e.name === 'GET /b')!;
    expect(b.latencyMs.min).toBe(0.12345678901234567);
    expect(b.latencyMs.max).toBe(7.25);
    expect(fast.errors[0]).toMatchObject({ endpoint: 'GET /b', message: 'upstream "gone"', status: '503', count: 1 });
    // +01:00 offset: 20:32:13.5+01:00 is 19:32:13.5Z; the waiting sample is the last one.
    expect(fast.start).toBe('2026-11-22T19:32:12.964Z');
    expect(fast.end).toBe('2026-11-22T19:32:20.000Z');
    expect(fast.metrics.custom?.my_trend?.max).toBe(123456789012345678);
  });
});

describe('run tags become labels', () => {
  const t = '2026-11-22T19:32:12.964529223Z';
  const point = (metric: string, value: number, tags: string) => `{"metric":"${metric}","type":"Point","data":{"time":"${t}","value":${value},"tags":${tags}}}`;
  const request = (extra: string) => {
    const tags = `{"endpoint":"a","expected_response":"true","group":"","method":"GET","name":"GET /a","proto":"HTTP/1.1","scenario":"default","status":"200","url":"http://x/a"${extra}}`;
    return [point('http_reqs', 1, tags), point('http_req_duration', 12.5, tags), point('http_req_blocked', 0.1, tags), point('http_req_failed', 0, tags)];
  };
  let lastWarnings: string[] = [];
  async function labelsOf(name: string, lines: string[]) {
    const file = path.join(dir, name);
    writeFileSync(file, lines.join('\n') + '\n');
    const { fast, slow, fastWarnings } = await bothPaths(file);
    expect(fast).toEqual(slow);
    lastWarnings = fastWarnings.map((w) => w.message);
    return fast.labels;
  }

  it('a tag every sample carries with one value (k6 run --tag) is a label; system tags and varying ones are not', async () => {
    const run = ',"variant":"canary","testid":"t1","my tag":"x"';
    const lines = [
      point('vus', 10, '{"variant":"canary","testid":"t1","my tag":"x"}'),
      ...request(run),
      point('checks', 1, '{"check":"ok","group":"","scenario":"default","variant":"canary","testid":"t1","my tag":"x"}'),
    ];
    // `endpoint` is not on vus or checks; scenario is k6's own; "my tag" is no label name (said so).
    expect(await labelsOf('run-tags.ndjson', lines)).toEqual({ testid: 't1', variant: 'canary' });
    expect(lastWarnings).toEqual(['run tag "my tag" (on every sample) is not a label: a label name is letters, digits, _ . and -, starting with a letter or _']);
    const long = 'x'.repeat(201);
    expect(await labelsOf('run-tags-long.ndjson', [point('vus', 1, `{"build":"${long}","variant":"c"}`), ...request(`,"build":"${long}","variant":"c"`)])).toEqual({ variant: 'c' });
    expect(lastWarnings).toEqual(['run tag build (on every sample) is not a label: its value is longer than 200 characters']);
    // One sample with another value, one without the tag, one with null tags.
    expect(await labelsOf('run-tags-varying.ndjson', [...lines, ...request(',"variant":"canary","testid":"t2"')])).toEqual({ variant: 'canary' });
    expect(await labelsOf('run-tags-missing.ndjson', [...lines, point('vus', 3, '{"testid":"t1"}')])).toEqual({ testid: 't1' });
    expect(await labelsOf('run-tags-null.ndjson', [...lines, point('my_counter', 3, 'null')])).toEqual({});
  });

  it('decodes escaped tag values the same way on both paths', async () => {
    const run = ',"variant":"can\\"ary \\u00e9"';
    expect(await labelsOf('run-tags-escaped.ndjson', [point('vus', 1, `{${run.slice(1)}}`), ...request(run)])).toEqual({ variant: 'can"ary é' });
  });
});

/** Real-shaped k6 lines (the newer key order) whose every byte the byte-change tests change in turn. */
const BYTE_TEST_TIME = '2026-11-22T19:32:12.964529223Z';
const BYTE_TEST_TAGS = '{"endpoint":"predict","expected_response":"true","group":"","method":"POST","name":"POST /predict","proto":"HTTP/1.1","scenario":"steady","status":"200","url":"POST /predict","variant":"canary"}';
const BYTE_TEST_LINES = [
  `{"metric":"http_req_duration","type":"Point","data":{"time":"${BYTE_TEST_TIME}","value":23.681624,"tags":${BYTE_TEST_TAGS}}}`,
  `{"metric":"http_req_blocked","type":"Point","data":{"time":"${BYTE_TEST_TIME}","value":2.581811,"tags":${BYTE_TEST_TAGS}}}`,
  `{"metric":"vus","type":"Point","data":{"time":"2026-11-22T19:32:13.936261162Z","value":10,"tags":{"variant":"canary"}}}`,
];

/** Every copy of each line with one byte replaced by one of `chars` (a byte already that char is skipped). */
function* oneByteChanges(lines: readonly string[], chars: readonly string[]): Generator<[line: string, changed: string]> {
  for (const line of lines) {
    for (let i = 0; i < line.length; i++) {
      for (const c of chars) {
        if (line[i] !== c) yield [line, line.slice(0, i) + c + line.slice(i + 1)];
      }
    }
  }
}

describe('scanLine agrees with JSON.parse line by line', () => {
  const metric = fc.constantFrom('http_reqs', 'http_req_duration', 'http_req_failed', 'http_req_blocked', 'vus', 'checks', 'custom_metric');
  const tagValue = fc.oneof(fc.string(), fc.constantFrom('GET', 'POST /predict', '200', 'é✓ ü', 'a"b', 'back\\slash'));
  const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(0, 1, 1e-7, 2.5e21, 38.123456));
  const time = fc.integer({ min: 0, max: 4102444800000 }).chain((ms) =>
    fc.tuple(fc.constant(ms), fc.integer({ min: 0, max: 999999 }), fc.constantFrom('Z', '+01:00', '-05:30')),
  );
  it('for generated Points in both key orders', () => {
    let scanned = 0;
    fc.assert(
      fc.property(metric, value, time, fc.dictionary(fc.constantFrom('name', 'method', 'url', 'status', 'error', 'error_code', 'group', 'scenario', 'variant', 'test id', '__proto__'), tagValue), fc.boolean(), (m, v, [ms, sub, zone], tags, oldOrder) => {
        const iso = new Date(ms).toISOString().slice(0, 23) + String(sub).padStart(6, '0') + 'Z';
        const shifted = zone === 'Z' ? iso : iso.slice(0, -1) + zone;
        const data = `{"time":${JSON.stringify(shifted)},"value":${JSON.stringify(v)},"tags":${JSON.stringify(tags)}}`;
        const line = oldOrder ? `{"type":"Point","data":${data},"metric":${JSON.stringify(m)}}` : `{"metric":${JSON.stringify(m)},"type":"Point","data":${data}}`;
        const buf = Buffer.from(line);
        const fast = createLineResult();
        const slow = createLineResult();
        const kind = scanLine(buf, 0, buf.length, fast);
        const ref = parseLineJson(line, slow);
        if (kind === FALLBACK) return;
        scanned++;
        expect(kind).toBe(ref);
        expect(fast.metric).toBe(slow.metric);
        expect(fast.timeMs).toBe(slow.timeMs);
        if (kind === POINT) {
          expect(Object.is(fast.value, slow.value)).toBe(true);
          expect(fast.tags).toEqual(slow.tags);
        } else {
          expect(kind).toBe(TIME_ONLY);
        }
      }),
      { numRuns: 2000 },
    );
    // The comparison means something only if the fast path took most lines.
    expect(scanned).toBeGreaterThan(500);
  });

  it('for runs of lines in one buffer, where the name, time and tags caches hit', () => {
    // Few distinct names, tags and times, so consecutive lines repeat them like k6's do;
    // every line is checked in place against JSON.parse.
    // Same-length variants that differ late, so a cache comparing too little would show.
    const tagsPool = fc.constantFrom('{"method":"GET","name":"GET /a","status":"200"}', '{"method":"GET","name":"GET /a","status":"500"}', '{"method":"GET","name":"GET /b","status":"200"}', '{"method":"GET","name":"GET /a","status":"500","error":"x"}', '{}', 'null', '{"name":"GET /a\\"","method":"GET"}', '{"status":200}', '{"method":"GET","name":"GET /a","status":"200"} ');
    const timePool = fc.constantFrom('2026-11-22T19:32:12.964529223Z', '2026-11-22T19:32:12.965529223Z', '2026-11-22T19:32:12.964528223Z', '2026-11-22T19:32:11.964529223Z', '2026-11-23T19:32:12.964529223Z', '2026-11-22T19:32:13.5Z', '2026-11-22T20:32:13.5+01:00', '2026-11-22T19:32:12Z', '2026-11-22T19:32:12.9645292239Z', '2026-11-22T19:32:1"');
    const one = fc.tuple(metric, timePool, fc.constantFrom('1', '0', '12.5', '-3', '1e3'), tagsPool, fc.boolean());
    fc.assert(
      fc.property(fc.array(one, { minLength: 1, maxLength: 40 }), (specs) => {
        const lines = specs.map(([m, t, v, tags, oldOrder]) => {
          const data = `{"time":"${t}","value":${v},"tags":${tags}}`;
          return oldOrder ? `{"type":"Point","data":${data},"metric":"${m}"}` : `{"metric":"${m}","type":"Point","data":${data}}`;
        });
        const buf = Buffer.from(lines.join('\n'));
        let pos = 0;
        for (const line of lines) {
          const len = Buffer.byteLength(line);
          const fast = createLineResult();
          const slow = createLineResult();
          const kind = scanLine(buf, pos, pos + len, fast);
          const ref = parseLineJson(line, slow);
          pos += len + 1;
          if (kind === FALLBACK) continue;
          expect(kind).toBe(ref);
          expect(fast.metric).toBe(slow.metric);
          expect(fast.kind).toBe(slow.kind);
          expect(fast.timeMs).toBe(slow.timeMs);
          if (kind === POINT) {
            expect(Object.is(fast.value, slow.value)).toBe(true);
            expect(fast.tags).toEqual(slow.tags);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never reads a line with one changed byte as the line it changed from (every comparison covers every byte)', () => {
    // After the line itself is scanned (its name, time and tags cached), each copy with one
    // byte replaced must be scanned to what JSON.parse makes of it, or fall back. That holds
    // for a metric the model does not use (http_req_blocked) too: its line is read whole.
    // The JavaScript scanner also reads k6 0.3x's key order ("metric" last).
    const oldOrder = `{"type":"Point","data":{"time":"${BYTE_TEST_TIME}","value":1,"tags":${BYTE_TEST_TAGS}},"metric":"http_reqs"}`;
    let checked = 0;
    for (const [line, changed] of oneByteChanges([...BYTE_TEST_LINES, oldOrder], ['x', '"', '1', '\\'])) {
      const primed = Buffer.from(line);
      scanLine(primed, 0, primed.length, createLineResult());
      const buf = Buffer.from(changed);
      const fast = createLineResult();
      const slow = createLineResult();
      const kind = scanLine(buf, 0, buf.length, fast);
      if (kind === FALLBACK) continue;
      checked++;
      const ref = parseLineJson(changed, slow);
      expect({ kind, metric: fast.metric, timeMs: fast.timeMs }, changed).toEqual({ kind: ref, metric: slow.metric, timeMs: slow.timeMs });
      if (kind === POINT) expect({ value: fast.value, tags: fast.tags }, changed).toEqual({ value: slow.value, tags: slow.tags });
    }
    // Changed digits of times and values, and tag values, are still read: most copies.
    expect(checked).toBeGreaterThan(200);
  });

  it('takes every Point line of realistic k6 output without JSON.parse', () => {
    // A Point line that falls back costs ~30x a scanned one: k6's varying time lengths
    // (trailing zeros dropped) once sent 1 line in 120 there.
    const file = path.join(dir, 'coverage.ndjson');
    generateK6Ndjson(file, 2 * 1024 * 1024, 5);
    const buf = readFileSync(file);
    const out = createLineResult();
    let pos = 0;
    let points = 0;
    let fellBack = 0;
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      if (buf.toString('latin1', pos, pos + 64).includes('"type":"Point"')) {
        points++;
        if (scanLine(buf, pos, nl, out) === FALLBACK) fellBack++;
      }
      pos = nl + 1;
    }
    expect(points).toBeGreaterThan(5000);
    expect(fellBack).toBe(0);
  });

  it('reads the time with its nanoseconds and offset', () => {
    expect(parseRfc3339MsString('2026-11-22T19:32:12.964529223Z')).toBeCloseTo(Date.parse('2026-11-22T19:32:12.964Z') + 0.529223, 4);
    expect(parseRfc3339MsString('2026-11-22T20:32:12+01:00')).toBe(Date.parse('2026-11-22T19:32:12Z'));
    expect(parseRfc3339MsString('1999-02-28T23:59:59.5-00:30')).toBe(Date.parse('1999-03-01T00:29:59.500Z'));
    expect(parseRfc3339MsString('2026-13-22T19:32:12Z')).toBeNaN();
    expect(parseRfc3339MsString('2026-11-22T19:32:12')).toBeNaN();
    expect(parseRfc3339MsString('2026-11-22T19:32:1\u0132Z')).toBeNaN();
  });
});

describe('the WebAssembly kernel agrees with JSON.parse line by line', () => {
  /** The lines, one after another in the kernel's input, read back record by record. */
  function kernelRead(lines: string[]): Array<{ kind: number; out: LineResult }> {
    const k = getKernel();
    expect(k).not.toBeNull();
    const buf = Buffer.from(lines.join('\n') + '\n');
    k!.input.set(buf, 0);
    k!.exports.begin(0);
    const n = k!.exports.scan(buf.length);
    expect(n).toBe(lines.length);
    return Array.from({ length: n }, (_, r) => {
      const out = createLineResult();
      return { kind: readRecord(k!, r, out), out };
    });
  }
  /** Whether the kernel's reading of `line` is JSON.parse's (or it left the line to JavaScript). */
  function agrees(line: string, got: { kind: number; out: LineResult }): boolean {
    if (got.kind === FALLBACK) return false;
    const slow = createLineResult();
    const ref = parseLineJson(line, slow);
    expect({ kind: got.kind, metric: got.out.metric, kindOfMetric: got.out.kind, timeMs: got.out.timeMs }, line).toEqual({ kind: ref, metric: slow.metric, kindOfMetric: slow.kind, timeMs: slow.timeMs });
    if (got.kind === POINT) {
      expect(Object.is(got.out.value, slow.value), line).toBe(true);
      expect(got.out.tags, line).toEqual(slow.tags);
    }
    return true;
  }

  const metric = fc.constantFrom('http_reqs', 'http_req_duration', 'http_req_failed', 'http_req_blocked', 'vus', 'checks', 'custom_metric', 'é✓');
  const tagValue = fc.oneof(fc.string(), fc.constantFrom('GET', 'POST /predict', '200', 'é✓ ü', 'a"b', 'back\\slash'));
  const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(0, -0, 1, 1e-7, 2.5e21, 38.123456, 0.1, 123456789012345));

  it('for generated Points', () => {
    let read = 0;
    fc.assert(
      fc.property(metric, value, fc.integer({ min: -62135596800000, max: 253402300799999 }), fc.constantFrom('Z', '+01:00', '-05:30', 'z'), fc.dictionary(fc.constantFrom('name', 'method', 'url', 'status', 'error', 'error_code', 'group', 'scenario', 'variant', 'test id', '__proto__'), tagValue), (m, v, ms, zone, tags) => {
        const iso = new Date(ms).toISOString();
        const time = zone === 'Z' ? iso : iso.slice(0, -1) + zone;
        const line = `{"metric":${JSON.stringify(m)},"type":"Point","data":{"time":${JSON.stringify(time)},"value":${JSON.stringify(v)},"tags":${JSON.stringify(tags)}}}`;
        if (agrees(line, kernelRead([line])[0]!)) read++;
      }),
      { numRuns: 2000 },
    );
    // The comparison means something only if the kernel took most lines.
    expect(read).toBeGreaterThan(600);
  });

  it('for runs of lines, where the name, time and tags caches hit', () => {
    const tagsPool = fc.constantFrom('{"method":"GET","name":"GET /a","status":"200"}', '{"method":"GET","name":"GET /a","status":"500"}', '{"method":"GET","name":"GET /b","status":"200"}', '{"method":"GET","name":"GET /a","status":"500","error":"x"}', '{}', 'null', '{"name":"GET /a\\"","method":"GET"}', '{"status":200}', '{"method":"GET","name":"GET /a","status":"200"} ', '{"method":"GET","name":"GET /a","status":"200","variant":"c\\u00e9"}');
    const timePool = fc.constantFrom('2026-11-22T19:32:12.964529223Z', '2026-11-22T19:32:12.965529223Z', '2026-11-22T19:32:12.964528223Z', '2026-11-22T19:32:11.964529223Z', '2026-11-23T19:32:12.964529223Z', '2026-11-22T19:32:13.5Z', '2026-11-22T20:32:13.5+01:00', '2026-11-22T19:32:12Z', '2026-11-22T19:32:12.9645292239Z', '2026-11-22T19:32:1"', '2026-11-22T19:32:12.96452922Z');
    const one = fc.tuple(metric, timePool, fc.constantFrom('1', '0', '12.5', '-3', '1e3', '-0', '0.000001', '00', '1.', '-'), tagsPool, fc.constantFrom('', '\r', ' '));
    let read = 0;
    fc.assert(
      fc.property(fc.array(one, { minLength: 1, maxLength: 40 }), (specs) => {
        const lines = specs.map(([m, t, v, tags, end]) => `{"metric":"${m}","type":"Point","data":{"time":"${t}","value":${v},"tags":${tags}}}${end}`);
        const got = kernelRead(lines);
        lines.forEach((line, i) => {
          if (agrees(line.replace(/\r$/, ''), got[i]!)) read++;
        });
      }),
      { numRuns: 500 },
    );
    expect(read).toBeGreaterThan(400);
  });

  it('never reads a line with one changed byte as the line it changed from', () => {
    // Each copy follows the line itself (so its name, time and tags are cached) and must be
    // read to what JSON.parse makes of it, or be left to JavaScript.
    let checked = 0;
    for (const [line, changed] of oneByteChanges(BYTE_TEST_LINES, ['x', '"', '1', '}', '\\'])) {
      if (agrees(changed, kernelRead([line, changed])[1]!)) checked++;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('takes every Point line of realistic k6 output', () => {
    const file = path.join(dir, 'kernel-coverage.ndjson');
    generateK6Ndjson(file, 2 * 1024 * 1024, 6);
    const buf = readFileSync(file);
    const lines = buf.toString('utf8').split('\n').filter((l) => l.includes('"type":"Point"'));
    expect(lines.length).toBeGreaterThan(5000);
    for (let i = 0; i < lines.length; i += 2000) {
      const part = lines.slice(i, i + 2000);
      expect(kernelRead(part).filter((r) => r.kind === FALLBACK).length).toBe(0);
    }
  });

  it('gives the same scan however the input is cut into chunks, and past the size of its input area', () => {
    const file = path.join(dir, 'chunks.ndjson');
    generateK6Ndjson(file, 9 * 1024 * 1024, 11);
    const text = readFileSync(file);
    const scanIn = (sizes: (i: number) => number, kernel: boolean) => {
      const scan = createScan(1, true, kernel);
      for (let pos = 0, i = 0; pos < text.length; i++) {
        const n = sizes(i);
        scanChunk(scan, text.subarray(pos, pos + n));
        pos += n;
      }
      finishScan(scan);
      return { lines: scan.lineNo, points: scan.points, agg: scan.agg };
    };
    const reference = scanIn(() => 1 << 20, false);
    expect(reference.points).toBeGreaterThan(30000);
    // One chunk bigger than the kernel's input area (JavaScript reads it), odd cuts, and cuts inside lines.
    expect(scanIn(() => text.length, true)).toEqual(reference);
    expect(scanIn((i) => 1 + ((i * 7919) % 65536), true)).toEqual(reference);
    expect(scanIn((i) => (i % 3 === 0 ? 17 : 300_000), true)).toEqual(reference);
  }, 60_000);

  // Numbers: the kernel rounds w * 10^q itself (Clinger's fast path, then Eisel-Lemire)
  // and must give JSON.parse's double bit for bit, or leave the line to JavaScript.
  /** A small seeded generator (mulberry32): a failure names the seed and repeats. */
  function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  /** Significant digits of a JSON number's text (zeros leading, of the fraction too, or trailing are not). */
  const sigDigits = (text: string): number => text.replace(/[eE].*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '').length;
  /**
   * The kernel's value for each JSON number text, in a k6 line (undefined: left to JavaScript);
   * the ones that differ from JSON.parse's come back in `wrong`.
   */
  function kernelNumbers(texts: string[]): { values: Array<number | undefined>; wrong: string[] } {
    const values: Array<number | undefined> = [];
    const wrong: string[] = [];
    for (let i = 0; i < texts.length; i += 8000) {
      const part = texts.slice(i, i + 8000);
      const lines = part.map((v) => `{"metric":"my_trend","type":"Point","data":{"time":"2026-11-22T19:32:12.964529223Z","value":${v},"tags":{"name":"GET /"}}}`);
      kernelRead(lines).forEach((r, j) => {
        if (r.kind === FALLBACK) {
          values.push(undefined);
          return;
        }
        values.push(r.out.value);
        if (r.kind !== POINT || !Object.is(r.out.value, JSON.parse(part[j]!))) wrong.push(`${part[j]} read as ${r.kind === POINT ? String(r.out.value) : 'not a Point'}`);
      });
    }
    return { values, wrong };
  }

  it('reads every double JavaScript prints as JSON.parse does, and takes nearly all of them', () => {
    const next = random(20211);
    const bits = new DataView(new ArrayBuffer(8));
    const texts: string[] = [];
    for (let i = 0; i < 300_000; i++) {
      const kind = i % 4;
      let x: number;
      if (kind === 0) {
        // Any double: every exponent, subnormals too (those may fall back).
        bits.setUint32(0, (next() * 2 ** 32) >>> 0);
        bits.setUint32(4, (next() * 2 ** 32) >>> 0);
        x = bits.getFloat64(0);
        if (!Number.isFinite(x)) x = next();
      } else if (kind === 1) {
        // Trend values of every scale: 1.2e-7 .. 3.5e+21 and their 16-17 digits.
        x = next() * 10 ** Math.floor(next() * 60 - 30);
      } else if (kind === 2) {
        // Differences and sums of times, as a custom Trend fed from JavaScript gets them.
        x = (next() * 1000 + 1e12) - 1e12 + next() * 100;
      } else {
        x = Math.round(next() * 1e9) / 10 ** Math.floor(next() * 12);
      }
      texts.push(String(next() < 0.5 ? -x : x));
    }
    expect(texts.some((t) => t.includes('e-'))).toBe(true);
    expect(texts.some((t) => t.includes('e+'))).toBe(true);
    const { values, wrong } = kernelNumbers(texts);
    expect(wrong).toEqual([]);
    const taken = values.filter((v) => v !== undefined).length;
    // JavaScript prints at most 17 significant digits: only subnormals (1 in 2048 of the
    // random bit patterns) and an undecided product may be left to it.
    expect(texts.every((t) => sigDigits(t) <= 17)).toBe(true);
    expect(taken / texts.length).toBeGreaterThan(0.99);
  });

  it('reads 16 to 19 significant digits with exponents in [-30, 30] as JSON.parse does', () => {
    const next = random(2021);
    const texts: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const n = 16 + Math.floor(next() * 4);
      let digits = String(1 + Math.floor(next() * 9));
      while (digits.length < n) digits += String(Math.floor(next() * 10));
      // The point anywhere, or leading zeros of a fraction; an exponent or not, in every spelling.
      const at = Math.floor(next() * (n + 4)) - 3;
      const mantissa = at <= 0 ? `0.${'0'.repeat(-at)}${digits}` : at >= n ? digits : `${digits.slice(0, at)}.${digits.slice(at)}`;
      const exp = Math.floor(next() * 61) - 30;
      const e = next() < 0.2 ? '' : `${next() < 0.5 ? 'e' : 'E'}${exp < 0 ? '-' : next() < 0.5 ? '+' : ''}${Math.abs(exp)}`;
      texts.push(`${next() < 0.3 ? '-' : ''}${mantissa}${e}`);
    }
    const { values, wrong } = kernelNumbers(texts);
    expect(wrong).toEqual([]);
    expect(values.filter((v) => v !== undefined).length / texts.length).toBeGreaterThan(0.99);
  });

  it('rounds exact halfway values to even, and their nearest neighbours away from the midpoint', () => {
    // m * 2^s with m odd and 54 bits lies halfway between two doubles; with m a multiple of
    // 5^k its decimal has few enough digits to be read (w * 10^q for q in [-4, 23]).
    const next = random(53);
    const texts: string[] = [];
    const big = (bitsWanted: number) => {
      let x = 0n;
      for (let i = 0; i < bitsWanted; i += 16) x = (x << 16n) | BigInt(Math.floor(next() * 65536));
      return x & ((1n << BigInt(bitsWanted)) - 1n);
    };
    while (texts.length < 30_000) {
      const k = Math.floor(next() * 24);
      const p5 = 5n ** BigInt(k);
      // An odd multiple of 5^k in [2^53, 2^54).
      let m = ((1n << 53n) + big(53)) / p5;
      if (m % 2n === 0n) m += 1n;
      m *= p5;
      if (m >= 1n << 54n || m < 1n << 53n) continue;
      const s = Math.floor(next() * 80) - 4;
      // Exact decimal digits of m * 2^s and their exponent: m * 2^s = digits * 10^q.
      let digits = s >= 0 ? m << BigInt(s) : m * 5n ** BigInt(-s);
      let q = s >= 0 ? 0 : s;
      while (digits % 10n === 0n) {
        digits /= 10n;
        q++;
      }
      const d = digits.toString();
      if (d.length > 19) continue;
      for (const w of [digits, digits - 1n, digits + 1n]) {
        const t = w.toString();
        texts.push(`${t}e${q}`);
        if (t.length > 1) texts.push(`${t[0]}.${t.slice(1)}e${q + t.length - 1}`);
      }
    }
    const { values, wrong } = kernelNumbers(texts);
    expect(wrong).toEqual([]);
    expect(values.filter((v) => v !== undefined).length / texts.length).toBeGreaterThan(0.99);
  });

  it('reads hard numbers right or leaves them to JavaScript, and only JSON numbers', () => {
    const mustTake = [
      // 2^53 + 1 and + 3: halfway, to even; in several spellings.
      '9007199254740993', '9007199254740995', '9007199254740993.0', '9.007199254740993e15', '900719925474099.3e1', '90071992547409930e-1', '0.9007199254740993E+16',
      // Halfway below 2^53 (q = -1: by integers), and above it.
      '4503599627370496.5', '4503599627370497.5', '18014398509481986', '18014398509481990', '9007199254740992.999', '9007199254740993.001',
      '0.1', '0.3', '0.30000000000000004', '-0.0', '-0', '-0.0e-400', '1e23', '8.98846567431158e307', '1.7976931348623157e308', '-1.7976931348623157e308',
      '1.2e-7', '3.5E+21', '1e+21', '5.368119430919944', '123456789012345678.9', '9999999999999999999', '0.00000000000000000000000000000000001234567890123456789',
      '2.4703282292062328e-300', '4.9406564584124654e-300', '2.2250738585072014e-300', '1.0000000000000002', '0.9999999999999999', '1.000000000000000111',
      // Zeros past 19 digits only scale w: JavaScript prints 1.23e20 so.
      '123000000000000000000', '9007199254740993.00000', '100000000000000000000', '1.0000000000000000000000000',
    ];
    const mayFallBack = [
      '5e-324', '2.2250738585072014e-308', '2.2250738585072011e-308', '4.9406564584124654e-324', '1.7976931348623158e308', '1.7976931348623159e308', '1e309', '1e-400',
      '0e99999999999', '1e100000', '0.0000001e100005', '1.00000000000000011102230246251565',
      // Past 19 significant digits: never truncated to 19 and rounded wrong.
      '12345678901234567890', '1234567890123456789.1', '0.12345678901234567891', '9007199254740992.9999', '9007199254740993.0001', '9007199254740993000000000000001e-15',
    ];
    // Not JSON numbers: the line is left to JavaScript, which reports it.
    const notNumbers = ['1.', '1e', '1e+', '01', '-', '-01', '+1', '.5', '1.e5', '0x10', '1e-', '--1', 'Infinity', 'NaN', '1_000', '00.5', '-.5'];
    const taken = kernelNumbers(mustTake);
    expect(taken.wrong).toEqual([]);
    expect(mustTake.filter((_, i) => taken.values[i] === undefined)).toEqual([]);
    expect(Object.is(taken.values[mustTake.indexOf('-0.0e-400')], -0)).toBe(true);
    const others = kernelNumbers(mayFallBack);
    expect(others.wrong).toEqual([]);
    // The ones past 19 digits with more than zeros fall back (JavaScript's Number() reads them whole).
    expect(mayFallBack.filter((t, i) => sigDigits(t) > 19 && others.values[i] !== undefined)).toEqual([]);
    for (const t of notNumbers) expect(kernelRead([`{"metric":"my_trend","type":"Point","data":{"time":"2026-11-22T19:32:12Z","value":${t},"tags":{}}}`])[0]!.kind, t).toBe(FALLBACK);
  });
});

describe('reading files straight into the kernel', () => {
  it('gives the same models when several plain files are read at once on one thread (one holds the read areas)', async () => {
    const files = [1, 2, 3].map((seed) => {
      const file = path.join(dir, `concurrent-${seed}.ndjson`);
      generateK6Ndjson(file, 9 * 1024 * 1024, 20 + seed);
      return file;
    });
    const alone = [];
    for (const f of files) alone.push((await ingestNdjson(f, testContext(), { workers: 0 }))[0]);
    const together = await Promise.all(files.map(async (f) => (await ingestNdjson(f, testContext(), { workers: 0 }))[0]));
    const reference = await Promise.all(files.map(async (f) => (await ingestNdjson(f, testContext(), { workers: 0, kernel: false }))[0]));
    expect(together).toEqual(alone);
    expect(alone).toEqual(reference);
    expect(alone[0]!.summary.requests).toBeGreaterThan(1000);
  }, 60_000);
});

describe('percentiles', () => {
  it('HDR percentiles are within 0.1% of exact sorted-array percentiles', async () => {
    const file = path.join(dir, 'gen.ndjson');
    const gen = generateK6Ndjson(file, 3 * 1024 * 1024, 7);
    const ctx = testContext();
    const [part] = await ingestNdjson(file, ctx, { workers: 0 });
    // Exact reference: every http_req_duration value, sorted; k6's linear-interpolated percentile.
    const byEndpoint = new Map<string, number[]>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"http_req_duration","type":"Point"')) continue;
      const o = JSON.parse(line);
      const key = o.data.tags.name;
      if (!byEndpoint.has(key)) byEndpoint.set(key, []);
      byEndpoint.get(key)!.push(o.data.value);
    }
    const all = [...byEndpoint.values()].flat();
    const exact = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b);
      const pos = (p / 100) * (s.length - 1);
      const lo = Math.floor(pos);
      return s[lo]! + (s[Math.ceil(pos)]! - s[lo]!) * (pos - lo);
    };
    const close = (got: number | null, want: number) => {
      expect(got).not.toBeNull();
      expect(Math.abs(got! - want) / want).toBeLessThanOrEqual(0.001);
    };
    expect(part!.summary.requests).toBe(gen.requests);
    expect(all.length).toBe(gen.requests);
    for (const p of [50, 90, 95, 99] as const) close(part!.summary.latencyMs[`p${p}`], exact(all, p));
    expect(part!.summary.latencyMs.max).toBe(Math.max(...all));
    expect(part!.summary.latencyMs.min).toBe(Math.min(...all));
    for (const e of part!.endpoints) {
      const xs = byEndpoint.get(e.name)!;
      expect(e.requests).toBe(xs.length);
      for (const p of [50, 90, 95, 99] as const) close(e.latencyMs[`p${p}`], exact(xs, p));
    }
    expect(ctx.warnings).toEqual([]);
  }, 60_000);
});

// Worker threads run the compiled worker module, so this uses the build (npm test builds first).
const distNdjson = path.resolve(__dirname, '..', 'dist', 'ingest', 'k6', 'ndjson.js');
describe('worker threads', () => {
  it.skipIf(!existsSync(distNdjson))('split a plain file by byte ranges and merge to the same model as one thread', async () => {
    const mod = (await import(pathToFileURL(distNdjson).href)) as typeof import('../src/ingest/k6/ndjson.js');
    const file = path.join(dir, 'parallel.ndjson');
    // A corrupt line in the middle checks that line numbers survive the split.
    generateK6Ndjson(file, 4 * 1024 * 1024, 3);
    // A run tag on every sample (k6 run --tag variant=x): the parts' labels must merge.
    const text = readFileSync(file, 'utf8')
      .replaceAll('"tags":{}', '"tags":{"variant":"x"}')
      .replace(/"tags":\{"/g, '"tags":{"variant":"x","')
      .split('\n');
    text[5000] = text[5000]!.slice(0, 40);
    writeFileSync(file, text.join('\n'));
    const oneCtx = testContext();
    const manyCtx = testContext();
    const [one] = await mod.ingestNdjson(file, oneCtx, { workers: 0 });
    const [many] = await mod.ingestNdjson(file, manyCtx, { workers: 3 });
    expect(manyCtx.warnings).toEqual(oneCtx.warnings);
    expect(oneCtx.warnings[0]!.line).toBe(5001);
    expect(one!.summary.requests).toBeGreaterThan(1000);
    expect(one!.labels).toEqual({ variant: 'x' });
    // Sums are compensated, so even the means are identical whatever the split.
    expect(many).toEqual(one);

    // gzip: this thread inflates, workers scan newline-aligned chunks (several, since the
    // text is larger than a chunk), with a gauge whose last value must come from the last chunk.
    const gzFile = path.join(dir, 'parallel.ndjson.gz');
    const t = '2026-11-22T19:32:12.964529223Z';
    const gauge = (v: number) => `{"metric":"my_gauge","type":"Point","data":{"time":"${t}","value":${v},"tags":{"variant":"x"}}}`;
    const big = [gauge(1), ...text, ...text, ...text, gauge(7), ...text, gauge(3), '{"metric":"vus","type":"Point","data":{"time":"' + t + '"'];
    writeFileSync(gzFile, gzipSync(big.join('\n')));
    const plainFile = path.join(dir, 'parallel-big.ndjson');
    writeFileSync(plainFile, big.join('\n'));
    const seqCtx = testContext();
    const gzCtx = testContext();
    const [seq] = await mod.ingestNdjson(plainFile, seqCtx, { workers: 0 });
    const [gz] = await mod.ingestNdjson(gzFile, gzCtx, { workers: 2 });
    expect(gzCtx.warnings).toEqual(seqCtx.warnings);
    // The line cut in the middle (4 copies) and the truncated last line: one warning, first line in the whole file.
    expect(seqCtx.warnings.map((w) => w.line)).toEqual([5002]);
    expect(seqCtx.warnings[0]!.message).toMatch(/^skipped 5 unreadable/);
    expect(seq!.metrics.custom?.my_gauge).toMatchObject({ max: 7 });
    expect(seq!.labels).toEqual({ variant: 'x' });
    expect({ ...gz, sources: [] }).toEqual({ ...seq, sources: [] });
  }, 60_000);
  it.skipIf(!existsSync(distNdjson) || availableParallelism() < 2)('split a plain file as workers become ready and merge to the same model as one thread', async () => {
    // A file read alone is split while it is read: a worker that is ready takes a share cut
    // off the end of what this thread has not read yet, at a moment that depends on timing.
    // Whatever the cut, the model must be one thread's, line numbers and the gauge's last
    // value included. Small files are split only when told (split), from warm workers.
    const mod = (await import(pathToFileURL(distNdjson).href)) as typeof import('../src/ingest/k6/ndjson.js');
    const par = (await import(pathToFileURL(distNdjson.replace(/ndjson\.js$/, 'ndjson-parallel.js')).href)) as typeof import('../src/ingest/k6/ndjson-parallel.js');
    const file = path.join(dir, 'splitting.ndjson');
    generateK6Ndjson(file, 24 * 1024 * 1024, 8);
    const t = '2026-11-22T19:32:12.964529223Z';
    const gauge = (v: number) => `{"metric":"my_gauge","type":"Point","data":{"time":"${t}","value":${v},"tags":{}}}`;
    const text = readFileSync(file, 'utf8').split('\n');
    const corrupt = Math.floor(text.length * 0.8);
    text[corrupt] = text[corrupt]!.slice(0, 40);
    // Requests slower than a dense histogram's first range (~1.05 s), early and late: the
    // histogram grows, by doubling in one thread and to the largest value when parts merge,
    // and the encoding must not show which happened.
    const slow = text.findIndex((l) => l.startsWith('{"metric":"http_req_duration"'));
    for (const at of [slow, Math.floor(text.length * 0.9)]) text.splice(at, 0, text[slow]!.replace(/"value":[0-9.]+/, '"value":2520.595052'));
    writeFileSync(file, [gauge(1), ...text.slice(0, -1), gauge(3)].join('\n') + '\n');
    const oneCtx = testContext();
    const [one] = await mod.ingestNdjson(file, oneCtx, { workers: 0 });
    // +1: 1-based; +1: the gauge line first; +1: the slow line inserted before it.
    expect(oneCtx.warnings.map((w) => w.line)).toEqual([corrupt + 3]);
    expect(one!.metrics.custom?.my_gauge).toMatchObject({ max: 3 });
    let shares = 0;
    for (let i = 0; i < 6 && shares === 0; i++) {
      const ctx = testContext();
      const [split] = await mod.ingestNdjson(file, ctx, { split: { minBytes: 0, minShareS: 0 } });
      shares = par.sharesOfLastSplit();
      expect(ctx.warnings).toEqual(oneCtx.warnings);
      expect(split).toEqual(one);
    }
    expect(shares).toBeGreaterThan(0);
  }, 60_000);
});
