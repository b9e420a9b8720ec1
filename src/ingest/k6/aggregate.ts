// Aggregation of raw k6 samples (time, metric, value, tags) into a run part: the
// per-endpoint HDR histograms, the timeline buckets, the errors and the generator
// metrics. Shared by the k6 formats that carry every sample (`--out json`, `--out csv`)
// so both give the same model for the same run. Memory is one histogram per endpoint
// and per time bucket, whatever the number of samples.
import path from 'node:path';
import {
  decodeFromCompressedBase64,
  createDenseHistogram,
  createHistogram,
  encodeHistogram,
  latencyFromHistogram,
  mergeInto,
  percentileMs,
  recordMs,
  timelineLatencyFromHistogram,
  type Histogram,
} from '../../model/histogram.js';
import type { ErrorEntry, RunMetrics, Stats, TimelineLatency, TimelinePoint } from '../../model/types.js';
import { emptyRunPart, isLabelKey, type IngestContext, type RunPart } from '../types.js';
import { groupIdSegments, MAX_ENDPOINTS, OTHER_ENDPOINTS } from '../endpoint-cap.js';
import { foldQuietEndpoints } from './endpoint-fold.js';

/** The tags the aggregation looks at; every other tag is ignored. */
export interface K6Tags {
  name?: string;
  method?: string;
  url?: string;
  status?: string;
  error?: string;
  error_code?: string;
  /**
   * The sample's tags that k6 does not set itself (K6_SYSTEM_TAGS), with string values:
   * run tags (`k6 run --tag variant=canary`, `options.tags`) and the script's own tags.
   * Absent when there are none. Run labels are the ones every sample carries.
   */
  extra?: ReadonlyMap<string, string>;
}

/** A tag the aggregation reads. */
export type K6TagName = Exclude<keyof K6Tags, 'extra'>;

/**
 * Tags k6 sets on samples itself (its "system tags", optional ones included). Never run
 * labels, even when one value runs through a whole file (one scenario, one URL).
 */
export const K6_SYSTEM_TAGS: ReadonlySet<string> = new Set([
  'proto',
  'subproto',
  'status',
  'method',
  'url',
  'name',
  'group',
  'check',
  'error',
  'error_code',
  'tls_version',
  'scenario',
  'service',
  'expected_response',
  'vu',
  'iter',
  'ip',
  'ocsp_status',
]);

export interface K6Sample {
  /** Unix time in milliseconds. */
  timeMs: number;
  metric: string;
  value: number;
  tags: K6Tags;
}

/** k6's own metrics; anything else is a custom metric of the test script. */
export const BUILTIN_METRICS = new Set([
  'http_reqs',
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'http_req_failed',
  'iteration_duration',
  'iterations',
  'dropped_iterations',
  'vus',
  'vus_max',
  'checks',
  'data_sent',
  'data_received',
  'group_duration',
  'ws_connecting',
  'ws_msgs_received',
  'ws_msgs_sent',
  'ws_ping',
  'ws_session_duration',
  'ws_sessions',
  'grpc_req_duration',
  'browser_data_received',
  'browser_data_sent',
]);

export type K6MetricType = 'trend' | 'counter' | 'rate' | 'gauge';

// What a sample's metric is to the aggregation, as a small number: the scanners find it
// once per distinct metric name, so the hot path switches on an int, not a string.
export const KIND_CUSTOM = 0;
export const KIND_HTTP_REQS = 1;
export const KIND_HTTP_REQ_DURATION = 2;
export const KIND_HTTP_REQ_FAILED = 3;
export const KIND_VUS = 4;
export const KIND_VUS_MAX = 5;
export const KIND_ITERATIONS = 6;
export const KIND_DROPPED_ITERATIONS = 7;
export const KIND_CHECKS = 8;
export const KIND_DATA_SENT = 9;
export const KIND_DATA_RECEIVED = 10;
/** A builtin metric the model does not use (http_req_waiting, ...): only its time counts. */
export const KIND_TIME_ONLY = 11;

const KINDS = new Map<string, number>([
  ['http_reqs', KIND_HTTP_REQS],
  ['http_req_duration', KIND_HTTP_REQ_DURATION],
  ['http_req_failed', KIND_HTTP_REQ_FAILED],
  ['vus', KIND_VUS],
  ['vus_max', KIND_VUS_MAX],
  ['iterations', KIND_ITERATIONS],
  ['dropped_iterations', KIND_DROPPED_ITERATIONS],
  ['checks', KIND_CHECKS],
  ['data_sent', KIND_DATA_SENT],
  ['data_received', KIND_DATA_RECEIVED],
]);

export function metricKind(metric: string): number {
  const k = KINDS.get(metric);
  if (k !== undefined) return k;
  return BUILTIN_METRICS.has(metric) ? KIND_TIME_ONLY : KIND_CUSTOM;
}

export interface EndpointAcc {
  name: string;
  method: string | null;
  httpReqs: number;
  durations: number;
  failures: number;
  hist: Histogram;
  sumMs: number;
  /** Rounding error of sumMs so far (compensated sum, see addCompensated). */
  sumErr: number;
  minMs: number;
  maxMs: number;
  statuses: Map<string, number>;
}

interface BucketAcc {
  httpReqs: number;
  durations: number;
  failures: number;
  /** Highest `vus` value seen in the bucket; null when none. */
  users: number | null;
  /** The open bucket's latencies; null once sealed. */
  hist: Histogram | null;
  minMs: number;
  maxMs: number;
  /** A sealed bucket's figures, computed once when the stream moved past it. */
  sealed: { latency: TimelineLatency; histogram?: string } | null;
}

/**
 * Buckets this far behind the newest sample are sealed: their percentiles and encoded
 * histogram are computed and the histogram freed, so memory stays flat over hours of
 * samples. k6 writes samples within about a second of their time; a later one reopens
 * its bucket (correct, only slower).
 */
const SEAL_LAG_MS = 60_000;

interface CustomAcc {
  count: number;
  sum: number;
  sumErr: number;
  min: number;
  max: number;
  nonZero: number;
  last: number;
  /** `seq` of the aggregation when `last` was set: which part of the file it came from. */
  lastSeq: number;
  hist: Histogram;
}

export interface K6Aggregate {
  intervalMs: number;
  endpoints: Map<string, EndpointAcc>;
  buckets: Map<number, BucketAcc>;
  errors: Map<string, ErrorEntry>;
  custom: Map<string, CustomAcc>;
  /** Metric types when the format declares them (NDJSON Metric lines); CSV has none. */
  metricTypes: Map<string, K6MetricType>;
  /** Indexes of buckets not sealed yet, and the newest bucket index. */
  openBuckets: Set<number>;
  newestBucket: number;
  sawHttpReqs: boolean;
  minTimeMs: number;
  maxTimeMs: number;
  samples: number;
  iterations: number;
  droppedIterations: number;
  checksPass: number;
  checksFail: number;
  sawChecks: boolean;
  vusMax: number | null;
  dataSent: number | null;
  dataReceived: number | null;
  /**
   * The last endpoint looked up and the tags object it was found for: the NDJSON scanner
   * hands out one tags object per distinct tags text, and a request's samples come
   * together, so most lookups are this one.
   */
  lastTags: K6Tags | null;
  lastEndpoint: EndpointAcc | null;
  /** The endpoint of each tags object met (the scanners reuse one object per distinct tags text). */
  endpointByTags: Map<K6Tags, EndpointAcc>;
  /** URL names with their ids grouped (endpoint-cap.ts), by URL: the rule runs once per URL. */
  groupedNames: Map<string, string>;
  /**
   * The extra tags with one value on every sample so far (null before the first sample):
   * k6's run tags, which become the run's labels. Narrowed whenever the tags object
   * changes (`runTagsFrom`), so once per distinct tags text, not per sample.
   */
  runTags: Map<string, string> | null;
  runTagsFrom: K6Tags | null;
  /** The last bucket used (when still open), for the same reason. */
  lastBucketIdx: number;
  lastBucket: BucketAcc | null;
  /**
   * Position of the part of the file being read, for workers that read parts out of
   * order: merging keeps the gauge value of the latest part. 0 for one sequential read.
   */
  seq: number;
}

export function createAggregate(timelineIntervalS: number): K6Aggregate {
  return {
    intervalMs: timelineIntervalS * 1000,
    endpoints: new Map(),
    buckets: new Map(),
    errors: new Map(),
    custom: new Map(),
    metricTypes: new Map(),
    openBuckets: new Set(),
    newestBucket: -Infinity,
    sawHttpReqs: false,
    minTimeMs: Infinity,
    maxTimeMs: -Infinity,
    samples: 0,
    iterations: 0,
    droppedIterations: 0,
    checksPass: 0,
    checksFail: 0,
    sawChecks: false,
    vusMax: null,
    dataSent: null,
    dataReceived: null,
    lastTags: null,
    lastEndpoint: null,
    endpointByTags: new Map(),
    groupedNames: new Map(),
    runTags: null,
    runTagsFrom: null,
    lastBucketIdx: NaN,
    lastBucket: null,
    seq: 0,
  };
}

/**
 * Distinct endpoints one read keeps apart while streaming; samples of further names
 * are counted under "(other endpoints)". (The run then keeps its MAX_ENDPOINTS busiest.)
 */
const MAX_STREAMING_ENDPOINTS = 1000;

/** Endpoint identity: the `name` tag (k6 sets it to the URL unless the script names it), else `url`. */
function endpointOf(agg: K6Aggregate, tags: K6Tags): EndpointAcc {
  if (tags === agg.lastTags) return agg.lastEndpoint!;
  // Requests to a few endpoints interleave, so the last one misses most of the time; the
  // name, grouping and key below cost a string and two lookups per sample (found in a profile).
  const known = agg.endpointByTags.get(tags);
  if (known !== undefined) {
    agg.lastTags = tags;
    agg.lastEndpoint = known;
    return known;
  }
  let name = tags.name || tags.url || '(unnamed)';
  // A name k6 took from the URL (the script named nothing) groups its ids: /users/{id}.
  if (!tags.name || tags.name === tags.url) {
    let grouped = agg.groupedNames.get(name);
    if (grouped === undefined) {
      if (agg.groupedNames.size >= 10_000) agg.groupedNames.clear();
      grouped = groupIdSegments(name);
      agg.groupedNames.set(name, grouped);
    }
    name = grouped;
  }
  let method = tags.method || null;
  let key = (method ?? '') + ' ' + name;
  let e = agg.endpoints.get(key);
  if (!e && agg.endpoints.size >= MAX_STREAMING_ENDPOINTS) {
    // Memory stays bounded whatever the names: later names share one endpoint.
    name = OTHER_ENDPOINTS;
    method = null;
    key = ' ' + OTHER_ENDPOINTS;
    e = agg.endpoints.get(key);
  }
  if (!e) {
    e = { name, method, httpReqs: 0, durations: 0, failures: 0, hist: createDenseHistogram(), sumMs: 0, sumErr: 0, minMs: Infinity, maxMs: -Infinity, statuses: new Map() };
    agg.endpoints.set(key, e);
  }
  agg.lastTags = tags;
  agg.lastEndpoint = e;
  // Bounded like the scanners' caches: tags objects of a run with ever-new tags are not kept.
  if (agg.endpointByTags.size >= 4096) agg.endpointByTags.clear();
  agg.endpointByTags.set(tags, e);
  return e;
}

// Time buckets come and go all run long: a sealed bucket's histogram (a ~50 KB counts
// array) is reset and reused by the next bucket instead of being left to the garbage
// collector, which kept peak RSS growing with the input size. Only histograms still at
// their initial range are reused: a resized one would encode differently (its header
// carries the range), and every path must give the same strings.
const spareHistograms: Histogram[] = [];
const MAX_SPARE_HISTOGRAMS = 16;
const INITIAL_RANGE = createDenseHistogram().highestTrackableValue;

function takeDense(): Histogram {
  return spareHistograms.pop() ?? createDenseHistogram();
}

function giveBack(h: Histogram): void {
  if (spareHistograms.length < MAX_SPARE_HISTOGRAMS && h.highestTrackableValue === INITIAL_RANGE) {
    h.reset();
    spareHistograms.push(h);
  } else {
    h.destroy();
  }
}

function bucketOf(agg: K6Aggregate, timeMs: number): BucketAcc {
  // Buckets sit on a grid aligned to whole multiples of the interval on the Unix clock,
  // so a sample can be placed before the run start is known (samples come out of order).
  const idx = Math.floor(timeMs / agg.intervalMs);
  if (idx === agg.lastBucketIdx && agg.lastBucket!.sealed === null) return agg.lastBucket!;
  let b = agg.buckets.get(idx);
  if (!b) {
    b = { httpReqs: 0, durations: 0, failures: 0, users: null, hist: takeDense(), minMs: Infinity, maxMs: -Infinity, sealed: null };
    agg.buckets.set(idx, b);
    agg.openBuckets.add(idx);
    if (idx > agg.newestBucket) {
      agg.newestBucket = idx;
      sealBucketsBefore(agg, idx - Math.ceil(SEAL_LAG_MS / agg.intervalMs));
    }
  } else if (b.sealed) {
    reopenBucket(agg, idx, b);
  }
  agg.lastBucketIdx = idx;
  agg.lastBucket = b;
  return b;
}

function sealBucket(agg: K6Aggregate, idx: number, b: BucketAcc): void {
  const h = b.hist!;
  b.sealed = b.durations > 0 ? { latency: timelineLatencyFromHistogram(h, b.maxMs), histogram: encodeHistogram(h) } : { latency: timelineLatencyFromHistogram(h) };
  giveBack(h);
  b.hist = null;
  agg.openBuckets.delete(idx);
}

function sealBucketsBefore(agg: K6Aggregate, beforeIdx: number): void {
  for (const idx of agg.openBuckets) {
    if (idx < beforeIdx) sealBucket(agg, idx, agg.buckets.get(idx)!);
  }
}

/** Seals the bucket at `idx` if it is open (after merging into it). */
export function sealBucketAt(agg: K6Aggregate, idx: number): void {
  const b = agg.buckets.get(idx);
  if (b && !b.sealed) sealBucket(agg, idx, b);
}

/** Seals every bucket (before handing the aggregation to another thread). */
export function sealAllBuckets(agg: K6Aggregate): void {
  for (const idx of agg.openBuckets) sealBucket(agg, idx, agg.buckets.get(idx)!);
}

/**
 * Adds an encoded histogram into a (dense) one. Decoding straight into 32-bit counts is
 * many times faster than through a packed histogram (model/histogram's decodeHistogram),
 * which matters when worker results are merged.
 */
export function addEncoded(target: Histogram, encoded: string): void {
  const d = decodeFromCompressedBase64(encoded, 32, false);
  target.add(d);
  d.destroy();
}

/**
 * An encoded histogram keeps counts per bucket, not the exact smallest and largest
 * values, and percentiles are clamped to those: after adding one, put back the exact
 * extremes (as recordMs recorded them) so a merged histogram answers exactly like one
 * that saw every sample. A smallest value that rounds to 0 µs leaves the smallest
 * non-zero one unknown; it then stays at its bucket's bound.
 */
export function restoreExtremes(h: Histogram, minMs: number, maxMs: number): void {
  if (h.totalCount === 0 || !(minMs <= maxMs) || minMs < 0) return;
  const js = h as unknown as { maxValue: number; minNonZeroValue: number };
  const minUs = Math.round(minMs * 1000);
  const maxUs = Math.round(maxMs * 1000);
  js.maxValue = maxUs;
  if (minUs > 0) js.minNonZeroValue = minUs;
}

function reopenBucket(agg: K6Aggregate, idx: number, b: BucketAcc): void {
  const h = takeDense();
  if (b.sealed?.histogram) {
    addEncoded(h, b.sealed.histogram);
    restoreExtremes(h, b.minMs, b.maxMs);
  }
  b.hist = h;
  b.sealed = null;
  agg.openBuckets.add(idx);
}

/** The bucket at `idx`, open (reopened if sealed), created if missing; for merging aggregations. */
export function openBucketAt(agg: K6Aggregate, idx: number): BucketAcc {
  return bucketOf(agg, idx * agg.intervalMs);
}

function errorMessage(tags: K6Tags): string {
  if (tags.error) return tags.error;
  if (tags.status && tags.status !== '0') return `HTTP ${tags.status}`;
  if (tags.error_code) return `error code ${tags.error_code}`;
  return 'request failed';
}

/**
 * Adds one sample. The caller has checked that `value` and `timeMs` are finite and,
 * for durations, not negative.
 */
export function addSample(agg: K6Aggregate, s: K6Sample): void {
  if (s.tags !== agg.runTagsFrom) narrowRunTags(agg, s.tags);
  addPoint(agg, metricKind(s.metric), s.metric, s.timeMs, s.value, s.tags);
}

/** addSample with the metric's kind already known (see metricKind) and no sample object. */
export function addPoint(agg: K6Aggregate, kind: number, metric: string, timeMs: number, value: number, tags: K6Tags): void {
  agg.samples++;
  if (timeMs < agg.minTimeMs) agg.minTimeMs = timeMs;
  if (timeMs > agg.maxTimeMs) agg.maxTimeMs = timeMs;
  switch (kind) {
    case KIND_HTTP_REQS: {
      agg.sawHttpReqs = true;
      endpointOf(agg, tags).httpReqs += value;
      bucketOf(agg, timeMs).httpReqs += value;
      return;
    }
    case KIND_HTTP_REQ_DURATION: {
      const e = endpointOf(agg, tags);
      e.durations++;
      recordMs(e.hist, value);
      const sum = e.sumMs + value;
      // sumError written out: on this per-sample path the call measured ~0.5% more instructions.
      e.sumErr += Math.abs(e.sumMs) >= Math.abs(value) ? e.sumMs - sum + value : value - sum + e.sumMs;
      e.sumMs = sum;
      if (value < e.minMs) e.minMs = value;
      if (value > e.maxMs) e.maxMs = value;
      const status = tags.status ?? '';
      if (status) e.statuses.set(status, (e.statuses.get(status) ?? 0) + 1);
      const b = bucketOf(agg, timeMs);
      b.durations++;
      recordMs(b.hist!, value);
      if (value < b.minMs) b.minMs = value;
      if (value > b.maxMs) b.maxMs = value;
      return;
    }
    case KIND_HTTP_REQ_FAILED: {
      // A rate metric: value 1 (true) means the request failed.
      if (value === 0) return;
      const e = endpointOf(agg, tags);
      e.failures++;
      bucketOf(agg, timeMs).failures++;
      const message = errorMessage(tags);
      const status = tags.status || null;
      const key = JSON.stringify([e.method, e.name, status, message]);
      const entry = agg.errors.get(key);
      if (entry) entry.count++;
      else agg.errors.set(key, { endpoint: e.name, method: e.method, message, status, count: 1, kind: 'failure' });
      return;
    }
    case KIND_VUS: {
      const b = bucketOf(agg, timeMs);
      if (b.users === null || value > b.users) b.users = value;
      return;
    }
    case KIND_VUS_MAX:
      if (agg.vusMax === null || value > agg.vusMax) agg.vusMax = value;
      return;
    case KIND_ITERATIONS:
      agg.iterations += value;
      return;
    case KIND_DROPPED_ITERATIONS:
      agg.droppedIterations += value;
      return;
    case KIND_CHECKS:
      agg.sawChecks = true;
      if (value !== 0) agg.checksPass++;
      else agg.checksFail++;
      return;
    case KIND_DATA_SENT:
      agg.dataSent = (agg.dataSent ?? 0) + value;
      return;
    case KIND_DATA_RECEIVED:
      agg.dataReceived = (agg.dataReceived ?? 0) + value;
      return;
    case KIND_CUSTOM:
      addCustom(agg, metric, value);
      return;
    default:
    // KIND_TIME_ONLY: only the time counts
  }
}

/**
 * Keeps only the run tags `tags` has too. Callers skip it while the tags object stays the
 * same (the NDJSON scanner hands out one object per distinct tags text); it is not in
 * addPoint, where even the check measured ~3% more instructions per sample (V8 inlined less).
 */
export function narrowRunTags(agg: K6Aggregate, tags: K6Tags): void {
  agg.runTagsFrom = tags;
  keepCommonRunTags(agg, tags.extra);
}

/** Merges the run tags of another part of the same file (null: a part without samples). */
export function mergeRunTags(agg: K6Aggregate, part: ReadonlyArray<readonly [string, string]> | null): void {
  if (part !== null) keepCommonRunTags(agg, new Map(part));
}

/** The run tags so far, cut down to those `other` has with the same value (all of them, for the first). */
function keepCommonRunTags(agg: K6Aggregate, other: ReadonlyMap<string, string> | undefined): void {
  if (agg.runTags === null) agg.runTags = new Map(other);
  else if (agg.runTags.size > 0) for (const [k, v] of agg.runTags) if (other?.get(k) !== v) agg.runTags.delete(k);
}

const MAX_LABEL_VALUE = 200;

/** The run's labels from its run tags, keys sorted; a tag not named as a label can be is left out. */
export function runTagLabels(agg: K6Aggregate, warn: (message: string) => void): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const k of [...(agg.runTags?.keys() ?? [])].sort()) {
    const v = agg.runTags!.get(k)!;
    if (v === '') continue;
    // Said, not dropped silently: the user tagged the run and may expect to see it.
    if (!isLabelKey(k)) warn(`run tag ${JSON.stringify(k)} (on every sample) is not a label: a label name is letters, digits, _ . and -, starting with a letter or _`);
    else if (v.length > MAX_LABEL_VALUE) warn(`run tag ${k} (on every sample) is not a label: its value is longer than ${MAX_LABEL_VALUE} characters`);
    else labels[k] = v;
  }
  return labels;
}

function addCustom(agg: K6Aggregate, metric: string, value: number): void {
  let c = agg.custom.get(metric);
  if (!c) {
    c = { count: 0, sum: 0, sumErr: 0, min: Infinity, max: -Infinity, nonZero: 0, last: 0, lastSeq: 0, hist: createDenseHistogram() };
    agg.custom.set(metric, c);
  }
  c.count++;
  const sum = c.sum + value;
  c.sumErr += Math.abs(c.sum) >= Math.abs(value) ? c.sum - sum + value : value - sum + c.sum;
  c.sum = sum;
  if (value < c.min) c.min = value;
  if (value > c.max) c.max = value;
  if (value !== 0) c.nonZero++;
  c.last = value;
  c.lastSeq = agg.seq;
  // The histogram is in ms like every trend; negative values (a gauge can go below 0)
  // are clamped by recordMs, so percentiles are only given for non-negative metrics.
  recordMs(c.hist, value);
}

/** The rounding error of `t = a + b` (Neumaier), which a compensated sum adds to its error term. */
export function sumError(a: number, b: number, t: number): number {
  return Math.abs(a) >= Math.abs(b) ? a - t + b : b - t + a;
}

/**
 * Adds the compensated sum (sum, err) `b` into `a`. Sums are kept with Neumaier's
 * compensation, so the total is the correctly rounded sum of the samples in practice
 * whatever order they were added in: one thread, byte ranges or chunks in workers all
 * give the same mean.
 */
function addCompensated(a: { sum: number; err: number }, sum: number, err: number): void {
  const t = a.sum + sum;
  a.err += sumError(a.sum, sum, t) + err;
  a.sum = t;
}

function customSummary(type: K6MetricType | undefined, acc: CustomAcc, durationS: number | null): Record<string, number> {
  const c = { ...acc, sum: acc.sum + acc.sumErr };
  switch (type) {
    case 'counter': {
      const out: Record<string, number> = { count: c.sum };
      if (durationS) out.rate = c.sum / durationS;
      return out;
    }
    case 'rate':
      return { passes: c.nonZero, fails: c.count - c.nonZero, rate: c.count ? c.nonZero / c.count : 0 };
    case 'gauge':
      return { value: c.last, min: c.min, max: c.max };
    default: {
      // A trend, or a metric of unknown type (CSV does not say): the trend summary,
      // plus the sum so a counter read from CSV keeps its total.
      const out: Record<string, number> = { count: c.count, sum: c.sum, min: c.min, mean: c.sum / c.count, max: c.max };
      if (c.min >= 0) {
        for (const p of [50, 90, 95, 99]) {
          const v = percentileMs(c.hist, p);
          if (v !== null) out['p' + p] = v;
        }
      }
      return out;
    }
  }
}

function statsOf(name: string, method: string | null, requests: number, failures: number, hist: Histogram, exact: { sumMs: number; minMs: number; maxMs: number }, durationS: number | null, statuses: Map<string, number>): Stats {
  const n = hist.totalCount;
  const stats: Stats = {
    name,
    method,
    requests,
    failures,
    rps: durationS && durationS > 0 ? requests / durationS : null,
    latencyMs: latencyFromHistogram(hist, n > 0 ? exact : {}),
    precision: 'samples',
  };
  if (n > 0) stats.histogram = encodeHistogram(hist);
  if (statuses.size > 0) stats.statuses = Object.fromEntries([...statuses].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return stats;
}

export interface AggregateResult {
  start: string | null;
  end: string | null;
  /** First to last sample time; null with fewer than two distinct sample times. */
  durationS: number | null;
  summary: Stats;
  endpoints: Stats[];
  timeline: TimelinePoint[];
  errors: ErrorEntry[];
  metrics: RunMetrics;
  /** A warning for the caller to pass on: the timeline lists only intervals with samples. */
  timelineNote?: string;
  /** Endpoints folded into "(other endpoints)" by the cap (endpoint-fold.ts). */
  foldedEndpoints?: number;
}

/**
 * More timeline intervals than this between the first and last sample (139 h at 1 s)
 * means long gaps, usually one sample from a wrong clock: listing every empty interval
 * would take gigabytes, so the timeline then lists only the intervals with samples.
 */
const MAX_DENSE_TIMELINE_POINTS = 500_000;

/**
 * Turns the accumulated state into model pieces. `durationS` may be given by the
 * caller when it knows better than first-to-last sample (e.g. whole-second clocks).
 */
export function finishAggregate(agg: K6Aggregate, durationOverrideS?: number | null): AggregateResult {
  const hasTime = agg.samples > 0;
  const spanS = hasTime ? (agg.maxTimeMs - agg.minTimeMs) / 1000 : null;
  const durationS = durationOverrideS !== undefined ? durationOverrideS : spanS && spanS > 0 ? spanS : null;
  // Requests come from http_reqs when the file has it (k6's own count); a file that
  // filtered it out still has one http_req_duration sample per request.
  const reqsOf = (x: { httpReqs: number; durations: number }) => (agg.sawHttpReqs ? x.httpReqs : x.durations);

  const folding = foldQuietEndpoints([...agg.endpoints.values()], reqsOf);
  const endpointAccs = folding.accs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : (a.method ?? '') < (b.method ?? '') ? -1 : 1));
  const total = createDenseHistogram();
  const allStatuses = new Map<string, number>();
  let requests = 0;
  let failures = 0;
  const sums = { sum: 0, err: 0 };
  let minMs = Infinity;
  let maxMs = -Infinity;
  const endpoints: Stats[] = [];
  for (const e of endpointAccs) {
    const r = reqsOf(e);
    if (r === 0 && e.durations === 0 && e.failures === 0) continue;
    endpoints.push(statsOf(e.name, e.method, r, e.failures, e.hist, { sumMs: e.sumMs + e.sumErr, minMs: e.minMs, maxMs: e.maxMs }, durationS, e.statuses));
    mergeInto(total, e.hist);
    requests += r;
    failures += e.failures;
    addCompensated(sums, e.sumMs, e.sumErr);
    if (e.minMs < minMs) minMs = e.minMs;
    if (e.maxMs > maxMs) maxMs = e.maxMs;
    for (const [k, v] of e.statuses) allStatuses.set(k, (allStatuses.get(k) ?? 0) + v);
  }
  const summary = statsOf('all', null, requests, failures, total, { sumMs: sums.sum + sums.err, minMs, maxMs }, durationS, allStatuses);

  const timeline: TimelinePoint[] = [];
  let timelineNote: string | undefined;
  const emptyHist = createHistogram();
  if (agg.buckets.size > 0) {
    let first = Infinity;
    let last = -Infinity;
    for (const i of agg.buckets.keys()) {
      if (i < first) first = i;
      if (i > last) last = i;
    }
    const intervalS = agg.intervalMs / 1000;
    const span = last - first + 1;
    const sparse = span > MAX_DENSE_TIMELINE_POINTS ? [...agg.buckets.keys()].sort((a, b) => a - b) : null;
    if (sparse) {
      timelineNote = `the samples span ${Math.round(span * intervalS / 3600)} h with long gaps (a wrong clock on the load generator?); the timeline lists only the ${sparse.length} intervals that have samples`;
    }
    let users: number | null = null;
    for (let k = 0; k < (sparse ? sparse.length : span); k++) {
      const i = sparse ? sparse[k]! : first + k;
      const b = agg.buckets.get(i);
      // k6 samples `vus` about once a second; a finer bucket without a sample keeps the last value.
      if (b?.users !== null && b?.users !== undefined) users = b.users;
      const point: TimelinePoint = {
        t: round9((i - first) * intervalS),
        requests: b ? reqsOf(b) : 0,
        failures: b ? b.failures : 0,
        users,
        latencyMs: b?.sealed ? b.sealed.latency : timelineLatencyFromHistogram(b ? b.hist! : emptyHist, b && b.durations > 0 ? b.maxMs : undefined),
      };
      if (b && b.durations > 0) point.histogram = b.sealed ? b.sealed.histogram : encodeHistogram(b.hist!);
      timeline.push(point);
    }
  }

  // A total order, so the list does not depend on the order samples were read in (workers).
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const errors = [...agg.errors.values()].sort((a, b) => b.count - a.count || cmp(a.endpoint, b.endpoint) || cmp(a.message, b.message) || cmp(a.method ?? '', b.method ?? '') || cmp(a.status ?? '', b.status ?? ''));

  const metrics: RunMetrics = {};
  if (agg.iterations > 0) metrics.iterations = agg.iterations;
  if (agg.droppedIterations > 0) metrics.droppedIterations = agg.droppedIterations;
  if (agg.sawChecks) metrics.checks = { passes: agg.checksPass, fails: agg.checksFail };
  if (agg.vusMax !== null) metrics.vusMax = agg.vusMax;
  if (agg.dataSent !== null) metrics.dataSentBytes = agg.dataSent;
  if (agg.dataReceived !== null) metrics.dataReceivedBytes = agg.dataReceived;
  if (agg.dataReceived !== null && durationS) metrics.throughputBytesPerSec = agg.dataReceived / durationS;
  if (agg.custom.size > 0) {
    metrics.custom = {};
    for (const name of [...agg.custom.keys()].sort()) metrics.custom[name] = customSummary(agg.metricTypes.get(name), agg.custom.get(name)!, durationS);
  }

  return {
    start: hasTime ? new Date(agg.minTimeMs).toISOString() : null,
    end: hasTime ? new Date(agg.maxTimeMs).toISOString() : null,
    durationS,
    summary,
    endpoints,
    timeline,
    errors,
    metrics,
    ...(timelineNote ? { timelineNote } : {}),
    ...(folding.folded > 0 ? { foldedEndpoints: folding.folded } : {}),
  };
}

function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/**
 * The run part of a k6 sample file (NDJSON or CSV) from its finished aggregate: both
 * formats carry every sample, so they provide the same parts of the model.
 */
export function samplesPart(file: string, format: string, rank: number, agg: K6Aggregate, ctx: IngestContext): RunPart {
  const result = finishAggregate(agg);
  if (result.timelineNote) ctx.warn({ message: result.timelineNote });
  if (agg.endpoints.has(' ' + OTHER_ENDPOINTS)) {
    ctx.warn({ message: `more than ${MAX_STREAMING_ENDPOINTS} distinct endpoint names (URLs with ids and no name tag? give requests a name tag); the samples of later names were counted under "${OTHER_ENDPOINTS}"` });
  }
  if (result.foldedEndpoints) {
    ctx.warn({ message: `${result.endpoints.length - 1 + result.foldedEndpoints} endpoints: kept the ${MAX_ENDPOINTS} with the most requests and folded the other ${result.foldedEndpoints} into "${OTHER_ENDPOINTS}"` });
  }
  return {
    ...emptyRunPart({ groupKey: path.dirname(file), rank, tool: 'k6', source: { path: file, format, provides: ['summary', 'endpoints', 'timeline', 'errors', 'metrics'] } }),
    start: result.start,
    end: result.end,
    durationS: result.durationS,
    summary: result.summary,
    endpoints: result.endpoints,
    timelineIntervalS: ctx.options.timelineIntervalS,
    timelineLatency: result.timeline.some((p) => p.latencyMs.p50 !== null) ? 'interval' : 'none',
    timeline: result.timeline,
    errors: result.errors,
    metrics: result.metrics,
    labels: runTagLabels(agg, (message) => ctx.warn({ message })),
  };
}
