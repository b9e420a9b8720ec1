// Issue 19, points 2 and 3, through the built CLI: saved Prometheus responses beside a
// load-test run. An error answer among them is a warning naming the file and the error
// (the rest builds); responses saved without their query say so, and how to fix it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/run-cli.js';
import { startFakePrometheus, type FakePrometheus } from './helpers/fake-prometheus.js';

const root = path.resolve(__dirname, '..');
const example = path.join(root, 'examples', 'data', 'failures');
let tmp: string;
let prom: FakePrometheus;
const P95 = 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[30s])))';

/** A Locust run (the bundled failures example) with its Prometheus responses in run/prometheus/. */
async function locustRunWithPrometheus(dir: string, keepReadme: boolean): Promise<void> {
  await fs.cp(example, dir, { recursive: true });
  if (!keepReadme) await fs.rm(path.join(dir, 'prometheus', 'README.md'));
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-prom-saved-'));
  prom = await startFakePrometheus();
});
afterAll(async () => {
  await prom.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('a saved Prometheus error answer among the inputs', () => {
  it('is a warning naming the file and the error; the run and its other series build', async () => {
    const dir = path.join(tmp, 'with-error', 'run');
    await locustRunWithPrometheus(dir, true);
    await fs.writeFile(
      path.join(dir, 'prometheus', 'query_range_error_invalid_promql.json'),
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:15: parse error: unclosed left parenthesis' }),
    );
    const r = await runCli(['build', 'with-error', '--out', 'site-err'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'warning: with-error/run/prometheus/query_range_error_invalid_promql.json: Prometheus answered with an error (bad_data): invalid parameter "query": 1:15: parse error: unclosed left parenthesis; skipped this file\n',
    );
    const model = JSON.parse(await fs.readFile(path.join(tmp, 'site-err', 'data', 'model.json'), 'utf8'));
    expect(model.runs).toHaveLength(1);
    expect(model.runs[0].summary.requests).toBe(1913);
    expect([...new Set(model.runs[0].series.map((s: { name: string }) => s.name))].sort()).toEqual(['inflight', 'p50', 'p90', 'p95', 'p99', 'rps_by_status']);
  });

  it('init says it too (its warnings reach the terminal)', async () => {
    const dir = path.join(tmp, 'init-error', 'run');
    await locustRunWithPrometheus(dir, true);
    await fs.writeFile(path.join(dir, 'prometheus', 'broken.json'), JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }));
    const r = await runCli(['init', 'init-error', '--output', 'init-error.config.json'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('warning: init-error/run/prometheus/broken.json: Prometheus answered with an error (timeout): query timed out in expression evaluation; skipped this file\n');
  });

  it('named on the command line alone it stays a one-line error naming the file', async () => {
    const file = path.join(tmp, 'alone.json');
    await fs.writeFile(file, JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
    const r = await runCli(['build', 'alone.json', '--out', 'site-never'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('ce-report: alone.json: Prometheus answered with an error (bad_data): parse error\n');
  });
});

/** The Locust run of the bundled failures example, without its Prometheus files. */
async function locustRun(dir: string): Promise<void> {
  await fs.cp(example, dir, { recursive: true });
  await fs.rm(path.join(dir, 'prometheus'), { recursive: true });
}

describe('saved without their query (curl > p95.json)', () => {
  it('query_range_p95.json and friends: the percentiles share one series name each (p50 … p99), and the unknown unit is a warning naming the file and the fix', async () => {
    const dir = path.join(tmp, 'curl-way', 'run');
    await locustRunWithPrometheus(dir, false);
    for (const q of ['p50', 'p90', 'p95', 'p99', 'inflight', 'rps_by_status']) {
      await fs.rename(path.join(dir, 'prometheus', `${q}.json`), path.join(dir, 'prometheus', `query_range_${q}.json`));
    }
    const r = await runCli(['build', 'curl-way', '--out', 'site-curl'], tmp);
    expect(r.code, r.stderr).toBe(0);
    const model = JSON.parse(await fs.readFile(path.join(tmp, 'site-curl', 'data', 'model.json'), 'utf8'));
    expect([...new Set(model.runs[0].series.map((x: { name: string }) => x.name))].sort()).toEqual(['inflight', 'p50', 'p90', 'p95', 'p99', 'rps_by_status']);
    const unitWarnings = model.warnings.filter((w: { message: string }) => w.message.includes('unknown unit'));
    expect(unitWarnings.map((w: { file: string }) => w.file).sort()).toEqual(['p50', 'p90', 'p95', 'p99'].map((q) => `curl-way/run/prometheus/query_range_${q}.json`));
    expect(-1).toBeLessThan(r.stderr.indexOf('warning: curl-way/run/prometheus/query_range_p50.json: series p50 is a latency percentile in an unknown unit (a saved response holds neither its query nor its unit), so it is left out of the server-side percentiles (peak vs sustained) and charted without a unit; save responses with `ce-report prom-save`, or write query_range_p50.query.json beside this file: {"query": "histogram_quantile(0.95, …)", "unit": "s"}'));
  });

  it('a <name>.query.json sidecar written by hand gives the query and unit: no warning, unit s', async () => {
    const dir = path.join(tmp, 'sidecar-way', 'run');
    await locustRunWithPrometheus(dir, false);
    await fs.writeFile(path.join(dir, 'prometheus', 'p95.query.json'), JSON.stringify({ query: P95, unit: 's' }));
    const r = await runCli(['ingest', 'sidecar-way', '--no-histograms'], tmp);
    expect(r.code, r.stderr).toBe(0);
    const p95 = JSON.parse(r.stdout).runs[0].series.find((x: { name: string }) => x.name === 'p95');
    expect(p95).toMatchObject({ unit: 's', query: P95, precision: 'buckets' });
    expect(r.stderr).not.toContain('p95.json: series p95');
    expect(r.stderr).toContain('p50.json: series p50 is a latency percentile in an unknown unit');
  });

  it('a sidecar that is not JSON is a warning naming it; the response is still read', async () => {
    const dir = path.join(tmp, 'bad-sidecar', 'run');
    await locustRunWithPrometheus(dir, true);
    await fs.writeFile(path.join(dir, 'prometheus', 'p95.query.json'), '{"query": ');
    const r = await runCli(['ingest', 'bad-sidecar', '--no-histograms'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: bad-sidecar\/run\/prometheus\/p95\.json: p95\.query\.json beside it is not valid JSON \(.*\); its query and unit are not used$/m);
  });
});

describe('ce-report prom-save', () => {
  it('--run DIR: queries the run\'s window (padded 5 s) and saves the response with its query and unit; the build then has the series in seconds, no warning', async () => {
    const run = path.join(tmp, 'saved', 'replicas=3');
    await locustRun(run);
    prom.requests.length = 0;
    const r = await runCli(['prom-save', '--url', prom.url, '--run', 'saved/replicas=3', '--name', 'p95', P95], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(prom.requests).toHaveLength(1);
    const req = prom.requests[0]!;
    // The Locust history spans 1795376253 … 1795376312 (t of its first and last rows).
    expect(req).toMatchObject({ path: '/api/v1/query_range', query: P95, step: '1s' });
    expect(req.start).toBeGreaterThanOrEqual(1795376240);
    expect(req.start).toBeLessThanOrEqual(1795376250);
    expect(req.end).toBeGreaterThanOrEqual(1795376315);
    expect(req.end).toBeLessThanOrEqual(1795376325);
    expect(r.stdout).toMatch(/^Saved saved\/replicas=3\/prometheus\/p95\.json \(1 series, \d+ points, unit s, step 1 s\) and saved\/replicas=3\/prometheus\/p95\.query\.json\n$/);
    const sidecar = JSON.parse(await fs.readFile(path.join(run, 'prometheus', 'p95.query.json'), 'utf8'));
    expect(sidecar).toEqual({ name: 'p95', query: P95, start: req.start, end: req.end, stepS: 1, unit: 's' });

    const b = await runCli(['build', 'saved', '--out', 'site-saved'], tmp);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).not.toContain('unknown unit');
    const model = JSON.parse(await fs.readFile(path.join(tmp, 'site-saved', 'data', 'model.json'), 'utf8'));
    expect(model.runs).toHaveLength(1);
    expect(model.runs[0].series).toHaveLength(1);
    expect(model.runs[0].series[0]).toMatchObject({ name: 'p95', unit: 's', query: P95, precision: 'buckets' });
  });

  it('--start/--end and -o: the name comes from the file; a unit it cannot guess is a warning asking for --unit', async () => {
    prom.requests.length = 0;
    const q = 'histogram_quantile(0.99, sum by (le) (rate(rpc_latency_bucket[1m])))';
    const r = await runCli(['prom-save', '--url', prom.url, '--start', '2026-11-22T16:04:00Z', '--end', '1795363560', '--step', '5', '-o', 'p99.json', q], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(prom.requests[0]).toMatchObject({ query: q, start: 1795363440, end: 1795363560, step: '5s' });
    expect(r.stderr).toBe('warning: p99.json: the unit of this percentile could not be told from the query: give --unit s (or ms), or it is left out of the server-side percentiles\n');
    expect(JSON.parse(await fs.readFile(path.join(tmp, 'p99.query.json'), 'utf8'))).toEqual({ name: 'p99', query: q, start: 1795363440, end: 1795363560, stepS: 5 });
  });

  it('clear one-line errors: no window, a folder without a clock, a Prometheus error, a bad time', async () => {
    const noWindow = await runCli(['prom-save', '--url', prom.url, '--name', 'x', 'up'], tmp);
    expect(noWindow.code).toBe(1);
    expect(noWindow.stderr).toBe('ce-report: give the time range: --run DIR (the window of the load-test run in DIR) or --start and --end\n');

    await fs.mkdir(path.join(tmp, 'bomb'), { recursive: true });
    await fs.cp(path.join(root, 'fixtures', 'bombardier-text', 'seconds-units', 'input'), path.join(tmp, 'bomb'), { recursive: true });
    const noClock = await runCli(['prom-save', '--url', prom.url, '--run', 'bomb', '--name', 'x', 'up'], tmp);
    expect(noClock.code).toBe(1);
    expect(noClock.stderr).toMatch(/^ce-report: --run bomb: no start and end time in the output of .* \(bombardier\); give the window with --start and --end\n$/);

    const bad = await startFakePrometheus(() => ({ status: 400, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected end of input' }) }));
    try {
      const e = await runCli(['prom-save', '--url', bad.url, '--start', '1795363440', '--end', '1795363560', '-o', 'e.json', 'rate('], tmp);
      expect(e.code).toBe(1);
      expect(e.stderr).toMatch(/^ce-report: prometheus query "e" \(127\.0\.0\.1:\d+\): Prometheus answered with an error \(bad_data\): 1:5: parse error: unexpected end of input \(HTTP 400; query: rate\(\)\n$/);
      await expect(fs.stat(path.join(tmp, 'e.json'))).rejects.toThrow();
    } finally {
      await bad.close();
    }

    const badTime = await runCli(['prom-save', '--url', prom.url, '--start', 'yesterday', '--end', '1795363560', '-o', 't.json', 'up'], tmp);
    expect(badTime.code).toBe(1);
    expect(badTime.stderr).toBe('ce-report: --start "yesterday": expected unix seconds (1795376252) or an RFC 3339 time with a zone (2026-11-23T16:04:12Z)\n');
  });
});
