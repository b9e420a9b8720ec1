// Study configuration (from ce-report.config.json or inferred) and analysis results.
// The analysis is written to data/analysis.json; field names here are a contract
// shared with the renderer (src/render) and later checks.

export type Criterion = {
  /** `decrease`: the candidate must be lower (latency, errors); `increase`: higher (throughput). */
  direction: 'decrease' | 'increase';
  /** Minimum relative change in percent, e.g. 5 for "by at least 5%". */
  minChangePct: number;
};

/**
 * Experiment metrics: `<stat>-<series>` over the per-window values of a run,
 * e.g. `max-p95` (the maximum of the p95 timeline), `mean-p50`; or `sustained-p50`,
 * `sustained-p95`, `error-rate`, `rps`.
 */
export type ExperimentMetric = string;

export interface PeakVsSustainedStudyConfig {
  kind: 'peak-vs-sustained';
  id?: string;
  title?: string;
  /** Label whose value keys each row (e.g. cache_rate); runs without it are keyed by id. */
  label?: string;
  /** Run ids; default every run carrying `label`. */
  runs?: string[];
  /** Sliding window for the peak, seconds (default 10). */
  windowS?: number;
}

/** `load`: users, connections, rate; `capacity`: replicas, workers, threads; `setting`: anything else. */
export type FactorKind = 'load' | 'capacity' | 'setting';

export interface ScalingStudyConfig {
  kind: 'scaling';
  id?: string;
  title?: string;
  /** Label holding the numeric factor (replicas, workers, threads, users). */
  factor: string;
  /** What the factor is; by default from its name (users → load, replicas → capacity, else setting). */
  factorKind?: FactorKind;
  /**
   * A second factor crossed with the first (e.g. users when the factor is replicas): the
   * study compares the factor at the highest value of `by` every factor value reached, and
   * shows the whole grid.
   */
  by?: string;
  runs?: string[];
}

export interface ExperimentStudyConfig {
  kind: 'experiment';
  id?: string;
  title?: string;
  baseline: string;
  candidate: string;
  metric?: ExperimentMetric;
  criterion?: Criterion;
  /** Confidence level for the interval (default 0.95). */
  confidence?: number;
  /**
   * Variants served at the same time: a server-side metric's series are split by this
   * label, `baseline` and `candidate` being its values (baseline and candidate may then
   * name the same run).
   */
  split?: ExperimentSplit;
}

export interface ExperimentSplit {
  label: string;
  baseline: string;
  candidate: string;
}

export interface FailuresStudyConfig {
  kind: 'failures';
  id?: string;
  title?: string;
  /** Run ids; default every run whose failure rate is above the threshold. */
  runs?: string[];
  /** Failure rate in % above which a run, endpoint or second counts as failing (default: failureRateThreshold × 100). */
  thresholdPct?: number;
  /** A failure-free run to compare steady-phase latency with. */
  baseline?: string;
}

export type StudyConfig = PeakVsSustainedStudyConfig | ScalingStudyConfig | ExperimentStudyConfig | FailuresStudyConfig;

export interface AnalyzeOptions {
  studies: StudyConfig[];
  /** Sliding window for peak percentiles, seconds (default 10). */
  windowS: number;
  /** Warn when a run's failure rate is above this fraction (default 0.01). */
  failureRateThreshold: number;
  /** Infer studies from labels even when `studies` is given (default: only when it is empty). */
  inferStudies: boolean;
  /** Bootstrap resamples for experiments (default 2000). */
  bootstrapResamples: number;
  /** Seed of the bootstrap PRNG, so output is byte-identical between builds (default 1). */
  seed: number;
}

export const DEFAULT_ANALYZE_OPTIONS: AnalyzeOptions = {
  studies: [],
  windowS: 10,
  failureRateThreshold: 0.01,
  inferStudies: false,
  bootstrapResamples: 2000,
  seed: 1,
};

// ---------------------------------------------------------------------------
// Results (data/analysis.json)

import type { Precision } from '../model/types.js';

/**
 * `full-load`: the plateau of a run that is not steady (overloaded, unsteady), which no one
 * should call steady; `settling`: the start of the plateau before its full-load phase
 * (start-up bursts, a scale-out).
 */
export type PhaseName = 'ramp-up' | 'settling' | 'steady' | 'full-load' | 'ramp-down';

/**
 * What the full-load phase of a run is:
 * - `steady`: latency settles and throughput follows the load
 * - `overloaded`: the offered load exceeds capacity; throughput is flat at capacity while
 *   latency is queueing (still rising, or settled at the bound Little's law puts on it)
 * - `unsteady`: neither settles (latency falls throughout), or failures dominate
 * - `too-short`: no full-load phase long enough to tell
 */
export type RunState = 'steady' | 'overloaded' | 'unsteady' | 'too-short';

/** Throughput (and, for steady runs, latency) over the full-load phase. */
export interface FullLoad {
  /** Mean of the per-interval request rate over the full-load phase, bursts left out. */
  rps: number | null;
  /** 95% half-width of `rps` (1.96·σ/√n, σ = 1.4826·MAD of the per-interval rates, at least their Poisson noise), req/s. */
  rpsNoise: number | null;
  /** Latency over the full-load phase; null unless the run is steady (no stable latency exists otherwise). */
  p50: number | null;
  p95: number | null;
  /** Seconds since run start. */
  fromT: number;
  toT: number;
  /** Median user count over the phase, when the tool reports users. */
  users: number | null;
  /** How the figures were computed, in words. */
  basis: string;
}

/** Latency over the last window of the full-load phase. */
export interface EndOfRun {
  p50: number | null;
  p95: number | null;
  fromT: number;
  toT: number;
}

export interface LatencyTrend {
  series: 'p50' | 'p95';
  /** Theil-Sen slope, ms per second. */
  msPerS: number;
  /** Sen's confidence interval of the slope. */
  ci: [number, number];
  confidence: number;
  /** Mann-Kendall two-sided p-value. */
  p: number;
  /** Points (blocks) the test used. */
  n: number;
  /** slope × phase length / median latency: how far the trend moves latency, as a share of its level. */
  changeShare: number | null;
  method: string;
}

export interface ThinkTime {
  /** Seconds per request per user. */
  value: number;
  basis: 'config' | 'estimated';
  /** Little's law inputs of an estimate (Z = N/X − R). */
  inputs: { users: number; rps: number; rMs: number; latency: 'p50' | 'p95' } | null;
}

/** A stretch of intervals whose request rate is far above the full-load level. */
export interface Burst {
  /** Start (s since run start) of the busiest interval. */
  t: number;
  /** Start and end of the whole burst. */
  fromT: number;
  endT: number;
  /** Request rate of the busiest interval. */
  rps: number;
}

/** A change in the value of a series that counts capacity (replicas, pods, workers). */
export interface CapacityChange {
  /** Seconds since run start. */
  t: number;
  from: number;
  to: number;
  series: string;
  /** p95 (ms) between the previous change (or the run start) and this one, and after it. */
  p95Before: number | null;
  p95After: number | null;
}

/** One load level of a run that steps its load (users 1, 2, 5, 10, 20). */
export interface LoadLevel {
  users: number;
  fromT: number;
  toT: number;
  /** Mean per-interval request rate on the level. */
  rps: number;
  p50: number | null;
  p95: number | null;
}

/** Little's law for a closed loop: R = N/X − Z, beside the measured end-of-run p50. */
export interface LittleBound {
  users: number;
  rps: number;
  thinkTimeS: number;
  boundMs: number;
  measuredMs: number | null;
}

export interface Phase {
  name: PhaseName;
  /** Seconds since the run start. */
  startT: number;
  endT: number;
}

/** Latency percentiles in ms; null where the source has no such figure. */
export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

/** The worst windowed percentile anywhere in a run, and where its window started. */
export interface PeakPercentiles extends Percentiles {
  /** Start (s since run start) of the window holding each peak. */
  windowStartT: { p50: number | null; p90: number | null; p95: number | null; p99: number | null };
}

/**
 * How exact the windowed latency is:
 * - `samples`: merged per-interval HDR histograms (exact to 3 significant digits)
 * - `window`: request-weighted mean of the tool's own per-interval/recent-window percentiles
 * - `cumulative`: from since-start percentiles, which cannot be windowed (see definitions)
 * - `reported`: only the tool's whole-run summary
 * - `buckets`: from histogram buckets
 */
export type LatencyPrecision = 'samples' | 'window' | 'cumulative' | Precision;

export interface RunAnalysis {
  runId: string;
  phases: Phase[];
  steadyState: boolean;
  /** What the phases were found from. */
  phaseBasis: 'users' | 'throughput' | 'none';
  peak: PeakPercentiles | null;
  sustained: Percentiles | null;
  latencyPrecision: LatencyPrecision;
  /** Requests per second over the steady phase; null without one. */
  sustainedRps: number | null;
  /** Highest rps of any window of windowS seconds. */
  peakRps: number | null;
  /** Average rps over the whole run (summary.rps, or requests / duration). */
  averageRps: number | null;
  /** Coefficient of variation of per-window rps in the steady phase (run-to-run noise estimate). */
  rpsCv: number | null;
  /** Failed requests / requests, 0..1. */
  errorRate: number | null;
  /** The reading of the full-load phase; null for a run without a timeline. */
  state: RunState | null;
  stateReason: string;
  fullLoad: FullLoad | null;
  endOfRun: EndOfRun | null;
  /** Theil-Sen slope of latency at full load, ms per second (details in latencyTrend). */
  latencyTrendMsPerS: number | null;
  latencyTrend: LatencyTrend | null;
  thinkTimeS: ThinkTime | null;
  bursts: Burst[];
  /** Absent when the run has no series counting capacity; empty when capacity never changed. */
  capacityChanges?: CapacityChange[];
  loadLevels: LoadLevel[];
  littleBound: LittleBound | null;
  warnings: string[];
}

export interface AnalysisWarning {
  runId?: string;
  studyId?: string;
  message: string;
}

type StudyBase = {
  id: string;
  title: string;
  /** Plain sentences with numbers. */
  conclusions: string[];
  /** How things were computed; printed under tables. */
  definitions: string[];
  runIds: string[];
};

/** Server-side latency from the run's Prometheus quantile series (histogram_quantile). */
export interface ServerPeakSustained {
  /** Highest value of each quantile series within the run (each value is already a quantile over the query's rate window). */
  peak: Percentiles;
  /** Median of each quantile series over the steady phase (values whose rate window lies inside it); null without a steady phase. */
  sustained: Percentiles | null;
  /** Always `buckets`: interpolated inside histogram buckets by Prometheus. */
  precision: 'buckets';
  /** Series (names) the figures came from, per percentile. */
  series: Partial<Record<'p50' | 'p90' | 'p95' | 'p99', string>>;
}

export interface PeakVsSustainedRow {
  /** The label value, or the run id when the run lacks the label. */
  label: string;
  runId: string;
  peak: Percentiles;
  sustained: Percentiles;
  precision: LatencyPrecision;
  /** The run's state at full load: only a steady run has sustained figures. */
  state: RunState | null;
  /** End-of-run p50/p95 of a run that is not steady (in place of a sustained figure, under its own name). */
  endOfRun: { p50: number | null; p95: number | null } | null;
  /** Server-side figures, when the run has Prometheus quantile series. */
  server?: ServerPeakSustained | null;
}

export type PeakVsSustainedStudy = StudyBase & {
  kind: 'peak-vs-sustained';
  label: string | null;
  windowS: number;
  rows: PeakVsSustainedRow[];
};

/** Where a figure of a study comes from, named the same wherever it is shown. */
export type FigureBasis = 'full-load' | 'end-of-run' | 'load-level' | 'whole-run';

export interface ScalingPoint {
  value: number;
  runId: string;
  /** Throughput at full load: the run's full-load median rate (see rpsBasis). */
  rps: number | null;
  /**
   * `full-load`: the median per-interval rate over the run's full-load phase; `load-level`:
   * the same on the highest load level every run of the study reached; `whole-run`: the
   * tool's own average (runs without a timeline).
   */
  rpsBasis: FigureBasis;
  /** 95% half-width of rps, req/s (see the study's noise). */
  rpsNoise: number | null;
  /** The tool's average over the whole run, ramp and bursts included (for reference only). */
  averageRps: number | null;
  /** The run's state at full load. */
  state: RunState | null;
  /** Where a ramping run's throughput stopped growing; null when it has none (or none was found). */
  knee?: RampKnee | null;
  /** Latency: over the full load of a steady run, at the end of an overloaded one, or the whole run's. */
  latencyBasis: FigureBasis;
  p50: number | null;
  p95: number | null;
  p99?: number | null;
  errorRate: number | null;
  /** The value of the study's `by` factor this point was read at. */
  by?: number | null;
  /** Runs repeating this configuration, when there are several (the point is the median one). */
  repeats?: string[];
  /** rps / rps at the smallest factor (capacity studies only). */
  speedup: number | null;
  /** speedup / (value / smallest value): 1 is linear (capacity studies only). */
  efficiency: number | null;
}

export interface ScalingStep {
  from: number;
  to: number;
  fromRunId: string;
  toRunId: string;
  rpsChangePct: number | null;
  /** Latency changes, on the points' latencyBasis. */
  p50ChangePct: number | null;
  p95ChangePct: number | null;
  /** rps(to) / rps(from) (capacity studies only). */
  speedup: number | null;
  /** speedup / (to / from) (capacity studies only). */
  efficiency: number | null;
  /** `gain` / `loss`: the throughput change is beyond the noise; `no-effect`: within it. */
  verdict: 'gain' | 'no-effect' | 'loss' | null;
  withinNoise: boolean;
  /** Noise of the step's throughput change (both runs' 95% half-widths combined), req/s. */
  noiseRps: number | null;
  /** The same as a share of the smaller throughput, in %. */
  noisePct: number;
}

/** Where throughput stops growing with load. */
export interface Saturation {
  /** The saturation throughput: the median of the full-load rates from `from` on. */
  rps: number;
  /** The smallest load from which throughput stays within noise of that level. */
  from: number;
  /** Little's law: beyond saturation each added user adds 1/X of waiting, ms per user. */
  msPerUser: number;
  /** Runs left out of the level (failures above the threshold inflate throughput with fast failures). */
  excluded: string[];
}

/** The saturation knee of one run's user ramp. */
export interface RampKnee {
  /** Seconds since run start of the ramp level where throughput reached saturation. */
  t: number;
  users: number;
  /** Throughput at that level, req/s. */
  rps: number;
  /** p50 at that level (ms), when the timeline has it there. */
  p50: number | null;
  /** The saturation throughput the level reached: the run's full-load rate. */
  saturationRps: number;
  /** Lowest p50 (ms) anywhere in the run: the unloaded response time R_min. */
  rMinMs: number | null;
  /** Think time Z per request (s) used by Little's law; null when unknown. */
  thinkTimeS: number | null;
  /** Little's law N* = X_max · (R_min + Z), users; null when the think time is unknown. */
  littleN: number | null;
  reason: string;
}

export interface ScalingKnee {
  runId: string;
  /** Factor value of the run where the knee is (across-run sweeps); null within one run's ramp. */
  value: number | null;
  /** Seconds since run start where throughput stopped growing while latency grew (within-run ramps). */
  t: number | null;
  users: number | null;
  rps: number | null;
  /** Little's law estimate N* = X_max · (R_min + Z), users. */
  littleN: number | null;
  reason: string;
}

/** One cell of a two-factor grid: the factor's value × the `by` value. */
export interface ScalingGridCell {
  value: number;
  by: number;
  runId: string;
  rps: number | null;
  rpsBasis: FigureBasis;
  p95: number | null;
  latencyBasis: FigureBasis;
  state: RunState | null;
}

export type ScalingStudy = StudyBase & {
  kind: 'scaling';
  factor: string;
  factorKind: FactorKind;
  /** The crossed factor, when the study is a grid. */
  by: string | null;
  /** The `by` value the points and steps were read at (the highest every factor value reached). */
  byValue: number | null;
  points: ScalingPoint[];
  steps: ScalingStep[];
  /** Noise of the throughput figures: ± req/s and how it was found; null without an estimate. */
  noise: { rps: number; basis: string } | null;
  /** Load studies: where throughput stopped growing; null when it did not (or not a load study). */
  saturation: Saturation | null;
  knee: ScalingKnee | null;
  grid: ScalingGridCell[];
};

export type ExperimentStudy = StudyBase & {
  kind: 'experiment';
  baseline: string;
  candidate: string;
  metric: ExperimentMetric;
  criterion: Criterion;
  confidence: number;
  baselineValue: number | null;
  candidateValue: number | null;
  /** (candidate − baseline) / baseline, in %. */
  changePct: number | null;
  /** Bootstrap CI of changePct at `confidence`. */
  ci: [number, number] | null;
  /** Two-sided Mann-Whitney U p-value on the per-window values. */
  pValue: number | null;
  verdict: 'PASS' | 'FAIL' | 'INCONCLUSIVE';
  method: string;
  /** Number of per-window values used for each run (for a server-side metric: blocks of steps). */
  windows: { baseline: number; candidate: number };
  /** Unit of the two values when the metric's name does not imply it (a server-side series: its own unit, e.g. "s"). */
  unit?: string;
  /** Series split by a label into the two variants, when configured. */
  split?: ExperimentSplit;
  /** How a server-side metric (`STAT(SERIES)`) was read. */
  server?: ServerExperimentFacts;
};

/** A server-side experiment metric, per side. */
export interface ServerExperimentFacts {
  /** SERIES of `STAT(SERIES)`. */
  series: string;
  stat: 'max' | 'mean' | 'median' | 'p90' | 'p95' | 'p99';
  /** Per-step values used. */
  steps: { baseline: number; candidate: number };
  /** Seconds between steps. */
  stepS: { baseline: number; candidate: number };
  /** Steps per block in the moving-block bootstrap and the rank test. */
  blockLength: { baseline: number; candidate: number };
  /** Analysed range: the run's steady phase or the whole run. */
  range: { baseline: RangeBasis; candidate: RangeBasis };
  /** For `max`: the highest value, its steps and the next value, per side. */
  maxSupport?: {
    baseline: { top: number; topT: number; topSteps: number; next: number | null };
    candidate: { top: number; topT: number; topSteps: number; next: number | null };
    /** Dropping one side's highest value changes whether the criterion is met. */
    decidedByOnePoint: boolean;
  };
}

/**
 * What a failure was, from its status and message: `server-error` (HTTP 5xx),
 * `client-error` (HTTP 4xx), `timeout`, `connection` (refused, reset, closed), or
 * `other` (a check in the load script failed a response the server answered).
 */
export type FailureCategory = 'server-error' | 'client-error' | 'timeout' | 'connection' | 'other';

/** One row of the tool's failures table (Locust failures.csv, k6 error tags). */
export interface FailureGroup {
  endpoint: string;
  method: string | null;
  message: string;
  status: string | null;
  category: FailureCategory;
  count: number;
  /** count / the sum of all failure rows of the run, 0..1. */
  share: number;
}

/** An exception raised in the load script (Locust exceptions.csv); not a failed request. */
export interface ExceptionGroup {
  message: string;
  count: number;
  /** The innermost traceback line outside the tool's own packages (or the first line). */
  where: string | null;
}

export interface EndpointFailures {
  name: string;
  method: string | null;
  requests: number;
  failures: number;
  /** 0..1; null without requests. */
  failureRate: number | null;
}

/** One timeline interval of the error rate. */
export interface FailureInterval {
  t: number;
  requests: number;
  failures: number;
  /** failures / requests, 0..1; null without requests. */
  failureRate: number | null;
  users: number | null;
}

export interface FailureWindow {
  startT: number;
  endT: number;
  requests: number;
  failures: number;
  failureRate: number;
}

/** Latency over a set of timeline intervals. */
export interface LatencyGroup extends Percentiles {
  intervals: number;
  requests: number;
  failures: number;
  failureRate: number | null;
}

/**
 * Where a run's values are taken: its steady phase; the full-load phase of a run that is not
 * steady (overloaded, unsteady: the same plateau, but not a steady state); else the whole run.
 */
export type RangeBasis = 'steady' | 'full-load' | 'run';

export interface FailureLatencyEffect {
  /** Timeline intervals with a failure rate above `splitRate` … */
  high: LatencyGroup | null;
  /** … and at or below it. */
  low: LatencyGroup | null;
  /** The median per-interval failure rate (0..1) that splits the intervals. */
  splitRate: number | null;
  /** Where the intervals came from (RangeBasis). */
  range: RangeBasis;
  /** (high p95 − low p95) / low p95, in %. */
  p95ChangePct: number | null;
  /** Spearman rank correlation of per-interval failure rate and p95. */
  spearmanP95: number | null;
  precision: LatencyPrecision;
  /** Steady-phase latency against a failure-free run, when the config names one. */
  baseline: { runId: string; run: Percentiles; baseline: Percentiles; p95ChangePct: number | null } | null;
  /** Why there is no split, when there is none. */
  note: string | null;
}

/** Server-side error rate from a Prometheus series with a `status` label. */
export interface ServerErrors {
  /** Name of the series (the query's name). */
  series: string;
  /** `rate`: values are requests per second; `counter`: a raw `_total` counter. */
  basis: 'rate' | 'counter';
  /** Estimated requests per status over the run (rates integrated over time). */
  byStatus: Record<string, number>;
  requests: number;
  /** Estimated 5xx responses. */
  errors5xx: number;
  /** errors5xx / requests, 0..1; null without requests. */
  errorRate5xx: number | null;
  /** Estimated 499 responses (the client closed the connection: client-side timeouts). */
  clientClosed: number;
  /** Per Prometheus point: seconds since run start, all responses and 5xx per second. */
  timeline: Array<{ t: number; totalPerS: number | null; errorsPerS: number | null }>;
  /** Seconds since run start of the points used: run start to the end of the rate window after the run. */
  fromT: number;
  toT: number;
}

export interface FailuresRun {
  runId: string;
  requests: number;
  failures: number;
  failureRate: number | null;
  aboveThreshold: boolean;
  endpoints: EndpointFailures[];
  /** Sorted by count, largest first. */
  failureGroups: FailureGroup[];
  /** Failures per category, from the failure rows. */
  byCategory: Partial<Record<FailureCategory, number>>;
  /** Sum of the failure rows' counts (equals `failures` when the tool's tables agree). */
  groupedFailures: number;
  exceptions: ExceptionGroup[];
  exceptionCount: number;
  timeline: FailureInterval[];
  intervalS: number;
  /** Requests and failures in the timeline (less than the summary when the tool's history is cut short). */
  timelineRequests: number;
  timelineFailures: number;
  /** Seconds since run start of the first interval with a failure. */
  firstFailureT: number | null;
  /** Timeline seconds (intervals) with a failure rate above the threshold. */
  intervalsAboveThreshold: number;
  intervalsWithRequests: number;
  /** The window of windowS seconds with the highest failure rate. */
  worstWindow: FailureWindow | null;
  /** Pearson correlation of per-interval failure rate with users and with throughput. */
  correlation: { users: number | null; rps: number | null };
  latency: FailureLatencyEffect;
  server: ServerErrors | null;
  /** This run's sentences, most important first (also in the study's conclusions). */
  conclusions: string[];
}

export type FailuresStudy = StudyBase & {
  kind: 'failures';
  /** Failure rate in % above which a run, endpoint or interval counts as failing. */
  thresholdPct: number;
  windowS: number;
  baseline: string | null;
  runs: FailuresRun[];
};

export type Study = PeakVsSustainedStudy | ScalingStudy | ExperimentStudy | FailuresStudy;

export interface Analysis {
  windowS: number;
  runs: RunAnalysis[];
  studies: Study[];
  warnings: AnalysisWarning[];
}
