// data/figures.json: what a later build needs to compare its runs with this build's
// (--baseline): per run the full-load figures and their per-interval values, the
// latency on its basis (full load for a steady run, end of run for any other), and
// whole-run figures with their sampling error for runs and endpoints without a timeline.
// Bounded: at most MAX_INTERVALS values per range, MAX_ENDPOINTS endpoints per run.
import { parseMetric, summaryEstimate } from '../analyze/experiment.js';
import type { Analysis, RunAnalysis } from '../analyze/types.js';
import { latencyPrecisionOf, pointsIn, rangePercentiles, sortedTimeline, type Range } from '../analyze/windows.js';
import type { Run, Stats, TimelinePoint } from '../model/types.js';
import { FIGURES_FORMAT, MAX_ENDPOINTS, MAX_INTERVALS, type Basis, type EndpointFigures, type Estimate, type FiguresFile, type IntervalValues, type Metric, type RunFigures, type WholeRunFigures } from './types.js';

/** 4 significant digits: enough for any comparison, and small files. */
export function round4(x: number): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(4));
}

function roundOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : round4(x);
}

function estimate(run: Run, metric: string): Estimate | null {
  const m = parseMetric(metric);
  const e = m ? summaryEstimate(run, m) : null;
  return e && Number.isFinite(e.value) && Number.isFinite(e.se) ? { value: round4(e.value), se: round4(e.se) } : null;
}

function wholeRun(run: Run): WholeRunFigures {
  return {
    requests: run.summary.requests,
    failures: run.summary.failures,
    rps: estimate(run, 'rps'),
    p50: estimate(run, 'sustained-p50'),
    p95: estimate(run, 'sustained-p95'),
    p99: estimate(run, 'sustained-p99'),
    errorRate: estimate(run, 'error-rate'),
  };
}

/** An endpoint read as a run of its own over the run's duration (whole-run figures only). */
function endpointFigures(run: Run, e: Stats): EndpointFigures {
  const asRun = { ...run, summary: e, endpoints: [], timeline: [] } as Run;
  return { name: e.name, method: e.method, ...wholeRun(asRun) };
}

/** Intervals of the range, bursts left out; merged into at most MAX_INTERVALS blocks. */
function intervalValues(points: TimelinePoint[], interval: number, range: Range): IntervalValues {
  const k = Math.max(1, Math.ceil(points.length / MAX_INTERVALS));
  const out: IntervalValues = { fromT: range.startT, toT: range.endT, stepS: interval * k, requests: [], failures: [], p50: [], p95: [], p99: [] };
  for (let i = 0; i < points.length; i += k) {
    const block = points.slice(i, i + k);
    const requests = block.reduce((a, p) => a + p.requests, 0);
    out.requests.push(requests);
    out.failures.push(block.reduce((a, p) => a + p.failures, 0));
    for (const key of ['p50', 'p95', 'p99'] as const) {
      // A block's figure: the request-weighted mean of its intervals' own figures.
      let w = 0;
      let s = 0;
      for (const p of block) {
        const v = p.latencyMs[key];
        if (v === null || p.requests <= 0) continue;
        w += p.requests;
        s += v * p.requests;
      }
      out[key].push(w > 0 ? round4(s / w) : null);
    }
  }
  return out;
}

function inBurst(p: TimelinePoint, ra: RunAnalysis): boolean {
  return ra.bursts.some((b) => p.t >= b.fromT - 1e-6 && p.t < b.endT - 1e-6);
}

/**
 * `windowS`: the end-of-run window, the last so many seconds of the full-load phase (the
 * analysis' sliding window). Its intervals are what a comparison resamples.
 */
export function runFigures(run: Run, ra: RunAnalysis, windowS = 10): RunFigures {
  const whole = wholeRun(run);
  const value: Record<Metric, number | null> = { rps: whole.rps?.value ?? null, p50: whole.p50?.value ?? null, p95: whole.p95?.value ?? null, p99: whole.p99?.value ?? null, errorRate: whole.errorRate?.value ?? null };
  let rpsBasis: Basis = 'whole-run';
  let latencyBasis: Basis = 'whole-run';
  let fullLoad: IntervalValues | null = null;
  let latency: IntervalValues | null = null;
  const interval = run.timelineIntervalS;
  if (ra.fullLoad && run.timeline.length > 0) {
    const all = sortedTimeline(run);
    const range = { startT: ra.fullLoad.fromT, endT: ra.fullLoad.toT };
    const calm = pointsIn(all, interval, range).filter((p) => !inBurst(p, ra));
    if (calm.length > 0) {
      fullLoad = intervalValues(calm, interval, range);
      rpsBasis = 'full-load';
      // The mean per-interval rate, as the analysis reads full-load throughput.
      const requests = calm.reduce((a, p) => a + p.requests, 0);
      value.rps = round4(requests / (calm.length * interval));
      value.errorRate = requests > 0 ? round4(calm.reduce((a, p) => a + p.failures, 0) / requests) : null;
      // Since-start (cumulative) percentiles cannot be cut into intervals: such a run's latency is compared on whole-run figures.
      if (run.timelineLatency !== 'none' && run.timelineLatency !== 'cumulative') {
        const steady = ra.state === 'steady';
        const latRange = steady ? range : { startT: Math.max(range.startT, range.endT - Math.max(windowS, interval)), endT: range.endT };
        // A steady run's latency covers every interval of its full load (a burst is part of how it behaved); the end-of-run window leaves bursts out.
        const latPts = steady ? pointsIn(all, interval, range) : pointsIn(all, interval, latRange).filter((p) => !inBurst(p, ra));
        if (latPts.length > 0) {
          // The figures are the analysis' own (the run page shows the same), p99 over the range it names;
          // the intervals of the window are what a comparison resamples around them.
          const named = steady ? ra.fullLoad : ra.endOfRun;
          const namedPts = steady || !ra.endOfRun ? latPts : pointsIn(all, interval, { startT: ra.endOfRun.fromT, endT: ra.endOfRun.toT });
          const exact = rangePercentiles(namedPts.length > 0 ? namedPts : latPts, latencyPrecisionOf(run));
          latency = intervalValues(latPts, interval, latRange);
          latencyBasis = steady ? 'full-load' : 'end-of-run';
          value.p50 = roundOrNull(named?.p50 ?? exact.p50);
          value.p95 = roundOrNull(named?.p95 ?? exact.p95);
          value.p99 = roundOrNull(exact.p99);
        }
      }
    }
  }
  const endpoints = [...run.endpoints]
    .sort((a, b) => b.requests - a.requests || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, MAX_ENDPOINTS)
    .map((e) => endpointFigures(run, e));
  return { runId: run.id, name: run.name, labels: run.labels, state: ra.state, rpsBasis, latencyBasis, value, fullLoad, latency, wholeRun: whole, endpoints };
}

export function figuresFile(runs: Run[], analysis: Analysis): FiguresFile {
  const byId = new Map(analysis.runs.map((r) => [r.runId, r]));
  return { format: FIGURES_FORMAT, runs: runs.flatMap((r) => (byId.has(r.id) ? [runFigures(r, byId.get(r.id)!, analysis.windowS)] : [])) };
}
