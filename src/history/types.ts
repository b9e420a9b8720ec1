// data/history.json: every build's full-load figures per run, carried from build to build
// through --baseline, and the shifts found in them.
import type { RunState } from '../analyze/types.js';
import type { Basis, Metric } from '../baseline/types.js';

export const HISTORY_FORMAT = 'ce-report-history/1';
/** Builds kept: the oldest are dropped beyond this many. */
export const HISTORY_RETENTION = 200;

export interface HistoryRun {
  /** Matches the same run across builds: its labels, or its id when it has none. */
  key: string;
  runId: string;
  name: string;
  labels: Record<string, string>;
  state: RunState | null;
  rpsBasis: Basis;
  latencyBasis: Basis;
  rps: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
}

export interface HistoryBuild {
  /** The commit's first 12 hex digits, else `build-N`. */
  id: string;
  commit: string | null;
  branch: string | null;
  /** The build time with --timestamp; else the latest start of its runs (null without a clock). */
  time: string | null;
  timeBasis: 'build' | 'runs' | 'none';
  runs: HistoryRun[];
}

export interface Shift {
  key: string;
  runName: string;
  metric: Metric;
  /** The build that introduced the shift (the first after it). */
  buildId: string;
  commit: string | null;
  branch: string | null;
  /** Index of that build in `builds`. */
  buildIndex: number;
  /** Means of the metric over the builds between the neighbouring shifts, before and from this one. */
  before: number;
  after: number;
  /** Relative change of the mean in % (error rate: difference in percentage points). */
  size: number;
  unit: '%' | 'pp';
  /** Permutation p-value; confidence = 1 − p. */
  p: number;
  confidence: number;
  /** Builds on each side that the means cover. */
  n: { before: number; after: number };
}

export interface HistoryFile {
  format: typeof HISTORY_FORMAT;
  retention: number;
  builds: HistoryBuild[];
  shifts: Shift[];
  method: string;
}
