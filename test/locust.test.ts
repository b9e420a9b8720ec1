// Unit tests of the Locust ingesters: one test per quirk listed in the artifacts'
// Locust README, header variants of every Locust version, and bad input. Real
// inputs come from fixtures/locust-*; variants are derived from them in temp dirs.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { locustCsv } from '../src/ingest/locust/csv.js';
import { locustHtml, reportPrefix } from '../src/ingest/locust/html.js';
import { csvKindOfText } from '../src/ingest/locust/csv-kind.js';
import { parseJsLiteral } from '../src/ingest/locust/js-literal.js';
import { unescapeEntities } from '../src/ingest/locust/html-react.js';
import { InputError } from '../src/ingest/errors.js';
import { sniffFile } from '../src/ingest/read.js';
import { testContext } from './helpers/ctx.js';

const fixtures = path.resolve(__dirname, '..', 'fixtures');
const csvCase = (c: string, f: string) => path.join(fixtures, 'locust-csv', c, 'input', f);
const htmlCase = (c: string, f: string) => path.join(fixtures, 'locust-html', c, 'input', f);

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'ce-report-locust-unit-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let tmpN = 0;
function tmpDir(): string {
  const d = path.join(tmpRoot, String(tmpN++));
  mkdirSync(d);
  return d;
}

async function ingestOne(ingester: typeof locustCsv, file: string) {
  const ctx = testContext();
  const parts = await ingester.ingest(file, ctx);
  return { part: parts[0]!, parts, warnings: ctx.warnings };
}

describe('Locust CSV detection by header', () => {
  // Header rows as each Locust generation writes them (column names only).
  const headers: Array<[string, string, string]> = [
    ['2.x stats', 'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%', 'stats'],
    ['1.x quoted stats with 99.999%', '"Type","Name","Request Count","Failure Count","Median Response Time","Average Response Time","Min Response Time","Max Response Time","Average Content Size","Requests/s","Failures/s","50%","66%","75%","80%","90%","95%","98%","99%","99.9%","99.99%","99.999%","100%"', 'stats'],
    ['0.14 stats', '"Type","Name","# requests","# failures","Median response time","Average response time","Min response time","Max response time","Average Content Size","Requests/s","Requests Failed/s","50%","66%","75%","80%","90%","95%","98%","99%","99.9%","99.99%","99.999","100%"', 'stats'],
    ['0.x requests', '"Method","Name","# requests","# failures","Median response time","Average response time","Min response time","Max response time","Average Content Size","Requests/s"', 'stats'],
    ['0.x distribution', '"Name","# requests","50%","66%","75%","80%","90%","95%","98%","99%","100%"', 'distribution'],
    ['2.x history', 'Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size', 'history'],
    ['0.14 history', '"Type","Name","Timestamp","# requests","# failures","Requests/s","Requests Failed/s","Median response time","Average response time","Min response time","Max response time","Average Content Size","50%","66%","75%","80%","90%","95%","98%","99%","99.9%","99.99%","99.999","100%"', 'history'],
    ['failures', 'Method,Name,Error,Occurrences', 'failures'],
    ['exceptions', 'Count,Message,Traceback,Nodes', 'exceptions'],
  ];
  for (const [what, header, kind] of headers) {
    it(`${what} → ${kind}`, () => {
      expect(csvKindOfText(header + '\n')?.kind).toBe(kind);
    });
  }
  it('rejects other CSV files (k6 --out csv, arbitrary tables)', () => {
    expect(csvKindOfText('metric_name,timestamp,metric_value,check,error,error_code\n')).toBeNull();
    expect(csvKindOfText('name,count\nfoo,1\n')).toBeNull();
  });
  it('maps 0.14 "99.999" (no % sign) to p99.999 and "# requests" to the request count', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'old_stats.csv');
    writeFileSync(f, [
      '"Type","Name","# requests","# failures","Median response time","Average response time","Min response time","Max response time","Average Content Size","Requests/s","Requests Failed/s","50%","66%","75%","80%","90%","95%","98%","99%","99.9%","99.99%","99.999","100%"',
      '"None","Aggregated",10,1,180,327,76,5208,4257,3.05,0.16,180,430,490,520,610,780,990,1300,2600,5200,5200,5200',
    ].join('\n'));
    const { part } = await ingestOne(locustCsv, f);
    expect(part.summary).toMatchObject({ name: 'all', method: null, requests: 10, failures: 1, rps: 3.05 });
    expect(part.summary.latencyMs).toMatchObject({ p50: 180, p90: 610, p95: 780, p99: 1300, max: 5208, mean: 327, min: 76 });
    expect(part.summary.extraPercentiles).toMatchObject({ 'p99.999': 5200, p100: 5200, p66: 430 });
  });
});

describe('Locust CSV: the README quirks', () => {
  it('quirk #1: a half-written last history row is skipped with a warning naming its line; the rest is kept', async () => {
    const dir = tmpDir();
    const text = readFileSync(csvCase('scaling-n1', 'scaling-n1_stats_history.csv'), 'utf8');
    const lines = text.trimEnd().split('\n');
    const cut = lines.slice(0, -1).join('\n') + '\n' + lines.at(-1)!.slice(0, 30);
    const f = path.join(dir, 'cut_stats_history.csv');
    writeFileSync(f, cut);
    const { part, warnings } = await ingestOne(locustCsv, f);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.line).toBe(lines.length);
    expect(warnings[0]!.message).toMatch(/skipped 1 row/);
    // The cut row was the last Aggregated row: one point fewer than the intact file.
    const whole = await ingestOne(locustCsv, csvCase('scaling-n1', 'scaling-n1_stats_history.csv'));
    expect(part.timeline.length).toBe(whole.part.timeline.length - 1);
  });

  it('quirk #1: the shape run kept its whole history; the per-second requests add up to the final count', async () => {
    const { part } = await ingestOne(locustCsv, csvCase('ramp-n4-shape', 'ramp-n4_stats_history.csv'));
    // 3564: the last Total Request Count, _stats.csv and console_summary.txt all agree.
    expect(part.timeline.reduce((a, p) => a + p.requests, 0)).toBe(3564);
    expect(part.timeline).toHaveLength(61);
  });

  it('quirk #2: with the HTML report beside the CSV files, the report\'s final numbers win', async () => {
    const { runs } = await ingestRuns([{ inputs: ['.'] }], { cwd: path.join(fixtures, 'locust-html', 'scaling-n8-with-csv', 'input') });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.summary.requests).toBe(6891); // report and console; _stats.csv says 6793
    expect(runs[0]!.timelineIntervalS).toBe(1); // the CSV history is finer than the report's 5 s
  });

  it('quirk #3: --csv-full-history gives window percentiles; an Aggregated-only history is cumulative', async () => {
    const full = await ingestOne(locustCsv, csvCase('scaling-n1', 'scaling-n1_stats_history.csv'));
    expect(full.part.timelineLatency).toBe('window');
    // The same file without the per-endpoint rows has the layout of a run without the flag.
    const dir = tmpDir();
    const lines = readFileSync(csvCase('scaling-n1', 'scaling-n1_stats_history.csv'), 'utf8').split('\n');
    const aggOnly = lines.filter((l, i) => i === 0 || l.includes(',Aggregated,'));
    const f = path.join(dir, 'agg_stats_history.csv');
    writeFileSync(f, aggOnly.join('\n'));
    const agg = await ingestOne(locustCsv, f);
    expect(agg.part.timelineLatency).toBe('cumulative');
    expect(agg.part.timeline.map((p) => p.requests)).toEqual(full.part.timeline.map((p) => p.requests));
  });

  it('quirk #3: N/A → null, all-0 window percentiles → null, 6-decimal Requests/s read as numbers', async () => {
    const { part } = await ingestOne(locustCsv, csvCase('scaling-n1', 'scaling-n1_stats_history.csv'));
    expect(part.timeline[0]!.latencyMs.p50).toBeNull(); // the all-N/A first row
    expect(part.timeline[1]!.requests).toBe(17);
    expect(part.timeline[1]!.latencyMs.p50).toBeNull(); // 17 requests but an empty current window (all 0)
    expect(part.timeline[2]!.latencyMs).toEqual({ p50: 100, p90: 430, p95: 430, p99: 560, max: 560 });
  });

  it('quirk #4: percentiles are kept as Locust rounded them; Average/Min/Max keep full precision', async () => {
    const { part } = await ingestOne(locustCsv, csvCase('scaling-n1', 'scaling-n1_stats.csv'));
    const predict = part.endpoints.find((e) => e.name === '/predict')!;
    expect(predict.precision).toBe('reported');
    expect(predict.latencyMs.p50).toBe(4300);
    expect(predict.latencyMs.mean).toBe(2862.716078719537);
    expect(predict.extraPercentiles).toEqual({ p66: 4500, p75: 4600, p80: 4600, p98: 5000, 'p99.9': 5300, 'p99.99': 5300, p100: 5300 });
  });

  it('quirk #5: the Aggregated row (empty Type) is the summary with method null; endpoints keep their Type', async () => {
    const { part } = await ingestOne(locustCsv, csvCase('failures-n4', 'failures-n4_stats.csv'));
    expect(part.summary.name).toBe('all');
    expect(part.summary.method).toBeNull();
    expect(part.endpoints.map((e) => `${e.method} ${e.name}`)).toEqual(['GET /', 'POST /feedback', 'POST /predict']);
  });

  it('exceptions keep their multi-line traceback as detail', async () => {
    const { part } = await ingestOne(locustCsv, csvCase('failures-n4', 'failures-n4_exceptions.csv'));
    expect(part.errors).toHaveLength(1);
    expect(part.errors[0]!.detail).toContain('data = resp.json()');
    expect(part.errors[0]!.detail!.split('\n').length).toBeGreaterThan(5);
  });

  it('reads gzip like plain text', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'z_stats.csv.gz');
    writeFileSync(f, gzipSync(readFileSync(csvCase('scaling-n1', 'scaling-n1_stats.csv'))));
    const { part } = await ingestOne(locustCsv, f);
    expect(part.summary.requests).toBe(953);
    expect(part.name).toBe('z');
  });
});

describe('Locust CSV: bad input', () => {
  it('a file with an unknown header, forced as locust-csv, is an InputError at line 1', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'other.csv');
    writeFileSync(f, 'a,b,c\n1,2,3\n');
    const err = await locustCsv.ingest(f, testContext()).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.line).toBe(1);
    expect(err.message).toContain('other.csv:1:1');
  });

  it('rows with a bad request count are skipped and counted in one warning', async () => {
    const dir = tmpDir();
    const lines = readFileSync(csvCase('scaling-n1', 'scaling-n1_stats.csv'), 'utf8').trimEnd().split('\n');
    lines[1] = lines[1]!.replace(',50,0,', ',lots,0,');
    lines[2] = lines[2]!.replace(',83,0,', ',-,0,');
    const f = path.join(dir, 'bad_stats.csv');
    writeFileSync(f, lines.join('\n'));
    const { part, warnings } = await ingestOne(locustCsv, f);
    expect(part.endpoints).toHaveLength(1);
    expect(part.summary.requests).toBe(953);
    expect(warnings).toHaveLength(2);
    expect(warnings.map((w) => w.line).sort()).toEqual([2, 3]);
  });

  it('an absurd Timestamp is a skipped row, not a crash', async () => {
    const dir = tmpDir();
    const lines = readFileSync(csvCase('scaling-n1', 'scaling-n1_stats_history.csv'), 'utf8').split('\n');
    lines[1] = lines[1]!.replace(/^\d+,/, '1e308,');
    const f = path.join(dir, 'ts_stats_history.csv');
    writeFileSync(f, lines.join('\n'));
    const { part, warnings } = await ingestOne(locustCsv, f);
    expect(warnings.map((w) => w.line)).toEqual([2]);
    expect(part.start).toBe('2026-11-22T19:31:38.000Z');
  });

  it('an empty file is an InputError', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'empty_stats.csv');
    writeFileSync(f, '');
    await expect(locustCsv.ingest(f, testContext())).rejects.toBeInstanceOf(InputError);
  });
});

describe('Locust HTML report', () => {
  it('quirk #6: reads the 2.12 Jinja report tables and its JS (not JSON) stats_history without running it', async () => {
    const f = htmlCase('failures-n4', 'failures-n4_report.html');
    expect(locustHtml.detect(await sniffFile(f))).toBe(true);
    const { part, warnings } = await ingestOne(locustHtml, f);
    expect(warnings).toEqual([]);
    expect(part.rank).toBeGreaterThan(15);
    expect(part.timeline).toHaveLength(11); // the runner's 5 s history of a 60 s run
    expect(part.timelineIntervalS).toBe(5);
    expect(part.timeline.map((p) => p.users)).toEqual([25, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]);
    expect(part.errors.filter((e) => e.kind === 'exception')[0]!.detail).toContain('File "locustfile.py", line 30, in predict');
  });

  it('joins the run of the CSV prefix in its folder', () => {
    expect(reportPrefix(htmlCase('scaling-n8-with-csv', 'scaling-n8_report.html'))).toBe('scaling-n8');
    expect(reportPrefix(htmlCase('failures-n4', 'failures-n4_report.html'))).toBe('failures-n4');
  });

  it('"During" in local time (older 2.x) is converted to UTC with the history clock, with a warning', async () => {
    const dir = tmpDir();
    const html = readFileSync(htmlCase('failures-n4', 'failures-n4_report.html'), 'utf8')
      .replace('2026-11-22 19:37:32', '2026-11-22 21:37:32')
      .replace('2026-11-22 19:38:32', '2026-11-22 21:38:32');
    const f = path.join(dir, 'tz_report.html');
    writeFileSync(f, html);
    const { part, warnings } = await ingestOne(locustHtml, f);
    expect(part.start).toBe('2026-11-22T19:37:32.000Z');
    expect(part.timeline[0]!.t).toBe(5);
    expect(warnings.map((w) => w.message).join()).toMatch(/local time \(UTC\+2\)/);
  });

  it('a report with tables but no history keeps the tables and warns', async () => {
    const dir = tmpDir();
    const html = readFileSync(htmlCase('failures-n4', 'failures-n4_report.html'), 'utf8').replace('var stats_history = {', 'var other_data = {');
    const f = path.join(dir, 'nohist_report.html');
    writeFileSync(f, html);
    const { part, warnings } = await ingestOne(locustHtml, f);
    expect(part.summary.requests).toBe(1913);
    expect(part.timeline).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('an HTML page without Locust data is an InputError', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'page.html');
    writeFileSync(f, '<!DOCTYPE html><html><head><title>Locust</title></head><body><p>hello</p></body></html>');
    await expect(locustHtml.ingest(f, testContext())).rejects.toBeInstanceOf(InputError);
  });

  it('reads the React report data (window.templateArgs) and undoes leaked HTML escaping', async () => {
    // A minimal report in the React layout: the bundle mentions window.templateArgs
    // too, only the assignment holds the data.
    const args = {
      start_time: '2025-02-04T12:40:00Z', end_time: '2025-02-04T12:41:00Z', host: 'http://127.0.0.1:5000', locustfile: 'locustfile.py',
      requests_statistics: [
        { method: 'GET', name: '/a', num_requests: 10, num_failures: 1, avg_response_time: 5.5, min_response_time: 1, max_response_time: 20, median_response_time: 5, total_rps: 0.2, 'response_time_percentile_0.95': 9, 'response_time_percentile_0.99': 19 },
        { method: '', name: 'Aggregated', num_requests: 10, num_failures: 1, avg_response_time: 5.5, min_response_time: 1, max_response_time: 20, median_response_time: 5, total_rps: 0.2, 'response_time_percentile_0.95': 9, 'response_time_percentile_0.99': 19 },
      ],
      response_time_statistics: [{ method: '', name: 'Aggregated', '0.5': 5, '0.6': 6, '0.7': 6, '0.8': 7, '0.9': 8, '0.95': 9, '0.99': 19, '1.0': 20 }],
      failures_statistics: [{ method: 'GET', name: '/a', error: 'HTTPError(&#x27;444 Client Error: UNKNOWN for url: /a&#x27;)', occurrences: 1 }],
      exceptions_statistics: [],
      history: [{ time: '2025-02-04T12:40:05Z', current_rps: ['2025-02-04T12:40:05Z', 2.0], current_fail_per_sec: ['2025-02-04T12:40:05Z', 0], user_count: ['2025-02-04T12:40:05Z', 3], 'response_time_percentile_0.5': ['2025-02-04T12:40:05Z', 5], 'response_time_percentile_0.95': ['2025-02-04T12:40:05Z', 9] },
        { time: '2025-02-04T12:40:10Z', current_rps: ['2025-02-04T12:40:10Z', 1.0], current_fail_per_sec: ['2025-02-04T12:40:10Z', 0.2], user_count: ['2025-02-04T12:40:10Z', 3], 'response_time_percentile_0.5': ['2025-02-04T12:40:10Z', 6], 'response_time_percentile_0.95': ['2025-02-04T12:40:10Z', 9] }],
    };
    const html = `<!DOCTYPE html><html lang="en"><head><title>Locust</title><script type="module">var M=window.templateArgs?1:0;</script></head>
<body><div id="root"></div><script>
      window.templateArgs = ${JSON.stringify(args)}
      window.theme = "light"
    </script></body></html>`;
    const dir = tmpDir();
    const f = path.join(dir, 'react_report.html');
    writeFileSync(f, html);
    expect(locustHtml.detect(await sniffFile(f))).toBe(true);
    const { part, warnings } = await ingestOne(locustHtml, f);
    expect(warnings).toEqual([]);
    expect(part.summary).toMatchObject({ name: 'all', requests: 10, failures: 1, rps: 0.2 });
    expect(part.summary.latencyMs).toEqual({ min: 1, mean: 5.5, p50: 5, p90: 8, p95: 9, p99: 19, max: 20 });
    expect(part.errors[0]).toMatchObject({ message: "HTTPError('444 Client Error: UNKNOWN for url: /a')", status: '444', count: 1 });
    expect(part.start).toBe('2025-02-04T12:40:00.000Z');
    expect(part.timeline.map((p) => [p.t, p.requests, p.failures])).toEqual([[5, 10, 0], [10, 5, 1]]);
  });
});

describe('JS literal reader (no eval)', () => {
  it('reads arrays and objects with trailing commas, bare keys and single quotes; skips expressions', () => {
    const src = `{ "time": ["a", "b",].map(t => alert(t)), n: [1, 2.5, -3e2,], s: 'x\\'y', f: foo(1, [2]), o: {"v": null}, }`;
    const v = parseJsLiteral(src, 0).value as Record<string, unknown>;
    expect(v).toEqual({ time: ['a', 'b'], n: [1, 2.5, -300], s: "x'y", o: { v: null } });
  });
  it('does not let a key named __proto__ reach the prototype', () => {
    const v = parseJsLiteral('{"__proto__": {"polluted": 1}}', 0).value as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual([]);
  });
  it('throws on unterminated input', () => {
    expect(() => parseJsLiteral('{"a": [1, 2', 0)).toThrow(SyntaxError);
  });
  it('unescapes HTML entities in strings only where they are entities', () => {
    expect(unescapeEntities('a &amp; b &#x27;c&#39; &lt;d&gt; &bogus;')).toBe("a & b 'c' <d> &bogus;");
  });
});

describe('0.x CSV pair', () => {
  it('_requests.csv takes its percentiles from the _distribution.csv beside it; one run', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'base_requests.csv'), [
      '"Method","Name","# requests","# failures","Median response time","Average response time","Min response time","Max response time","Average Content Size","Requests/s"',
      '"GET","/q",4,0,55,57,45,429,10057,0.75',
      '"None","Total",4,0,55,57,45,429,10057,0.75',
    ].join('\n'));
    writeFileSync(path.join(dir, 'base_distribution.csv'), [
      '"Name","# requests","50%","66%","75%","80%","90%","95%","98%","99%","100%"',
      '"GET /q",4,55,56,56,57,60,63,67,68,430',
      '"Total",4,55,56,56,57,60,63,67,68,430',
    ].join('\n'));
    const { runs } = await ingestRuns([{ inputs: ['.'] }], { cwd: dir });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.summary.latencyMs).toMatchObject({ p50: 55, p90: 60, p95: 63, p99: 68, max: 429 });
    expect(runs[0]!.endpoints[0]).toMatchObject({ name: '/q', method: 'GET', requests: 4 });
    expect(runs[0]!.endpoints[0]!.extraPercentiles).toMatchObject({ p100: 430 });
  });
});

