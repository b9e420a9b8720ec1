// A stepped load (users 1, 2, 5, 10, 20 in one run): throughput and latency per level.
import type { TimelinePoint } from '../model/types.js';
import { rateOf } from './bursts.js';
import { median } from './stats.js';
import type { LatencyPrecision, LoadLevel } from './types.js';
import { rangePercentiles } from './windows.js';

/** Distinct user levels held for 3 or more intervals: a stepped load (users 1, 2, 5, 10, 20). */
export function loadLevelsOf(pts: TimelinePoint[], interval: number, precision: LatencyPrecision): LoadLevel[] {
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
    const lat = rangePercentiles(body, precision);
    return {
      users: g[0]!.users!,
      fromT: body[0]!.t,
      toT: g[g.length - 1]!.t + interval,
      rps: median(body.map((p) => rateOf(p, interval))) ?? 0,
      p50: lat.p50,
      p95: lat.p95,
    };
  });
}

