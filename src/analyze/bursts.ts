// Bursts: stretches of a timeline whose request rate is far above the full-load level
// (Locust's spawn, a retry storm, fast failures). Hampel's outlier rule on the per-interval
// rate: more than 3 robust standard deviations (1.4826 × MAD, at least the Poisson noise of
// the counts) above the median.
import type { TimelinePoint } from '../model/types.js';
import { median, quantileSorted } from './stats.js';
import type { Burst } from './types.js';

/** Robust outlier rule for bursts (Hampel identifier): more than 3 robust SDs above the level. */
const BURST_SDS = 3;

export type FoundBurst = Burst & { from: number; to: number };

export function rateOf(p: TimelinePoint, interval: number): number {
  return p.requests / interval;
}

/**
 * Robust spread: the larger of 1.4826 × MAD and IQR / 1.349 (both estimate σ for normal data), at
 * least the Poisson noise of the counts. The IQR matters when counts take two values, as users paced
 * in step make them (10, 20, 10, 10, 20 …): the MAD is then 0 and every 20 would pass for a burst.
 * Bursts (a few start-up seconds) are well under a quarter of the intervals, so neither is moved by them.
 */
export function robustSd(rates: number[], interval: number): { level: number; sd: number } {
  const level = median(rates) ?? 0;
  const mad = median(rates.map((r) => Math.abs(r - level))) ?? 0;
  const sorted = [...rates].sort((a, b) => a - b);
  const iqr = (quantileSorted(sorted, 0.75) ?? 0) - (quantileSorted(sorted, 0.25) ?? 0);
  const poisson = Math.sqrt(Math.max(1, level * interval)) / interval;
  return { level, sd: Math.max(1.4826 * mad, iqr / 1.349, poisson) };
}

/** Consecutive points more than BURST_SDS robust SDs above the full-load level, one burst each. */
export function findBursts(pts: TimelinePoint[], interval: number, level: number, sd: number): FoundBurst[] {
  const out: FoundBurst[] = [];
  const limit = level + BURST_SDS * sd;
  let cur: FoundBurst | null = null;
  pts.forEach((p, i) => {
    const r = rateOf(p, interval);
    if (r > limit && p.requests > 0) {
      if (!cur) {
        cur = { t: p.t, fromT: p.t, endT: p.t + interval, rps: r, from: i, to: i };
        out.push(cur);
      } else {
        cur.endT = p.t + interval;
        cur.to = i;
        if (r > cur.rps) {
          cur.rps = r;
          cur.t = p.t;
        }
      }
    } else cur = null;
  });
  return out;
}

