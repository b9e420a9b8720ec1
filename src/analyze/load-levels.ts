// A stepped load (users 1, 2, 5, 10, 20 in one run): throughput and latency per level.
import type { TimelinePoint } from '../model/types.js';
import { rateOf } from './bursts.js';
import type { LatencyPrecision, LoadLevel } from './types.js';
import { rangePercentiles } from './windows.js';

/**
 * Distinct user levels held for 3 or more intervals: a stepped load (users 1, 2, 5, 10, 20).
 * `lagS`: how long the timeline's latency lags a step (Locust's percentiles cover its last
 * 10 s, capacity-changes.ts latencyLagS); a level's latency is read from that long after its
 * step, or from its last interval when the level is shorter.
 */
export function loadLevelsOf(pts: TimelinePoint[], interval: number, precision: LatencyPrecision, lagS = 0): LoadLevel[] {
  const groups: TimelinePoint[][] = [];
  for (const p of pts) {
    if (p.users === null || p.users <= 0) continue;
    const g = groups[groups.length - 1];
    if (g && g[0]!.users === p.users && Math.abs(g[g.length - 1]!.t + interval - p.t) < 1e-6) g.push(p);
    else groups.push([p]);
  }
  const held = groups.filter((g) => g.length >= 3);
  if (new Set(held.map((g) => g[0]!.users)).size < 3) return [];
  return held.map((g) => {
    // The first interval of a level still carries the step itself.
    const body = g.length >= 4 ? g.slice(1) : g;
    const settled = g.filter((p) => p.t >= g[0]!.t + lagS - 1e-9);
    const lat = rangePercentiles(lagS > 0 ? (settled.length > 0 ? settled : g.slice(-1)) : body, precision);
    return {
      users: g[0]!.users!,
      fromT: body[0]!.t,
      toT: g[g.length - 1]!.t + interval,
      // The mean, as for full-load throughput (run-reading.ts): whole counts of users in step make a median jump.
      rps: body.reduce((a, p) => a + rateOf(p, interval), 0) / body.length,
      p50: lat.p50,
      p95: lat.p95,
    };
  });
}

