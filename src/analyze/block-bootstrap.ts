// Resampling a time series whose neighbouring values are not independent (Prometheus
// steps: a `rate(…[10s])` at a 1 s step shares 9/10 of its data with the next step).
// A plain bootstrap or rank test would count every step as a fresh observation and
// claim far too much certainty; these helpers work on blocks of consecutive steps.
import { randomIndex, type Rng } from './prng.js';

/** Sample autocorrelation of `xs` at `lag`; null when it cannot be computed (constant or too short). */
export function autocorrelation(xs: readonly number[], lag: number): number | null {
  const n = xs.length;
  if (lag <= 0 || lag >= n) return null;
  let m = 0;
  for (const x of xs) m += x;
  m /= n;
  let den = 0;
  for (const x of xs) den += (x - m) ** 2;
  if (den === 0) return null;
  let num = 0;
  for (let i = 0; i + lag < n; i++) num += (xs[i]! - m) * (xs[i + lag]! - m);
  return num / den;
}

export interface BlockChoice {
  /** Steps per block. */
  length: number;
  /** Steps one value of the query already spans (its range selector over the step); 1 when unknown. */
  querySteps: number;
  /** First lag whose autocorrelation falls inside the white-noise band ±2/√n; null when none did before the cap. */
  acfLag: number | null;
  /** The block length was cut to keep at least MIN_BLOCKS blocks. */
  capped: boolean;
}

/** Blocks a series is cut into at least, so that a rank test on them can be significant. */
export const MIN_BLOCKS = 6;

/**
 * Block length for a series: at least the steps one query value spans (values inside
 * one range window are dependent by construction), and at least the first lag at which
 * the sample autocorrelation is indistinguishable from white noise (|r| < 2/√n); at
 * most n / MIN_BLOCKS.
 */
export function chooseBlockLength(xs: readonly number[], querySteps: number): BlockChoice {
  const n = xs.length;
  const cap = Math.max(1, Math.floor(n / MIN_BLOCKS));
  const band = 2 / Math.sqrt(Math.max(1, n));
  let acfLag: number | null = null;
  for (let k = 1; k <= Math.floor(n / 2); k++) {
    const r = autocorrelation(xs, k);
    if (r === null || Math.abs(r) < band) {
      acfLag = k;
      break;
    }
  }
  const q = Math.max(1, Math.round(querySteps));
  const want = Math.max(q, acfLag ?? n);
  return { length: Math.min(want, cap), querySteps: q, acfLag, capped: want > cap };
}

/**
 * Moving-block bootstrap: a series of the same length made of blocks of `length`
 * consecutive values, each starting at a random position (Künsch 1989).
 */
export function movingBlockResample(xs: readonly number[], length: number, rng: Rng): number[] {
  const n = xs.length;
  const b = Math.max(1, Math.min(length, n));
  const starts = n - b + 1;
  const out: number[] = [];
  while (out.length < n) {
    const s = randomIndex(rng, starts);
    for (let i = s; i < s + b && out.length < n; i++) out.push(xs[i]!);
  }
  return out;
}

/** Means of consecutive non-overlapping blocks (a last partial block counts when at least half full). */
export function blockMeans(xs: readonly number[], length: number): number[] {
  const b = Math.max(1, length);
  const out: number[] = [];
  for (let s = 0; s < xs.length; s += b) {
    const part = xs.slice(s, s + b);
    if (part.length * 2 < b) break;
    out.push(part.reduce((a, x) => a + x, 0) / part.length);
  }
  return out;
}
