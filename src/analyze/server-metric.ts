// Experiment metrics on a Prometheus series of a run: `STAT(SERIES)`, e.g.
// `max(processing_max_5s)` or `p95(server_p95)`. SERIES is a query's name in the config
// or a saved response's file name without `query_range_`/`query_` and `.json`; STAT is
// taken over the series' per-step values in the analysed range (the run's steady phase
// when it has one, else the whole run).
import type { Run, Series } from '../model/types.js';
import { rangeBasis, type RunFacts } from './run-analysis.js';
import type { RangeBasis } from './types.js';
import { quantileSorted } from './stats.js';

export const SERIES_STATS = ['max', 'mean', 'median', 'p90', 'p95', 'p99'] as const;
export type SeriesStat = (typeof SERIES_STATS)[number];

export interface ServerMetric {
  stat: SeriesStat;
  series: string;
}

export function parseServerMetric(metric: string): ServerMetric | null {
  const m = /^\s*(max|mean|median|p90|p95|p99)\(\s*([^()]+?)\s*\)\s*$/.exec(metric);
  return m ? { stat: m[1] as SeriesStat, series: m[2]! } : null;
}

/** The statistic over some values; null without any. */
export function seriesStat(stat: SeriesStat, xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  if (stat === 'max') {
    let m = -Infinity;
    for (const x of xs) if (x > m) m = x;
    return m;
  }
  if (stat === 'mean') return xs.reduce((a, x) => a + x, 0) / xs.length;
  const q = stat === 'median' ? 0.5 : Number(stat.slice(1)) / 100;
  return quantileSorted([...xs].sort((a, b) => a - b), q);
}

export function describeStat(stat: SeriesStat): string {
  return stat === 'max' ? 'maximum' : stat === 'mean' ? 'mean' : stat === 'median' ? 'median' : stat;
}

/** Whether a series answers to a metric's SERIES name. */
export function seriesNameMatches(s: Series, name: string): boolean {
  return s.name === name || shortSeriesName(s.name) === name;
}

/** The name SERIES refers to a series by: saved-file prefixes removed. */
export function shortSeriesName(name: string): string {
  return name.replace(/^(query_range|query_instant|query)[_-](?=.)/i, '');
}

function describeLabels(labels: Record<string, string>): string {
  const e = Object.entries(labels).filter(([k]) => k !== '__name__');
  return e.length === 0 ? '{}' : `{${e.map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

/** One side of an experiment on a series: the values it is judged on. */
export interface SeriesSide {
  runId: string;
  series: Series;
  /** Per-step values inside the analysed range, in time order (gaps left out). */
  values: number[];
  /** Unix seconds of each value. */
  times: number[];
  /** Seconds between steps (the median spacing). */
  stepS: number;
  /** Analysed range in unix seconds, and what it is. */
  range: { startS: number; endS: number; basis: RangeBasis };
}

/** Seconds of the longest range selector (`[10s]`, `[1m]`) in a query; 0 when none or unknown. */
export function rangeSelectorS(query: string | undefined): number {
  if (!query) return 0;
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let best = 0;
  const bare = query.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  for (const m of bare.matchAll(/\[\s*((?:\d+(?:ms|s|m|h|d|w|y))+)\s*(?::[^\]]*)?\]/g)) {
    let s = 0;
    for (const p of m[1]!.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) s += Number(p[1]) * units[p[2]!]!;
    best = Math.max(best, s);
  }
  return best;
}

function medianStep(times: readonly number[]): number {
  const d: number[] = [];
  for (let i = 1; i < times.length; i++) d.push(times[i]! - times[i - 1]!);
  if (d.length === 0) return 1;
  d.sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)]! || 1;
}

/** The analysed range of a run in unix seconds: its full-load phase (steady or not), else the run from start to end. */
export function analysedRange(f: RunFacts): SeriesSide['range'] | null {
  const run: Run = f.run;
  const start = run.start ? Date.parse(run.start) / 1000 : NaN;
  if (!Number.isFinite(start)) return null;
  if (f.phase.steady) return { startS: start + f.phase.steady.startT, endS: start + f.phase.steady.endT, basis: rangeBasis(f) };
  const end = run.end ? Date.parse(run.end) / 1000 : run.durationS !== null ? start + run.durationS : NaN;
  return Number.isFinite(end) && end > start ? { startS: start, endS: end, basis: 'run' } : null;
}

/**
 * The series a metric names in one run, restricted to `split` (label = value) when
 * given; an error sentence when there is none or more than one.
 */
export function seriesSide(f: RunFacts, name: string, split?: { label: string; value: string }): SeriesSide | { error: string } {
  const named = f.run.series.filter((s) => seriesNameMatches(s, name));
  const what = `run ${f.run.id}`;
  if (named.length === 0) {
    const have = [...new Set(f.run.series.map((s) => shortSeriesName(s.name)))].sort();
    return { error: `${what} has no Prometheus series "${name}"${have.length ? ` (it has: ${have.join(', ')})` : ' (it has no Prometheus series)'}` };
  }
  const picked = split ? named.filter((s) => s.labels[split.label] === split.value) : named;
  if (picked.length === 0) {
    const values = [...new Set(named.map((s) => s.labels[split!.label]).filter((v) => v !== undefined))].sort();
    return { error: `no series "${name}" of ${what} has ${split!.label}="${split!.value}"${values.length ? ` (values: ${values.join(', ')})` : ` (no series has a ${split!.label} label)`}` };
  }
  if (picked.length > 1) {
    return {
      error: `${what} has ${picked.length} series "${name}"${split ? ` with ${split.label}="${split.value}"` : ''} (${picked.map((s) => describeLabels(s.labels)).join(', ')}); the metric needs one: aggregate the query${split ? '' : ' or split it with "split"'}`,
    };
  }
  const series = picked[0]!;
  const range = analysedRange(f);
  if (!range) return { error: `${what} has no time range to read series "${name}" over` };
  const stepTimes = series.points.map(([t]) => t);
  const stepS = medianStep(stepTimes);
  const values: number[] = [];
  const times: number[] = [];
  const eps = stepS / 2;
  for (const [t, v] of series.points) {
    if (v === null || t < range.startS - eps || t > range.endS + eps) continue;
    values.push(v);
    times.push(t);
  }
  if (values.length === 0) return { error: `series "${name}" of ${what} has no values in the analysed range` };
  return { runId: f.run.id, series, values, times, stepS, range };
}

/** How much a maximum rests on its single highest value. */
export interface MaxSupport {
  /** The highest value and the unix time of its first step. */
  top: number;
  topT: number;
  /** Steps holding exactly that value (a range-window query repeats one sample over several steps). */
  topSteps: number;
  /** The maximum without the highest value: the next distinct value; null when every value is the top. */
  next: number | null;
}

export function maxSupport(side: SeriesSide): MaxSupport | null {
  if (side.values.length === 0) return null;
  let top = -Infinity;
  let topT = 0;
  for (let i = 0; i < side.values.length; i++) {
    if (side.values[i]! > top) {
      top = side.values[i]!;
      topT = side.times[i]!;
    }
  }
  // Values within a rounding error of the top are the top (a quantile computed again per step).
  const same = (v: number) => Math.abs(v - top) <= 1e-9 * Math.max(1, Math.abs(top));
  let next: number | null = null;
  let topSteps = 0;
  for (const v of side.values) {
    if (same(v)) topSteps++;
    else if (next === null || v > next) next = v;
  }
  return { top, topT, topSteps, next };
}
