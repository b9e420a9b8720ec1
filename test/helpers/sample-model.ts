// A synthetic run model and analysis for renderer tests: several runs from different
// tools, an experiment, a scaling and a peak-vs-sustained study, errors, Prometheus
// series, thresholds, and hostile names that must come out as text.
import type { Model, Run, Stats, TimelinePoint } from '../../src/model/types.js';
import type { Analysis, RunAnalysis } from '../../src/analyze/types.js';
import { analyze } from '../../src/analyze/index.js';

export const XSS_IMG = '<img src=x onerror=window.__xss=1>';
export const XSS_SCRIPT = '</script><script>window.__xss=1</script>';
export const XSS_LINK = '[x](javascript:window.__xss=1)';
export const PIPE_NAME = 'a|b';

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stats(name: string, method: string | null, requests: number, failures: number, durationS: number, p50: number, precision: Stats['precision']): Stats {
  return {
    name,
    method,
    requests,
    failures,
    rps: requests / durationS,
    latencyMs: { min: p50 * 0.2, mean: p50 * 1.1, p50, p90: p50 * 1.8, p95: p50 * 2.2, p99: p50 * 3.5, max: p50 * 9 },
    precision,
  };
}

function timeline(seed: number, seconds: number, rps: number, p50: number, withUsers: boolean, failEvery = 0): TimelinePoint[] {
  const rnd = prng(seed);
  const points: TimelinePoint[] = [];
  for (let t = 0; t < seconds; t++) {
    const ramp = Math.min(1, (t + 1) / 10, (seconds - t) / 10);
    const requests = Math.round(rps * ramp * (0.9 + 0.2 * rnd()));
    const lat = p50 * (t < 10 ? 2.5 - t * 0.15 : 1) * (0.9 + 0.2 * rnd());
    points.push({
      t,
      requests,
      failures: failEvery > 0 && t % failEvery === 0 ? 1 : 0,
      users: withUsers ? Math.round(20 * ramp) : null,
      latencyMs: { p50: lat, p90: lat * 1.8, p95: lat * 2.2, p99: lat * 3.4, max: lat * 8 },
    });
  }
  return points;
}

const START = '2024-05-01T10:00:00.000Z';
const START_UNIX = Date.parse(START) / 1000;

function run(id: string, name: string, tool: Run['tool'], labels: Record<string, string>, opts: { rps: number; p50: number; seconds: number; seed: number; precision?: Stats['precision']; endpoints?: string[] }): Run {
  const seconds = opts.seconds;
  const precision = opts.precision ?? 'samples';
  const eps = opts.endpoints ?? ['GET /api/items', 'POST /api/cart'];
  const total = Math.round(opts.rps * seconds * 0.9);
  const endpoints = eps.map((e, i) => stats(e, e.split(' ')[0] ?? null, Math.round(total / eps.length), i === 0 ? 3 : 0, seconds, opts.p50 * (1 + i * 0.3), precision));
  return {
    id,
    name,
    tool,
    toolVersion: tool === 'k6' ? 'v0.49.0' : tool === 'locust' ? '2.24.1' : '1.2.6',
    sources: [{ path: `results/${id}/out.json`, format: `${tool}-summary`, toolVersion: undefined, provides: ['summary', 'timeline'] }],
    labels,
    start: START,
    end: new Date(Date.parse(START) + seconds * 1000).toISOString(),
    durationS: seconds,
    summary: { ...stats('all', null, total, 3, seconds, opts.p50, precision) },
    endpoints,
    timelineIntervalS: 1,
    timelineLatency: precision === 'samples' ? 'interval' : 'window',
    timeline: timeline(opts.seed, seconds, opts.rps, opts.p50, tool !== 'bombardier', id === 'canary' ? 7 : 0),
    errors: [],
    series: [],
    thresholds: [],
    metrics: {},
  };
}

function runAnalysis(r: Run, seconds: number): RunAnalysis {
  const p = r.summary.latencyMs;
  return {
    runId: r.id,
    phases: [
      { name: 'ramp-up', startT: 0, endT: 10 },
      { name: 'steady', startT: 10, endT: seconds - 10 },
      { name: 'ramp-down', startT: seconds - 10, endT: seconds },
    ],
    steadyState: true,
    phaseBasis: r.timeline.some((t) => t.users !== null) ? 'users' : 'throughput',
    peak: { p50: (p.p50 ?? 0) * 2.5, p90: (p.p90 ?? 0) * 2.5, p95: (p.p95 ?? 0) * 2.5, p99: (p.p99 ?? 0) * 2.5, windowStartT: { p50: 0, p90: 0, p95: 0, p99: 0 } },
    sustained: { p50: p.p50, p90: p.p90, p95: p.p95, p99: p.p99 },
    latencyPrecision: r.summary.precision,
    sustainedRps: r.summary.rps,
    peakRps: (r.summary.rps ?? 0) * 1.1,
    averageRps: r.summary.rps,
    rpsCv: 0.03,
    errorRate: r.summary.failures / r.summary.requests,
    state: 'steady',
    stateReason: 'Latency settles at full load.',
    fullLoad: { rps: r.summary.rps, rpsNoise: (r.summary.rps ?? 0) * 0.02, p50: p.p50, p95: p.p95, fromT: 10, toT: seconds - 10, users: null, basis: `mean of ${seconds - 20} intervals of 1 s from t=10 to ${seconds - 10} s` },
    endOfRun: { p50: p.p50, p95: p.p95, fromT: seconds - 20, toT: seconds - 10 },
    latencyTrendMsPerS: 0,
    latencyTrend: null,
    thinkTimeS: null,
    bursts: [],
    loadLevels: [],
    littleBound: null,
    warnings: [],
  };
}

export interface Sample {
  model: Model;
  analysis: Analysis;
}

/** The sample: 6 runs (ids in deliberately unsorted order), 3 studies. */
export function sampleModel(): Sample {
  const stable = run('stable', 'Stable (4 threads)', 'k6', { variant: 'stable' }, { rps: 50, p50: 40, seconds: 60, seed: 1 });
  const canary = run('canary', 'Canary (16 threads)', 'k6', { variant: 'canary' }, { rps: 55, p50: 30, seconds: 60, seed: 2, endpoints: ['GET /api/items', XSS_IMG, PIPE_NAME] });
  const w1 = run('workers-1', 'Locust 1 worker', 'locust', { workers: '1' }, { rps: 20, p50: 50, seconds: 40, seed: 3, precision: 'reported' });
  const w2 = run('workers-2', 'Locust 2 workers', 'locust', { workers: '2' }, { rps: 38, p50: 52, seconds: 40, seed: 4, precision: 'reported' });
  const w4 = run('workers-10', `Locust ${XSS_SCRIPT}`, 'locust', { workers: '10' }, { rps: 40, p50: 90, seconds: 40, seed: 5, precision: 'reported' });
  const hostile = run('../../evil id', XSS_LINK, 'bombardier', { [XSS_IMG]: PIPE_NAME }, { rps: 100, p50: 5, seconds: 30, seed: 6, precision: 'reported', endpoints: ['http://127.0.0.1:8080/'] });
  hostile.timeline = [];
  hostile.timelineLatency = 'none';

  canary.errors = [
    { endpoint: XSS_IMG, method: 'GET', message: `boom ${XSS_SCRIPT}`, status: '500', count: 7, kind: 'failure' },
    { endpoint: 'GET /api/items', method: 'GET', message: 'HTTP 503', status: '503', count: 2, kind: 'failure' },
  ];
  w2.errors = [{ endpoint: 'checkout', method: null, message: 'ValueError: bad `input` | *x* _y_', status: null, count: 1, kind: 'exception', detail: 'Traceback ...' }];
  canary.thresholds = [
    { metric: 'http_req_duration', expression: 'p(95)<500', ok: true },
    { metric: 'http_req_failed', expression: 'rate<0.01', ok: false },
  ];
  canary.metrics = { iterations: 3000, droppedIterations: 0, checks: { passes: 2990, fails: 10 }, vusMax: 20, dataSentBytes: 123456, dataReceivedBytes: 9876543 };
  const series = (name: string, unit: string, labels: Record<string, string>, f: (i: number) => number | null) => ({
    name,
    unit,
    query: `sum(rate(${name}[1m]))`,
    source: 'prometheus/query_range.json',
    labels,
    points: Array.from({ length: 13 }, (_, i): [number, number | null] => [START_UNIX + i * 5, f(i)]),
  });
  stable.series = [
    series('cpu usage', 'cores', { pod: 'app-1' }, (i) => 0.5 + i * 0.05),
    series('cpu usage', 'cores', { pod: XSS_IMG }, (i) => (i === 4 ? null : 0.4 + i * 0.03)),
    series('memory', 'bytes', {}, (i) => 1e8 + i * 1e6),
  ];

  const runs = [w1, stable, canary, w4, hostile, w2];
  const model: Model = {
    schemaVersion: 1,
    generator: { name: 'ce-report', version: '0.0.0-test' },
    runs,
    warnings: [{ file: 'results/workers-2/out.json', line: 12, column: 3, message: `skipped 2 malformed lines ${XSS_IMG}` }],
  };
  const ra = runs.map((r) => runAnalysis(r, r.durationS ?? 0));
  const analysis: Analysis = {
    windowS: 10,
    runs: ra,
    studies: [
      {
        kind: 'experiment',
        id: 'experiment-variant',
        title: 'Canary vs stable',
        baseline: 'stable',
        candidate: 'canary',
        metric: 'max-p95',
        criterion: { direction: 'decrease', minChangePct: 5 },
        confidence: 0.95,
        baselineValue: 88,
        candidateValue: 66,
        changePct: -25,
        ci: [-31.5, -18.2],
        pValue: 0.0004,
        verdict: 'PASS',
        method: 'Mann-Whitney U on per-window p95 values and a bootstrap CI of the relative change of the metric, 2000 resamples, seeded.',
        windows: { baseline: 6, candidate: 6 },
        conclusions: ['The canary lowered max p95 from 88 ms to 66 ms (-25%, 95% CI -31.5% … -18.2%): PASS.'],
        definitions: ['max-p95: the maximum of the per-10 s window p95 values.'],
        runIds: ['stable', 'canary'],
      },
      {
        kind: 'scaling',
        id: 'scaling-workers',
        title: 'Scaling by workers',
        factor: 'workers',
        factorKind: 'capacity',
        by: null,
        byValue: null,
        points: [
          { value: 1, runId: 'workers-1', rps: 18, rpsBasis: 'full-load', rpsNoise: 0.9, averageRps: 17.5, state: 'steady', latencyBasis: 'full-load', p50: 50, p95: 110, errorRate: 0, speedup: 1, efficiency: 1 },
          { value: 2, runId: 'workers-2', rps: 34.2, rpsBasis: 'full-load', rpsNoise: 1.4, averageRps: 33.9, state: 'steady', latencyBasis: 'full-load', p50: 52, p95: 114, errorRate: 0, speedup: 1.9, efficiency: 0.95 },
          { value: 10, runId: 'workers-10', rps: 36, rpsBasis: 'full-load', rpsNoise: 1.5, averageRps: 35.1, state: 'overloaded', latencyBasis: 'end-of-run', p50: 90, p95: 198, errorRate: 0.001, speedup: 2, efficiency: 0.2 },
        ],
        steps: [
          { from: 1, to: 2, fromRunId: 'workers-1', toRunId: 'workers-2', rpsChangePct: 90, p50ChangePct: 4, p95ChangePct: 3.6, speedup: 1.9, efficiency: 0.95, verdict: 'gain', withinNoise: false, noiseRps: 1.66, noisePct: 9.2 },
          { from: 2, to: 10, fromRunId: 'workers-2', toRunId: 'workers-10', rpsChangePct: 5.3, p50ChangePct: 73.1, p95ChangePct: 73.7, speedup: 1.05, efficiency: 0.21, verdict: 'no-effect', withinNoise: true, noiseRps: 2.05, noisePct: 6 },
        ],
        noise: { rps: 1.4, basis: "the median of the runs' 95% half-widths of their full-load throughput" },
        saturation: null,
        knee: { runId: 'workers-10', value: null, t: 25, users: 18, rps: 36, littleN: 17.5, reason: 'throughput flat while p95 grew by 70%.' },
        grid: [],
        conclusions: [
          'The bottleneck moved: workers 1 → 2 raised throughput, 2 → 10 did not.',
          'workers 2 → 10: no change in full-load throughput beyond noise (34.2 → 36 req/s, +5.3%, noise ±2.05 req/s).',
        ],
        definitions: ['Full-load throughput: the mean of the per-interval request rate over the full-load phase.'],
        runIds: ['workers-1', 'workers-2', 'workers-10'],
      },
      {
        kind: 'peak-vs-sustained',
        id: 'peak-vs-sustained-workers',
        title: `Peak vs sustained ${XSS_IMG}`,
        label: 'workers',
        windowS: 10,
        rows: ['workers-1', 'workers-2', 'workers-10'].map((id) => {
          const a = ra.find((x) => x.runId === id) as RunAnalysis;
          return { label: id.split('-')[1] as string, runId: id, peak: a.peak as RunAnalysis['sustained'] & object, sustained: a.sustained as NonNullable<RunAnalysis['sustained']>, precision: 'window' as const, state: 'steady' as const, endOfRun: null };
        }),
        conclusions: ['Peak p95 is 2.5 times the sustained p95 in every run.'],
        definitions: ['Peak: the worst 10 s window anywhere in the run.', 'Sustained: over the steady phase.'],
        runIds: ['workers-1', 'workers-2', 'workers-10'],
      },
    ],
    warnings: [{ runId: 'canary', message: `failure rate above 1% ${PIPE_NAME}` }],
  };
  // A failures study computed by the analyzer itself, over the run with hostile failure messages.
  const failures = analyze([canary], { studies: [{ kind: 'failures', id: 'failures', title: `Failures ${XSS_SCRIPT}`, runs: ['canary'], thresholdPct: 0.1 }] }).studies[0]!;
  analysis.studies.push(failures);
  return { model, analysis };
}
