// Bad input, one test per case of the robustness table in README.md ("Bad input, hostile input and safety"): each either
// gives a clear one-line error naming the file (and line), or keeps what was readable
// and warns with counts. Inputs are small and hand-made; each breaks one thing.
import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { parseJsonText } from '../src/ingest/read.js';
import { INGESTERS } from '../src/ingest/registry.js';
import { validateModel } from '../src/model/schema.js';
import { SCHEMA_VERSION, type Run } from '../src/model/types.js';
import { expectCleanError, removeScratch, k6Decl, k6Lines, k6Ndjson, k6Point, LOCUST_HISTORY_HEADER, locustStats, prometheusMatrix, scratch } from './helpers/bad-inputs.js';

afterAll(removeScratch);

function expectValid(runs: Run[]): void {
  expect(validateModel({ schemaVersion: SCHEMA_VERSION, generator: { name: 'ce-report', version: 'test' }, runs, warnings: [] })).toEqual([]);
}

describe('truncated and damaged files', () => {
  it('truncated last NDJSON line (k6 killed mid-write): run kept, one warning with the line number', async () => {
    const s = await scratch();
    const text = k6Ndjson(5);
    const lines = text.split('\n').length - 1;
    await s.write('k6.json', text.slice(0, text.length - 30));
    const r = await s.ingest(['k6.json']);
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]!.summary.requests).toBe(5);
    expect(r.runs[0]!.summary.latencyMs.max).toBe(14);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.line).toBe(lines);
    expect(r.warnings[0]!.message).toMatch(/skipped 1 /);
    expectValid(r.runs);
  });

  it('a corrupt line in the middle of NDJSON: skipped and counted, the rest kept', async () => {
    const s = await scratch();
    const lines = k6Lines(5);
    lines.splice(4, 0, '{"metric":"http_req_duration","type":"Poi', '\u0000\u0001garbage');
    await s.write('k6.json', lines.join('\n') + '\n');
    const r = await s.ingest(['k6.json']);
    expect(r.runs[0]!.summary.requests).toBe(5);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.line).toBe(5);
    expect(r.warnings[0]!.message).toMatch(/skipped 2 /);
  });

  it('truncated gzip: what was readable is kept, with a warning', async () => {
    const s = await scratch();
    const gz = gzipSync(k6Ndjson(2000));
    await s.write('k6.json.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const r = await s.ingest(['k6.json.gz']);
    expect(r.runs).toHaveLength(1);
    const n = r.runs[0]!.summary.requests;
    expect(n).toBeGreaterThan(100);
    expect(n).toBeLessThan(2000);
    expect(r.warnings.some((w) => /gzip stream is truncated or corrupt after .* of content; kept what was readable/.test(w.message))).toBe(true);
    expectValid(r.runs);
  });

  it('a gzip file cut right after its header: clean error, nothing to keep', async () => {
    const s = await scratch();
    await s.write('k6.json.gz', gzipSync(k6Ndjson(50)).subarray(0, 12));
    await expectCleanError(s.ingest(['k6.json.gz'], { format: 'k6-json' }), 'k6.json.gz', /gzip|empty|no .*data|nothing/i);
  });

  it('empty file named on the command line: clean error, whatever the format', async () => {
    const s = await scratch();
    await s.write('k6.json', '');
    await expectCleanError(s.ingest(['k6.json']), 'k6.json', /the file is empty \(0 bytes\)/);
    for (const i of INGESTERS) await expectCleanError(s.ingest(['k6.json'], { format: i.format }), 'k6.json', /empty/);
  });

  it('empty file in a folder: skipped with a warning, the other runs kept', async () => {
    const s = await scratch();
    await s.write('runs/a/k6.json', k6Ndjson(3));
    await s.write('runs/b/k6.json', '');
    const r = await s.ingest(['runs']);
    expect(r.runs).toHaveLength(1);
    expect(r.warnings).toEqual([{ file: 'runs/b/k6.json', message: 'skipped an empty file (0 bytes)' }]);
  });

  it('gzip of an empty file: clean error with any format', async () => {
    const s = await scratch();
    await s.write('k6.json.gz', gzipSync(Buffer.alloc(0)));
    for (const i of INGESTERS) await expectCleanError(s.ingest(['k6.json.gz'], { format: i.format }), 'k6.json.gz', /./);
  });

  it('binary file: "binary, not text" when detecting, a clean error from every forced format', async () => {
    const s = await scratch();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x00, 0x10]);
    await s.write('shot.png', Buffer.concat([png, Buffer.alloc(2000, 0xa5)]));
    await expectCleanError(s.ingest(['shot.png']), 'shot.png', /unknown format: the content is binary, not text \(use --format/);
    for (const i of INGESTERS) await expectCleanError(s.ingest(['shot.png'], { format: i.format }), 'shot.png', /./);
  });

  it('binary files in a folder are skipped silently (not load-test output)', async () => {
    const s = await scratch();
    await s.write('out/k6.json', k6Ndjson(3));
    await s.write('out/screenshot.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
    const r = await s.ingest(['out']);
    expect(r.runs).toHaveLength(1);
    expect(r.warnings).toEqual([]);
  });
});

describe('CSV damage', () => {
  it('Locust CSV with a missing column: clean error at line 1 saying what was expected', async () => {
    const s = await scratch();
    const noCount = locustStats()
      .split('\n')
      .map((l) => l.split(',').filter((_, i) => i !== 2).join(','))
      .join('\n');
    await s.write('run_stats.csv', noCount);
    await expectCleanError(s.ingest(['run_stats.csv'], { format: 'locust-csv' }), 'run_stats.csv', /header|column/i, 1);
  });

  it('Locust CSV with a row missing cells or with an extra cell: row skipped, counted in a warning with its line', async () => {
    const s = await scratch();
    const lines = locustStats([['GET', '/a', 5], ['POST', '/b', 7], ['GET', '/c', 1]]).split('\n');
    lines[1] = lines[1]!.split(',').slice(0, 6).join(',');
    lines[2] = lines[2] + ',extra';
    await s.write('run_stats.csv', lines.join('\n'));
    const r = await s.ingest(['run_stats.csv']);
    expect(r.runs[0]!.endpoints.map((e) => e.name)).toEqual(['/c']);
    expect(r.runs[0]!.summary.requests).toBe(13);
    expect(r.warnings.length).toBeGreaterThanOrEqual(1);
    expect(r.warnings[0]!.line).toBe(2);
    expect(r.warnings.map((w) => w.message).join(' ')).toMatch(/fields/);
  });

  it('k6 CSV with a missing column: clean error naming the file and line 1', async () => {
    const s = await scratch();
    await s.write('k6-out.csv', 'metric_name,timestamp,check\nhttp_reqs,1795375932,\n');
    await expectCleanError(s.ingest(['k6-out.csv'], { format: 'k6-csv' }), 'k6-out.csv', /metric_value|column|header/i, 1);
  });

  it('non-numeric cells: the row is skipped with a warning naming the row', async () => {
    const s = await scratch();
    await s.write('run_stats.csv', locustStats().replace('GET,/a,5,', 'GET,/a,many,'));
    const r = await s.ingest(['run_stats.csv']);
    expect(r.runs[0]!.endpoints.map((e) => e.name)).toEqual(['/b']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: 'run_stats.csv', line: 2 });
    expect(r.warnings[0]!.message).toMatch(/skipped 1 row/);
  });

  it('non-numeric k6 CSV values: skipped and counted', async () => {
    const s = await scratch();
    const header = 'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata';
    const row = (m: string, t: number, v: string) => `${m},${t},${v},,,,true,,GET,GET /a,HTTP/1.1,default,,200,,,GET /a,,`;
    const rows = [header, row('http_reqs', 1795375932, '1'), row('http_req_duration', 1795375932, '12.5'), row('http_reqs', 1795375933, '1'), row('http_req_duration', 1795375933, 'abc'), row('http_req_duration', 1795375933, '')];
    await s.write('k6-out.csv', rows.join('\n') + '\n');
    const r = await s.ingest(['k6-out.csv']);
    expect(r.runs[0]!.summary.requests).toBe(2);
    expect(r.runs[0]!.summary.latencyMs.max).toBe(12.5);
    expect(r.warnings.length).toBeGreaterThanOrEqual(1);
    expect(r.warnings[0]!.line).toBe(5);
  });

  it('N/A cells (Locust history before the first request): null latency, no error', async () => {
    const s = await scratch();
    const na = 'N/A,'.repeat(11);
    const hist = [
      LOCUST_HISTORY_HEADER,
      `1795375878,0,,Aggregated,0.000000,0.000000,${na}0,0,0,0.0,0,0,0`,
      `1795375879,5,,Aggregated,3.000000,0.000000,10,12,12,13,13,13,13,13,13,13,13,3,0,10,10.5,8.3,13.4,35.0`,
    ].join('\n');
    await s.write('run_stats.csv', locustStats());
    await s.write('run_stats_history.csv', hist + '\n');
    const r = await s.ingest(['.']);
    expect(r.runs).toHaveLength(1);
    const tl = r.runs[0]!.timeline;
    expect(tl.length).toBeGreaterThanOrEqual(1);
    expect(tl.some((p) => p.latencyMs.p50 === null)).toBe(true);
    expect(tl.some((p) => p.latencyMs.p50 === 10)).toBe(true);
    expectValid(r.runs);
  });

  it('CRLF line ends and a UTF-8 BOM give the same model as LF without BOM', async () => {
    const s = await scratch();
    await s.write('lf/run_stats.csv', locustStats());
    await s.write('crlf/run_stats.csv', '\ufeff' + locustStats().replace(/\n/g, '\r\n'));
    await s.write('lf/k6.json', k6Ndjson(4));
    await s.write('crlf/k6.json', '\ufeff' + k6Ndjson(4).replace(/\n/g, '\r\n'));
    for (const f of ['run_stats.csv', 'k6.json']) {
      const a = await s.ingest([`lf/${f}`]);
      const b = await s.ingest([`crlf/${f}`]);
      expect(b.warnings).toEqual([]);
      const strip = (r: Run) => ({ ...r, sources: [], id: '', name: '' });
      expect(b.runs.map(strip)).toEqual(a.runs.map(strip));
    }
  });

  it('non-UTF-8 bytes (a Windows code page name): run kept, replacement characters, no crash', async () => {
    const s = await scratch();
    await s.write('run_stats.csv', Buffer.from(locustStats().replace('GET,/a,', 'GET,/caf\xe9,'), 'latin1'));
    const csv = await s.ingest(['run_stats.csv']);
    expect(csv.runs[0]!.endpoints.map((e) => e.name)).toContain('/caf\ufffd');
    const lines = k6Lines(3);
    const bad = Buffer.from(k6Point('2026-01-01T00:00:01Z', 'http_req_duration', 20, { name: 'GET /caf\xe9' }), 'latin1');
    await s.write('k6.json', Buffer.concat([Buffer.from(lines.join('\n') + '\n'), bad, Buffer.from('\n')]));
    const k6 = await s.ingest(['k6.json']);
    expect(k6.runs).toHaveLength(1);
    expect(k6.runs[0]!.summary.requests).toBe(3);
    expectValid(k6.runs);
  });
});

describe('odd numbers and times', () => {
  it('huge numbers (1e308 ms, 1e309 = Infinity as text) never reach the model as Infinity or crash', async () => {
    const s = await scratch();
    const extra = [
      k6Point('2026-01-01T00:00:01Z', 'http_req_duration', 1e308),
      k6Point('2026-01-01T00:00:01Z', 'http_req_duration', 9007199254740993),
    ].join('\n');
    await s.write('k6.json', k6Ndjson(3) + extra + '\n' + '{"metric":"http_req_duration","type":"Point","data":{"time":"2026-01-01T00:00:01Z","value":1e309,"tags":{"name":"GET /a"}}}\n');
    const r = await s.ingest(['k6.json']);
    expect(r.runs[0]!.summary.requests).toBe(3);
    expect(JSON.stringify(r.runs)).not.toMatch(/Infinity|NaN/);
    expect(Number.isFinite(r.runs[0]!.summary.latencyMs.max)).toBe(true);
    expect(r.warnings.length).toBeGreaterThanOrEqual(1);
    expectValid(r.runs);

    await s.write('run_stats.csv', locustStats().replace('GET,/a,5,', 'GET,/a,1e309,'));
    const csv = await s.ingest(['run_stats.csv']);
    expect(JSON.stringify(csv.runs)).not.toMatch(/Infinity|NaN/);
    expect(csv.warnings).toHaveLength(1);
  });

  it('negative and NaN durations: skipped and counted in a warning', async () => {
    const s = await scratch();
    const bad = [
      k6Point('2026-01-01T00:00:01Z', 'http_req_duration', -5),
      k6Point('2026-01-01T00:00:01Z', 'http_req_duration', 'NaN'),
      k6Point('2026-01-01T00:00:02Z', 'http_req_duration', null),
    ].join('\n');
    await s.write('k6.json', k6Ndjson(3) + bad + '\n');
    const r = await s.ingest(['k6.json']);
    expect(r.runs[0]!.summary.latencyMs.min).toBe(10);
    expect(r.runs[0]!.summary.latencyMs.max).toBe(12);
    const text = r.warnings.map((w) => w.message).join(' | ');
    expect(text).toMatch(/skipped 1 negative/);
    expect(text).toMatch(/skipped 2 /);
  });

  it('timestamps out of order give the same run as sorted ones', async () => {
    const s = await scratch();
    const lines = k6Lines(6);
    const decls = lines.slice(0, 3);
    const points = lines.slice(3);
    await s.write('sorted/k6.json', lines.join('\n') + '\n');
    await s.write('shuffled/k6.json', [...decls, ...points.slice().reverse()].join('\n') + '\n');
    const a = (await s.ingest(['sorted/k6.json'])).runs[0]!;
    const b = (await s.ingest(['shuffled/k6.json'])).runs[0]!;
    expect(b.start).toBe(a.start);
    expect(b.end).toBe(a.end);
    expect(b.summary).toEqual(a.summary);
    expect(b.timeline.map((p) => [p.t, p.requests])).toEqual(a.timeline.map((p) => [p.t, p.requests]));
  });

  it('timestamps in another time zone are the same instants (start/end in UTC)', async () => {
    const s = await scratch();
    const utc = k6Ndjson(4);
    const plus2 = utc.replace(/"2026-01-01T00:00:0(\d)\.000Z"/g, (_m, d: string) => `"2026-01-01T02:00:0${d}+02:00"`);
    expect(plus2).not.toBe(utc);
    await s.write('utc/k6.json', utc);
    await s.write('cest/k6.json', plus2);
    const a = (await s.ingest(['utc/k6.json'])).runs[0]!;
    const b = (await s.ingest(['cest/k6.json'])).runs[0]!;
    expect(b.start).toBe('2026-01-01T00:00:00.000Z');
    expect(b.start).toBe(a.start);
    expect(b.durationS).toBe(a.durationS);
    expect(b.timeline.map((p) => p.t)).toEqual(a.timeline.map((p) => p.t));
  });

  it('one sample with a wrong clock a year later: no memory blow-up, run kept with a warning', async () => {
    const s = await scratch();
    await s.write('k6.json', k6Ndjson(3) + k6Point('2027-01-01T00:00:00Z', 'http_req_duration', 5) + '\n');
    await s.write('k6-out.csv', [
      'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata',
      'http_reqs,1795375932,1,,,,true,,GET,GET /a,HTTP/1.1,default,,200,,,GET /a,,',
      'http_req_duration,1795375932,12.5,,,,true,,GET,GET /a,HTTP/1.1,default,,200,,,GET /a,,',
      'http_req_duration,4102444800,3,,,,true,,GET,GET /a,HTTP/1.1,default,,200,,,GET /a,,',
    ].join('\n') + '\n');
    for (const f of ['k6.json', 'k6-out.csv']) {
      const r = await s.ingest([f]);
      expect(r.runs).toHaveLength(1);
      expect(r.runs[0]!.timeline.length).toBeLessThan(1000);
      expect(r.warnings.map((w) => w.message).join(' ')).toMatch(/gap|span|clock/i);
      expectValid(r.runs);
    }
  });

  it('unparseable timestamps: samples skipped and counted', async () => {
    const s = await scratch();
    await s.write('k6.json', k6Ndjson(3) + k6Point('yesterday', 'http_req_duration', 3) + '\n');
    const r = await s.ingest(['k6.json']);
    expect(r.runs[0]!.summary.latencyMs.min).toBe(10);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.line).toBe(13);
  });
});

describe('other tool versions and error responses', () => {
  it('a Locust HTML report from an unknown version: clean error saying the report data is not understood', async () => {
    const s = await scratch();
    const html = '<!DOCTYPE html><html><head><title>Test Report for locustfile.py</title></head><body><h1>Locust Test Report</h1><div id="root"></div><script>window.templateArgs = {"version": "9.0", "stats_v9": []}</script></body></html>';
    await s.write('run_report.html', html);
    await expectCleanError(s.ingest(['run_report.html'], { format: 'locust-html' }), 'run_report.html', /Locust report|version|statistics/i);
  });

  it('Prometheus NaN and ±Inf values become gaps (null), not numbers', async () => {
    const s = await scratch();
    await s.write('p95.json', prometheusMatrix([[1795376176, '1'], [1795376178, 'NaN'], [1795376180, '+Inf'], [1795376182, '-Inf'], [1795376184, '2'], [1795376186, '1e309']]));
    const r = await s.ingest(['p95.json']);
    const points = r.runs.flatMap((run) => run.series.flatMap((x) => x.points));
    expect(points).toEqual([[1795376176, 1], [1795376178, null], [1795376180, null], [1795376182, null], [1795376184, 2], [1795376186, null]]);
  });

  it('a Prometheus error response: clean one-line error with the error type and text', async () => {
    const s = await scratch();
    await s.write('p95.json', JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error:\nunexpected <EOF>' }));
    const e = await expectCleanError(s.ingest(['p95.json']), 'p95.json', /bad_data/);
    expect(e.message).toContain('parse error');
  });

  it('a Prometheus response with absurd timestamps: clean error or warning, never a crash', async () => {
    const s = await scratch();
    await s.write('p95.json', prometheusMatrix([[1e20, '1'], [1795376178, '2']]));
    try {
      const r = await s.ingest(['p95.json']);
      expectValid(r.runs);
      expect(r.warnings.length).toBeGreaterThanOrEqual(1);
    } catch (e) {
      await expectCleanError(Promise.reject(e), 'p95.json', /time|timestamp/i);
    }
  });

  it('invalid JSON: error with line and column, and no quote of the text', async () => {
    expect(() => parseJsonText('s.json', '{\n  "a": 1,\n  "b": NaN\n}')).toThrow(/^s\.json:3:8: invalid JSON: unexpected character "N"$/);
    expect(() => parseJsonText('s.json', '{"a": [1, 2')).toThrow(/^s\.json:1:12: invalid JSON: the text ends early \(truncated file\?\)$/);
    expect(() => parseJsonText('s.json', '<html>\n<head>')).toThrow(/^s\.json:1:1: invalid JSON: unexpected character "<"$/);
    const s = await scratch();
    await s.write('summary.json', '{"metrics": {"http_reqs": {"count": 3,\n "rate": NaN}}}');
    await expectCleanError(s.ingest(['summary.json'], { format: 'k6-summary' }), 'summary.json', /invalid JSON: unexpected character "N"/, 2);
  });
});

describe('configuration', () => {
  it('an unknown key: error naming the key, its place in the file, and a suggestion', async () => {
    const s = await scratch();
    await s.write('ce-report.config.json', '{\n  // comment\n  "titel": "x"\n}\n');
    await expectCleanError(loadConfig('ce-report.config.json', s.dir), 'ce-report.config.json', /unknown key "titel" in \(top level\); did you mean "title"\?/, 3);
    await s.write('nested.json', JSON.stringify({ runs: [{ id: 'a', inputs: ['x'], lables: { a: 'b' } }] }, null, 2));
    await expectCleanError(loadConfig('nested.json', s.dir), 'nested.json', /unknown key "lables" in \/runs\/0; did you mean "labels"\?/);
    await s.write('far.json', '{"zzzzqqq": 1}');
    await expectCleanError(loadConfig('far.json', s.dir), 'far.json', /unknown key "zzzzqqq".*known keys: .*title/);
  });

  it('invalid config JSON: error with line and column, one line', async () => {
    const s = await scratch();
    await s.write('c.json', '{\n  "title": "x",\n  "out": site\n}\n');
    await expectCleanError(loadConfig('c.json', s.dir), 'c.json', /invalid JSON: unexpected character "s"/, 3);
  });

  it('a run id that could escape the output folder is rejected by the config schema', async () => {
    const s = await scratch();
    await s.write('c.json', JSON.stringify({ runs: [{ id: '../../etc', inputs: ['x'] }] }));
    await expectCleanError(loadConfig('c.json', s.dir), 'c.json', /id/);
  });
});

describe('decompression bombs', () => {
  async function bomb(s: Awaited<ReturnType<typeof scratch>>): Promise<void> {
    // ~2.6 MB of valid-looking NDJSON that gzips to a few KB.
    const line = k6Point('2026-01-01T00:00:01Z', 'http_req_duration', 12);
    const text = k6Decl('http_req_duration', 'trend') + '\n' + (line + '\n').repeat(12_000);
    await s.write('k6.json.gz', gzipSync(text, { level: 9 }));
    const summary = '{"metrics": {' + ' '.repeat(3 * 1024 * 1024) + '}}';
    await s.write('summary.json.gz', gzipSync(summary, { level: 9 }));
  }

  it('stops at IngestOptions.maxDecompressedBytes with a clear error (line-based and whole-file readers)', async () => {
    const s = await scratch();
    await bomb(s);
    const limit = { maxDecompressedBytes: 1024 * 1024 };
    await expectCleanError(s.ingest(['k6.json.gz'], limit), 'k6.json.gz', /decompressed content exceeds the limit of 1\.0 MiB; refusing to read further \(decompression bomb\?\)/);
    await expectCleanError(s.ingest(['k6.json.gz'], { ...limit, format: 'k6-json' }), 'k6.json.gz', /exceeds the limit of 1\.0 MiB/);
    await expectCleanError(s.ingest(['summary.json.gz'], { ...limit, format: 'k6-summary' }), 'summary.json.gz', /exceeds the limit of 1\.0 MiB/);
  });

  it('the same files pass under the default limit (the limit is what stops them)', async () => {
    const s = await scratch();
    await bomb(s);
    const r = await s.ingest(['k6.json.gz']);
    expect(r.runs[0]!.summary.latencyMs.p50).toBeCloseTo(12, 1);
    expect((await fs.stat(path.join(s.dir, 'k6.json.gz'))).size).toBeLessThan(64 * 1024);
  });
});
