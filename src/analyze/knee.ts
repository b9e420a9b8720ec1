// The saturation knee of a load ramp: where throughput stops growing while latency
// grows. Little's law N = X·(R + Z) turns the best throughput X_max and the unloaded
// response time R_min (plus think time Z) into the concurrency N* the system saturates at.
import type { Run } from '../model/types.js';
import { num, pct, sig3 } from './format.js';
import type { Burst, RampKnee } from './types.js';
import { pointsIn, rangePercentiles, sortedTimeline, type Range } from './windows.js';

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
/** Latency grows by more than this fraction: queueing. */
const MIN_LATENCY_GROWTH = 0.1;

/** Finds the first level where throughput stops growing while latency grows. */
export function findKnee(levels: LoadLevel[], thinkTimeS: number | null): Knee | null {
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
      // Little's law needs the think time: without one there is no prediction to print.
      const littleN = thinkTimeS !== null ? xMax * (rMinS + thinkTimeS) : null;
      const reason =
        `From ${num(prev.users)} to ${num(cur.users)} users throughput went from ${sig3(prev.rps)} to ${sig3(cur.rps)} req/s ` +
        `(${pct(rpsGrowth * 100)}, linear would be +${num(linearGrowth * 100)}%) while latency rose from ` +
        `${sig3(prev.latencyMs)} to ${sig3(cur.latencyMs)} ms.` +
        (littleN !== null ? ` Little's law N* = X_max·(R_min + Z) = ${sig3(xMax)} req/s × (${num(rMinS)} s + ${num(thinkTimeS!)} s) ≈ ${num(littleN)} users.` : '');
      return { level: cur, littleN, reason };
    }
  }
  return null;
}

/** A ramp level within this share of the saturation throughput has reached it. */
const SATURATED_SHARE = 0.9;

interface RampLevel {
  users: number;
  t: number;
  rps: number;
  p50: number | null;
  /** Seconds the level lasted. */
  durS: number;
}

/** Consecutive timeline points with the same user count, while users still grow towards their maximum. */
function risingLevels(run: Run, maxUsers: number): RampLevel[] {
  const interval = run.timelineIntervalS;
  const levels: Array<RampLevel & { n: number; req: number; latW: number; lat: number }> = [];
  for (const p of sortedTimeline(run)) {
    if (p.users === null || p.users <= 0) continue;
    if (p.users >= maxUsers) break;
    let cur = levels[levels.length - 1];
    if (!cur || cur.users !== p.users) {
      cur = { users: p.users, t: p.t, rps: 0, p50: null, durS: 0, n: 0, req: 0, latW: 0, lat: 0 };
      levels.push(cur);
    }
    cur.n += 1;
    cur.req += p.requests;
    if (p.latencyMs.p50 !== null && p.requests > 0) {
      cur.latW += p.requests;
      cur.lat += p.latencyMs.p50 * p.requests;
    }
  }
  return levels.map((l) => ({ users: l.users, t: l.t, rps: l.req / (l.n * interval), p50: l.latW > 0 ? l.lat / l.latW : null, durS: l.n * interval }));
}

/** Request-weighted p50 of the points inside a range. */
function meanP50(run: Run, range: Range): number | null {
  return rangePercentiles(pointsIn(sortedTimeline(run), run.timelineIntervalS, range), 'window').p50;
}

/**
 * The saturation knee inside one run whose user count ramps up to a plateau: the
 * first ramp level whose throughput (and the next level's) reaches 90% of the best
 * sustained rps, provided throughput then grew by less than a quarter of the linear
 * expectation up to the plateau and latency (p50) on the plateau is over 10% above
 * the lowest p50 of the run. Little's law N* = X_max·(R_min + Z) is the cross-check.
 */
export function rampKnee(run: Run, steady: Range | null, saturationRps: number | null, thinkTimeS: number | null, bursts: Burst[] = []): RampKnee | null {
  const users = run.timeline.filter((p) => p.users !== null && p.users > 0).map((p) => p.users!);
  if (users.length === 0) return null;
  const maxUsers = Math.max(...users);
  const levels = risingLevels(run, maxUsers);
  // A knee needs a ramp: three levels or more before the top (a spawn in two steps is no curve).
  if (levels.length < 3) return null;
  if (!steady || saturationRps === null || saturationRps <= 0) return null;
  const xSat = saturationRps;
  const reached = (rps: number) => rps >= SATURATED_SHARE * xSat;
  // A level far above the full-load rate (beyond twice the Poisson noise of its count) is a start-up
  // rush, not saturation: throughput that falls back afterwards never stopped growing there.
  const rush = (l: RampLevel) => l.rps > xSat + (2 * Math.sqrt(xSat * l.durS)) / l.durS;
  // A level inside a start-up burst reaches the full-load rate by the burst, not by saturating.
  const inBurst = (l: RampLevel) => bursts.some((b) => l.t >= b.fromT - 1e-6 && l.t < b.endT);
  const i = levels.findIndex((l, k) => !inBurst(l) && !rush(l) && reached(l.rps) && reached(k + 1 < levels.length ? levels[k + 1]!.rps : xSat));
  if (i < 0) return null;
  const level = levels[i]!;
  const linear = maxUsers / level.users - 1;
  const growth = xSat / level.rps - 1;
  if (growth >= MIN_GROWTH_SHARE * linear) return null;
  const p50s = run.timeline.filter((p) => p.requests > 0 && p.latencyMs.p50 !== null && p.latencyMs.p50 > 0).map((p) => p.latencyMs.p50!);
  const rMinMs = p50s.length > 0 ? Math.min(...p50s) : null;
  const plateauP50 = meanP50(run, steady);
  // Latency did not grow: the load generator, not the service, may be the limit.
  if (rMinMs !== null && plateauP50 !== null && plateauP50 <= (1 + MIN_LATENCY_GROWTH) * rMinMs) return null;
  const z = thinkTimeS;
  const littleN = rMinMs !== null && z !== null ? xSat * (rMinMs / 1000 + z) : null;
  const change = growth >= 0 ? `grew only ${pct(growth * 100)}` : `changed ${pct(growth * 100)}`;
  const reason =
    `throughput reached ${sig3(level.rps)} req/s at ${num(level.users)} users (t=${num(level.t)} s), within ${num((1 - SATURATED_SHARE) * 100)}% of the full-load ${sig3(xSat)} req/s, ` +
    `and ${change} up to ${num(maxUsers)} users (linear: ${pct(linear * 100)})` +
    (plateauP50 !== null && rMinMs !== null ? ` while p50 rose from ${sig3(rMinMs)} ms (lowest) to ${sig3(plateauP50)} ms (plateau)` : '') +
    '.' +
    (littleN !== null ? ` Little's law: N* = X_max × (R_min + Z) = ${sig3(xSat)} req/s × (${num(rMinMs! / 1000)} s + ${num(z!)} s) ≈ ${num(littleN)} users.` : '');
  return { t: level.t, users: level.users, rps: level.rps, p50: level.p50, saturationRps: xSat, rMinMs, thinkTimeS: z, littleN, reason };
}
