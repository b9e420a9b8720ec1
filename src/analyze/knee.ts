// The saturation knee of a load ramp: where throughput stops growing while latency
// grows. Little's law N = X·(R + Z) turns the best throughput X_max and the unloaded
// response time R_min (plus think time Z) into the concurrency N* the system saturates at.
import type { Run } from '../model/types.js';
import { num, sig3 } from './format.js';
import { sortedTimeline } from './windows.js';

export interface LoadLevel {
  /** Concurrency (users, VUs, connections). */
  users: number;
  rps: number;
  /** Latency in ms standing for R (p50 when nothing better is known). */
  latencyMs: number;
  /** Start of the level in seconds since run start (within-run ramps). */
  t: number | null;
  runId: string;
  /** Factor value (across-run sweeps). */
  value?: number;
}

export interface Knee {
  level: LoadLevel;
  littleN: number | null;
  reason: string;
}

/** Throughput grows by less than this share of the linear expectation: it stopped growing. */
const MIN_GROWTH_SHARE = 0.25;
/** A ramp level needs this many timeline points for its throughput to mean anything. */
const MIN_LEVEL_POINTS = 5;
/** Latency grows by more than this fraction: queueing. */
const MIN_LATENCY_GROWTH = 0.1;

/** Finds the first level where throughput stops growing while latency grows. */
export function findKnee(levels: LoadLevel[], thinkTimeS: number | undefined): Knee | null {
  const sorted = levels.filter((l) => l.users > 0 && l.rps > 0).sort((a, b) => a.users - b.users || (a.t ?? 0) - (b.t ?? 0));
  if (sorted.length < 3) return null;
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    const linearGrowth = cur.users / prev.users - 1;
    if (linearGrowth <= 0) continue;
    const rpsGrowth = cur.rps / prev.rps - 1;
    const latencyGrowth = cur.latencyMs / prev.latencyMs - 1;
    if (rpsGrowth < MIN_GROWTH_SHARE * linearGrowth && latencyGrowth > MIN_LATENCY_GROWTH) {
      const xMax = Math.max(...sorted.map((l) => l.rps));
      const rMinS = Math.min(...sorted.map((l) => l.latencyMs)) / 1000;
      const z = thinkTimeS ?? 0;
      const littleN = xMax * (rMinS + z);
      const reason =
        `From ${num(prev.users)} to ${num(cur.users)} users throughput went from ${sig3(prev.rps)} to ${sig3(cur.rps)} req/s ` +
        `(${rpsGrowth >= 0 ? '+' : '−'}${num(Math.abs(rpsGrowth * 100))}%, linear would be +${num(linearGrowth * 100)}%) while latency rose from ` +
        `${sig3(prev.latencyMs)} to ${sig3(cur.latencyMs)} ms. Little's law N* = X_max·(R_min + Z) = ${sig3(xMax)} req/s × (${num(rMinS)} s + ${num(z)} s) ≈ ${num(littleN)} users` +
        (thinkTimeS === undefined ? ' (think time unknown, taken as 0)' : '') +
        '.';
      return { level: cur, littleN, reason };
    }
  }
  return null;
}

/** Load levels of a run whose user count grows: one level per user count (binned when it changes smoothly). */
export function rampLevels(run: Run): LoadLevel[] {
  const interval = run.timelineIntervalS;
  const pts = sortedTimeline(run).filter((p) => p.users !== null && p.users > 0);
  if (pts.length < 3) return [];
  // Only the rising part of the ramp.
  const maxUsers = Math.max(...pts.map((p) => p.users!));
  const lastRise = pts.findIndex((p) => p.users === maxUsers);
  const rising = pts.slice(0, lastRise + 1);
  const peakHold = pts.slice(lastRise).filter((p) => p.users === maxUsers);
  const all = [...rising, ...peakHold.slice(1)];
  const distinct = [...new Set(all.map((p) => p.users!))].sort((a, b) => a - b);
  if (distinct.length < 3) return [];
  const bins = distinct.length <= 12 ? distinct : Array.from({ length: 10 }, (_, i) => (maxUsers * (i + 1)) / 10);
  const levelOf = (u: number) => bins.findIndex((b) => u <= b + 1e-9);
  const acc = new Map<number, { req: number; n: number; latW: number; lat: number; t: number; users: number }>();
  for (const p of all) {
    const b = levelOf(p.users!);
    const a = acc.get(b) ?? { req: 0, n: 0, latW: 0, lat: 0, t: p.t, users: 0 };
    a.req += p.requests;
    a.n += 1;
    a.users = Math.max(a.users, p.users!);
    const l = p.latencyMs.p50;
    if (l !== null && p.requests > 0) {
      a.latW += p.requests;
      a.lat += l * p.requests;
    }
    acc.set(b, a);
  }
  return [...acc.entries()]
    .sort((x, y) => x[0] - y[0])
    .filter(([, a]) => a.latW > 0 && a.n >= MIN_LEVEL_POINTS)
    .map(([, a]) => ({ users: a.users, rps: a.req / (a.n * interval), latencyMs: a.lat / a.latW, t: a.t, runId: run.id }));
}
