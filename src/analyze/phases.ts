// Splitting a run into ramp-up, steady state and ramp-down: from the user/VU count
// when the tool reports one, from throughput otherwise.
import type { Run, TimelinePoint } from '../model/types.js';
import { median } from './stats.js';
import type { Phase } from './types.js';
import { sortedTimeline, type Range } from './windows.js';

export interface PhaseResult {
  phases: Phase[];
  basis: 'users' | 'throughput' | 'none';
  steady: Range | null;
  /** Why there is no steady phase, when there is none. */
  noSteadyReason?: string;
}

/** Users at or above this share of the maximum count as the plateau. */
const USERS_PLATEAU = 0.95;
/** Throughput within ±this of its plateau level counts as steady. */
const THROUGHPUT_BAND = 0.15;
/** A steady phase whose throughput trend changes more than this over its length is a ramp. */
const MAX_TREND = 0.2;
/** Edge points below this share of the plateau's median requests are partial buckets. */
const EDGE_SHARE = 0.5;

export function minSteadyS(windowS: number, interval: number): number {
  return Math.max(windowS, 3 * interval);
}

/** Longest run of consecutive indices where `ok` holds: [from, to] inclusive, or null. */
function longestStretch(n: number, ok: (i: number) => boolean): [number, number] | null {
  let best: [number, number] | null = null;
  let start = -1;
  for (let i = 0; i <= n; i++) {
    if (i < n && ok(i)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (!best || i - 1 - start > best[1] - best[0]) best = [start, i - 1];
      start = -1;
    }
  }
  return best;
}

/**
 * Drops a partial bucket at each end (a tool starting or stopping mid-second): one at most, since
 * a longer stretch of low throughput at full users is load the service did not keep up with (a
 * smaller capacity before a scale-out), not a partial bucket.
 */
function trimEdges(pts: TimelinePoint[], from: number, to: number): [number, number] {
  const med = median(pts.slice(from, to + 1).map((p) => p.requests)) ?? 0;
  if (from < to && pts[from]!.requests < EDGE_SHARE * med) from++;
  if (to > from && pts[to]!.requests < EDGE_SHARE * med) to--;
  return [from, to];
}

/** Relative change of the least-squares trend of requests over the stretch. */
function trendChange(pts: TimelinePoint[], from: number, to: number): number {
  const xs = pts.slice(from, to + 1).map((p) => p.t);
  const ys = pts.slice(from, to + 1).map((p) => p.requests);
  const n = xs.length;
  if (n < 3) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  if (sxx === 0 || my === 0) return 0;
  return Math.abs((sxy / sxx) * (xs[n - 1]! - xs[0]!)) / my;
}

function usersKnown(pts: TimelinePoint[]): boolean {
  const known = pts.filter((p) => p.users !== null);
  return known.length >= pts.length / 2 && known.some((p) => (p.users ?? 0) > 0);
}

function movingAverage(xs: number[], k: number): number[] {
  const half = Math.floor(k / 2);
  return xs.map((_, i) => {
    const from = Math.max(0, i - half);
    const to = Math.min(xs.length - 1, i + half);
    let s = 0;
    for (let j = from; j <= to; j++) s += xs[j]!;
    return s / (to - from + 1);
  });
}

function assemble(pts: TimelinePoint[], interval: number, steady: Range | null, rampUpEnd?: number, rampDownStart?: number): Phase[] {
  const startT = pts[0]!.t;
  const endT = pts[pts.length - 1]!.t + interval;
  const phases: Phase[] = [];
  const upTo = steady ? steady.startT : rampUpEnd;
  const downFrom = steady ? steady.endT : rampDownStart;
  if (upTo !== undefined && upTo > startT + 1e-9) phases.push({ name: 'ramp-up', startT, endT: upTo });
  if (steady) phases.push({ name: 'steady', startT: steady.startT, endT: steady.endT });
  if (downFrom !== undefined && endT > downFrom + 1e-9) phases.push({ name: 'ramp-down', startT: downFrom, endT });
  return phases;
}

export function detectPhases(run: Run, windowS: number): PhaseResult {
  const interval = run.timelineIntervalS;
  const pts = sortedTimeline(run);
  if (pts.length < 2) return { phases: [], basis: 'none', steady: null, noSteadyReason: 'the run has no timeline' };
  const minS = minSteadyS(windowS, interval);
  const rangeOf = (from: number, to: number): Range => ({ startT: pts[from]!.t, endT: pts[to]!.t + interval });

  if (usersKnown(pts)) {
    const maxUsers = Math.max(...pts.map((p) => p.users ?? 0));
    const atPlateau = (i: number) => (pts[i]!.users ?? -1) >= USERS_PLATEAU * maxUsers;
    const stretch = longestStretch(pts.length, atPlateau);
    const firstMax = pts.findIndex((_, i) => atPlateau(i));
    let lastMax = -1;
    for (let i = pts.length - 1; i >= 0; i--) if (atPlateau(i)) { lastMax = i; break; }
    if (stretch) {
      const [from, to] = trimEdges(pts, stretch[0], stretch[1]);
      const r = rangeOf(from, to);
      if (r.endT - r.startT >= minS - 1e-9) return { phases: assemble(pts, interval, r), basis: 'users', steady: r };
    }
    return {
      phases: assemble(pts, interval, null, pts[firstMax]!.t, pts[lastMax]!.t + interval),
      basis: 'users',
      steady: null,
      noSteadyReason: `the user count stays at its maximum (${maxUsers}) for less than ${minS} s`,
    };
  }

  const rate = pts.map((p) => p.requests / interval);
  const span = pts[pts.length - 1]!.t + interval - pts[0]!.t;
  const k = Math.max(1, Math.round(Math.min(windowS, span / 5) / interval));
  const smooth = movingAverage(rate, k);
  const top = Math.max(...smooth);
  if (top <= 0) return { phases: [], basis: 'throughput', steady: null, noSteadyReason: 'the run has no requests in its timeline' };
  const level = median(smooth.filter((v) => v >= 0.8 * top)) ?? top;
  const stretch = longestStretch(pts.length, (i) => Math.abs(smooth[i]! - level) <= THROUGHPUT_BAND * level);
  if (stretch) {
    // The moving average blurs the edges: extend over raw points still inside the band.
    const inBand = (i: number) => Math.abs(rate[i]! - level) <= THROUGHPUT_BAND * level;
    let [a, b] = stretch;
    while (a > 0 && inBand(a - 1)) a--;
    while (b < pts.length - 1 && inBand(b + 1)) b++;
    const [from, to] = trimEdges(pts, a, b);
    const r = rangeOf(from, to);
    const long = r.endT - r.startT >= minS - 1e-9;
    if (long && trendChange(pts, from, to) <= MAX_TREND) return { phases: assemble(pts, interval, r), basis: 'throughput', steady: r };
    if (long) return { phases: [], basis: 'throughput', steady: null, noSteadyReason: 'throughput keeps changing (no plateau)' };
  }
  return { phases: [], basis: 'throughput', steady: null, noSteadyReason: `throughput holds its level for less than ${minS} s` };
}
