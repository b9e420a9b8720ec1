// The experiment verdict from the bootstrap changes: a change from zero is handled
// explicitly (0 → 0 is no change, 0 → more is an unbounded increase), and a verdict
// needs evidence: a CI whose resamples do not vary (one request against one) decides
// nothing.
import { quantileSorted } from './stats.js';

export type Verdict = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

/**
 * Relative change a → b in percent for one bootstrap resample. From a zero baseline
 * there is no finite percentage: 0 → 0 is no change (0), 0 → more is +∞, so a
 * candidate that moved from zero counts against a "decrease" criterion instead of
 * being dropped from the resamples.
 */
export function resampleChangePct(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  if (a === 0) return b === 0 ? 0 : b > 0 ? Infinity : -Infinity;
  return ((b - a) / Math.abs(a)) * 100;
}

/** Percentile CI of the changes; a bound may be ±∞ (changes from zero). Null below 10 resamples. */
export function percentileCi(changes: readonly number[], confidence: number): [number, number] | null {
  if (changes.length < 10) return null;
  const sorted = [...changes].sort((a, b) => a - b);
  const a = (1 - confidence) / 2;
  return [quantileWithInfinity(sorted, a), quantileWithInfinity(sorted, 1 - a)];
}

function quantileWithInfinity(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = sorted[Math.floor(pos)]!;
  const hi = sorted[Math.ceil(pos)]!;
  if (lo === hi) return lo;
  if (Number.isFinite(lo) && Number.isFinite(hi)) return quantileSorted(sorted, q)!;
  // Between a finite value and an infinite one the bound widens to the infinite one.
  return lo === -Infinity ? lo : hi;
}

export interface VerdictInput {
  /** CI of the change in percent (bounds may be ±∞); null when none could be computed. */
  ci: [number, number] | null;
  /** −1 for a "decrease" criterion, +1 for "increase". */
  sign: number;
  minChangePct: number;
  /** The rank test's say: false when it is not significant in the required direction. */
  rankOk: boolean | null;
  /** The rank test is significant in either direction (null: no rank test). */
  rankSignificant: boolean | null;
  /** Enough windows per run (or a whole-run figure with a sampling error) to decide at all. */
  enoughData: boolean;
}

/**
 * PASS when the whole CI is at least the required change in the required direction and
 * the rank test does not object; FAIL when the whole CI falls short of it; INCONCLUSIVE
 * otherwise, and always when there is too little data. A zero-width finite CI (the
 * resamples do not vary: one request against one, or constant values) measured no
 * uncertainty, so it decides only beside a significant rank test.
 */
export function decideVerdict(v: VerdictInput): Verdict {
  if (!v.ci || !v.enoughData) return 'INCONCLUSIVE';
  if (v.ci[0] === v.ci[1] && Number.isFinite(v.ci[0]) && v.rankSignificant !== true) return 'INCONCLUSIVE';
  const gLo = Math.min(v.sign * v.ci[0], v.sign * v.ci[1]);
  const gHi = Math.max(v.sign * v.ci[0], v.sign * v.ci[1]);
  if (gLo >= v.minChangePct && v.rankOk !== false) return 'PASS';
  if (gHi < v.minChangePct) return 'FAIL';
  return 'INCONCLUSIVE';
}

/** True when the CI can go in the model (whose numbers are all finite). */
export function finiteCi(ci: [number, number] | null): [number, number] | null {
  return ci && Number.isFinite(ci[0]) && Number.isFinite(ci[1]) ? ci : null;
}
