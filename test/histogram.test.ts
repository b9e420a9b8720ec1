// Tests of src/model/histogram.ts against exact percentiles of sorted arrays.
//
// Definitions used here (n samples sorted ascending, p in 0–100):
// - linear interpolation (k6, numpy's default, and what percentileMs computes):
//   position p/100·(n−1), 0-based, interpolated between its two neighbours.
// The histogram keeps 3 significant digits in µs and reads each sample as its bucket's
// middle value, so it must be within 0.1% of the exact percentile for values ≥ 1 ms.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createDenseHistogram,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  latencyFromHistogram,
  mergeEncoded,
  mergeInto,
  percentileMs,
  recordMs,
  timelineLatencyFromHistogram,
  type Histogram,
} from '../src/model/histogram.js';
import * as hdr from 'hdr-histogram-js';
import { decodeDirect, decodeSparse, decodeSparseWithHdr, mergedPercentilesMs, slidingPercentiles } from '../src/analyze/sparse-histogram.js';

const PERCENTILES = [0, 25, 50, 90, 99, 100];
// The µs rounding at recording is part of the histogram's contract; compare with the
// samples as they were recorded, in whole µs.
const asRecorded = (ms: number) => Math.round(ms * 1000) / 1000;

function interpolated(sorted: number[], p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function histogramOf(values: number[]): Histogram {
  const h = createHistogram();
  for (const v of values) recordMs(h, v);
  return h;
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

/** Latencies from 1 ms to 10 min; the upper end also exercises the large buckets. */
const latencies = fc.array(fc.double({ min: 1, max: 600_000, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 200 });

describe('histogram percentiles', () => {
  it('are within 0.1% of the exact linear-interpolated percentile, as k6 computes it (property)', () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const sorted = values.map(asRecorded).sort((a, b) => a - b);
        const h = histogramOf(values);
        for (const p of PERCENTILES) {
          const exact = interpolated(sorted, p);
          const got = percentileMs(h, p)!;
          if (relErr(got, exact) > 0.001) throw new Error(`p${p}: histogram ${got}, exact ${exact}`);
        }
      }),
      { numRuns: 200, seed: 20261122 },
    );
  });

  it('interpolate between two far-apart samples on a sparse tail, like k6', () => {
    // 100 samples: 99 at 10 ms and one at 1000 ms. p99 sits at position 98.01 between
    // the 99th (10 ms) and the 100th (1000 ms) sample: 10 + 0.01 × 990 = 19.9 ms.
    // Nearest-rank would answer 10 ms; k6's summary says 19.9.
    const h = histogramOf([...Array.from({ length: 99 }, () => 10), 1000]);
    expect(percentileMs(h, 99)!).toBeCloseTo(19.9, 1);
    expect(percentileMs(h, 100)).toBe(1000);
    expect(Math.abs(percentileMs(h, 50)! - 10) / 10).toBeLessThanOrEqual(0.0005); // a bucket median
  });

  it('match the linear-interpolated percentiles within 0.1% on dense data', () => {
    // 20 000 log-normal-like latencies: neighbours are close, so both definitions agree.
    let s = 12345;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) values.push(Math.exp(3 + 0.8 * (rand() + rand() + rand() - 1.5)));
    const sorted = values.map(asRecorded).sort((a, b) => a - b);
    const h = histogramOf(values);
    for (const p of [50, 90, 95, 99]) expect(relErr(percentileMs(h, p)!, interpolated(sorted, p)), `p${p}`).toBeLessThanOrEqual(0.001);
  });

  it('report exact min, max and mean when given, and close ones from the histogram alone', () => {
    const values = [1.2345, 10, 250.5, 999.999, 3000.25];
    const h = histogramOf(values);
    const sum = values.reduce((a, b) => a + b, 0);
    const exact = latencyFromHistogram(h, { sumMs: sum, minMs: 1.2345, maxMs: 3000.25 });
    expect(exact.min).toBe(1.2345);
    expect(exact.max).toBe(3000.25);
    expect(exact.mean).toBe(sum / 5);
    const approx = latencyFromHistogram(h);
    expect(relErr(approx.min!, 1.2345)).toBeLessThanOrEqual(0.001);
    expect(relErr(approx.max!, 3000.25)).toBeLessThanOrEqual(0.001);
    expect(relErr(approx.mean!, sum / 5)).toBeLessThanOrEqual(0.001);
    expect(relErr(approx.p50!, 250.5)).toBeLessThanOrEqual(0.001);
  });

  it('keep zero latencies as 0 and never report outside the recorded range', () => {
    const h = histogramOf([0, 0, 0, 5]);
    expect(percentileMs(h, 50)).toBe(0);
    expect(percentileMs(h, 100)).toBe(5);
    const one = histogramOf([123.456]);
    for (const p of [0, 50, 100]) expect(percentileMs(one, p)).toBeCloseTo(123.456, 3);
  });

  it('give nulls for an empty histogram', () => {
    const h = createHistogram();
    expect(percentileMs(h, 50)).toBeNull();
    expect(latencyFromHistogram(h)).toEqual({ min: null, mean: null, p50: null, p90: null, p95: null, p99: null, max: null });
    expect(timelineLatencyFromHistogram(h)).toEqual({ p50: null, p90: null, p95: null, p99: null, max: null });
    expect(decodeHistogram(encodeHistogram(h)).totalCount).toBe(0);
  });
});

describe('histogram merge and encoding', () => {
  /** Same count in every bucket a sample went to, and the same total. */
  const sameBuckets = (a: Histogram, b: Histogram, values: number[]) => {
    expect(a.totalCount).toBe(b.totalCount);
    for (const v of values) {
      const us = Math.round(v * 1000);
      expect(a.getCountAtValue(us)).toBe(b.getCountAtValue(us));
    }
  };
  const identical = (a: Histogram, b: Histogram, values: number[]) => {
    sameBuckets(a, b, values);
    expect(a.maxValue).toBe(b.maxValue);
    expect(a.minNonZeroValue).toBe(b.minNonZeroValue);
    for (const p of PERCENTILES) expect(percentileMs(a, p)).toBe(percentileMs(b, p));
  };
  /**
   * After decoding, HdrHistogram only knows the max's bucket and takes its highest
   * equivalent value as the max, so the top percentiles may move up within that bucket
   * (< 0.1%); the model keeps the exact max next to the histogram for that reason.
   */
  const equivalent = (decoded: Histogram, original: Histogram, values: number[]) => {
    sameBuckets(decoded, original, values);
    for (const p of PERCENTILES) expect(relErr(percentileMs(decoded, p)!, percentileMs(original, p)!)).toBeLessThanOrEqual(0.001);
    expect(decoded.maxValue).toBeGreaterThanOrEqual(original.maxValue);
    expect(relErr(decoded.maxValue, original.maxValue)).toBeLessThanOrEqual(0.001);
  };

  it('merging parts equals recording everything in one histogram (property)', () => {
    fc.assert(
      fc.property(latencies, fc.array(fc.nat(), { maxLength: 3 }), (values, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (values.length + 1)))].sort((a, b) => a - b);
        const parts: number[][] = [];
        let from = 0;
        for (const c of [...points, values.length]) {
          parts.push(values.slice(from, c));
          from = c;
        }
        const all = histogramOf(values);
        const merged = createHistogram();
        for (const part of parts) mergeInto(merged, histogramOf(part));
        identical(merged, all, values);
        equivalent(mergeEncoded(parts.map((part) => encodeHistogram(histogramOf(part)))), all, values);
      }),
      { numRuns: 8, seed: 99 },
    );
  });

  it('round-trips through the compressed base64 encoding (property)', () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const h = histogramOf(values);
        const encoded = encodeHistogram(h);
        expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
        const back = decodeHistogram(encoded);
        equivalent(back, h, values);
        // A second round trip is lossless.
        expect(encodeHistogram(decodeHistogram(encodeHistogram(back)))).toBe(encodeHistogram(back));
      }),
      { numRuns: 8, seed: 3 },
    );
  });

  it('grows past one hour when a sample needs it', () => {
    const h = histogramOf([5, 2 * 3_600_000]);
    expect(percentileMs(h, 100)!).toBeGreaterThan(3_600_000 * 1.99);
    expect(decodeHistogram(encodeHistogram(h)).totalCount).toBe(2);
  });
});

describe('latency figures in one pass', () => {
  it('give the same p50-p99 as percentileMs one at a time, few samples included (property)', () => {
    const ms = fc.double({ min: 0, max: 60_000, noNaN: true });
    fc.assert(
      fc.property(fc.array(ms, { minLength: 1, maxLength: 12 }), (values) => {
        const h = createDenseHistogram();
        for (const v of values) recordMs(h, v);
        const all = latencyFromHistogram(h);
        const timeline = timelineLatencyFromHistogram(h);
        for (const p of [50, 90, 95, 99] as const) {
          expect(all[`p${p}`]).toBe(percentileMs(h, p));
          expect(timeline[`p${p}`]).toBe(percentileMs(h, p));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('recordMs', () => {
  // Values around every power of two (where the bucket changes), zero, sub-µs values,
  // values past the initial range (the histogram grows) and past 2^30 µs (the library's path).
  const edge = fc.integer({ min: 0, max: 36 }).chain((k) => fc.integer({ min: -2, max: 2 }).map((d) => Math.max(0, 2 ** k + d) / 1000));
  const latency = fc.oneof(edge, fc.double({ min: 0, max: 5e6, noNaN: true }), fc.constantFrom(0, 0.0004, 0.0005, 1, 1.0005, 999.9995));

  it('fills exactly the slots hdr-histogram-js recordValue fills, dense and packed (property)', () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 200 }), (values) => {
        for (const make of [createDenseHistogram, createHistogram]) {
          const ours = make();
          const lib = make();
          for (const ms of values) {
            recordMs(ours, ms);
            lib.recordValue(Math.round(ms * 1000));
          }
          expect(ours.totalCount).toBe(lib.totalCount);
          expect(ours.maxValue).toBe(lib.maxValue);
          expect(ours.minNonZeroValue).toBe(lib.minNonZeroValue);
          expect(ours.highestTrackableValue).toBe(lib.highestTrackableValue);
          expect(encodeHistogram(ours)).toBe(encodeHistogram(lib));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeSparse (analyze/sparse-histogram.ts)', () => {
  // The reference: hdr-histogram-js's own recordedValuesIterator over the decoded histogram.
  function viaIterator(encoded: string) {
    const h = hdr.decodeFromCompressedBase64(encoded, 32, false) as unknown as {
      recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } };
      medianEquivalentValue(v: number): number;
      destroy(): void;
    };
    const keys: number[] = [];
    const mids: number[] = [];
    const counts: number[] = [];
    const it = h.recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      keys.push(v.valueIteratedTo);
      mids.push(h.medianEquivalentValue(v.valueIteratedTo));
      counts.push(v.countAtValueIteratedTo);
    }
    h.destroy();
    return { keys, mids, counts };
  }

  it('yields exactly the values and counts of hdr-histogram-js recordedValuesIterator', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 600_000, noNaN: true })), { minLength: 0, maxLength: 300 }), (values) => {
        const encoded = encodeHistogram(histogramOf(values));
        const got = decodeSparse(encoded);
        const want = viaIterator(encoded);
        expect({ keys: got.keys, mids: got.mids, counts: got.counts }).toEqual(want);
        expect(got.total).toBe(values.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('decoding an encoded histogram without a histogram object', () => {
  it('gives what hdr-histogram-js decodes: slots, values, counts and extremes', () => {
    // The analysis reads thousands of bucket histograms straight from their encoding;
    // every field must be what decoding through hdr-histogram-js gives, for the dense
    // (k6) and packed layouts, zeros, runs of empty slots, big counts and grown ranges.
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 3_000_000, noNaN: true })), { maxLength: 200 }),
        fc.boolean(),
        fc.nat({ max: 5_000_000 }),
        (values, dense, repeat) => {
          const h = dense ? createDenseHistogram() : createHistogram();
          for (const v of values) recordMs(h, v);
          if (values.length > 0) recordMs(h, values[0]!, repeat);
          const encoded = encodeHistogram(h);
          const direct = decodeDirect(encoded);
          expect(direct).not.toBeNull();
          expect(direct).toEqual(decodeSparseWithHdr(encoded));
          expect(decodeSparse(encoded)).toEqual(direct);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves what it does not read to hdr-histogram-js', () => {
    expect(decodeDirect(Buffer.from('not a histogram').toString('base64'))).toBeNull();
  });
});

describe('mergedPercentilesMs (windows, phases, resamples)', () => {
  it('gives what percentileMs gives for the same samples, however they are split into buckets', () => {
    // Peak and steady-phase figures merge timeline buckets; a phase that holds every
    // sample must read as the whole run does (same definition, same values). Few samples
    // and far-apart values make the interpolation visible: nearest-rank would fail here.
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 60_000, noNaN: true })), { minLength: 1, maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (values, cuts) => {
          const bounds = [...new Set(cuts.map((c) => c % values.length))].sort((x, y) => x - y);
          const pieces = [0, ...bounds, values.length].slice(1).map((end, i, ends) => values.slice(i === 0 ? 0 : ends[i - 1], end));
          const parts = pieces.filter((p) => p.length > 0).map((p) => decodeSparse(encodeHistogram(histogramOf(p))));
          // Decoded, as the buckets are: an encoded histogram keeps its extremes only to the bucket's width.
          const whole = decodeHistogram(encodeHistogram(histogramOf(values)));
          const ps = [0, 25, 50, 90, 95, 99, 100];
          expect(mergedPercentilesMs(parts, ps)).toEqual(ps.map((p) => percentileMs(whole, p)));
        },
      ),
      { numRuns: 300 },
    );
    expect(mergedPercentilesMs([], [50])).toEqual([null]);
  });

  it('gives the same for many parts (a long window), merged in several rounds', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { maxLength: 40 }), { minLength: 1, maxLength: 70 }), (pieces) => {
        const values = pieces.flat();
        fc.pre(values.length > 0);
        const parts = pieces.map((p) => (p.length > 0 ? decodeSparse(encodeHistogram(histogramOf(p))) : decodeSparse(encodeHistogram(histogramOf([])))));
        const whole = decodeHistogram(encodeHistogram(histogramOf(values)));
        const ps = [0, 1, 50, 90, 95, 99, 99.9, 100];
        expect(mergedPercentilesMs(parts, ps)).toEqual(ps.map((p) => percentileMs(whole, p)));
      }),
      { numRuns: 200 },
    );
  });
  it('gives the same for the same many parts merged again (the counts of a merge are emptied after it)', () => {
    // Many parts are summed in reused dense counts by HDR index; counts left over from one
    // merge would add to the next.
    const parts = Array.from({ length: 40 }, (_, i) => decodeSparse(encodeHistogram(histogramOf([i + 1, 2 * i + 3, 500 - i]))));
    const whole = decodeHistogram(encodeHistogram(histogramOf(Array.from({ length: 40 }, (_, i) => [i + 1, 2 * i + 3, 500 - i]).flat())));
    const ps = [0, 50, 95, 99, 100];
    for (let round = 0; round < 3; round++) expect(mergedPercentilesMs(parts.slice(round), ps)).toEqual(ps.map((p) => percentileMs(decodeHistogram(encodeHistogram(histogramOf(Array.from({ length: 40 - round }, (_, i) => [i + round + 1, 2 * (i + round) + 3, 500 - i - round]).flat()))), p)));
    expect(mergedPercentilesMs(parts, ps)).toEqual(ps.map((p) => percentileMs(whole, p)));
  });

  it('slides: windows moved over the parts give what merging each window gives', () => {
    // slidingWindows adds a bucket as it enters and takes it away as it leaves; any
    // sequence of windows (growing, shrinking, jumping, empty, with gaps) must read as a
    // fresh merge of the window's parts.
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { maxLength: 30 }), { freq: 5 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 25 }),
        (pieces, moves) => {
          const parts = pieces.map((p) => (p === null ? null : decodeSparse(encodeHistogram(histogramOf(p)))));
          const sliding = slidingPercentiles(parts);
          const ps = [0, 1, 50, 90, 95, 99, 99.9, 100];
          for (const [a, b] of moves) {
            const lo = a % (parts.length + 1);
            const hi = lo + (b % (parts.length + 1 - lo));
            sliding.moveTo(lo, hi);
            const window = parts.slice(lo, hi).filter((p): p is NonNullable<typeof p> => p !== null);
            expect(sliding.percentiles(ps)).toEqual(mergedPercentilesMs(window, ps));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
