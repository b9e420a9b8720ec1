// Capacity changes during a run: a Prometheus series that counts replicas, pods,
// workers or instances (kube_deployment_status_replicas, count(up == 1), a gauge of the
// pool size) marks when an autoscaler added or removed capacity, so the full-load phase
// can start after the last change and the report can say what latency did at each step.
import type { Run, TimelinePoint } from '../model/types.js';
import type { CapacityChange, LatencyPrecision } from './types.js';
import { epochS, pointsIn, rangePercentiles } from './windows.js';

/** Series names and queries that count capacity: replicas, pods, workers, instances, `up`. */
const CAPACITY_NAME = /replica|\bpods?\b|workers?|instances?|capacity|^up$/i;
const CAPACITY_QUERY = /kube_[a-z_]*replicas|^\s*(count|sum)\s*\(\s*up\b/i;

export function isCapacitySeries(name: string, query: string | undefined, values: Array<number | null>): boolean {
  if (!CAPACITY_NAME.test(name) && !(query && CAPACITY_QUERY.test(query))) return false;
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 && known.every((v) => v >= 0 && v <= 100000 && Math.abs(v - Math.round(v)) < 1e-6);
}

/** When the series that count capacity change value, in seconds since the run start. */
export function capacityChangesOf(run: Run): CapacityChange[] | undefined {
  const start = epochS(run.start);
  if (start === null) return undefined;
  const counting = run.series.filter((s) => isCapacitySeries(s.name, s.query, s.points.map((p) => p[1])));
  if (counting.length === 0) return undefined;
  const out: CapacityChange[] = [];
  for (const s of counting) {
    let prev: number | null = null;
    for (const [ts, v] of [...s.points].sort((a, b) => a[0] - b[0])) {
      if (v === null) continue;
      const value = Math.round(v);
      if (prev !== null && value !== prev) out.push({ t: ts - start, from: prev, to: value, series: s.name, p95Before: null, p95After: null });
      prev = value;
    }
  }
  return out.sort((a, b) => a.t - b.t || (a.series < b.series ? -1 : 1));
}

/**
 * Locust's history percentiles are over its last 10 s (its CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW),
 * so for 10 s after a capacity change they still hold requests served before it.
 */
export const LOCUST_PERCENTILE_WINDOW_S = 10;

/** How long a run's timeline latency lags a change: Locust's window, else 0 (per-interval figures). */
export function latencyLagS(run: Run): number {
  return run.tool === 'locust' && run.timelineLatency === 'window' ? LOCUST_PERCENTILE_WINDOW_S : 0;
}

/**
 * Fills each change's p95 between the previous change (or the run start) and it, and after it.
 * With a lagging latency (`lagS`, see latencyLagS), a stretch after a change is read from
 * `lagS` after it, when that leaves an interval; else from its last interval.
 */
export function latencyAroundChanges(changes: CapacityChange[], all: TimelinePoint[], interval: number, precision: LatencyPrecision, lagS = 0): void {
  const settled = (startT: number, endT: number) => (endT - (startT + lagS) >= interval - 1e-9 ? startT + lagS : Math.max(startT, endT - interval));
  changes.forEach((c, idx) => {
    const prevT = idx > 0 ? settled(changes[idx - 1]!.t, c.t) : all[0]!.t;
    const nextT = idx + 1 < changes.length ? changes[idx + 1]!.t : all[all.length - 1]!.t + interval;
    c.p95Before = rangePercentiles(pointsIn(all, interval, { startT: prevT, endT: c.t }), precision).p95;
    c.p95After = rangePercentiles(pointsIn(all, interval, { startT: settled(c.t, nextT), endT: nextT }), precision).p95;
  });
}
