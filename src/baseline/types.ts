// What a build publishes for later builds to compare with (data/figures.json), the
// thresholds of a regression (config `regression`), and the comparison's result.
import type { RunState } from '../analyze/types.js';

export const FIGURES_FILE = 'data/figures.json';
export const FIGURES_FORMAT = 'ce-report-figures/1';
/** Per-interval values kept per run and range; longer ranges are merged into this many blocks. */
export const MAX_INTERVALS = 600;
/** Endpoints kept per run (the busiest). */
export const MAX_ENDPOINTS = 20;

export type Metric = 'rps' | 'p50' | 'p95' | 'p99' | 'errorRate';
export const METRICS: readonly Metric[] = ['rps', 'p50', 'p95', 'p99', 'errorRate'];

/** Which part of a run a figure covers, named wherever it is shown. */
export type Basis = 'full-load' | 'end-of-run' | 'whole-run';

/** Per-interval values over one range of a run (consecutive intervals, bursts left out). */
export interface IntervalValues {
  fromT: number;
  toT: number;
  /** Seconds per value (the timeline interval, or a block of them in a long run). */
  stepS: number;
  requests: number[];
  failures: number[];
  /** Per-interval latency percentiles (ms); null where an interval has none. */
  p50: Array<number | null>;
  p95: Array<number | null>;
  p99: Array<number | null>;
}

/** A figure without per-interval values: the value and its sampling standard error. */
export interface Estimate {
  value: number;
  se: number;
}

export interface WholeRunFigures {
  requests: number;
  failures: number;
  rps: Estimate | null;
  p50: Estimate | null;
  p95: Estimate | null;
  p99: Estimate | null;
  errorRate: Estimate | null;
}

export interface EndpointFigures extends WholeRunFigures {
  name: string;
  method: string | null;
}

export interface RunFigures {
  runId: string;
  name: string;
  labels: Record<string, string>;
  state: RunState | null;
  /** Throughput and error rate: over the full-load phase, else the whole run. */
  rpsBasis: Basis;
  /** Latency: full load for a steady run, end of run for any other, whole run without a timeline. */
  latencyBasis: Basis;
  /** The point figures on those bases (latency ms, rps req/s, error rate 0..1). */
  value: Record<Metric, number | null>;
  /** Intervals of the full-load phase (throughput, error rate); null without a timeline. */
  fullLoad: IntervalValues | null;
  /** Intervals of the latency basis (the full-load phase or the end-of-run window). */
  latency: IntervalValues | null;
  wholeRun: WholeRunFigures;
  endpoints: EndpointFigures[];
}

export interface FiguresFile {
  format: typeof FIGURES_FORMAT;
  runs: RunFigures[];
}

/**
 * Config `regression`: how much worse a figure may get before it is a regression.
 * Latency and throughput in % of the baseline; the error rate in percentage points.
 */
export interface RegressionThresholds {
  p50Pct?: number;
  p95Pct?: number;
  p99Pct?: number;
  rpsPct?: number;
  errorRatePct?: number;
  /** Confidence level of the intervals (default 0.95). */
  confidence?: number;
}

export const DEFAULT_THRESHOLDS: RegressionThresholds = { p95Pct: 10, rpsPct: 5, errorRatePct: 1 };

/**
 * `REGRESSION`: the whole CI is worse than the threshold; `OK`: the whole CI is better
 * than the threshold (no regression that large); `IMPROVED`: the whole CI is better by
 * more than the threshold; `INCONCLUSIVE`: the CI straddles the threshold, or too little
 * data; `NOT JUDGED`: the config sets no threshold for the metric.
 */
export type RegressionVerdict = 'REGRESSION' | 'OK' | 'IMPROVED' | 'INCONCLUSIVE' | 'NOT JUDGED';

export interface MetricComparison {
  metric: Metric;
  basis: { baseline: Basis; current: Basis };
  baseline: number | null;
  current: number | null;
  /** Relative change in % (latency, rps) or the difference in percentage points (error rate). */
  change: number | null;
  unit: '%' | 'pp';
  ci: [number, number] | null;
  /** Two-sided Mann-Whitney p on the per-interval values; null without them. */
  pValue: number | null;
  threshold: number | null;
  verdict: RegressionVerdict;
  /** Values (intervals, or 0 for whole-run figures) per side. */
  n: { baseline: number; current: number };
}

export interface RunComparison {
  /** How the runs were matched: by their labels, or by run id. */
  matchedBy: 'labels' | 'id';
  baselineRunId: string;
  runId: string;
  name: string;
  labels: Record<string, string>;
  state: { baseline: RunState | null; current: RunState | null };
  metrics: MetricComparison[];
  endpoints: Array<{ name: string; method: string | null; metrics: MetricComparison[] }>;
  verdict: RegressionVerdict;
}

export interface Comparison {
  /** Where the baseline was read (as given on the command line). */
  source: string;
  thresholds: RegressionThresholds;
  confidence: number;
  method: string;
  runs: RunComparison[];
  /** Runs of this build without a match in the baseline, and the baseline's without one here. */
  unmatched: { current: string[]; baseline: string[] };
  regressions: number;
  verdict: RegressionVerdict;
}
