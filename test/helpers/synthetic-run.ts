// Builds Runs with a per-second timeline from a given load and latency shape, the way an
// ingester working from samples would (HDR histograms per bucket), with a seeded PRNG.
import { createHistogram, encodeHistogram, latencyFromHistogram, mergeEncoded, recordMs, timelineLatencyFromHistogram } from '../../src/model/histogram.js';
import { emptyStats, type Run, type TimelinePoint } from '../../src/model/types.js';
import { randomNormal, seededRng, type Rng } from '../../src/analyze/prng.js';

export interface SyntheticSpec {
  id: string;
  seconds: number;
  /** Requests completed in second t. */
  rps: (t: number) => number;
  /** One latency sample (ms) at second t. */
  latency: (t: number, rng: Rng) => number;
  users?: (t: number) => number | null;
  failRate?: number;
  labels?: Record<string, string>;
  tool?: Run['tool'];
  seed?: number;
  thinkTimeS?: number;
}

/** Log-normal latency around a median, spread sigma (0.3 is typical). */
export function lognormal(medianMs: number, sigma: number): (t: number, rng: Rng) => number {
  return (_t, rng) => medianMs * Math.exp(sigma * randomNormal(rng));
}

export function syntheticRun(spec: SyntheticSpec): Run {
  const rng = seededRng(spec.seed ?? 1);
  const timeline: TimelinePoint[] = [];
  let requests = 0;
  let failures = 0;
  for (let t = 0; t < spec.seconds; t++) {
    const n = Math.max(0, Math.round(spec.rps(t)));
    const h = createHistogram();
    let f = 0;
    for (let i = 0; i < n; i++) {
      recordMs(h, Math.max(0.001, spec.latency(t, rng)));
      if (spec.failRate && rng() < spec.failRate) f++;
    }
    requests += n;
    failures += f;
    const pt: TimelinePoint = { t, requests: n, failures: f, users: spec.users ? spec.users(t) : null, latencyMs: timelineLatencyFromHistogram(h) };
    if (n > 0) pt.histogram = encodeHistogram(h);
    timeline.push(pt);
  }
  const summary = emptyStats('all', null, 'samples');
  summary.requests = requests;
  summary.failures = failures;
  summary.rps = requests / spec.seconds;
  const merged = mergeEncoded(timeline.filter((p) => p.histogram).map((p) => p.histogram!));
  summary.latencyMs = latencyFromHistogram(merged);
  summary.histogram = encodeHistogram(merged);
  const run: Run = {
    id: spec.id,
    name: spec.id,
    tool: spec.tool ?? 'k6',
    sources: [],
    labels: spec.labels ?? {},
    start: '2024-01-01T00:00:00.000Z',
    end: new Date(Date.UTC(2024, 0, 1) + spec.seconds * 1000).toISOString(),
    durationS: spec.seconds,
    summary,
    endpoints: [],
    timelineIntervalS: 1,
    timelineLatency: 'interval',
    timeline,
    errors: [],
    series: [],
    thresholds: [],
    metrics: {},
  };
  if (spec.thinkTimeS !== undefined) run.thinkTimeS = spec.thinkTimeS;
  return run;
}

/** A run with only a tool summary (like bombardier): no timeline. */
export function summaryOnlyRun(id: string, s: { requests: number; failures?: number; durationS: number; p50: number; p90: number; p95: number; p99: number; min: number; max: number }, labels: Record<string, string> = {}): Run {
  const summary = emptyStats('all', null, 'reported');
  summary.requests = s.requests;
  summary.failures = s.failures ?? 0;
  summary.rps = s.requests / s.durationS;
  summary.latencyMs = { min: s.min, mean: null, p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, max: s.max };
  return {
    id,
    name: id,
    tool: 'bombardier',
    sources: [],
    labels,
    start: null,
    end: null,
    durationS: s.durationS,
    summary,
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
