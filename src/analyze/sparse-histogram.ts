// Per-bucket HDR histograms decoded once into sparse (value, count) lists, so sliding
// windows and bootstrap resamples merge them cheaply: an HdrHistogram add or percentile
// query scans the whole counts array (tens of thousands of slots), a sparse merge only
// the values recorded. Percentiles are defined as src/model/histogram.ts percentileMs
// defines them for whole runs (interpolating between neighbouring samples as k6 does).
import { inflateSync } from 'node:zlib';
import { build as buildHistogram } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import { decodeFromCompressedBase64, interpolatedPercentilesMs } from '../model/histogram.js';

export interface SparseHistogram {
  /** Highest equivalent value of each recorded HDR bucket (µs), ascending. */
  keys: number[];
  /** Median equivalent value of the same bucket (µs): what percentileMs reports. */
  mids: number[];
  counts: number[];
  /** The HDR counts-array index of each value: the same index is the same value among histograms of one `scale`. */
  index: number[];
  /** The HDR layout (unit and sub-bucket magnitudes) the indexes belong to. */
  scale: number;
  total: number;
  minNonZero: number;
  max: number;
}

interface DecodedHistogram {
  countsArrayLength: number;
  totalCount: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(v: number): number;
  medianEquivalentValue(v: number): number;
  minNonZeroValue: number;
  maxValue: number;
  unitMagnitude: number;
  subBucketHalfCountMagnitude: number;
  destroy(): void;
}

const cache = new Map<string, SparseHistogram>();
const CACHE_LIMIT = 20_000;

/**
 * The value and median value of each HDR index, by layout, filled as indexes are met:
 * thousands of bucket histograms share them, and hdr-histogram-js computes each through
 * several method calls (a fifth of a cold analysis of a 10-run study).
 */
const valueTables = new Map<number, { keys: Float64Array; mids: Float64Array }>();

function valueTable(scale: number, size: number): { keys: Float64Array; mids: Float64Array } {
  let t = valueTables.get(scale);
  if (!t || t.keys.length < size) {
    const keys = new Float64Array(size).fill(NaN);
    const mids = new Float64Array(size);
    if (t) {
      keys.set(t.keys);
      mids.set(t.mids);
    }
    t = { keys, mids };
    valueTables.set(scale, t);
  }
  return t;
}

/** The value (highest equivalent) of HDR slot `i`, from the table, computed by `h` and kept there (with its median) the first time. */
function slotValue(table: { keys: Float64Array; mids: Float64Array }, h: Pick<DecodedHistogram, 'valueFromIndex' | 'highestEquivalentValue' | 'medianEquivalentValue'>, i: number): number {
  let value = table.keys[i]!;
  if (value !== value) {
    value = table.keys[i] = h.highestEquivalentValue(h.valueFromIndex(i));
    table.mids[i] = h.medianEquivalentValue(value);
  }
  return value;
}

export function decodeSparse(encoded: string): SparseHistogram {
  const hit = cache.get(encoded);
  if (hit) return hit;
  const out = decodeDirect(encoded) ?? decodeSparseWithHdr(encoded);
  // Bounded memoization: identical buckets (and repeated analyses of one run) decode once.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(encoded, out);
  return out;
}

const V2_COMPRESSED_COOKIE = 0x1c849304;
const V2_COOKIE = 0x1c849303;
/** Bytes before the counts in an uncompressed V2 encoding: cookie, payload length, offset, digits, lowest, highest, ratio. */
const V2_HEADER_BYTES = 40;

/** A histogram of each layout (lowest discernible value, significant digits), for its index arithmetic. */
const layouts = new Map<string, DecodedHistogram & { unitMagnitudeMask: number; lowestDiscernibleValueRounded: number; valueFromIndex(i: number): number }>();

function layoutOf(lowest: number, digits: number) {
  const key = `${lowest}/${digits}`;
  let h = layouts.get(key);
  if (!h) {
    h = buildHistogram({ bitBucketSize: 32, lowestDiscernibleValue: lowest, highestTrackableValue: Math.max(2 * lowest, 2), numberOfSignificantValueDigits: digits as 1 | 2 | 3 | 4 | 5, autoResize: true, useWebAssembly: false }) as unknown as typeof h;
    layouts.set(key, h!);
  }
  return h!;
}

/**
 * Reads an encoded histogram (HdrHistogram's V2 compressed encoding: a cookie, the deflated
 * length, then deflated: a header and the counts as ZigZag LEB128 words, a run of zeros as
 * one negative word) straight into its recorded slots, with no histogram object: allocating
 * and filling a counts array of ~13,000 slots per timeline bucket, and walking it, was half
 * of a cold analysis of a 10-run study. The extremes are hdr-histogram-js's own arithmetic
 * (establishInternalTackingValues), so the result equals decodeSparseWithHdr's (tested).
 * Null for anything else (decodeSparseWithHdr reads it or says why not).
 */
export function decodeDirect(encoded: string): SparseHistogram | null {
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length < 8 || (raw.readInt32BE(0) & ~0xf0) !== V2_COMPRESSED_COOKIE) return null;
  const length = raw.readInt32BE(4);
  if (length < 0 || 8 + length > raw.length) return null;
  let data: Buffer;
  try {
    data = inflateSync(raw.subarray(8, 8 + length));
  } catch {
    return null;
  }
  if (data.length < V2_HEADER_BYTES) return null;
  const cookie = data.readInt32BE(0);
  // V2 always means 9-byte words (LEB128 with ZigZag), whatever the cookie's size nibble says.
  if ((cookie & ~0xf0) !== V2_COOKIE) return null;
  const payload = data.readInt32BE(4);
  const digits = data.readInt32BE(12);
  const lowest = Number(data.readBigInt64BE(16));
  if (payload < 0 || V2_HEADER_BYTES + payload > data.length || !(digits >= 1 && digits <= 5) || !(lowest >= 1 && Number.isSafeInteger(lowest))) return null;
  const h = layoutOf(lowest, digits);
  const out: SparseHistogram = { keys: [], mids: [], counts: [], index: [], scale: h.unitMagnitude * 64 + h.subBucketHalfCountMagnitude, total: 0, minNonZero: Number.MAX_VALUE, max: 0 };
  let table = valueTable(out.scale, 0);
  let index = 0;
  let minNonZeroIndex = -1;
  let p = V2_HEADER_BYTES;
  const end = V2_HEADER_BYTES + payload;
  while (p < end) {
    // One LEB128 word, 7 bits per byte, the ninth byte whole (as hdr-histogram-js reads it).
    let v = 0;
    let scale = 1;
    for (let k = 0; ; k++) {
      if (p >= end) return null;
      const b = data[p++]!;
      if (k === 8) {
        v += b * scale;
        break;
      }
      v += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
      scale *= 128;
    }
    const count = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    if (count < 0) {
      index -= count;
      continue;
    }
    if (count > 0) {
      if (index >= table.keys.length) table = valueTable(out.scale, Math.max(index + 1, 2 * table.keys.length, 4096));
      out.keys.push(slotValue(table, h, index));
      out.mids.push(table.mids[index]!);
      out.counts.push(count);
      out.index.push(index);
      out.total += count;
      if (minNonZeroIndex === -1 && index !== 0) minNonZeroIndex = index;
    }
    index++;
  }
  const last = out.index.length > 0 ? out.index[out.index.length - 1]! : -1;
  if (last >= 0) out.max = h.highestEquivalentValue(h.valueFromIndex(last)) + h.unitMagnitudeMask;
  if (minNonZeroIndex >= 0) {
    const v = h.valueFromIndex(minNonZeroIndex);
    if (v > h.unitMagnitudeMask) out.minNonZero = Math.floor(v / h.lowestDiscernibleValueRounded) * h.lowestDiscernibleValueRounded;
  }
  return out;
}

/**
 * The same through hdr-histogram-js: a histogram object (its counts array allocated and
 * filled) walked for its recorded slots. For layouts or encodings decodeDirect does not
 * read, and as the reference its tests compare with.
 */
export function decodeSparseWithHdr(encoded: string): SparseHistogram {
  const h = decodeFromCompressedBase64(encoded, 32, false) as unknown as DecodedHistogram;
  const out: SparseHistogram = { keys: [], mids: [], counts: [], index: [], scale: h.unitMagnitude * 64 + h.subBucketHalfCountMagnitude, total: 0, minNonZero: h.minNonZeroValue, max: h.maxValue };
  // The recorded values in index order, as hdr's recordedValuesIterator yields them
  // (value = highest equivalent value of the slot). Walked directly: the iterator
  // computes a value for every one of the tens of thousands of slots, most of them empty,
  // which was most of the analysis of a small study (tested against the iterator).
  const n = h.countsArrayLength;
  const totalCount = h.totalCount;
  const table = valueTable(out.scale, n);
  for (let i = 0; i < n && out.total < totalCount; i++) {
    const count = h.getCountAtIndex(i);
    if (count === 0) continue;
    out.keys.push(slotValue(table, h, i));
    out.mids.push(table.mids[i]!);
    out.counts.push(count);
    out.index.push(i);
    out.total += count;
  }
  h.destroy();
  return out;
}

/**
 * Percentiles (0–100) in ms of the union of the histograms; null when empty. The same
 * definition as percentileMs for whole runs (linear interpolation between the samples
 * around p/100·(n−1), each sample read as its bucket's median equivalent value clamped
 * to the recorded extremes), so windows and phases read as whole runs do: on a sparse
 * tail nearest-rank could be a whole sample gap away from the run's own figure.
 */
export function mergedPercentilesMs(parts: readonly SparseHistogram[], percents: readonly number[]): Array<number | null> {
  const { total, minNonZero, max, entries } = extremesOf(parts, 0, parts.length);
  if (total === 0) return percents.map(() => null);
  if (parts.length > MANY_PARTS) {
    const dense = denseCounts(parts, mergeScratch);
    if (dense) {
      mergeScratch = dense;
      for (const p of parts) if (p.total > 0) dense.add(p, 1);
      try {
        return interpolatedPercentilesMs(total, percents, (ranks) => dense.valuesAtRanks(ranks, minNonZero, max));
      } finally {
        // Emptied for the next merge that reuses them.
        for (const p of parts) if (p.total > 0) dense.add(p, -1);
      }
    }
  }
  const [merged, n] = mergeByKey(parts, entries);
  return interpolatedPercentilesMs(total, percents, (ranks) => {
    // The samples at the ranks, in one pass over the entries in key order.
    const values = new Array<number>(ranks.length).fill(max);
    let acc = 0;
    let r = 0;
    for (let e = 0; e < n && r < ranks.length; e++) {
      acc += merged.counts[e]!;
      const key = merged.keys[e]!;
      while (r < ranks.length && acc >= ranks[r]!) values[r++] = key === 0 ? 0 : Math.min(Math.max(merged.mids[e]!, minNonZero), max);
    }
    return values;
  });
}

/** What the parts[lo, hi) with values hold together: their count, smallest non-zero and largest value, and recorded slots. */
function extremesOf(parts: ReadonlyArray<SparseHistogram | null>, lo: number, hi: number): { total: number; minNonZero: number; max: number; entries: number } {
  let total = 0;
  let minNonZero = Number.MAX_SAFE_INTEGER;
  let max = 0;
  let entries = 0;
  for (let i = lo; i < hi; i++) {
    const p = parts[i];
    if (!p || p.total === 0) continue;
    total += p.total;
    minNonZero = Math.min(minNonZero, p.minNonZero);
    max = Math.max(max, p.max);
    entries += p.keys.length;
  }
  return { total, minNonZero, max, entries };
}

/** Entries as parallel arrays; two sets, reused across calls (windows merge thousands of times). */
interface Entries {
  keys: Float64Array;
  mids: Float64Array;
  counts: Float64Array;
}
const scratch: [Entries, Entries] = [entriesOf(4096), entriesOf(4096)];

function entriesOf(n: number): Entries {
  return { keys: new Float64Array(n), mids: new Float64Array(n), counts: new Float64Array(n) };
}

/**
 * Every part's entries in ascending key order, one entry per key (counts added), and how
 * many. Each part is sorted already, so the parts are merged pairwise, round after round,
 * like the passes of a merge sort: no per-entry objects and no comparison callbacks
 * (sorting [key, mid, count] tuples was most of a study's analysis, with the garbage they
 * left). Equal keys are the same HDR bucket, with the same mid, so they become one entry,
 * and the lists of later rounds stay as short as the buckets the window has.
 */
/**
 * Above this many parts (a whole phase of a long run: hundreds of buckets), parts of one
 * HDR layout are summed by their counts index and read in index order (the sliding
 * windows' dense counts); pairwise merging would move every entry once per round (log2 of
 * the parts). Both give the same samples at every rank.
 */
const MANY_PARTS = 16;
/** The dense counts of the last many-part merge, empty again after it, reused by the next. */
let mergeScratch: DenseCounts | null = null;

function mergeByKey(parts: readonly SparseHistogram[], entries: number): [Entries, number] {
  if (scratch[0].keys.length < entries) {
    const size = Math.max(entries, 2 * scratch[0].keys.length);
    scratch[0] = entriesOf(size);
    scratch[1] = entriesOf(size);
  }
  let from = scratch[0];
  let to = scratch[1];
  // Runs: where each part's entries start in `from` (and, last, where they end).
  let bounds: number[] = [0];
  let n = 0;
  for (const p of parts) {
    if (p.total === 0 || p.keys.length === 0) continue;
    for (let i = 0; i < p.keys.length; i++, n++) {
      from.keys[n] = p.keys[i]!;
      from.mids[n] = p.mids[i]!;
      from.counts[n] = p.counts[i]!;
    }
    bounds.push(n);
  }
  while (bounds.length > 2) {
    const next: number[] = [0];
    for (let b = 0; b + 1 < bounds.length; b += 2) {
      const lo = bounds[b]!;
      const mid = bounds[b + 1]!;
      const hi = b + 2 < bounds.length ? bounds[b + 2]! : mid;
      let i = lo;
      let j = mid;
      // Merged runs are written one after another: equal keys made them shorter than their inputs.
      let o = next[next.length - 1]!;
      while (i < mid && j < hi) {
        const ki = from.keys[i]!;
        const kj = from.keys[j]!;
        if (ki === kj) {
          to.keys[o] = ki;
          to.mids[o] = from.mids[i]!;
          to.counts[o++] = from.counts[i++]! + from.counts[j++]!;
          continue;
        }
        const k = kj < ki ? j++ : i++;
        to.keys[o] = from.keys[k]!;
        to.mids[o] = from.mids[k]!;
        to.counts[o++] = from.counts[k]!;
      }
      for (; i < mid; i++, o++) {
        to.keys[o] = from.keys[i]!;
        to.mids[o] = from.mids[i]!;
        to.counts[o] = from.counts[i]!;
      }
      for (; j < hi; j++, o++) {
        to.keys[o] = from.keys[j]!;
        to.mids[o] = from.mids[j]!;
        to.counts[o] = from.counts[j]!;
      }
      next.push(o);
    }
    bounds = next;
    [from, to] = [to, from];
  }
  return [from, bounds[bounds.length - 1]!];
}

/**
 * Percentiles of sliding windows over a sequence of histograms: each part's counts are
 * added over the union of all parts' values when it enters the window and taken away
 * when it leaves, so a window costs one pass over the distinct values instead of merging
 * all its parts again (a 10-run study spent ~0.45 s in those merges). The figures are
 * mergedPercentilesMs's for the window's parts, value for value.
 */
export interface SlidingPercentiles {
  /** Makes the window parts [lo, hi) (indexes into the parts given): adds and removes the difference. */
  moveTo(lo: number, hi: number): void;
  /** Percentiles (0–100) in ms of the window; null when it holds no value. */
  percentiles(percents: readonly number[]): Array<number | null>;
}

/** Blocks of 64 indexes: a percentile walk skips a block whose values all lie below its rank. */
const BLOCK_BITS = 6;

/** Counts by HDR index over histograms of one layout, with block sums; the value and mid of each index as seen. */
interface DenseCounts {
  size: number;
  counts: Float64Array;
  blocks: Float64Array;
  keys: Float64Array;
  mids: Float64Array;
  scale: number;
  add(p: SparseHistogram, sign: 1 | -1): void;
  /** Values (µs) at 1-based ascending ranks, as mergedPercentilesMs reads them. */
  valuesAtRanks(ranks: readonly number[], minNonZero: number, max: number): number[];
}

/** Dense counts for `parts` (reusing `reuse` when it is big enough and of their layout); null when the parts' layouts differ. */
function denseCounts(parts: ReadonlyArray<SparseHistogram | null>, reuse: DenseCounts | null): DenseCounts | null {
  let scale = -1;
  let size = 0;
  for (const p of parts) {
    if (!p || p.index.length === 0) continue;
    if (scale >= 0 && p.scale !== scale) return null;
    scale = p.scale;
    size = Math.max(size, p.index[p.index.length - 1]! + 1);
  }
  if (reuse && reuse.size >= size && (reuse.scale === scale || scale < 0)) return reuse;
  const counts = new Float64Array(size);
  const blocks = new Float64Array((size >> BLOCK_BITS) + 1);
  const keys = new Float64Array(size);
  const mids = new Float64Array(size);
  return {
    size,
    counts,
    blocks,
    keys,
    mids,
    scale,
    add(p, sign) {
      const idx = p.index;
      for (let e = 0; e < idx.length; e++) {
        const i = idx[e]!;
        const c = sign * p.counts[e]!;
        counts[i] += c;
        blocks[i >> BLOCK_BITS] += c;
        keys[i] = p.keys[e]!;
        mids[i] = p.mids[e]!;
      }
    },
    valuesAtRanks(ranks, minNonZero, max) {
      const values = new Array<number>(ranks.length).fill(max);
      let acc = 0;
      let r = 0;
      for (let b = 0; b < blocks.length && r < ranks.length; b++) {
        if (acc + blocks[b]! < ranks[r]!) {
          acc += blocks[b]!;
          continue;
        }
        const last = Math.min(size, (b + 1) << BLOCK_BITS);
        for (let e = b << BLOCK_BITS; e < last && r < ranks.length; e++) {
          const c = counts[e]!;
          if (c === 0) continue;
          acc += c;
          const key = keys[e]!;
          while (r < ranks.length && acc >= ranks[r]!) values[r++] = key === 0 ? 0 : Math.min(Math.max(mids[e]!, minNonZero), max);
        }
      }
      return values;
    },
  };
}

export function slidingPercentiles(parts: ReadonlyArray<SparseHistogram | null>): SlidingPercentiles {
  // Histograms of different layouts (never from one run of one tool) are merged afresh for each window.
  const dense = denseCounts(parts, null);
  let lo = 0;
  let hi = 0;
  const apply = (i: number, sign: 1 | -1) => {
    const p = parts[i];
    if (p && p.total > 0) dense!.add(p, sign);
  };
  return {
    moveTo(newLo, newHi) {
      if (dense) {
        for (let i = Math.max(hi, newLo); i < newHi; i++) apply(i, 1);
        for (let i = newLo; i < Math.min(lo, newHi); i++) apply(i, 1);
        for (let i = lo; i < hi; i++) if (i < newLo || i >= newHi) apply(i, -1);
      }
      lo = newLo;
      hi = newHi;
    },
    percentiles(percents) {
      if (!dense) return mergedPercentilesMs(parts.slice(lo, hi).filter((p): p is SparseHistogram => p !== null), percents);
      const { total, minNonZero, max } = extremesOf(parts, lo, hi);
      if (total === 0) return percents.map(() => null);
      return interpolatedPercentilesMs(total, percents, (ranks) => dense.valuesAtRanks(ranks, minNonZero, max));
    },
  };
}
