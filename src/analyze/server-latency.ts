// Server-side latency percentiles from a run's Prometheus series: the
// histogram_quantile(φ, …) queries (or series named p50/p90/p95/p99 with a time unit).
// Each value is already a quantile over the query's trailing rate window, interpolated
// inside histogram buckets, so these figures are never sample-exact (precision `buckets`).
import type { Run, Series } from '../model/types.js';
import { median } from './stats.js';
import type { ServerPeakSustained } from './types.js';
import { queryRangeS } from './server-errors.js';
import { emptyPercentiles, epochS, PERCENTILES, type PercentileKey, type Range } from './windows.js';

const MS_PER_UNIT: Record<string, number> = { s: 1000, seconds: 1000, ms: 1, milliseconds: 1, 'µs': 0.001, us: 0.001 };
const KEY_OF_QUANTILE: Record<string, PercentileKey> = { '0.5': 'p50', '0.50': 'p50', '0.9': 'p90', '0.90': 'p90', '0.95': 'p95', '0.99': 'p99' };
const EPS = 1e-6;

export interface ServerQuantileSeries {
  key: PercentileKey;
  series: Series;
  /** Factor from the series' unit to milliseconds. */
  toMs: number;
  /** The range of the query's rate()/increase() window in seconds ([10s] → 10); 0 when unknown. */
  lookbackS: number;
}

/** The percentile a series stands for, from its PromQL or, without one, its name. */
function percentileKeyOf(s: Series): PercentileKey | null {
  if (s.query) {
    const m = /\bhistogram_quantile\s*\(\s*([0-9.]+)\s*,/.exec(s.query);
    return m ? (KEY_OF_QUANTILE[m[1]!] ?? null) : null;
  }
  const m = /^p(50|90|95|99)$/i.exec(s.name.trim());
  return m ? (`p${m[1]}` as PercentileKey) : null;
}

/**
 * The run's server-side quantile series, one per percentile. A percentile given by
 * several series (e.g. one per endpoint) is left out: no single server figure exists.
 * Series in an unknown unit are left out too (seconds vs milliseconds can't be guessed).
 */
export function serverQuantileSeries(run: Run): ServerQuantileSeries[] {
  const byKey = new Map<PercentileKey, ServerQuantileSeries[]>();
  for (const s of run.series) {
    const key = percentileKeyOf(s);
    const toMs = MS_PER_UNIT[s.unit.trim()];
    if (!key || toMs === undefined || !s.points.some((p) => p[1] !== null)) continue;
    const list = byKey.get(key) ?? [];
    list.push({ key, series: s, toMs, lookbackS: queryRangeS(s.query) ?? 0 });
    byKey.set(key, list);
  }
  return PERCENTILES.flatMap((k) => {
    const list = byKey.get(k);
    if (!list) return [];
    if (list.length === 1) return list;
    // p95 beside p95_by_endpoint: the one series without labels is the service's own figure.
    const whole = list.filter((q) => Object.keys(q.series.labels).length === 0);
    return whole.length === 1 ? whole : [];
  });
}

/** Unix seconds of the run start; null without a clock. */
export function runStartS(run: Run): number | null {
  return epochS(run.start);
}

/** Values (ms) of a series whose whole rate window [t − lookback, t] lies inside the range (seconds since run start). */
function valuesIn(q: ServerQuantileSeries, zero: number, range: Range): number[] {
  const out: number[] = [];
  for (const [ts, v] of q.series.points) {
    if (v === null) continue;
    const t = ts - zero;
    if (t - q.lookbackS >= range.startT - EPS && t <= range.endT + EPS) out.push(v * q.toMs);
  }
  return out;
}

/**
 * Server-side peak and sustained percentiles: peak = the highest value of each quantile
 * series within the run; sustained = the median of the series over the steady phase.
 * Only values whose rate window lies inside the run (or the steady phase) count, so
 * traffic before the run (an earlier test) never leaks in. Null when the run has no
 * usable quantile series or no start time to align them with.
 */
export function serverPeakSustained(run: Run, runRange: Range | null, steady: Range | null): ServerPeakSustained | null {
  const zero = runStartS(run);
  const quantiles = serverQuantileSeries(run);
  if (zero === null || !runRange || quantiles.length === 0) return null;
  const peak = emptyPercentiles();
  const sustained = emptyPercentiles();
  const series: ServerPeakSustained['series'] = {};
  let any = false;
  for (const q of quantiles) {
    const inRun = valuesIn(q, zero, runRange);
    if (inRun.length === 0) continue;
    any = true;
    series[q.key] = q.series.name;
    peak[q.key] = Math.max(...inRun);
    if (steady) sustained[q.key] = median(valuesIn(q, zero, steady));
  }
  if (!any) return null;
  return { peak, sustained: steady ? sustained : null, precision: 'buckets', series };
}
