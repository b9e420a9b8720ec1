// Mergeable latency histograms (HdrHistogram, microsecond resolution, 3 significant
// digits). Ingesters record every sample here instead of keeping the samples, so
// memory stays flat whatever the input size; endpoints, time buckets and runs merge
// with `add` the way autocannon merges its workers.
// The two parts of hdr-histogram-js used here, not its index: the index also loads its
// log reader and writer, whose module start-up builds Intl number formats (~15-20 ms of
// every `ce-report` start).
import { build as buildHistogram } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';
import type * as HdrHistogramModule from 'hdr-histogram-js/dist/Histogram.js';
import type { LatencyMs, TimelineLatency } from './types.js';

export type Histogram = HdrHistogramModule.default;
export { decodeFromCompressedBase64 };

/** One hour in µs; autoResize lets a histogram grow past it when a sample needs it. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

export function createHistogram(): Histogram {
  return buildHistogram({
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
  return buildHistogram({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    // Starts at ~1 s and grows (autoResize) when a sample needs it, so the array stays small.
    highestTrackableValue: DENSE_RANGE_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** Records a latency in milliseconds. Negative and non-finite values are the caller's to reject. */
export function recordMs(h: Histogram, ms: number, count = 1): void {
  const us = Math.round(ms * 1000);
  if (count === 1) recordOne(h, us < 0 ? 0 : us);
  else h.recordValueWithCount(us < 0 ? 0 : us, count);
}

/** The parts of hdr-histogram-js's JsHistogram that recordOne uses (public members of its class, not of its typings). */
interface JsHistogramParts {
  unitMagnitude: number;
  subBucketHalfCountMagnitude: number;
  countsArrayLength: number;
  incrementCountAtIndex(index: number): void;
  updateMinAndMax(value: number): void;
  incrementTotalCount(): void;
}

/**
 * `h.recordValue(v)` for one value. hdr-histogram-js finds the counts slot with
 * Math.log2 and two Math.pow calls per value (~150 ns here, a few % of reading a big
 * k6 file); for the integers below 2^30 our histograms record (µs: under 18 minutes) the
 * same slot is integer arithmetic (~10 ns). Anything else (a larger value, a slot past the
 * array, which makes the library grow it) goes through the library. A property test
 * (test/histogram.test.ts) checks that both give identical histograms.
 */
function recordOne(h: Histogram, v: number): void {
  const j = h as unknown as JsHistogramParts;
  if (v < 0x40000000 && j.unitMagnitude === 0) {
    const m = j.subBucketHalfCountMagnitude;
    // bucket = floor(log2(v)) - m, at least 0 (v = 0 included: clz32(0) is 32).
    const bucket = Math.max(31 - Math.clz32(v) - m, 0);
    const index = (bucket << m) + (v >>> bucket);
    if (index < j.countsArrayLength) {
      j.incrementCountAtIndex(index);
      j.updateMinAndMax(v);
      j.incrementTotalCount();
      return;
    }
  }
  h.recordValue(v);
}

/**
 * Value at a percentile (0–100) in ms, by linear interpolation between the two samples
 * around the position p/100·(n−1): the definition k6 (and numpy, and most tools that
 * report from samples) uses, so our figures compare with k6's own summary even on a
 * sparse tail, where nearest-rank can be a whole sample-gap away (5% on a real k6 run's
 * p99). Each sample is read as its HDR bucket's median equivalent value, so the error
 * against the exact samples stays within the histogram's precision (≤ 0.05% at 3 digits).
 */
export function percentileMs(h: Histogram, p: number): number | null {
  return percentilesMs(h, [p])[0]!;
}

/** percentileMs for several percentiles, in one pass over the counts. */
function percentilesMs(h: Histogram, ps: readonly number[]): Array<number | null> {
  if (h.totalCount === 0) return ps.map(() => null);
  return interpolatedPercentilesMs(h.totalCount, ps, (ranks) => valuesAtRanks(h, ranks));
}

/**
 * Percentiles (0–100) in ms of `n` > 0 samples by percentileMs's definition: linear
 * interpolation between the samples around p/100·(n−1). `valuesAt` gets 1-based ranks in
 * ascending order (two percentiles can share a rank) and returns each rank's sample in µs.
 * Shared by whole histograms and by the merged sparse ones of windows and phases
 * (src/analyze/sparse-histogram.ts), which run it for every window and bootstrap
 * resample: a handful of ranks in a plain array, no sets or maps.
 */
export function interpolatedPercentilesMs(n: number, ps: readonly number[], valuesAt: (ranks: readonly number[]) => number[]): number[] {
  const k = ps.length;
  const lo = new Array<number>(k);
  const frac = new Array<number>(k);
  const ranks: number[] = [];
  for (let i = 0; i < k; i++) {
    const pos = (Math.min(Math.max(ps[i]!, 0), 100) / 100) * (n - 1);
    lo[i] = Math.floor(pos);
    frac[i] = pos - lo[i]!;
    ranks.push(lo[i]! + 1, frac[i]! > 0 ? lo[i]! + 2 : lo[i]! + 1);
  }
  ranks.sort((x, y) => x - y);
  const values = valuesAt(ranks);
  const valueAt = (rank: number) => values[ranks.indexOf(rank)]!;
  const out = new Array<number>(k);
  for (let i = 0; i < k; i++) {
    const a = valueAt(lo[i]! + 1);
    const b = frac[i]! > 0 ? valueAt(lo[i]! + 2) : a;
    out[i] = (a + (b - a) * frac[i]!) / 1000;
  }
  return out;
}

/**
 * The recorded values (µs) at 1-based ranks in ascending order, in one pass over the
 * counts. A value is its bucket's median equivalent, kept inside the recorded [min, max].
 */
function valuesAtRanks(h: Histogram, ranks: readonly number[]): number[] {
  const js = h as unknown as {
    countsArrayLength: number;
    getCountAtIndex(i: number): number;
    valueFromIndex(i: number): number;
    medianEquivalentValue(v: number): number;
  };
  const lowest = h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue;
  const highest = h.maxValue;
  const valueAt = (i: number): number => {
    const v = js.valueFromIndex(i);
    if (v === 0) return 0;
    return Math.min(Math.max(js.medianEquivalentValue(v), lowest), highest);
  };
  const out: number[] = [];
  let seen = 0;
  for (let i = 0; i < js.countsArrayLength && out.length < ranks.length; i++) {
    const c = js.getCountAtIndex(i);
    if (c === 0) continue;
    seen += c;
    while (out.length < ranks.length && seen >= ranks[out.length]!) out.push(valueAt(i));
  }
  // Counts and totalCount disagree only for a corrupt histogram; answer with the maximum.
  while (out.length < ranks.length) out.push(highest);
  return out;
}

export function mergeInto(target: Histogram, other: Histogram): void {
  target.add(other);
}

/** The initial range of a dense histogram (createDenseHistogram), in µs. */
const DENSE_RANGE_US = 2 ** 20;

/**
 * The encoded histogram: the same samples always encode the same. A dense histogram that
 * grew past its initial range carries its new range in the encoding's header, and how far
 * it grew depends on how it was filled: recording one sample at a time it doubles
 * (4,194,303 µs for a 2.5 s maximum), merged from parts (worker threads) it fits the
 * largest value (2,521,087 µs). So such a one is re-fitted to its largest value first,
 * and a file reads to the same model whether or not it was split between threads.
 */
export function encodeHistogram(h: Histogram): string {
  const dense = (h as unknown as { _counts?: unknown })._counts instanceof Uint32Array;
  if (dense && h.highestTrackableValue > DENSE_RANGE_US) {
    const fitted = createDenseHistogram();
    fitted.add(h);
    if (fitted.highestTrackableValue !== h.highestTrackableValue) {
      const s = encodeIntoCompressedBase64(fitted);
      fitted.destroy();
      return s;
    }
    fitted.destroy();
  }
  return encodeIntoCompressedBase64(h);
}

export function decodeHistogram(s: string): Histogram {
  const decoded = decodeFromCompressedBase64(s, 'packed', false);
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
    const d = decodeFromCompressedBase64(s, 'packed', false);
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

/** p50, p90, p95 and p99 in ms, in one pass. */
function fourPercentiles(h: Histogram): { p50: number | null; p90: number | null; p95: number | null; p99: number | null } {
  const [p50, p90, p95, p99] = percentilesMs(h, [50, 90, 95, 99]);
  return { p50: p50!, p90: p90!, p95: p95!, p99: p99! };
}

export function latencyFromHistogram(h: Histogram, exact: ExactExtras = {}): LatencyMs {
  const n = h.totalCount;
  if (n === 0) return { min: null, mean: null, p50: null, p90: null, p95: null, p99: null, max: null };
  const minUs = h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue;
  return {
    min: exact.minMs ?? minUs / 1000,
    mean: exact.sumMs !== undefined ? exact.sumMs / n : h.mean / 1000,
    ...fourPercentiles(h),
    max: exact.maxMs ?? h.maxValue / 1000,
  };
}

export function timelineLatencyFromHistogram(h: Histogram, maxMs?: number): TimelineLatency {
  if (h.totalCount === 0) return { p50: null, p90: null, p95: null, p99: null, max: null };
  return {
    ...fourPercentiles(h),
    max: maxMs ?? h.maxValue / 1000,
  };
}
