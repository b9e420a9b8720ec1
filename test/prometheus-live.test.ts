// Live range queries against a real Prometheus: known samples are backfilled with
// promtool (OpenMetrics text → TSDB blocks), a server is started on a free local port
// with no scrape targets, and fetchPrometheusSeries must read the values back exactly.
// Failure modes (PromQL error, server down, no answer) are checked for clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { chooseStepS, fetchPrometheusSeries, loadSavedPrometheusSeries, type PrometheusLiveConfig } from '../src/ingest/prometheus/live.js';
import { InputError } from '../src/ingest/errors.js';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { emptyStats, type Run } from '../src/model/types.js';
import type { PrometheusConfig } from '../src/config.js';
import { attachLiveSeries } from '../src/live.js';
import { promSave } from '../src/prom-save.js';
import { freePort, havePrometheus, startPrometheus, type TestPrometheus } from './helpers/prometheus-server.js';


function syntheticRun(id: string, startS: number | null, endS: number | null): Run {
  return {
    id,
    name: id,
    tool: 'k6',
    sources: [],
    labels: {},
    start: startS === null ? null : new Date(startS * 1000).toISOString(),
    end: endS === null ? null : new Date(endS * 1000).toISOString(),
    durationS: startS !== null && endS !== null ? endS - startS : null,
    summary: emptyStats('all', null, 'samples'),
    endpoints: [],
    timelineIntervalS: 1,
    timelineLatency: 'none',
    timeline: [],
    errors: [],
    series: [],
    thresholds: [],
    metrics: {},
  };
}

async function rejection(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('chooseStepS', () => {
  it('gives about 300 points, rounded up to a nice step, never under 1 s', () => {
    expect(chooseStepS(10)).toBe(1);
    expect(chooseStepS(300)).toBe(1);
    expect(chooseStepS(301)).toBe(2);
    expect(chooseStepS(600)).toBe(2);
    expect(chooseStepS(3600)).toBe(15);
    expect(chooseStepS(86400)).toBe(300);
  });
});

describe('config types', () => {
  it('src/config.ts PrometheusConfig is accepted by fetchPrometheusSeries', () => {
    const cfg: PrometheusConfig = { url: 'http://127.0.0.1:1', queries: [{ name: 'x', query: 'up' }] };
    const asLive: PrometheusLiveConfig = cfg; // compile-time check of structural compatibility
    expect(asLive.url).toBe(cfg.url);
  });
});

describe('failures without a Prometheus', () => {
  it('a server that is down is a clear error naming the query and host', async () => {
    const port = await freePort(); // closed again: nothing listens there
    const run = syntheticRun('r', 1_700_000_000, 1_700_000_060);
    const err = await rejection(fetchPrometheusSeries([run], { url: `http://127.0.0.1:${port}`, queries: [{ name: 'p95', query: 'up' }] }));
    expect(err.message).toBe(`prometheus query "p95" (127.0.0.1:${port}): connection refused: is Prometheus running at 127.0.0.1:${port}?`);
  });

  it('a server that never answers times out with a clear error', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server: Server = createServer(() => {
      /* never answer */
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const run = syntheticRun('r', 1_700_000_000, 1_700_000_060);
      const started = Date.now();
      const err = await rejection(fetchPrometheusSeries([run], { url: `http://127.0.0.1:${port}`, timeoutS: 0.5, queries: [{ name: 'rps', query: 'up' }] }));
      expect(err.message).toBe(`prometheus query "rps" (127.0.0.1:${port}): no answer within 0.5 s (timeout; raise prometheus.timeoutS or use a longer step)`);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('a URL that is not Prometheus (HTML 404) says so', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>Not Found</body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const err = await rejection(fetchPrometheusSeries([syntheticRun('r', 1_700_000_000, 1_700_000_060)], { url: `http://127.0.0.1:${port}/prom`, queries: [{ name: 'q', query: 'up' }] }));
      expect(err.message).toContain('HTTP 404, not a Prometheus API answer: <html><body>Not Found</body></html>');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('runs without a clock are skipped with a warning, unknown run ids too', async () => {
    const warnings = await fetchPrometheusSeries([syntheticRun('bombardier-run', null, null)], { url: 'http://127.0.0.1:1', queries: [{ name: 'q', query: 'up' }] });
    expect(warnings.map((w) => w.message)).toEqual(['run bombardier-run has no start and end time (k6 output has no clock), so Prometheus was not queried for it']);
    const w2 = await fetchPrometheusSeries([syntheticRun('a', null, null)], { url: 'http://127.0.0.1:1', runs: ['b'], queries: [{ name: 'q', query: 'up' }] });
    expect(w2.map((w) => w.message)).toEqual(['prometheus.runs names run "b", which is not among the runs read (a)']);
  });
});

describe.skipIf(!havePrometheus && !process.env.CI)('against a real Prometheus', () => {
  let dir = '';
  let prom: TestPrometheus | undefined;
  let url = '';
  let t0 = 0;
  const N = 60;
  const STEP = 10;
  const gaugeAt = (i: number) => (i * 3) % 7;

  beforeAll(async () => {
    // Three hours back: older than the head block window, so backfilled blocks never
    // overlap what the server would ingest itself; aligned to a minute for readable steps.
    t0 = Math.floor((Date.now() / 1000 - 3 * 3600) / 60) * 60;
    const lines = ['# HELP ce_test_gauge A gauge with known values.', '# TYPE ce_test_gauge gauge'];
    for (let i = 0; i < N; i++) lines.push(`ce_test_gauge{kind="known"} ${gaugeAt(i)} ${t0 + i * STEP}`);
    lines.push('# HELP ce_test_requests A counter growing by 50 every 10 s.', '# TYPE ce_test_requests counter');
    for (let i = 0; i < N; i++) lines.push(`ce_test_requests_total ${i * 50} ${t0 + i * STEP}`);
    lines.push('# EOF');
    prom = await startPrometheus(lines.join('\n') + '\n');
    dir = prom.dir;
    url = prom.url;
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
  });

  it('reads the backfilled values back exactly, saves them, and reloads them offline', async () => {
    const run = syntheticRun('synthetic-run', t0, t0 + (N - 1) * STEP);
    const saveDir = path.join(dir, 'saved');
    const config: PrometheusLiveConfig = {
      url,
      stepS: STEP,
      paddingS: 0,
      queries: [
        { name: 'gauge', query: 'ce_test_gauge' },
        { name: 'request rate', query: 'rate(ce_test_requests_total[1m])' },
      ],
    };
    const warnings = await fetchPrometheusSeries([run], config, { saveDir });
    expect(warnings).toEqual([]);
    expect(run.series).toHaveLength(2);

    const gauge = run.series[0]!;
    expect(gauge.name).toBe('gauge');
    expect(gauge.query).toBe('ce_test_gauge');
    expect(gauge.labels).toEqual({ __name__: 'ce_test_gauge', kind: 'known' });
    expect(gauge.points).toEqual(Array.from({ length: N }, (_, i) => [t0 + i * STEP, gaugeAt(i)]));

    // 50 per 10 s is 5/s; from one minute in, the 1m window holds only whole steps.
    const rate = run.series[1]!;
    expect(rate.unit).toBe('req/s');
    const settled = rate.points.filter(([t]) => t >= t0 + 60);
    expect(settled).toHaveLength(N - 6);
    for (const [, v] of settled) expect(v).toBeCloseTo(5, 9);

    // Saved raw bodies + sidecars, usable offline...
    expect(existsSync(path.join(saveDir, 'synthetic-run', 'gauge.json'))).toBe(true);
    const sidecar = JSON.parse(readFileSync(path.join(saveDir, 'synthetic-run', 'request_rate.query.json'), 'utf8'));
    expect(sidecar).toEqual({ name: 'request rate', query: 'rate(ce_test_requests_total[1m])', start: t0, end: t0 + (N - 1) * STEP, stepS: STEP, runId: 'synthetic-run' });
    const offline = syntheticRun('synthetic-run', t0, t0 + (N - 1) * STEP);
    expect(await loadSavedPrometheusSeries(saveDir, [offline])).toEqual([]);
    expect(offline.series.map((s) => [s.name, s.query, s.points])).toEqual(run.series.map((s) => [s.name, s.query, s.points]));

    // ...and readable as saved responses by the prometheus-json ingester, query included.
    const ingested = await ingestRuns([{ inputs: [path.join(saveDir, 'synthetic-run')] }], { cwd: dir });
    expect(ingested.runs).toHaveLength(1);
    expect(ingested.runs[0]!.series.map((s) => [s.name, s.query, s.points.length])).toEqual([
      ['gauge', 'ce_test_gauge', N],
      ['request rate', 'rate(ce_test_requests_total[1m])', rate.points.length],
    ]);
  });

  it('picks the step from the run length and pads the window', async () => {
    const run = syntheticRun('padded', t0 + 100, t0 + 200);
    await fetchPrometheusSeries([run], { url, paddingS: 20, queries: [{ name: 'gauge', query: 'ce_test_gauge' }] });
    const pts = run.series[0]!.points;
    // 100 s + 2 × 20 s padding → step 1 s, 141 evaluations from t0+80 to t0+220.
    expect(pts[0]![0]).toBe(t0 + 80);
    expect(pts[pts.length - 1]![0]).toBe(t0 + 220);
    expect(pts).toHaveLength(141);
    expect(pts[0]![1]).toBe(gaugeAt(8));
  });

  it('the build glue queries online, then rebuilds offline from what the site saved', async () => {
    const cfg: PrometheusConfig = { url, stepS: STEP, paddingS: 0, queries: [{ name: 'gauge', query: 'ce_test_gauge' }] };
    const site1 = path.join(dir, 'site1', 'data', 'prometheus');
    const site2 = path.join(dir, 'site2', 'data', 'prometheus');
    const online = syntheticRun('glue', t0, t0 + 50);
    const log: string[] = [];
    expect(await attachLiveSeries([online], cfg, { saveDir: site1, previousDir: path.join(dir, 'none'), offline: false, log: (l) => log.push(l) })).toEqual([]);
    expect(online.series[0]!.points).toEqual(Array.from({ length: 6 }, (_, i) => [t0 + i * STEP, gaugeAt(i)]));
    // Offline: the server is not asked (a dead URL proves it), the saved files carry over.
    const offline = syntheticRun('glue', t0, t0 + 50);
    const dead = { ...cfg, url: 'http://127.0.0.1:1' };
    expect(await attachLiveSeries([offline], dead, { saveDir: site2, previousDir: site1, offline: true, log: () => {} })).toEqual([]);
    expect(offline.series.map((s) => s.points)).toEqual(online.series.map((s) => s.points));
    expect(existsSync(path.join(site2, 'glue', 'gauge.json'))).toBe(true);
    await expect(attachLiveSeries([offline], dead, { saveDir: site2, previousDir: path.join(dir, 'missing'), offline: true, log: () => {} })).rejects.toThrow(/--offline: no saved Prometheus responses/);
    expect(log).toEqual([`prometheus: gauge for glue (50 s, step ${STEP} s)`]);
  });

  it('a PromQL syntax error names the query, the host and the parser message', async () => {
    const run = syntheticRun('r', t0, t0 + 100);
    const err = await rejection(fetchPrometheusSeries([run], { url, queries: [{ name: 'broken', query: 'rate(ce_test_requests_total[1m]' }] }));
    expect(err.message).toMatch(new RegExp(`^prometheus query "broken" \\(${url.replace('http://', '').replace(/\./g, '\\.')}\\): Prometheus answered with an error \\(bad_data\\): .*parse error`));
    expect(err.message).toContain('query: rate(ce_test_requests_total[1m]');
  });

  it('prom-save saves a range query with its query and unit, and the saved file reads back the same values', async () => {
    const out = path.join(dir, 'prom-save', 'run', 'prometheus', 'rate.json');
    const r = await promSave({ query: 'rate(ce_test_requests_total[1m])', url, start: String(t0), end: String(t0 + (N - 1) * STEP), stepS: STEP, output: out, cwd: dir });
    // rate() has no value at the first sample (nothing before it): N − 1 points.
    expect(r).toMatchObject({ series: 1, points: N - 1, unit: 'req/s', start: t0, end: t0 + (N - 1) * STEP, stepS: STEP, warnings: [] });
    expect(JSON.parse(readFileSync(path.join(dir, 'prom-save', 'run', 'prometheus', 'rate.query.json'), 'utf8'))).toEqual({
      name: 'rate', query: 'rate(ce_test_requests_total[1m])', start: t0, end: t0 + (N - 1) * STEP, stepS: STEP, unit: 'req/s',
    });
    const ingested = await ingestRuns([{ inputs: [path.join(dir, 'prom-save')] }], { cwd: dir });
    const series = ingested.runs[0]!.series[0]!;
    expect([series.name, series.unit, series.query]).toEqual(['rate', 'req/s', 'rate(ce_test_requests_total[1m])']);
    for (const [t, v] of series.points) if (t >= t0 + 60) expect(v).toBeCloseTo(5, 9);
  });
});
