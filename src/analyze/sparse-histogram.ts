// Per-bucket HDR histograms decoded once into sparse (value, count) lists, so sliding
// windows and bootstrap resamples merge them cheaply: an HdrHistogram add or percentile
// query scans the whole counts array (tens of thousands of slots), a sparse merge only
// the values recorded. Percentiles are defined as src/model/histogram.ts percentileMs
// defines them for whole runs (interpolating between neighbouring samples as k6 does).
import { decodeFromCompressedBase64, interpolatedPercentilesMs } from '../model/histogram.js';

export interface SparseHistogram {
  /** Highest equivalent value of each recorded HDR bucket (µs), ascending. */
  keys: number[];
  /** Median equivalent value of the same bucket (µs): what percentileMs reports. */
  mids: number[];
  counts: number[];
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
  destroy(): void;
}

const cache = new Map<string, SparseHistogram>();
const CACHE_LIMIT = 20_000;

export function decodeSparse(encoded: string): SparseHistogram {
  const hit = cache.get(encoded);
  if (hit) return hit;
  const h = decodeFromCompressedBase64(encoded, 32, false) as unknown as DecodedHistogram;
  const out: SparseHistogram = { keys: [], mids: [], counts: [], total: 0, minNonZero: h.minNonZeroValue, max: h.maxValue };
  // The recorded values in index order, as hdr's recordedValuesIterator yields them
  // (value = highest equivalent value of the slot). Walked directly: the iterator
  // computes a value for every one of the tens of thousands of slots, most of them empty,
  // which was most of the analysis of a small study (tested against the iterator).
  const n = h.countsArrayLength;
  const totalCount = h.totalCount;
  for (let i = 0; i < n && out.total < totalCount; i++) {
    const count = h.getCountAtIndex(i);
    if (count === 0) continue;
    const value = h.highestEquivalentValue(h.valueFromIndex(i));
    out.keys.push(value);
    out.mids.push(h.medianEquivalentValue(value));
    out.counts.push(count);
    out.total += count;
  }
  h.destroy();
  // Bounded memoization: identical buckets (and repeated analyses of one run) decode once.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(encoded, out);
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
  let total = 0;
  let minNonZero = Number.MAX_SAFE_INTEGER;
  let max = 0;
  let entries = 0;
  for (const p of parts) {
    if (p.total === 0) continue;
    total += p.total;
    minNonZero = Math.min(minNonZero, p.minNonZero);
    max = Math.max(max, p.max);
    entries += p.keys.length;
  }
  if (total === 0) return percents.map(() => null);
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
