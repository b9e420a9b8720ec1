// The Prometheus HTTP API response body (/api/v1/query and /api/v1/query_range) →
// model series. Shared by saved responses (saved.ts) and live queries (live.ts).
//
// Shapes: matrix → [{metric, values: [[t, "v"], ...]}]; vector → [{metric, value: [t, "v"]}];
// scalar and string → a bare [t, "v"] pair. Sample values are strings and may be
// "NaN", "+Inf" or "-Inf"; those become null points. An error body has
// {"status":"error","errorType","error"} and no data.
import type { Series } from '../../model/types.js';
import { InputError, NoDataInputError } from '../errors.js';
import { guessUnit, isQuantileQuery } from './units.js';

export interface SeriesMeta {
  /** Series name (a query name from the config, or the saved file's stem). */
  name: string;
  /** File or URL the response came from. */
  source: string;
  query?: string;
  /** A unit given by the user; guessed from the query otherwise. */
  unit?: string;
}

export interface ResponseWarning {
  message: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The message of an error body, or undefined when the body is not one. */
export function prometheusErrorOf(body: unknown): string | undefined {
  if (!isObj(body) || body.status !== 'error') return undefined;
  const type = typeof body.errorType === 'string' ? body.errorType : 'error';
  const msg = typeof body.error === 'string' ? body.error : 'no message';
  return `Prometheus answered with an error (${type}): ${msg}`;
}

interface PointStats {
  total: number;
  nonFinite: number;
  malformed: number;
}

function toPoint(raw: unknown, stats: PointStats): [number, number | null] | undefined {
  if (!Array.isArray(raw) || raw.length < 2) {
    stats.malformed++;
    return undefined;
  }
  const t = typeof raw[0] === 'number' ? raw[0] : Number(raw[0]);
  // Beyond ±8.64e12 s a time cannot be a Date (toISOString would throw): malformed.
  if (!Number.isFinite(t) || Math.abs(t) > 8.64e12) {
    stats.malformed++;
    return undefined;
  }
  stats.total++;
  const v = raw[1];
  let value: number | null = null;
  if (typeof v === 'number') value = Number.isFinite(v) ? v : null;
  // "1e309" is a valid-looking number that overflows to Infinity: a gap, like "+Inf".
  else if (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) value = Number.isFinite(Number(v)) ? Number(v) : null;
  else if (typeof v === 'string' && /^[+-]?(NaN|Inf)$/i.test(v.trim())) value = null;
  else {
    stats.malformed++;
    return [t, null];
  }
  if (value === null) stats.nonFinite++;
  return [t, value];
}

function labelsOf(metric: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(metric)) return out;
  for (const [k, v] of Object.entries(metric)) if (typeof v === 'string') out[k] = v;
  return out;
}

function describeLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '{}' : '{' + entries.map(([k, v]) => `${k}="${v}"`).join(', ') + '}';
}

/**
 * Series of one response. Throws InputError(`errorFile`) for error bodies and shapes
 * that are not a Prometheus response; recoverable oddities go to `warn`.
 */
export function seriesFromResponse(body: unknown, meta: SeriesMeta, errorFile: string, warn: (w: ResponseWarning) => void): Series[] {
  const err = prometheusErrorOf(body);
  if (err) throw new NoDataInputError(errorFile, err);
  if (!isObj(body) || body.status !== 'success' || !isObj(body.data)) {
    throw new InputError(errorFile, 'not a Prometheus API response (expected {"status":"success","data":{...}} or an error body)');
  }
  const data = body.data;
  const type = data.resultType;
  const result = data.result;
  const unit = meta.unit ?? guessUnit(meta.query, undefined);
  const base = (labels: Record<string, string>): Series => {
    const s: Series = { name: meta.name, unit: meta.unit ?? (meta.query ? unit : guessUnit(undefined, labels.__name__)), source: meta.source, labels, points: [] };
    if (meta.query !== undefined) s.query = meta.query;
    if (isQuantileQuery(meta.query)) s.precision = 'buckets';
    return s;
  };
  const stats: PointStats = { total: 0, nonFinite: 0, malformed: 0 };
  const out: Series[] = [];

  if (type === 'matrix' || type === 'vector') {
    if (!Array.isArray(result)) throw new InputError(errorFile, `"data.result" of a ${type} must be a list`);
    for (const item of result) {
      if (!isObj(item)) {
        stats.malformed++;
        continue;
      }
      const s = base(labelsOf(item.metric));
      const raw = type === 'matrix' ? (Array.isArray(item.values) ? item.values : []) : [item.value];
      const before = { ...stats };
      for (const r of raw) {
        const p = toPoint(r, stats);
        if (p) s.points.push(p);
      }
      const n = stats.total - before.total;
      if (n > 0 && stats.nonFinite - before.nonFinite === n) {
        warn({ message: `series ${meta.name} ${describeLabels(s.labels)}: all ${n} values are NaN or ±Inf (no data in that range?)` });
      }
      s.points.sort((a, b) => a[0] - b[0]);
      out.push(s);
    }
    if (result.length === 0) warn({ message: `query ${meta.name} returned no series${meta.query ? ` (${meta.query})` : ''}` });
  } else if (type === 'scalar') {
    const s = base({});
    const p = toPoint(result, stats);
    if (p) s.points.push(p);
    out.push(s);
  } else if (type === 'string') {
    warn({ message: `query ${meta.name} returned a string, not numbers; nothing to plot` });
  } else {
    throw new InputError(errorFile, `unknown Prometheus resultType ${JSON.stringify(type)} (expected matrix, vector, scalar or string)`);
  }
  if (stats.malformed > 0) warn({ message: `${stats.malformed} malformed sample(s) in ${meta.name} were ignored or read as no value` });
  return out;
}

/** The time range covered by some series, in unix seconds; undefined when there are no points. */
export function seriesRange(series: Series[]): { start: number; end: number } | undefined {
  let start = Infinity;
  let end = -Infinity;
  for (const s of series) {
    for (const [t] of s.points) {
      if (t < start) start = t;
      if (t > end) end = t;
    }
  }
  return start <= end ? { start, end } : undefined;
}
