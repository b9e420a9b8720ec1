// Experiments (A/B, canary vs stable): is the candidate better than the baseline by at
// least the required change? Decided from the per-window values of each run with a
// seeded bootstrap CI of the relative change and a Mann-Whitney U test, never from two
// numbers alone.
import type { Run } from '../model/types.js';
import { changePct, num, sig3 } from './format.js';
import { randomIndex, randomNormal, seededRng, type Rng } from './prng.js';
import type { RunFacts } from './run-analysis.js';
import { judgeServerMetric } from './experiment-server.js';
import { parseServerMetric } from './server-metric.js';
import { mannWhitney } from './stats.js';
import type { AnalyzeOptions, Criterion, ExperimentStudy, ExperimentStudyConfig } from './types.js';
import { decideVerdict, finiteCi, percentileCi, resampleChangePct } from './verdict.js';
import { MIN_WINDOWS, verdictMeaning, verdictSentence, wantedText } from './experiment-verdict.js';
import { pointsIn, rangePercentiles, slidingWindows, sortedTimeline, timelineSpan, type PercentileKey, type Range, type WindowValue } from './windows.js';

export const DEFAULT_METRIC = 'max-p95';
export const DEFAULT_CRITERION: Criterion = { direction: 'decrease', minChangePct: 5 };

export type ParsedMetric =
  | { kind: 'latency'; stat: 'max' | 'mean' | 'sustained'; p: PercentileKey }
  | { kind: 'error-rate' }
  | { kind: 'rps' };

export function parseMetric(metric: string): ParsedMetric | null {
  const m = /^(max|mean|sustained)-(p50|p90|p95|p99)$/.exec(metric);
  if (m) return { kind: 'latency', stat: m[1] as 'max' | 'mean' | 'sustained', p: m[2] as PercentileKey };
  if (metric === 'error-rate') return { kind: 'error-rate' };
  if (metric === 'rps') return { kind: 'rps' };
  return null;
}

/** The metric as computed: per-window figures, or the whole-run figure when a run has no timeline to window. */
function describeMetric(m: ParsedMetric, windowS: number, windowed = true): string {
  if (m.kind === 'error-rate') return windowed ? 'error rate' : 'error rate (whole run)';
  if (m.kind === 'rps') return windowed ? 'throughput' : 'throughput (whole run)';
  if (!windowed) return `${m.p} (whole run)`;
  if (m.stat === 'max') return `max ${m.p} (${windowS} s windows)`;
  if (m.stat === 'mean') return `mean ${m.p} (${windowS} s windows)`;
  return `sustained ${m.p}`;
}

/** The values one run offers an experiment. */
interface RunSeries {
  range: Range;
  windows: WindowValue[];
  /** Independent windows in the range: draws per bootstrap resample. */
  draws: number;
  /** Per-interval values, for the rank test. */
  intervalValues: number[];
  estimate: number | null;
  /** The metric recomputed on a resample of windows. */
  resample: (rng: Rng) => number | null;
}

function wmean(ws: WindowValue[], p: PercentileKey): number | null {
  let w = 0;
  let s = 0;
  for (const x of ws) {
    const v = x[p];
    if (v === null || x.requests <= 0) continue;
    w += x.requests;
    s += v * x.requests;
  }
  return w > 0 ? s / w : null;
}

function windowSeries(f: RunFacts, m: ParsedMetric, windowS: number): RunSeries | null {
  const run = f.run;
  const range = f.phase.steady ?? timelineSpan(run);
  if (!range) return null;
  const hasLatency = run.timelineLatency !== 'none';
  if (m.kind === 'latency' && !hasLatency) return null;
  const windows = slidingWindows(run, range, windowS, hasLatency ? f.precision : 'reported');
  if (windows.length === 0) return null;
  const draws = Math.max(1, Math.floor((range.endT - range.startT) / windowS + 1e-9));
  const pts = pointsIn(sortedTimeline(run), run.timelineIntervalS, range).filter((p) => p.requests > 0);
  const pick = (ws: WindowValue[]) => Array.from(ws);
  const drawn = (rng: Rng) => Array.from({ length: draws }, () => windows[randomIndex(rng, windows.length)]!);

  if (m.kind === 'latency') {
    const vals = (ws: WindowValue[]) => ws.map((w) => w[m.p]).filter((v): v is number => v !== null);
    const intervalValues = f.precision === 'cumulative' ? [] : pts.map((p) => p.latencyMs[m.p]).filter((v): v is number => v !== null);
    if (m.stat === 'max' || m.stat === 'mean') {
      const stat = (xs: number[]) => (xs.length === 0 ? null : m.stat === 'max' ? Math.max(...xs) : xs.reduce((a, b) => a + b, 0) / xs.length);
      return { range, windows, draws, intervalValues, estimate: stat(vals(pick(windows))), resample: (rng) => stat(vals(drawn(rng))) };
    }
    // Sustained: exact over the range; resamples scale it by the request-weighted mean of the drawn windows.
    const exact = rangePercentiles(pointsIn(sortedTimeline(run), run.timelineIntervalS, range), f.precision)[m.p];
    const all = wmean(windows, m.p);
    return {
      range,
      windows,
      draws,
      intervalValues,
      estimate: exact,
      resample: (rng) => {
        const d = wmean(drawn(rng), m.p);
        return exact === null || all === null || d === null || all === 0 ? null : (exact * d) / all;
      },
    };
  }
  const reqs = pts.reduce((a, p) => a + p.requests, 0);
  const fails = pts.reduce((a, p) => a + p.failures, 0);
  const duration = range.endT - range.startT;
  if (m.kind === 'error-rate') {
    return {
      range,
      windows,
      draws,
      intervalValues: pts.map((p) => p.failures / p.requests),
      estimate: reqs > 0 ? fails / reqs : null,
      resample: (rng) => {
        const d = drawn(rng);
        const r = d.reduce((a, w) => a + w.requests, 0);
        return r > 0 ? d.reduce((a, w) => a + w.failures, 0) / r : null;
      },
    };
  }
  return {
    range,
    windows,
    draws,
    intervalValues: pts.map((p) => p.requests / run.timelineIntervalS),
    estimate: duration > 0 ? reqs / duration : null,
    resample: (rng) => {
      const d = drawn(rng);
      const dur = d.reduce((a, w) => a + (w.endT - w.startT), 0);
      return dur > 0 ? d.reduce((a, w) => a + w.requests, 0) / dur : null;
    },
  };
}

/**
 * dQ/dq at q from the run's reported percentiles. Latency tails are close to
 * exponential, so the chords are taken in x = −ln(1−q), where such a tail is a line,
 * averaged over the neighbours below and above, and mapped back: dQ/dq = (dQ/dx)/(1−q).
 */
function quantileSlope(run: Run, q: number): number | null {
  const l = run.summary.latencyMs;
  const known: Array<[number, number | null]> = [
    [0.5, l.p50],
    [0.9, l.p90],
    [0.95, l.p95],
    [0.99, l.p99],
  ];
  for (const [k, v] of Object.entries(run.summary.extraPercentiles ?? {})) {
    const n = Number(k.replace(/^p/, ''));
    if (Number.isFinite(n) && n > 0 && n < 100) known.push([n / 100, v]);
  }
  const x = (p: number) => -Math.log(1 - p);
  const pts = known.filter((k): k is [number, number] => k[1] !== null).sort((a, b) => a[0] - b[0]);
  const below = [...pts].reverse().find((p) => p[0] < q - 1e-9);
  const above = pts.find((p) => p[0] > q + 1e-9);
  const at = pts.find((p) => Math.abs(p[0] - q) <= 1e-9);
  if (!at) return null;
  const chords: number[] = [];
  if (below) chords.push((at[1] - below[1]) / (x(at[0]) - x(below[0])));
  if (above) chords.push((above[1] - at[1]) / (x(above[0]) - x(at[0])));
  if (chords.length === 0) return null;
  return Math.max(0, chords.reduce((a, b) => a + b, 0) / chords.length) / (1 - q);
}

/** Whole-run value and its standard error, for runs without a usable timeline. */
export function summaryEstimate(run: Run, m: ParsedMetric): { value: number; se: number } | null {
  const n = run.summary.requests;
  if (m.kind === 'latency') {
    const q = Number(m.p.slice(1)) / 100;
    const value = run.summary.latencyMs[m.p];
    if (value === null || n <= 0) return null;
    // Sampling error of a quantile: √(q(1−q)/n) / f(Q(q)), the density f estimated from
    // the neighbouring reported percentiles.
    const slope = quantileSlope(run, q);
    if (slope === null) return null;
    return { value, se: slope * Math.sqrt((q * (1 - q)) / n) };
  }
  if (m.kind === 'error-rate') {
    if (n <= 0) return null;
    const p = run.summary.failures / n;
    return { value: p, se: Math.sqrt((p * (1 - p)) / n) };
  }
  const rate = run.summary.rps;
  if (rate === null || !run.durationS) return null;
  return { value: rate, se: Math.sqrt(Math.max(1, n)) / run.durationS };
}

export function experimentStudy(cfg: ExperimentStudyConfig & { id: string }, facts: RunFacts[], opts: AnalyzeOptions): ExperimentStudy {
  const metric = cfg.metric ?? DEFAULT_METRIC;
  const criterion = cfg.criterion ?? DEFAULT_CRITERION;
  const confidence = cfg.confidence ?? 0.95;
  const windowS = opts.windowS;
  const base = facts.find((f) => f.run.id === cfg.baseline);
  const cand = facts.find((f) => f.run.id === cfg.candidate);
  const parsed = parseMetric(metric);
  const study: ExperimentStudy = {
    id: cfg.id,
    kind: 'experiment',
    title: cfg.title ?? `${cfg.candidate} vs ${cfg.baseline}`,
    conclusions: [],
    definitions: [],
    runIds: cfg.baseline === cfg.candidate ? [cfg.baseline] : [cfg.baseline, cfg.candidate],
    baseline: cfg.baseline,
    candidate: cfg.candidate,
    metric,
    criterion,
    confidence,
    baselineValue: null,
    candidateValue: null,
    changePct: null,
    ci: null,
    pValue: null,
    verdict: 'INCONCLUSIVE',
    method: '',
    windows: { baseline: 0, candidate: 0 },
  };
  const wanted = wantedText(criterion);
  if (cfg.split) study.split = { ...cfg.split };
  const server = parsed ? null : parseServerMetric(metric);
  if (base && cand && server) {
    judgeServerMetric(study, server, base, cand, cfg.split, opts);
    return study;
  }
  if (!base || !cand || !parsed || cfg.split) {
    const why =
      !parsed && !server
        ? `unknown metric "${metric}" (use max-pNN, mean-pNN, sustained-pNN with NN in 50/90/95/99, error-rate, rps, or STAT(SERIES): STAT one of max, mean, median, p90, p95, p99 of a Prometheus series named SERIES)`
        : !base || !cand
          ? `run ${!base ? cfg.baseline : cfg.candidate} not found`
          : `"split" divides a Prometheus series by a label, so it needs a server-side metric STAT(SERIES), not ${metric}`;
    study.method = 'None: the experiment could not be evaluated.';
    study.conclusions.push(`The experiment cannot be evaluated: ${why}.`);
    return study;
  }
  let name = describeMetric(parsed, windowS);
  const sign = criterion.direction === 'decrease' ? -1 : 1;
  const rng = seededRng(opts.seed);
  const resamples = opts.bootstrapResamples;
  const changes: number[] = [];
  const alpha = 1 - confidence;

  const sb = windowSeries(base, parsed, windowS);
  const sc = windowSeries(cand, parsed, windowS);
  let rankOk: boolean | null = null;
  let rankSignificant: boolean | null = null;
  let enoughData = true;
  if (sb && sc && sb.estimate !== null && sc.estimate !== null) {
    study.baselineValue = sb.estimate;
    study.candidateValue = sc.estimate;
    study.windows = { baseline: sb.windows.length, candidate: sc.windows.length };
    for (let i = 0; i < resamples; i++) {
      const b = sb.resample(rng);
      const c = sc.resample(rng);
      const ch = resampleChangePct(b, c);
      if (ch !== null) changes.push(ch);
    }
    const mw = mannWhitney(sc.intervalValues, sb.intervalValues);
    if (mw) {
      study.pValue = mw.p;
      const rightWay = sign < 0 ? mw.probabilityAGreater < 0.5 : mw.probabilityAGreater > 0.5;
      rankOk = mw.p < alpha && rightWay;
      rankSignificant = mw.p < alpha;
    }
    study.method =
      `Seeded bootstrap (${resamples} resamples, seed ${opts.seed}) of the relative change of ${name}: each resample draws, per run, as many ${windowS} s sliding windows ` +
      `(with replacement) as the analysed range holds, and recomputes the metric${parsed.kind === 'latency' && parsed.stat === 'max' ? ' as the maximum of the drawn windows' : ''}; ` +
      `percentile CI at ${num(confidence * 100)}%. Plus a two-sided Mann-Whitney U test on the per-interval values (${study.pValue === null ? 'not possible here' : `${sb.intervalValues.length} vs ${sc.intervalValues.length} values`}).`;
    if (sb.windows.length < MIN_WINDOWS || sc.windows.length < MIN_WINDOWS) enoughData = false;
  } else {
    const eb = summaryEstimate(base.run, parsed);
    const ec = summaryEstimate(cand.run, parsed);
    name = describeMetric(parsed, windowS, false);
    if (eb && ec) {
      study.baselineValue = eb.value;
      study.candidateValue = ec.value;
      // Without any sampling error (one request each) nothing measures the uncertainty.
      enoughData = eb.se > 0 || ec.se > 0;
      for (let i = 0; i < resamples; i++) {
        const b = Math.max(0, eb.value + eb.se * randomNormal(rng));
        const c = Math.max(0, ec.value + ec.se * randomNormal(rng));
        const ch = resampleChangePct(b, c);
        if (ch !== null) changes.push(ch);
      }
      study.method =
        `No per-window values (a run has no usable timeline), so the whole-run figure stands in for ${describeMetric(parsed, windowS)}: ${name}. Its sampling error comes from the run's summary ` +
        `(for a percentile: √(q(1−q)/n) divided by the density at the percentile, estimated from the neighbouring reported percentiles; for rates: binomial/Poisson), ` +
        `and a seeded parametric bootstrap (${resamples} normal resamples, seed ${opts.seed}) gives the CI of the relative change. No rank test is possible.`;
    } else {
      study.method = 'None: neither run has the values this metric needs.';
    }
  }
  study.changePct = changePct(study.baselineValue, study.candidateValue);
  const ci = percentileCi(changes, confidence);
  study.ci = finiteCi(ci);
  const thr = criterion.minChangePct;
  study.verdict = decideVerdict({ ci, sign, minChangePct: thr, rankOk, rankSignificant, enoughData });

  study.definitions = [
    sb && sc && sb.estimate !== null && sc.estimate !== null
      ? `Metric ${metric}: ${name}, over each run's full-load phase (its steady phase when latency settles there; the whole run when it has none).`
      : `Metric ${metric}: ${name}: the run's own whole-run figure, since a run has no timeline to cut into windows.`,
    `Criterion: the candidate's ${name} must ${wanted} relative to the baseline.`,
    `PASS when the whole ${num(confidence * 100)}% CI of the change is at least ${num(thr)}% in the required direction and, where per-interval values exist, the Mann-Whitney test is significant (p < ${num(alpha)}) in that direction with at least ${MIN_WINDOWS} windows per run; FAIL when the whole CI falls short of the required change; INCONCLUSIVE otherwise, and always with fewer than ${MIN_WINDOWS} windows in a run, or when the resamples do not vary and no rank test is significant. Equal runs therefore never pass. A change from zero has no finite percentage: 0 → 0 is no change, 0 → more an unbounded increase.`,
  ];
  const values = `${sig3(study.baselineValue ?? NaN)} → ${sig3(study.candidateValue ?? NaN)}`;
  const unit = parsed.kind === 'latency' ? ' ms' : parsed.kind === 'rps' ? ' req/s' : '';
  const who = `${cfg.candidate} vs ${cfg.baseline}`;
  if (study.baselineValue === 0 && study.changePct === null && study.candidateValue !== null && ci) {
    const moved = study.candidateValue === 0 ? 'no change (both zero)' : 'a change from zero, with no finite percentage';
    study.conclusions.push(
      `${who}: ${name} ${values}${unit} (${moved}; the candidate is above the baseline in ${num(share(changes))}% of the resamples): ${verdictMeaning(study.verdict, wanted)} → ${study.verdict}.`,
    );
  } else {
    // The sentence server-side experiments write too (a finite change and CI, or "cannot be computed").
    study.conclusions.push(verdictSentence(study, who, name, unit, ci));
  }
  if (study.windows.baseline > 0 && (study.windows.baseline < MIN_WINDOWS || study.windows.candidate < MIN_WINDOWS)) {
    study.conclusions.push(`Too few ${windowS} s windows (${study.windows.baseline} and ${study.windows.candidate}) to decide: longer runs are needed.`);
  }
  return study;
}

/** Share (%) of the resampled changes that are above zero. */
function share(changes: readonly number[]): number {
  return changes.length === 0 ? 0 : (changes.filter((c) => c > 0).length / changes.length) * 100;
}
