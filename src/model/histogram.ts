// Mergeable latency histograms (HdrHistogram, microsecond resolution, 3 significant
// digits). Ingesters record every sample here instead of keeping the samples, so
// memory stays flat whatever the input size; endpoints, time buckets and runs merge
// with `add` the way autocannon merges its workers.
import * as hdr from 'hdr-histogram-js';
import type { LatencyMs, TimelineLatency } from './types.js';

export type Histogram = hdr.Histogram;

/** One hour in µs; autoResize lets a histogram grow past it when a sample needs it. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 'packed',
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
}

/**
 * The same histogram with a plain 32-bit counts array instead of the packed one: about
 * 50 KB instead of a few KB, but recording is ~2x and reading percentiles or encoding
 * 10-80x faster (the packed array walks a tree for every index it reads). For the few
 * histograms that are hot while samples stream in; keep long-lived ones encoded.
 */
export function createDenseHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    // Starts at ~1 s and grows (autoResize) when a sample needs it, so the array stays small.
    highestTrackableValue: 2 ** 20,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** Records a latency in milliseconds. Negative and non-finite values are the caller's to reject. */
export function recordMs(h: Histogram, ms: number, count = 1): void {
  const us = Math.round(ms * 1000);
  if (count === 1) h.recordValue(us < 0 ? 0 : us);
  else h.recordValueWithCount(us < 0 ? 0 : us, count);
}

/**
 * Value at a percentile (0–100) in ms. HdrHistogram answers with the highest value
 * equivalent to the bucket the percentile falls in; we report the bucket's median
 * equivalent value, which halves the worst-case error (≤ 0.05% at 3 digits).
 */
export function percentileMs(h: Histogram, p: number): number | null {
  if (h.totalCount === 0) return null;
  const v = h.getValueAtPercentile(p);
  const js = h as unknown as { medianEquivalentValue?: (v: number) => number };
  const mid = typeof js.medianEquivalentValue === 'function' && v > 0 ? js.medianEquivalentValue(v) : v;
  // Never report a percentile outside the recorded range.
  const lowest = v === 0 ? 0 : h.minNonZeroValue;
  return Math.min(Math.max(mid, lowest), h.maxValue) / 1000;
}

export function mergeInto(target: Histogram, other: Histogram): void {
  target.add(other);
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(s: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(s, 'packed', false);
  // Copy into an auto-resizing histogram so later merges never overflow.
  const h = createHistogram();
  h.add(decoded);
  decoded.destroy();
  return h;
}

/** Merges several encoded histograms into one. */
export function mergeEncoded(encoded: Iterable<string>): Histogram {
  const h = createHistogram();
  for (const s of encoded) {
    const d = hdr.decodeFromCompressedBase64(s, 'packed', false);
    h.add(d);
    d.destroy();
  }
  return h;
}

export interface ExactExtras {
  /** Exact sum of the samples in ms, for an exact mean. */
  sumMs?: number;
  minMs?: number;
  maxMs?: number;
}

export function latencyFromHistogram(h: Histogram, exact: ExactExtras = {}): LatencyMs {
  const n = h.totalCount;
  if (n === 0) return { min: null, mean: null, p50: null, p90: null, p95: null, p99: null, max: null };
  const minUs = h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue;
  return {
    min: exact.minMs ?? minUs / 1000,
    mean: exact.sumMs !== undefined ? exact.sumMs / n : h.mean / 1000,
    p50: percentileMs(h, 50),
    p90: percentileMs(h, 90),
    p95: percentileMs(h, 95),
    p99: percentileMs(h, 99),
    max: exact.maxMs ?? h.maxValue / 1000,
  };
}

export function timelineLatencyFromHistogram(h: Histogram, maxMs?: number): TimelineLatency {
  if (h.totalCount === 0) return { p50: null, p90: null, p95: null, p99: null, max: null };
  return {
    p50: percentileMs(h, 50),
    p90: percentileMs(h, 90),
    p95: percentileMs(h, 95),
    p99: percentileMs(h, 99),
    max: maxMs ?? h.maxValue / 1000,
  };
}
