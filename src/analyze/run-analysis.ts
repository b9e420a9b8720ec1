// Per-run figures: phases, peak vs sustained latency, throughput, error rate, warnings.
import type { Run } from '../model/types.js';
import { num } from './format.js';
import { detectPhases, type PhaseResult } from './phases.js';
import { readRun, type RunReading, type UnloadedHint } from './run-reading.js';
import { withSeriesTimeline } from './series-timeline.js';
import { coefficientOfVariation } from './stats.js';
import type { AnalyzeOptions, LatencyPrecision, PeakPercentiles, Percentiles, Phase, RangeBasis, RunAnalysis } from './types.js';
import { epochS, latencyPrecisionOf, PERCENTILES, pointsIn, slidingWindows, sortedTimeline, timelineSpan, type Range, type WindowValue } from './windows.js';

/** What later stages (studies) need besides the published RunAnalysis. */
export interface RunFacts {
  run: Run;
  analysis: RunAnalysis;
  phase: PhaseResult;
  precision: LatencyPrecision;
  /** Sliding windows over the whole run. */
  windows: WindowValue[];
  /** The reading of the full-load phase (state, full-load figures, bursts). */
  reading: RunReading;
  /** The run as read: the run itself, or for Prometheus series alone a timeline built from them. */
  read: Run;
}

export function averageRps(run: Run): number | null {
  if (run.summary.rps !== null && Number.isFinite(run.summary.rps)) return run.summary.rps;
  if (run.durationS && run.durationS > 0 && run.summary.requests > 0) return run.summary.requests / run.durationS;
  const span = timelineSpan(run);
  if (span && span.endT > span.startT) return run.timeline.reduce((a, p) => a + p.requests, 0) / (span.endT - span.startT);
  return null;
}

export function errorRate(run: Run): number | null {
  if (run.summary.requests > 0) return run.summary.failures / run.summary.requests;
  const req = run.timeline.reduce((a, p) => a + p.requests, 0);
  return req > 0 ? run.timeline.reduce((a, p) => a + p.failures, 0) / req : null;
}

function rangeRps(run: Run, range: Range): number | null {
  const pts = pointsIn(sortedTimeline(run), run.timelineIntervalS, range);
  const dur = range.endT - range.startT;
  return pts.length > 0 && dur > 0 ? pts.reduce((a, p) => a + p.requests, 0) / dur : null;
}

/**
 * Variability of throughput inside the steady phase: CV of the rps of consecutive
 * non-overlapping chunks (windowS long, shorter when the phase holds fewer than 3).
 */
function steadyRpsCv(run: Run, steady: Range, windowS: number): number | null {
  const interval = run.timelineIntervalS;
  const dur = steady.endT - steady.startT;
  const chunk = Math.max(interval, Math.min(windowS, Math.floor(dur / 3 / interval) * interval));
  const rates: number[] = [];
  for (let s = steady.startT; s + chunk <= steady.endT + 1e-6; s += chunk) {
    const r = rangeRps(run, { startT: s, endT: s + chunk });
    if (r !== null) rates.push(r);
  }
  return coefficientOfVariation(rates);
}

function peakOf(windows: WindowValue[]): PeakPercentiles | null {
  const peak: PeakPercentiles = { p50: null, p90: null, p95: null, p99: null, windowStartT: { p50: null, p90: null, p95: null, p99: null } };
  let any = false;
  for (const w of windows) {
    for (const k of PERCENTILES) {
      const v = w[k];
      if (v !== null && (peak[k] === null || v > peak[k]!)) {
        peak[k] = v;
        peak.windowStartT[k] = w.startT;
        any = true;
      }
    }
  }
  return any ? peak : null;
}

function runWarnings(run: Run, facts: Omit<RunFacts, 'analysis' | 'reading'>, opts: AnalyzeOptions, errRate: number | null): string[] {
  const out: string[] = [];
  const { phase } = facts;
  if (!phase.steady) {
    out.push(
      phase.basis === 'none'
        ? 'No timeline: no steady state can be found, so whole-run figures stand in for sustained ones.'
        : `Too short or unsteady for a steady state: ${phase.noSteadyReason ?? 'no plateau'}; sustained figures are not given.`,
    );
  }
  if (errRate !== null && errRate > opts.failureRateThreshold) {
    out.push(
      `${num(errRate * 100)}% of requests failed (${run.summary.failures} of ${run.summary.requests}), above the ${num(opts.failureRateThreshold * 100)}% threshold.`,
    );
  }
  const dropped = run.metrics.droppedIterations ?? 0;
  if (dropped > 0) {
    out.push(`The load generator dropped ${dropped} iterations: it could not keep the requested arrival rate (too few VUs or a saturated client), so the offered load was lower than planned.`);
  }
  const others = Number(run.summary.statuses?.['others'] ?? 0);
  if (run.tool === 'bombardier' && others > 0) {
    out.push(`${others} requests ended without an HTTP status (timeouts or connection errors at the client): the load generator or the network may be saturated.`);
  }
  if (run.summary.precision === 'buckets' || run.endpoints.some((e) => e.precision === 'buckets') || run.series.some((s) => s.precision === 'buckets')) {
    out.push('Some percentiles are only estimated from histogram buckets (precision "buckets"); they can be off by up to a bucket width.');
  }
  if (facts.precision === 'cumulative') {
    out.push('The timeline percentiles are cumulative (since the run start) and cannot be windowed: peak and sustained latency are approximations (see the definitions).');
  }
  // Timeline gaps: missing buckets between points.
  const pts = sortedTimeline(run);
  const interval = run.timelineIntervalS;
  let gaps = 0;
  let missingS = 0;
  for (let i = 1; i < pts.length; i++) {
    const dt = pts[i]!.t - pts[i - 1]!.t;
    if (dt > 1.5 * interval) {
      gaps++;
      missingS += dt - interval;
    }
  }
  if (gaps > 0) out.push(`The timeline has ${gaps} gap${gaps === 1 ? '' : 's'} (${num(missingS)} s without data).`);
  // Server-side series that do not cover the run.
  const runStart = epochS(run.start);
  const runEnd = epochS(run.end) ?? (runStart !== null && run.durationS !== null ? runStart + run.durationS : null);
  if (runStart !== null && runEnd !== null) {
    for (const s of run.series) {
      const ts = s.points.map((p) => p[0]).filter((t) => Number.isFinite(t));
      if (ts.length === 0) continue;
      const first = Math.min(...ts);
      const last = Math.max(...ts);
      const step = ts.length > 1 ? (last - first) / (ts.length - 1) : 1;
      const tol = Math.max(1, step) + 1;
      const uncovered = Math.max(0, first - runStart) + Math.max(0, runEnd - last);
      if (first > runStart + tol || last < runEnd - tol) {
        out.push(`Series "${s.name}" covers only part of the run (${num(uncovered)} s of the run have no data): its figures do not describe the whole run.`);
      }
    }
  }
  return out;
}

/** Where a run's values are taken (RangeBasis): the plateau of a run that is not steady is its full load, not a steady state. */
export function rangeBasis(f: Pick<RunFacts, 'phase' | 'reading'>): RangeBasis {
  if (!f.phase.steady) return 'run';
  return f.reading.state === 'steady' ? 'steady' : 'full-load';
}

export function analyzeRun(run: Run, opts: AnalyzeOptions, unloaded?: UnloadedHint): RunFacts {
  // A run without a timeline of its own (Prometheus series alone; bombardier, which records
  // none) is read from a timeline built from its server-side series when it has a request
  // rate among them (precision `buckets`). A load-test run only with server-side latency
  // too: from throughput alone a queue that holds the rate (bombardier --rate) reads steady.
  const built = run.timeline.length === 0 ? withSeriesTimeline(run) : null;
  const read = (built && (run.tool === 'prometheus' || built.timelineLatency !== 'none') ? built : null) ?? run;
  const phase = detectPhases(read, opts.windowS);
  const precision = latencyPrecisionOf(read);
  const span = timelineSpan(read);
  const windows = span ? slidingWindows(read, span, opts.windowS, hasLatency(read) ? precision : 'reported') : [];
  return withReading({ run, read, phase, precision, windows }, opts, unloaded);
}

/**
 * The run read again against its study's unloaded response time (index.ts): only the reading and
 * what follows from it are redone; phases found, windows and peaks are the run's own and are kept.
 */
export function rereadRun(f: RunFacts, opts: AnalyzeOptions, unloaded: UnloadedHint): RunFacts {
  return withReading({ run: f.run, read: f.read, phase: f.phase, precision: f.read === f.run ? f.precision : latencyPrecisionOf(f.read), windows: f.windows }, opts, unloaded);
}

function hasLatency(run: Run): boolean {
  return run.timeline.length > 0 && run.timelineLatency !== 'none';
}

function withReading(base: Omit<RunFacts, 'analysis' | 'reading'>, opts: AnalyzeOptions, unloaded?: UnloadedHint): RunFacts {
  const { run, read, phase, precision, windows } = base;
  const withLatency = hasLatency(read);
  const fullWindows = windows.filter((w) => w.endT - w.startT >= opts.windowS - 1e-6);
  const reading = readRun(read, phase, withLatency ? precision : 'reported', opts.windowS, unloaded);
  const fromSeries = read !== run;
  // The steady phase is the full-load phase of a steady run: after start-up bursts and the last capacity change.
  const steady = reading.state === 'steady' ? reading.range : null;
  // Only a steady run has a sustained latency: an overloaded run's latency is a queue that grows.
  const sustained: Percentiles | null = steady && withLatency ? reading.sustained : null;
  const steadyRate = steady ? rangeRps(read, steady) : null;
  const errRate = errorRate(read);
  // The plateau of a run that is not steady is its full-load phase, never "steady".
  const phases = phasesOf(phase.phases, reading);
  const analysis: RunAnalysis = {
    runId: run.id,
    phases,
    steadyState: steady !== null,
    phaseBasis: phase.basis,
    peak: withLatency ? peakOf(windows) : null,
    sustained,
    latencyPrecision: fromSeries ? 'buckets' : withLatency ? precision : run.summary.precision,
    sustainedRps: steadyRate,
    peakRps: fullWindows.length > 0 ? Math.max(...fullWindows.map((w) => w.requests / (w.endT - w.startT))) : null,
    averageRps: averageRps(read),
    rpsCv: phase.steady ? steadyRpsCv(read, phase.steady, opts.windowS) : null,
    errorRate: errRate,
    state: reading.state,
    stateReason: fromSeries ? `${reading.stateReason} (read from the run's Prometheus series: request rate and server-side percentiles per query step)` : reading.stateReason,
    fullLoad: reading.fullLoad,
    endOfRun: reading.endOfRun,
    latencyTrendMsPerS: reading.latencyTrend?.msPerS ?? null,
    latencyTrend: reading.latencyTrend,
    thinkTimeS: reading.thinkTime,
    bursts: reading.bursts,
    ...(reading.capacityChanges ? { capacityChanges: reading.capacityChanges } : {}),
    loadLevels: reading.loadLevels,
    littleBound: reading.littleBound,
    warnings: runWarnings(read, { run: read, read, phase, precision, windows }, opts, errRate),
  };
  return { run, read, phase, precision: fromSeries ? 'buckets' : precision, windows, analysis, reading };
}

/**
 * The phases as read: the plateau is `steady` only for a steady run (`full-load` otherwise) and
 * starts where the reading's full-load phase starts; the time between the plateau's start and
 * there (start-up bursts, a scale-out) is `settling`.
 */
function phasesOf(phases: Phase[], reading: RunReading): Phase[] {
  const name = reading.state === 'steady' ? ('steady' as const) : ('full-load' as const);
  const out: Phase[] = [];
  for (const ph of phases) {
    if (ph.name !== 'steady') {
      out.push(ph);
      continue;
    }
    const from = reading.range && reading.range.startT > ph.startT && reading.range.startT < ph.endT ? reading.range.startT : ph.startT;
    if (from > ph.startT) out.push({ name: 'settling', startT: ph.startT, endT: from });
    out.push({ name, startT: from, endT: ph.endT });
  }
  return out;
}
