// The normalized run model. Every ingester produces it, the analyzer reads it,
// the renderer draws it. The JSON Schema in schema/run-model.schema.json
// describes the same shape; bump SCHEMA_VERSION on any incompatible change.

export const SCHEMA_VERSION = 1;

export type Tool = 'k6' | 'locust' | 'bombardier' | 'prometheus';

/**
 * Where a number came from:
 * - `samples`: computed by us from every raw sample (HDR histogram, 3 significant digits)
 * - `reported`: copied from the tool's own summary
 * - `buckets`: estimated from histogram buckets (e.g. Prometheus histogram_quantile)
 */
export type Precision = 'samples' | 'reported' | 'buckets';

/** Latency statistics in milliseconds; null when the source does not give it. */
export interface LatencyMs {
  min: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface Stats {
  /** Endpoint name (k6 `name` tag, Locust Name, bombardier URL); "all" for a run summary. */
  name: string;
  /** HTTP method, or null when the tool does not say (Locust's Aggregated row). */
  method: string | null;
  requests: number;
  failures: number;
  /** Average requests per second over the run. */
  rps: number | null;
  latencyMs: LatencyMs;
  precision: Precision;
  /** Further percentiles the source gives, keyed like "p75", "p99.9", "p100" (ms). */
  extraPercentiles?: Record<string, number>;
  /**
   * HDR histogram of latencies in microseconds, compressed base64
   * (hdr-histogram-js encodeIntoCompressedBase64). Only when precision is `samples`;
   * lets studies merge runs and endpoints exactly.
   */
  histogram?: string;
  /** HTTP status code → count, where the source gives it. */
  statuses?: Record<string, number>;
}

export interface TimelineLatency {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface TimelinePoint {
  /** Seconds since the run start, at the start of this bucket. */
  t: number;
  requests: number;
  failures: number;
  /** Active users / VUs during the bucket, when known. */
  users: number | null;
  latencyMs: TimelineLatency;
  /** Compressed HDR histogram (µs) of the latencies completed in this bucket (precision `samples` only). */
  histogram?: string;
}

/**
 * How the timeline's latency figures were obtained:
 * - `interval`: over the requests completed inside each bucket (from samples)
 * - `window`: the tool's own recent-window figures (Locust "current" percentiles)
 * - `cumulative`: since the start of the run (Locust history without --csv-full-history)
 * - `none`: the timeline has no latency
 */
export type TimelineLatencyKind = 'interval' | 'window' | 'cumulative' | 'none';

export interface ErrorEntry {
  endpoint: string;
  method: string | null;
  /** Error message, or "HTTP <status>" when only a status is known. */
  message: string;
  status: string | null;
  count: number;
  /** `failure`: a failed request; `exception`: an error raised in the load script. */
  kind: 'failure' | 'exception';
  /** For exceptions: the traceback, when given. */
  detail?: string;
}

export interface Series {
  name: string;
  unit: string;
  /** The query (PromQL) that produced the series, as provenance. */
  query?: string;
  /** File or URL the series came from. */
  source: string;
  labels: Record<string, string>;
  /** [unix seconds, value]; null where the source had NaN/Inf or no value. */
  points: Array<[number, number | null]>;
  precision?: Precision;
}

export interface Source {
  path: string;
  format: string;
  toolVersion?: string;
  /** The part of the run this source supplied (e.g. "summary", "timeline", "errors", "series"). */
  provides?: string[];
}

export interface Threshold {
  metric: string;
  expression: string;
  ok: boolean;
}

/** Facts about the load generator itself that a careful reader wants. */
export interface RunMetrics {
  iterations?: number;
  droppedIterations?: number;
  checks?: { passes: number; fails: number };
  vusMax?: number;
  dataSentBytes?: number;
  dataReceivedBytes?: number;
  throughputBytesPerSec?: number;
  /** Custom metrics (k6 trends/counters not built in): name → summary numbers. */
  custom?: Record<string, Record<string, number>>;
}

export interface Run {
  id: string;
  name: string;
  tool: Tool;
  toolVersion?: string;
  sources: Source[];
  /** What was varied (variant, replicas, ...): from the config or --label, the files' own record (k6 run tags, bombardier's connections), then `key=value` folder names. */
  labels: Record<string, string>;
  /** ISO 8601 UTC, or null when the source has no clock. */
  start: string | null;
  end: string | null;
  durationS: number | null;
  summary: Stats;
  endpoints: Stats[];
  /** Seconds per timeline point (1 by default). */
  timelineIntervalS: number;
  timelineLatency: TimelineLatencyKind;
  timeline: TimelinePoint[];
  errors: ErrorEntry[];
  series: Series[];
  thresholds: Threshold[];
  metrics: RunMetrics;
  /** Think time per user in seconds (Locust wait_time, k6 sleep), when known; used by Little's law. */
  thinkTimeS?: number;
}

export interface Warning {
  file?: string;
  line?: number;
  column?: number;
  message: string;
}

export interface Model {
  schemaVersion: number;
  generator: { name: string; version: string };
  runs: Run[];
  warnings: Warning[];
  /** Filled by the analyzer (src/analyze). */
  analysis?: unknown;
}

export function emptyLatency(): LatencyMs {
  return { min: null, mean: null, p50: null, p90: null, p95: null, p99: null, max: null };
}

/** Key of a percentile in Stats.extraPercentiles: 75 → "p75", 99.9 → "p99.9". */
export function percentileKey(p: number): string {
  return 'p' + String(p);
}

export function emptyStats(name: string, method: string | null, precision: Precision): Stats {
  return { name, method, requests: 0, failures: 0, rps: null, latencyMs: emptyLatency(), precision };
}
