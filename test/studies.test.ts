// The three example studies on the bundled real data (examples/data/, part of the
// repository) and the server-side (Prometheus) code paths on synthetic runs. Expected
// figures are copied from the tools' own files, never from our output: Locust's
// *_stats_history.csv (Total Request Count, the "50%" column) and HTML report, and the
// values of the saved Prometheus answers.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type ExperimentStudy, type PeakVsSustainedStudy, type ScalingStudy, type StudyConfig } from '../src/analyze/index.js';
import { serverPeakSustained, serverQuantileSeries } from '../src/analyze/server-latency.js';
import { ingestRuns, type RunInput } from '../src/ingest/pipeline.js';
import type { Model, Run, Series } from '../src/model/types.js';
import { siteContext, studyCharts, studyPage } from '../src/render/pages.js';
import { SOURCE_SERVER } from '../src/render/study-charts.js';
import { lognormal, syntheticRun } from './helpers/synthetic-run.js';

const DATA = path.resolve(__dirname, '..', 'examples', 'data');

async function ingest(inputs: RunInput[]): Promise<Run[]> {
  const { runs } = await ingestRuns(inputs, { cwd: path.resolve(__dirname, '..') });
  return runs;
}

function modelOf(runs: Run[]): Model {
  return { schemaVersion: 1, generator: { name: 'ce-report', version: 'test' }, runs, warnings: [] };
}

describe('scaling study on the Locust example runs', () => {
  const workers = (n: number): RunInput => ({ id: `workers-${n}`, inputs: [path.join(DATA, 'scaling', `workers-${n}`)], labels: { workers: String(n) }, thinkTimeS: 0.3 });
  const study: StudyConfig = { kind: 'scaling', id: 'scaling-workers', factor: 'workers', runs: ['workers-1', 'workers-2', 'workers-4'] };

  it('finds each run’s knee in its own user ramp, with full-load rps and Little’s law', async () => {
    const runs = await ingest([workers(1), workers(2), workers(4)]);
    const s = analyze(runs, { studies: [study] }).studies[0] as ScalingStudy;
    expect(s.points.map((p) => p.runId)).toEqual(['workers-1', 'workers-2', 'workers-4']);
    // Full load: the mean of the per-second request counts at 50 users in _stats_history.csv
    // (Total Request Count differences; 41 seconds each, no burst among them): 619, 1226 and 2546 requests.
    expect(s.points.map((p) => p.rps)).toEqual([619 / 41, 1226 / 41, 2546 / 41]);
    expect(s.points.map((p) => p.rpsBasis)).toEqual(['full-load', 'full-load', 'full-load']);
    // Locust HTML report, Aggregated row, "Requests/s" (ramp included): only under its own name.
    expect(s.points.map((p) => p.averageRps)).toEqual([16.2, 30.9, 60.9]);
    // 50 users with 0.3 s think time against one worker: p50 rises from 44 ms to 4.6 s and stays: a queue at its bound.
    expect(s.points[0]!.state).toBe('overloaded');
    expect(s.points[0]!.latencyBasis).toBe('end-of-run');

    const [k1, k2] = s.points.map((p) => p.knee!);
    // n1: 5 users at 1795375898 with Total Request Count 17 (0 a second before), 10 users: 37 − 17 = 20.
    expect([k1!.users, k1!.rps, k1!.t]).toEqual([5, 17, 1]);
    // n2: 10 users at 1795375970, 50 − 18 = 32 requests in that second.
    expect([k2!.users, k2!.rps, k2!.t]).toEqual([10, 32, 2]);
    expect(k2!.p50).toBe(63); // the "50%" column of that row
    // R_min: the lowest "50%" of each history (44 and 63 ms); Z = 0.3 s from the config.
    expect([k1!.rMinMs, k2!.rMinMs]).toEqual([44, 63]);
    expect(k1!.littleN).toBeCloseTo((619 / 41) * (0.044 + 0.3), 9);
    expect(k2!.littleN).toBeCloseTo((1226 / 41) * (0.063 + 0.3), 9);
    // Little's law agrees with the measured knee within a few users.
    for (const k of [k1!, k2!]) expect(Math.abs(k.littleN! - k.users)).toBeLessThan(5);
    expect(s.conclusions).toContain("At workers = 1, throughput stops growing at ≈5 users during the run's own ramp (17 req/s at t=1 s); Little's law N* ≈ 5.19 users.");
    expect(s.steps.map((x) => x.verdict)).toEqual(['gain', 'gain']);

    const ctx = siteContext(modelOf(runs), analyze(runs, { studies: [study] }), 'x');
    const charts = studyCharts(s, ctx);
    expect(charts.map((c) => c.file)).toEqual(expect.arrayContaining(['study-scaling-workers-ramp-workers-1.svg', 'study-scaling-workers-ramp-workers-4.svg']));
    const page = studyPage(s, ctx).view('md', '../') as { pointsTable: string };
    expect(page.pointsTable).toContain('| Full-load throughput (req/s) |');
    expect(page.pointsTable).toContain('| Whole-run average (req/s) |');
    expect(page.pointsTable).toMatch(/\| 1 \| .* \| overloaded \| 15\.1 ± [\d.]+ \| 1× \| 100% \| .* \| end of run \| 0% \| 16\.2 \|/);
  }, 60_000);
});

describe('peak vs sustained on the Locust ramp run', () => {
  it('puts the server-side percentiles from Prometheus next to the client-side ones', async () => {
    const runs = await ingest([{ id: 'ramp', inputs: [path.join(DATA, 'ramp')], labels: { scenario: 'ramp' }, thinkTimeS: 0.3 }]);
    const run = runs[0]!;
    // The README beside the saved answers gives the queries: histogram_quantile over [10s], in seconds.
    expect(serverQuantileSeries(run).map((q) => [q.key, q.toMs, q.lookbackS])).toEqual([
      ['p50', 1000, 10],
      ['p90', 1000, 10],
      ['p95', 1000, 10],
      ['p99', 1000, 10],
    ]);
    const s = analyze(runs, { studies: [{ kind: 'peak-vs-sustained', id: 'pvs', label: 'scenario', runs: ['ramp'], windowS: 10 }] }).studies[0] as PeakVsSustainedStudy;
    const row = s.rows[0]!;
    expect(row.server).toBeTruthy();
    expect(row.server!.precision).toBe('buckets');
    // prometheus/p95.json: the highest value in the run is "0.9790816326530613" at 1795376212.
    expect(row.server!.peak.p95).toBeCloseTo(979.0816326530613, 9);
    // prometheus/p99.json at 1795376212: "0.9978571428571429".
    expect(row.server!.peak.p99).toBeCloseTo(997.8571428571429, 9);
    // 50 users with Z = 0.3 s against 4 workers at 62 req/s: by Little's law 62 × (0.058 + 0.3) ≈ 22 users are
    // served or thinking, the other 28 wait in a queue. Overloaded: no sustained figure on either side.
    expect(row.state).toBe('overloaded');
    expect(row.sustained.p95).toBeNull();
    expect(row.server!.sustained).toBeNull();
    expect(row.endOfRun!.p95).not.toBeNull();
    expect(row.peak.p95).not.toBeNull();
    expect(s.definitions.some((d) => /^Server \(Prometheus\)/.test(d))).toBe(true);
    expect(s.conclusions.some((c) => /server side \(Prometheus, bucket-interpolated\): peak p95 979 ms/.test(c))).toBe(true);

    // Without a think time the queue shows through Little's law on the queue itself: X × (R − R_min) ≈ 62 × (0.7 − 0.058 s) ≈ 40 of 50 users wait.
    const plain = await ingest([{ id: 'ramp', inputs: [path.join(DATA, 'ramp')], labels: { scenario: 'ramp' } }]);
    const cfg = { kind: 'peak-vs-sustained' as const, id: 'pvs', label: 'scenario', runs: ['ramp'], windowS: 10 };
    const again = analyze(plain, { studies: [cfg] });
    expect((again.studies[0] as PeakVsSustainedStudy).rows[0]!.state).toBe('overloaded');
    const ctx = siteContext(modelOf(plain), again, 'x');
    const view = studyPage(again.studies[0]!, ctx).view('md', '../') as { rowsTable: string };
    // Server peaks from p50/p90/p95/p99.json; no sustained figures.
    expect(view.rowsTable).toMatch(/\| ramp \| .* \| server \(Prometheus\) \| 979 \| – \| 998 \| – \| overloaded \| buckets \|/);
    expect(view.rowsTable).toMatch(/\| client \(Locust\) \| .* \| overloaded, end-of-run p95 [\d,]+ ms \| window \|/);
  }, 60_000);
});

describe('canary vs stable on the k6 example runs', () => {
  it('decides from per-window values and draws p50/p90/p95 over time for both runs', async () => {
    const runs = await ingest([
      { id: 'stable', inputs: [path.join(DATA, 'canary-vs-stable', 'stable')], labels: { variant: 'stable' } },
      { id: 'canary', inputs: [path.join(DATA, 'canary-vs-stable', 'canary')], labels: { variant: 'canary' } },
    ]);
    for (const r of runs) {
      // 30 s runs: a per-second timeline with an HDR histogram per second.
      expect(r.timeline.length).toBeGreaterThanOrEqual(30);
      expect(r.timeline.filter((p) => p.requests > 0).every((p) => p.histogram)).toBe(true);
    }
    const cfg: StudyConfig = { kind: 'experiment', id: 'canary-vs-stable', baseline: 'stable', candidate: 'canary', metric: 'max-p95', criterion: { direction: 'decrease', minChangePct: 5 } };
    const analysis = analyze(runs, { studies: [cfg] });
    const e = analysis.studies[0] as ExperimentStudy;
    expect(e.windows.baseline).toBeGreaterThanOrEqual(10);
    expect(e.windows.candidate).toBeGreaterThanOrEqual(10);
    expect(e.pValue).not.toBeNull();
    expect(e.ci).not.toBeNull();
    expect(e.verdict).toBe('PASS');
    const charts = studyCharts(e, siteContext(modelOf(runs), analysis, 'x'));
    expect(charts.map((c) => c.file)).toEqual([
      'study-canary-vs-stable-ci.svg',
      'study-canary-vs-stable-p50-over-time.svg',
      'study-canary-vs-stable-p90-over-time.svg',
      'study-canary-vs-stable-p95-over-time.svg',
    ]);
    // The p95 line of each run is its timeline's per-second p95 (no server series in these runs).
    const rows = lineRows(charts[3]!.spec);
    for (const r of runs) {
      const first = r.timeline.find((p) => p.requests > 0)!;
      expect(rows.find((x) => x.runId === r.id && x.t === first.t)!.ms).toBe(first.latencyMs.p95);
    }
    expect(rows.some((x) => x.source === SOURCE_SERVER)).toBe(false);
  }, 120_000);
});

function lineRows(spec: unknown): Array<{ t: number; runId: string; source: string; ms: number | null }> {
  const layers = (spec as { layer: Array<{ mark: { type: string }; data: { values: unknown[] } }> }).layer;
  return layers.find((l) => l.mark.type === 'line')!.data.values as Array<{ t: number; runId: string; source: string; ms: number | null }>;
}

/** A histogram_quantile series as saved from Prometheus: seconds, step 2 s, [10s] rate window. */
function quantileSeries(q: number, startS: number, values: Array<number | null>): Series {
  return {
    name: `p${q * 100}`,
    unit: 's',
    query: `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket[10s])))`,
    source: `p${q * 100}.json`,
    labels: {},
    precision: 'buckets',
    points: values.map((v, i) => [startS + 2 * i, v] as [number, number | null]),
  };
}

describe('server-side percentiles on synthetic runs', () => {
  const start = Date.UTC(2024, 0, 1) / 1000;
  // 40 s at 50 req/s; p95 server series from 6 s before the run to its end, every 2 s.
  // Before the run: 0.9 s (another test's tail), during: 0.1 s, one spike of 0.5 s at t = 20.
  const p95 = Array.from({ length: 24 }, (_, i) => {
    const t = -6 + 2 * i;
    return t < 0 ? 0.9 : t === 20 ? 0.5 : 0.1 + i * 0.001;
  });

  function withSeries(id: string, ms: number, series: Series[]): Run {
    const run = syntheticRun({ id, seconds: 40, rps: () => 50, users: () => 10, latency: lognormal(ms, 0.2), labels: { variant: id } });
    run.series = series;
    return run;
  }

  it('takes the peak inside the run and the median over the steady phase, ignoring values from before the run', () => {
    const run = withSeries('a', 100, [quantileSeries(0.95, start - 6, p95), quantileSeries(0.5, start - 6, p95.map((v) => v / 2))]);
    const server = serverPeakSustained(run, { startT: 0, endT: 40 }, { startT: 0, endT: 40 })!;
    expect(server.peak.p95).toBeCloseTo(500, 9);
    expect(server.peak.p50).toBeCloseTo(250, 9);
    // Steady phase 0–40 s: values whose [t − 10, t] window lies inside, t = 10 … 40 → 16 values.
    const inside = p95.filter((_, i) => -6 + 2 * i >= 10 && -6 + 2 * i <= 40).map((v) => v * 1000).sort((a, b) => a - b);
    expect(inside).toHaveLength(16);
    expect(server.sustained!.p95).toBeCloseTo((inside[7]! + inside[8]!) / 2, 9);
    expect(server.peak.p90).toBeNull();
    expect(server.series).toEqual({ p50: 'p50', p95: 'p95' });
    // No steady phase: no sustained figure, the peak still stands.
    expect(serverPeakSustained(run, { startT: 0, endT: 40 }, null)!.sustained).toBeNull();
  });

  it('leaves out series in an unknown unit and percentiles given by several series', () => {
    const unknown = { ...quantileSeries(0.95, start, [0.1, 0.2]), unit: '' };
    const a = quantileSeries(0.99, start, [0.1]);
    const b = { ...quantileSeries(0.99, start, [0.2]), labels: { route: '/b' } };
    const run = withSeries('u', 100, [unknown, a, b, quantileSeries(0.9, start, [0.3])]);
    // p99 beside a p99 of one route: the series without labels is the service's own figure.
    expect(serverQuantileSeries(run).map((q) => [q.key, q.series.labels])).toEqual([
      ['p90', {}],
      ['p99', {}],
    ]);
    // Only per-route series: no single server figure exists.
    const c = { ...quantileSeries(0.99, start, [0.1]), labels: { route: '/a' } };
    expect(serverQuantileSeries(withSeries('v', 100, [c, b])).map((q) => q.key)).toEqual([]);
    // Named p50 without a query but in milliseconds: taken as is.
    const named: Series = { name: 'p50', unit: 'ms', source: 'x', labels: {}, points: [[start + 5, 42]] };
    expect(serverQuantileSeries(withSeries('n', 100, [named])).map((q) => [q.key, q.toMs])).toEqual([['p50', 1]]);
  });

  it('draws the server lines (dashed) on the experiment charts when the runs have them', () => {
    const stable = withSeries('stable', 100, [quantileSeries(0.95, start - 6, p95)]);
    const canary = withSeries('canary', 80, []);
    const analysis = analyze([stable, canary], { studies: [{ kind: 'experiment', id: 'exp', baseline: 'stable', candidate: 'canary' }] });
    const e = analysis.studies[0] as ExperimentStudy;
    const ctx = siteContext(modelOf([stable, canary]), analysis, 'x');
    const charts = studyCharts(e, ctx);
    const p95Chart = charts.find((c) => c.file === 'study-exp-p95-over-time.svg')!;
    const rows = lineRows(p95Chart.spec);
    const server = rows.filter((r) => r.source === SOURCE_SERVER);
    // Only stable has the series; points before its start are left off; values in ms.
    expect(new Set(server.map((r) => r.runId))).toEqual(new Set(['stable']));
    expect(Math.min(...server.map((r) => r.t))).toBe(0);
    expect(server.find((r) => r.t === 20)!.ms).toBeCloseTo(500, 9);
    expect(p95Chart.alt).toMatch(/server side from Prometheus \(dashed\)/);
    // The p50 chart has no server line: the run has no p50 series.
    expect(lineRows(charts.find((c) => c.file === 'study-exp-p50-over-time.svg')!.spec).some((r) => r.source === SOURCE_SERVER)).toBe(false);
    const view = studyPage(e, ctx).view('md', '../') as { timelineCharts: string[]; timelineNote: string; mainChart: string };
    expect(view.timelineCharts).toHaveLength(3);
    // The confidence interval is the main chart, under the headline.
    expect(view.mainChart).toContain('study-exp-ci.svg');
    expect(view.timelineNote).toContain('Dashed lines');
  });
});
