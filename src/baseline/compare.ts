// This build's runs against the baseline's: runs matched by their labels (or, when the
// labels do not single a run out, by run id), each metric judged against the config's
// regression thresholds (statistics.ts). Endpoints are compared on whole-run figures and
// shown, but only run figures decide the verdict.
import { num } from '../analyze/format.js';
import { MIN_BLOCKS } from '../analyze/block-bootstrap.js';
import { compareMetric, MIN_VALUES, RESAMPLES, SEED } from './statistics.js';
import { DEFAULT_THRESHOLDS, METRICS, type Comparison, type FiguresFile, type Metric, type RegressionThresholds, type RegressionVerdict, type RunComparison, type RunFigures } from './types.js';

const THRESHOLD_KEY: Record<Metric, keyof RegressionThresholds> = { rps: 'rpsPct', p50: 'p50Pct', p95: 'p95Pct', p99: 'p99Pct', errorRate: 'errorRatePct' };

export function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** Pairs of (baseline, current) runs: by labels where a label set names one run in each build, else by id. */
export function matchRuns(baseline: RunFigures[], current: RunFigures[]): { pairs: Array<{ b: RunFigures; c: RunFigures; by: 'labels' | 'id' }>; unmatched: { current: string[]; baseline: string[] } } {
  const count = (runs: RunFigures[]) => {
    const m = new Map<string, number>();
    for (const r of runs) if (Object.keys(r.labels).length > 0) m.set(labelKey(r.labels), (m.get(labelKey(r.labels)) ?? 0) + 1);
    return m;
  };
  const nb = count(baseline);
  const nc = count(current);
  const used = new Set<RunFigures>();
  const pairs: Array<{ b: RunFigures; c: RunFigures; by: 'labels' | 'id' }> = [];
  const unmatchedCurrent: string[] = [];
  for (const c of current) {
    const key = labelKey(c.labels);
    let b: RunFigures | undefined;
    let by: 'labels' | 'id' = 'labels';
    if (Object.keys(c.labels).length > 0 && nb.get(key) === 1 && nc.get(key) === 1) b = baseline.find((x) => !used.has(x) && labelKey(x.labels) === key);
    if (!b) {
      b = baseline.find((x) => !used.has(x) && x.runId === c.runId);
      by = 'id';
    }
    if (!b) {
      unmatchedCurrent.push(c.runId);
      continue;
    }
    used.add(b);
    pairs.push({ b, c, by });
  }
  return { pairs, unmatched: { current: unmatchedCurrent, baseline: baseline.filter((b) => !used.has(b)).map((b) => b.runId) } };
}

/** The worst verdict of several: a regression anywhere decides, then doubt, then improvement. */
export function overall(verdicts: RegressionVerdict[]): RegressionVerdict {
  for (const v of ['REGRESSION', 'INCONCLUSIVE', 'IMPROVED', 'OK'] as const) if (verdicts.includes(v)) return v;
  return 'NOT JUDGED';
}

export function thresholdsFrom(config: RegressionThresholds | undefined): RegressionThresholds {
  return config ? { ...config } : { ...DEFAULT_THRESHOLDS };
}

export function compareBuilds(baseline: FiguresFile, current: FiguresFile, source: string, config: RegressionThresholds | undefined): Comparison {
  const thresholds = thresholdsFrom(config);
  const confidence = thresholds.confidence ?? 0.95;
  const threshold = (m: Metric) => {
    const t = thresholds[THRESHOLD_KEY[m]];
    return typeof t === 'number' ? t : null;
  };
  const { pairs, unmatched } = matchRuns(baseline.runs, current.runs);
  const runs: RunComparison[] = pairs.map(({ b, c, by }) => {
    const metrics = METRICS.map((metric) => compareMetric({ metric, baseline: b, current: c, threshold: threshold(metric), confidence }));
    const endpoints = c.endpoints.flatMap((e) => {
      const be = b.endpoints.find((x) => x.name === e.name && x.method === e.method);
      if (!be) return [];
      return [{ name: e.name, method: e.method, metrics: METRICS.map((metric) => compareMetric({ metric, baseline: be, current: e, threshold: threshold(metric), confidence })) }];
    });
    return {
      matchedBy: by,
      baselineRunId: b.runId,
      runId: c.runId,
      name: c.name,
      labels: c.labels,
      state: { baseline: b.state, current: c.state },
      metrics,
      endpoints,
      verdict: overall(metrics.map((m) => m.verdict)),
    };
  });
  const pct = num(confidence * 100);
  const method =
    `Each run is matched with the baseline's run of the same labels (by run id when the labels do not single out one run). Throughput is the mean per-interval request rate over the full-load phase (burst intervals left out), ` +
    `the error rate the failed share of its requests; latency p50/p95/p99 are a steady run's full-load figures and any other run's end-of-run figures, as the run pages show them (an overloaded run has no steady latency), ` +
    `resampled over the intervals of the full-load phase or of its last window (bursts left out), each side on its own basis. The ${pct}% CI of the change (relative, in %; for the error rate, the difference in percentage points) comes from a seeded moving-block bootstrap of the per-interval values ` +
    `(${RESAMPLES} resamples, seed ${SEED}; blocks as long as the values' autocorrelation lasts; a latency resample scales the exact figure by the request-weighted mean of the drawn intervals' own percentiles, as experiments do for sustained percentiles), and a two-sided Mann-Whitney test compares block means. Runs without a timeline, and endpoints, ` +
    `are compared on whole-run figures with a parametric bootstrap from their sampling errors and no rank test; endpoint rows are shown but do not decide the verdict. An error rate of zero on both sides cannot vary in resamples: each is bounded by −ln(1 − c)/n at confidence c (the rule of three at 95%), which bounds the difference. ` +
    `REGRESSION: the whole CI is worse than the threshold and the rank test agrees; OK: the whole CI stays short of a regression that large; IMPROVED: the whole CI is better by more than the threshold; ` +
    `INCONCLUSIVE otherwise, and with fewer than ${MIN_VALUES} values or ${Math.min(MIN_BLOCKS, MIN_VALUES)} blocks a side. This measures the noise within each build, not between builds of the same code.`;
  const verdict = overall(runs.map((r) => r.verdict));
  return {
    source,
    thresholds,
    confidence,
    method,
    runs,
    unmatched,
    regressions: runs.filter((r) => r.verdict === 'REGRESSION').length,
    verdict,
  };
}
