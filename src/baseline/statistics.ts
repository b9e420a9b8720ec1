// One metric of one run against the same metric of the baseline's run: the change with
// a seeded bootstrap CI and a rank test, and the verdict against a threshold. With
// per-interval values on both sides, a moving-block bootstrap of the intervals (blocks as
// long as their autocorrelation lasts) and a Mann-Whitney test on block means; with only
// whole-run figures, a parametric bootstrap from their sampling errors and no rank test.
import { blockMeans, chooseBlockLength, MIN_BLOCKS } from '../analyze/block-bootstrap.js';
import { randomIndex, randomNormal, seededRng, type Rng } from '../analyze/prng.js';
import { mannWhitney } from '../analyze/stats.js';
import { decideVerdict, finiteCi, percentileCi, resampleChangePct } from '../analyze/verdict.js';
import type { Basis, Estimate, IntervalValues, Metric, MetricComparison, RegressionVerdict, RunFigures, WholeRunFigures } from './types.js';

export const RESAMPLES = 2000;
export const SEED = 1;
/** Fewer values (or blocks) than this per side decide nothing. */
export const MIN_VALUES = 3;

/** +1 when a higher value is worse (latency, errors), −1 when lower is (throughput). */
export function worseSign(metric: Metric): number {
  return metric === 'rps' ? -1 : 1;
}

/** The per-interval view a metric is computed from. */
interface Side {
  values: number[];
  estimate: (idx: number[]) => number | null;
  /** The figure over every interval. */
  all: number | null;
}

function sideOf(metric: Metric, f: RunFigures): Side | null {
  const iv: IntervalValues | null = metric === 'rps' || metric === 'errorRate' ? f.fullLoad : f.latency;
  if (!iv || iv.requests.length === 0) return null;
  const n = iv.requests.length;
  const every = Array.from({ length: n }, (_, i) => i);
  if (metric === 'rps') {
    const values = iv.requests.map((r) => r / iv.stepS);
    const estimate = (idx: number[]) => (idx.length === 0 ? null : idx.reduce((acc, i) => acc + values[i]!, 0) / idx.length);
    return { values, estimate, all: f.value.rps };
  }
  if (metric === 'errorRate') {
    const ok = every.filter((i) => iv.requests[i]! > 0);
    const values = ok.map((i) => iv.failures[i]! / iv.requests[i]!);
    // The resampled indices are positions in `values` (intervals with requests), not in every interval.
    const estimate = (idx: number[]) => {
      let r = 0;
      let x = 0;
      for (const k of idx) {
        const i = ok[k]!;
        r += iv.requests[i]!;
        x += iv.failures[i]!;
      }
      return r > 0 ? x / r : null;
    };
    return { values, estimate, all: f.value.errorRate };
  }
  const series = iv[metric];
  const ok = every.filter((i) => series[i] !== null && iv.requests[i]! > 0);
  if (ok.length === 0) return null;
  // The exact figure over the range, scaled in each resample by the request-weighted mean
  // of the drawn intervals' own figures (as experiments do for sustained percentiles).
  const wmean = (idx: number[]) => {
    let w = 0;
    let s = 0;
    for (const i of idx) {
      const v = series[i];
      if (v === null || v === undefined || iv.requests[i]! <= 0) continue;
      w += iv.requests[i]!;
      s += v * iv.requests[i]!;
    }
    return w > 0 ? s / w : null;
  };
  const whole = wmean(every);
  const exact = f.value[metric];
  // The resampled indices are positions in `values` (intervals with a figure), not in every interval.
  const estimate = (idx: number[]) => {
    const d = wmean(idx.map((k) => ok[k]!));
    return exact === null || whole === null || whole === 0 || d === null ? null : (exact * d) / whole;
  };
  return { values: ok.map((i) => series[i]!), estimate, all: exact };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function blockIndices(n: number, length: number, rng: Rng): number[] {
  const b = Math.max(1, Math.min(length, n));
  const out: number[] = [];
  while (out.length < n) {
    const s = randomIndex(rng, n - b + 1);
    for (let i = s; i < s + b && out.length < n; i++) out.push(i);
  }
  return out;
}

function change(metric: Metric, a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  return metric === 'errorRate' ? (b - a) * 100 : resampleChangePct(a, b);
}

function finiteChange(metric: Metric, a: number | null, b: number | null): number | null {
  const c = change(metric, a, b);
  return c !== null && Number.isFinite(c) ? c : null;
}

function wholeEstimate(metric: Metric, w: WholeRunFigures): Estimate | null {
  return w[metric];
}

export interface MetricInput {
  metric: Metric;
  baseline: RunFigures | WholeRunFigures;
  current: RunFigures | WholeRunFigures;
  threshold: number | null;
  confidence: number;
}

function isRun(x: RunFigures | WholeRunFigures): x is RunFigures {
  return 'runId' in x;
}

export function compareMetric(input: MetricInput): MetricComparison {
  const { metric, threshold, confidence } = input;
  const rng = seededRng(SEED);
  const changes: number[] = [];
  const sb = isRun(input.baseline) ? sideOf(metric, input.baseline) : null;
  const sc = isRun(input.current) ? sideOf(metric, input.current) : null;
  const basisOf = (f: RunFigures): Basis => (metric === 'rps' || metric === 'errorRate' ? f.rpsBasis : f.latencyBasis);
  let out: MetricComparison;
  let rankOk: boolean | null = null;
  let rankSignificant: boolean | null = null;
  let goodRankOk: boolean | null = null;
  let enough = true;
  const unit = metric === 'errorRate' ? 'pp' : '%';
  const sign = worseSign(metric);
  /** Requests behind each side's error rate (for a rate of zero). */
  let requests = { baseline: 0, current: 0 };
  if (sb && sc && isRun(input.baseline) && isRun(input.current)) {
    const lb = chooseBlockLength(sb.values, 1).length;
    const lc = chooseBlockLength(sc.values, 1).length;
    const nb = sb.values.length;
    const nc = sc.values.length;
    for (let i = 0; i < RESAMPLES; i++) {
      const c = change(metric, sb.estimate(blockIndices(nb, lb, rng)), sc.estimate(blockIndices(nc, lc, rng)));
      if (c !== null) changes.push(c);
    }
    const mb = blockMeans(sb.values, lb);
    const mc = blockMeans(sc.values, lc);
    const mw = mannWhitney(mc, mb);
    const alpha = 1 - confidence;
    if (mw) {
      rankSignificant = mw.p < alpha;
      const worse = sign > 0 ? mw.probabilityAGreater > 0.5 : mw.probabilityAGreater < 0.5;
      rankOk = rankSignificant && worse;
      goodRankOk = rankSignificant && !worse;
    }
    requests = { baseline: sum(input.baseline.fullLoad?.requests ?? []), current: sum(input.current.fullLoad?.requests ?? []) };
    enough = nb >= MIN_VALUES && nc >= MIN_VALUES && Math.min(mb.length, mc.length) >= Math.min(MIN_BLOCKS, MIN_VALUES);
    out = {
      metric,
      basis: { baseline: basisOf(input.baseline), current: basisOf(input.current) },
      baseline: sb.all,
      current: sc.all,
      change: finiteChange(metric, sb.all, sc.all),
      unit,
      ci: null,
      pValue: mw ? mw.p : null,
      threshold,
      verdict: 'NOT JUDGED',
      n: { baseline: nb, current: nc },
    };
  } else {
    const wb = wholeEstimate(metric, isRun(input.baseline) ? input.baseline.wholeRun : input.baseline);
    const wc = wholeEstimate(metric, isRun(input.current) ? input.current.wholeRun : input.current);
    if (wb && wc) {
      for (let i = 0; i < RESAMPLES; i++) {
        const b = Math.max(0, wb.value + wb.se * randomNormal(rng));
        const c = Math.max(0, wc.value + wc.se * randomNormal(rng));
        const ch = change(metric, b, c);
        if (ch !== null) changes.push(ch);
      }
    }
    const whole = (x: RunFigures | WholeRunFigures) => (isRun(x) ? x.wholeRun : x);
    requests = { baseline: whole(input.baseline).requests, current: whole(input.current).requests };
    enough = !!wb && !!wc && (wb.se > 0 || wc.se > 0);
    out = {
      metric,
      basis: { baseline: 'whole-run', current: 'whole-run' },
      baseline: wb?.value ?? null,
      current: wc?.value ?? null,
      change: finiteChange(metric, wb?.value ?? null, wc?.value ?? null),
      unit,
      ci: null,
      pValue: null,
      threshold,
      verdict: 'NOT JUDGED',
      n: { baseline: 0, current: 0 },
    };
  }
  let ci = percentileCi(changes, confidence);
  if (metric === 'errorRate' && out.baseline === 0 && out.current === 0 && requests.baseline > 0 && requests.current > 0) {
    // No failure on either side: resamples cannot vary. Each rate is below −ln(1 − c)/n
    // with confidence c (the "rule of three" at 95%), which bounds the difference.
    const k = -Math.log(1 - confidence);
    ci = [(-k / requests.baseline) * 100, (k / requests.current) * 100];
    enough = true;
  }
  out.ci = finiteCi(ci);
  if (threshold !== null) out.verdict = judge(ci, sign, threshold, { rankOk, rankSignificant, goodRankOk, enough });
  return out;
}

/**
 * REGRESSION when the whole CI is worse than the threshold and the rank test (where there
 * is one) agrees; IMPROVED when the whole CI is better by more than the threshold; OK
 * when the whole CI stays short of a regression of the threshold's size; INCONCLUSIVE
 * otherwise (and with too little data, or resamples that do not vary).
 */
export function judge(ci: [number, number] | null, sign: number, threshold: number, r: { rankOk: boolean | null; rankSignificant: boolean | null; goodRankOk: boolean | null; enough: boolean }): RegressionVerdict {
  const worse = decideVerdict({ ci, sign, minChangePct: threshold, rankOk: r.rankOk, rankSignificant: r.rankSignificant, enoughData: r.enough });
  if (worse === 'PASS') return 'REGRESSION';
  if (worse === 'INCONCLUSIVE') return 'INCONCLUSIVE';
  const better = decideVerdict({ ci, sign: -sign, minChangePct: threshold, rankOk: r.goodRankOk, rankSignificant: r.rankSignificant, enoughData: r.enough });
  return better === 'PASS' ? 'IMPROVED' : 'OK';
}
