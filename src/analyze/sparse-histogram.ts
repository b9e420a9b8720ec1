// Per-bucket HDR histograms decoded once into sparse (value, count) lists, so sliding
// windows and bootstrap resamples merge them cheaply: an HdrHistogram add or percentile
// query scans the whole counts array (tens of thousands of slots), a sparse merge only
// the values recorded. Percentiles are defined as src/model/histogram.ts percentileMs
// defines them for whole runs (interpolating between neighbouring samples as k6 does).
import * as hdr from 'hdr-histogram-js';
import { interpolatedPercentilesMs } from '../model/histogram.js';

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
  const h = hdr.decodeFromCompressedBase64(encoded, 32, false) as unknown as DecodedHistogram;
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
  const entries: Array<[number, number, number]> = [];
  for (const p of parts) {
    if (p.total === 0) continue;
    total += p.total;
    minNonZero = Math.min(minNonZero, p.minNonZero);
    max = Math.max(max, p.max);
    for (let i = 0; i < p.keys.length; i++) entries.push([p.keys[i]!, p.mids[i]!, p.counts[i]!]);
  }
  if (total === 0) return percents.map(() => null);
  entries.sort((a, b) => a[0] - b[0]);
  return interpolatedPercentilesMs(total, percents, (ranks) => {
    // The samples at the ranks, in one pass over the entries.
    const values = new Array<number>(ranks.length).fill(max);
    let acc = 0;
    let r = 0;
    for (let e = 0; e < entries.length && r < ranks.length; e++) {
      const [key, mid, count] = entries[e]!;
      acc += count;
      while (r < ranks.length && acc >= ranks[r]!) values[r++] = key === 0 ? 0 : Math.min(Math.max(mid, minNonZero), max);
    }
    return values;
  });
}
