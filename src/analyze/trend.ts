// A robust trend of a series over time: the Mann-Kendall test (is there a monotone
// trend?) and the Theil-Sen slope with Sen's confidence interval (how steep is it?).
// Both are rank methods: a burst or a few wild points do not drive them, unlike a
// least-squares fit. ml-regression-theil-sen gives the slope only, without the test or
// an interval, and no maintained npm package has the Mann-Kendall test, so both are
// written here (Hollander & Wolfe, "Nonparametric Statistical Methods", ch. 8; Sen 1968).
import { normalCdf } from './stats.js';

export interface Trend {
  /** Points the test used (after averaging consecutive points into blocks). */
  n: number;
  /** Mann-Kendall S statistic. */
  s: number;
  /** Two-sided p-value of S (normal approximation with tie correction and continuity correction). */
  p: number;
  /** Theil-Sen slope: the median of all pairwise slopes, in value units per time unit. */
  slope: number;
  /** Sen's confidence interval of the slope at `confidence`. */
  ci: [number, number];
  confidence: number;
}

/** Two-sided standard normal quantile for a confidence level (bisection on normalCdf). */
export function zFor(confidence: number): number {
  const target = 1 - (1 - confidence) / 2;
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Consecutive points averaged into at most `maxBlocks` blocks. Neighbouring intervals of a
 * load test are strongly autocorrelated; blocks make the test's p-value less overconfident
 * and keep the pairwise slopes (n²/2 of them) cheap on long runs.
 */
export function blockMeans(ts: readonly number[], ys: readonly number[], maxBlocks: number): { ts: number[]; ys: number[] } {
  const n = ts.length;
  if (n <= maxBlocks) return { ts: [...ts], ys: [...ys] };
  const outT: number[] = [];
  const outY: number[] = [];
  for (let b = 0; b < maxBlocks; b++) {
    const from = Math.floor((b * n) / maxBlocks);
    const to = Math.floor(((b + 1) * n) / maxBlocks);
    let st = 0;
    let sy = 0;
    for (let i = from; i < to; i++) {
      st += ts[i]!;
      sy += ys[i]!;
    }
    outT.push(st / (to - from));
    outY.push(sy / (to - from));
  }
  return { ts: outT, ys: outY };
}

/** Mann-Kendall test and Theil-Sen slope of ys over ts; null with fewer than 4 points. */
export function trendOf(ts: readonly number[], ys: readonly number[], confidence = 0.95): Trend | null {
  const n = ts.length;
  if (n < 4 || ys.length !== n) return null;
  let s = 0;
  const slopes: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const dy = ys[j]! - ys[i]!;
      s += Math.sign(dy);
      const dt = ts[j]! - ts[i]!;
      if (dt !== 0) slopes.push(dy / dt);
    }
  }
  if (slopes.length === 0) return null;
  // Tie correction: groups of equal values.
  const counts = new Map<number, number>();
  for (const y of ys) counts.set(y, (counts.get(y) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  let p = 1;
  if (variance > 0 && s !== 0) {
    const z = (Math.abs(s) - 1) / Math.sqrt(variance);
    p = Math.min(1, 2 * (1 - normalCdf(z)));
  }
  slopes.sort((a, b) => a - b);
  const m = slopes.length;
  const mid = (m - 1) / 2;
  const slope = (slopes[Math.floor(mid)]! + slopes[Math.ceil(mid)]!) / 2;
  // Sen's interval: ranks (m ∓ C)/2 of the ordered slopes, C = z·sqrt(var S).
  const c = zFor(confidence) * Math.sqrt(Math.max(0, variance));
  const lo = Math.max(0, Math.min(m - 1, Math.round((m - c) / 2) - 1));
  const hi = Math.max(0, Math.min(m - 1, Math.round((m + c) / 2)));
  return { n, s, p, slope, ci: [slopes[lo]!, slopes[hi]!], confidence };
}
