// Small statistics helpers on plain arrays of numbers.

export function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

export function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : sum(xs) / xs.length;
}

/** Linear-interpolated quantile (q in 0..1) of a sorted array. */
export function quantileSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function median(xs: readonly number[]): number | null {
  return quantileSorted([...xs].sort((a, b) => a - b), 0.5);
}

/** Coefficient of variation (sample standard deviation / mean); null with fewer than 2 values. */
export function coefficientOfVariation(xs: readonly number[]): number | null {
  const m = mean(xs);
  if (m === null || xs.length < 2 || m === 0) return null;
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return Math.sqrt(ss / (xs.length - 1)) / Math.abs(m);
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

export interface MannWhitney {
  /** U statistic of the first sample. */
  u: number;
  /** Two-sided p-value (normal approximation with tie and continuity correction). */
  p: number;
  /** P(a > b) + ½·P(a = b): above 0.5 when `a` tends to be larger. */
  probabilityAGreater: number;
}

export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitney | null {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return null;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const n = n1 + n2;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2;
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    for (let k = i; k <= j; k++) if (all[k]!.g === 0) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  let p = 1;
  if (variance > 0) {
    const z = (Math.abs(u - mu) - 0.5) / Math.sqrt(variance);
    p = Math.min(1, 2 * (1 - normalCdf(Math.max(0, z))));
  }
  return { u, p, probabilityAGreater: u / (n1 * n2) };
}
