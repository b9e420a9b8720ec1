// A timeline for a run that only has Prometheus series (a folder of saved responses, or
// live queries without a load-test output): throughput from its request-rate series,
// server-side p50/p95 from its histogram_quantile series, one point per query step. The
// run is then read like any other (steady, overloaded, bursts), its latency precision
// `buckets`, since every value is a quantile interpolated inside histogram buckets.
import type { Run, Series, TimelinePoint } from '../model/types.js';
import { median } from './stats.js';
import { serverQuantileSeries } from './server-latency.js';
import { epochS } from './windows.js';

/** The request-rate series to count throughput from: unit req/s; of several names, the one with the fewest label sets (the coarsest split). */
function rateSeries(run: Run): Series[] {
  const byName = new Map<string, Series[]>();
  for (const s of run.series) if (s.unit === 'req/s') byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const names = [...byName.keys()].sort((a, b) => byName.get(a)!.length - byName.get(b)!.length || (a < b ? -1 : 1));
  return names.length > 0 ? byName.get(names[0]!)! : [];
}

/** The run with a timeline built from its series, or null when it has a timeline already or nothing to build one from. */
export function withSeriesTimeline(run: Run): Run | null {
  if (run.timeline.length > 0) return null;
  const start = epochS(run.start);
  const rates = rateSeries(run);
  if (start === null || rates.length === 0) return null;
  const stamps = [...new Set(rates.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  if (stamps.length < 2) return null;
  const step = median(stamps.slice(1).map((t, i) => t - stamps[i]!)) ?? 1;
  if (!(step > 0)) return null;
  const quantiles = serverQuantileSeries(run).filter((q) => q.key === 'p50' || q.key === 'p95');
  const valueAt = (s: Series, t: number) => s.points.find((p) => Math.abs(p[0] - t) < step / 2)?.[1] ?? null;
  const timeline: TimelinePoint[] = [];
  for (const ts of stamps) {
    const t = ts - start;
    if (t < 0) continue;
    let rate = 0;
    for (const s of rates) rate += valueAt(s, ts) ?? 0;
    const lat = { p50: null as number | null, p90: null, p95: null as number | null, p99: null, max: null };
    for (const q of quantiles) {
      const v = valueAt(q.series, ts);
      if (v !== null) lat[q.key as 'p50' | 'p95'] = v * q.toMs;
    }
    timeline.push({ t, requests: rate * step, failures: 0, users: null, latencyMs: lat });
  }
  if (timeline.length < 2) return null;
  return { ...run, timeline, timelineIntervalS: step, timelineLatency: quantiles.length > 0 ? 'window' : 'none' };
}
