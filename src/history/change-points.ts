// Where a metric shifted over builds: E-divisive means (Matteson & James 2014, the method
// Apache Otava / Hunter apply to performance histories), with α = 1. The split τ of a
// segment maximises the energy statistic
//   Q(τ) = τ(n−τ)/n · ( 2/(τ(n−τ)) Σ|x_i − y_j| − 1/C(τ,2) Σ|x_i − x_k| − 1/C(n−τ,2) Σ|y_j − y_l| )
// (x the values before τ, y from τ on). Its significance is a permutation test: the
// segment's values shuffled (seeded), Q's maximum recomputed, p = (exceedances + 1) /
// (permutations + 1). A significant split divides the segment and both halves are
// searched again (binary segmentation). No npm package offers this (checked: none
// maintained), so it is implemented here.
import { seededRng, randomIndex } from '../analyze/prng.js';

export interface ChangePointOptions {
  /** Values on each side of a split at least (default 3). */
  minSize?: number;
  /** Permutations per test (default 499). */
  permutations?: number;
  /** Significance level of the permutation test (default 0.05). */
  alpha?: number;
  seed?: number;
}

export interface ChangePoint {
  /** Index of the first value after the shift. */
  index: number;
  /** Permutation p-value of the split within its segment. */
  p: number;
  /** Energy statistic of the split. */
  q: number;
}

export const DEFAULTS = { minSize: 3, permutations: 499, alpha: 0.05, seed: 1 } as const;

/** The best split of xs (an index in [minSize, n − minSize]) and its statistic; null when the segment is too short. */
export function bestSplit(xs: readonly number[], minSize: number): { index: number; q: number } | null {
  const n = xs.length;
  if (n < 2 * minSize) return null;
  // Pairwise distances, then the three sums updated as τ moves right one value at a time.
  const d = (i: number, j: number) => Math.abs(xs[i]! - xs[j]!);
  let within = 0; // Σ over pairs on the right side (initially every pair)
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) within += d(i, j);
  let left = 0;
  let right = within;
  let between = 0;
  let best: { index: number; q: number } | null = null;
  for (let t = 1; t < n; t++) {
    // Value t−1 moves from the right side to the left.
    const m = t - 1;
    let toLeft = 0;
    let toRight = 0;
    for (let i = 0; i < m; i++) toLeft += d(i, m);
    for (let j = m + 1; j < n; j++) toRight += d(m, j);
    right -= toRight;
    between += toRight - toLeft;
    left += toLeft;
    if (t < minSize || n - t < minSize) continue;
    const a = t;
    const b = n - t;
    const eLeft = a > 1 ? left / ((a * (a - 1)) / 2) : 0;
    const eRight = b > 1 ? right / ((b * (b - 1)) / 2) : 0;
    const q = ((a * b) / n) * ((2 * between) / (a * b) - eLeft - eRight);
    if (!best || q > best.q + 1e-12) best = { index: t, q };
  }
  return best;
}

function shuffled(xs: readonly number[], rng: () => number): number[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(rng, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Change points of a series, in index order. */
export function changePoints(xs: readonly number[], options: ChangePointOptions = {}): ChangePoint[] {
  const o = { ...DEFAULTS, ...options };
  const rng = seededRng(o.seed);
  const found: ChangePoint[] = [];
  const search = (from: number, to: number) => {
    const seg = xs.slice(from, to);
    const split = bestSplit(seg, o.minSize);
    if (!split || !(split.q > 0)) return;
    // Stops as soon as the split can no longer be significant.
    const allowed = Math.floor(o.alpha * (o.permutations + 1)) - 1;
    let over = 0;
    for (let i = 0; i < o.permutations && over <= allowed; i++) {
      const s = bestSplit(shuffled(seg, rng), o.minSize);
      if (s && s.q >= split.q - 1e-12) over++;
    }
    const p = (over + 1) / (o.permutations + 1);
    if (over > allowed || p >= o.alpha) return;
    found.push({ index: from + split.index, p, q: split.q });
    search(from, from + split.index);
    search(from + split.index, to);
  };
  search(0, xs.length);
  return found.sort((a, b) => a.index - b.index);
}
