// Study configuration (from ce-report.config.json or inferred) and analysis results.
// The analysis is written to data/analysis.json; field names here are a contract.

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

export interface ScalingStudyConfig {
  kind: 'scaling';
  id?: string;
  title?: string;
  /** Label holding the numeric factor (replicas, workers, threads, users). */
  factor: string;
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
}

export type StudyConfig = PeakVsSustainedStudyConfig | ScalingStudyConfig | ExperimentStudyConfig;

export interface AnalyzeOptions {
  studies: StudyConfig[];
  /** Sliding window for peak percentiles, seconds (default 10). */
  windowS: number;
  /** Warn when a run's failure rate is above this fraction (default 0.01). */
  failureRateThreshold: number;
}

export const DEFAULT_ANALYZE_OPTIONS: AnalyzeOptions = {
  studies: [],
  windowS: 10,
  failureRateThreshold: 0.01,
};
