// Latency and throughput over time ranges of a run's timeline: the sliding windows
// behind peak figures and experiment values, and the merged steady-phase figures.
import type { Run, TimelinePoint } from '../model/types.js';
import { decodeSparse, mergedPercentilesMs, slidingPercentiles, type SparseHistogram } from './sparse-histogram.js';
import type { LatencyPrecision, Percentiles } from './types.js';

export const PERCENTILES = ['p50', 'p90', 'p95', 'p99'] as const;
export type PercentileKey = (typeof PERCENTILES)[number];
const PERCENT: Record<PercentileKey, number> = { p50: 50, p90: 90, p95: 95, p99: 99 };

const EPS = 1e-6;

export interface Range {
  startT: number;
  endT: number;
}

export interface WindowValue extends Percentiles {
  startT: number;
  endT: number;
  requests: number;
  failures: number;
}

export function sortedTimeline(run: Run): TimelinePoint[] {
  return [...run.timeline].sort((a, b) => a.t - b.t);
}

/** Whole span of the timeline: first point start to last point end. */
export function timelineSpan(run: Run): Range | null {
  if (run.timeline.length === 0) return null;
  const pts = sortedTimeline(run);
  return { startT: pts[0]!.t, endT: pts[pts.length - 1]!.t + run.timelineIntervalS };
}

/**
 * How exact windowed latency can be for this run:
 * `samples` when every point with requests carries an HDR histogram; `window` when
 * points only have their own percentiles (interval or recent-window figures);
 * `cumulative` when those are since-start figures; otherwise the summary's precision.
 */
export function latencyPrecisionOf(run: Run): LatencyPrecision {
  if (run.timeline.length === 0 || run.timelineLatency === 'none') return run.summary.precision;
  if (run.timelineLatency === 'cumulative') return 'cumulative';
  const withRequests = run.timeline.filter((p) => p.requests > 0);
  if (withRequests.length > 0 && withRequests.every((p) => p.histogram)) return 'samples';
  return 'window';
}

/** Points lying entirely inside the range. */
export function pointsIn(points: TimelinePoint[], interval: number, range: Range): TimelinePoint[] {
  return points.filter((p) => p.t >= range.startT - EPS && p.t + interval <= range.endT + EPS);
}

export function emptyPercentiles(): Percentiles {
  return { p50: null, p90: null, p95: null, p99: null };
}

/** Unix seconds of an ISO time; null without one or when it cannot be read. */
export function epochS(iso: string | null): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

function fromSparse(parts: SparseHistogram[]): Percentiles {
  const [p50, p90, p95, p99] = mergedPercentilesMs(parts, PERCENTILES.map((k) => PERCENT[k]));
  return { p50: p50!, p90: p90!, p95: p95!, p99: p99! };
}

function sparseOf(points: TimelinePoint[]): SparseHistogram[] {
  return points.filter((p) => p.histogram && p.requests > 0).map((p) => decodeSparse(p.histogram!));
}

/** Request-weighted mean of the points' own percentiles: an approximation, never exact. */
function weightedPercentiles(points: TimelinePoint[]): Percentiles {
  const out = emptyPercentiles();
  for (const k of PERCENTILES) {
    let w = 0;
    let s = 0;
    for (const p of points) {
      const v = p.latencyMs[k];
      if (v === null || p.requests <= 0) continue;
      w += p.requests;
      s += v * p.requests;
    }
    out[k] = w > 0 ? s / w : null;
  }
  return out;
}

/** Since-start percentiles can't be windowed: the best we have is the latest value in the range. */
function lastCumulative(points: TimelinePoint[]): Percentiles {
  const out = emptyPercentiles();
  for (const k of PERCENTILES) {
    for (let i = points.length - 1; i >= 0; i--) {
      const v = points[i]!.latencyMs[k];
      if (v !== null) {
        out[k] = v;
        break;
      }
    }
  }
  return out;
}

/** Latency percentiles over a set of consecutive points, as exact as the precision allows. */
export function rangePercentiles(points: TimelinePoint[], precision: LatencyPrecision): Percentiles {
  if (precision === 'samples') {
    const parts = sparseOf(points);
    return parts.length === 0 ? emptyPercentiles() : fromSparse(parts);
  }
  if (precision === 'cumulative') return lastCumulative(points);
  if (precision === 'window') return weightedPercentiles(points);
  return emptyPercentiles();
}

/**
 * Sliding windows of `windowS` seconds starting at every point inside `range` and
 * lying entirely inside it. When the range is shorter than one window, the range
 * itself is the only window. Histograms are decoded once each (sparse-histogram.ts).
 */
export function slidingWindows(run: Run, range: Range, windowS: number, precision: LatencyPrecision): WindowValue[] {
  const interval = run.timelineIntervalS;
  const pts = pointsIn(sortedTimeline(run), interval, range);
  if (pts.length === 0) return [];
  const span = range.endT - range.startT;
  const starts: number[] = [];
  if (span < windowS - EPS) starts.push(0);
  else pts.forEach((p, i) => p.t + windowS <= range.endT + EPS && starts.push(i));

  // Exact windows slide: each histogram is added as it enters and taken away as it leaves.
  const sliding = precision === 'samples' ? slidingPercentiles(pts.map((p) => (p.histogram && p.requests > 0 ? decodeSparse(p.histogram) : null))) : null;
  const out: WindowValue[] = [];
  let end = 0;
  for (const i of starts) {
    const startT = span < windowS - EPS ? range.startT : pts[i]!.t;
    const endT = span < windowS - EPS ? range.endT : startT + windowS;
    if (end < i) end = i;
    while (end < pts.length && pts[end]!.t + interval <= endT + EPS) end++;
    let requests = 0;
    let failures = 0;
    for (let j = i; j < end; j++) {
      requests += pts[j]!.requests;
      failures += pts[j]!.failures;
    }
    let lat: Percentiles;
    if (sliding) {
      sliding.moveTo(i, end);
      const [p50, p90, p95, p99] = sliding.percentiles(PERCENTILES.map((k) => PERCENT[k]));
      lat = { p50: p50!, p90: p90!, p95: p95!, p99: p99! };
    } else lat = rangePercentiles(pts.slice(i, end), precision);
    out.push({ startT, endT, requests, failures, ...lat });
  }
  return out;
}
