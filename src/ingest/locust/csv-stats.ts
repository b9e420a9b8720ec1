// `_stats.csv` (and 0.x `_requests.csv` / `_distribution.csv`): the tool's own final
// per-endpoint and Aggregated figures. Locust rounds percentiles to 2 significant
// digits; they are kept as reported (precision 'reported').
import { percentileKey, type Stats } from '../../model/types.js';
import { numberCell, type HeaderMap } from './columns.js';
import type { CsvRecord } from './csv-records.js';
import { isTotalRow, methodOf, statsFor } from './part.js';

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']);

/** The row's method and name; 0.x distribution files put "GET /path" in Name. */
export function rowIdentity(cells: string[], h: HeaderMap): { method: string | null; name: string } {
  const rawName = h.index.name !== undefined ? (cells[h.index.name] ?? '') : '';
  if (h.index.type !== undefined) return { method: methodOf(cells[h.index.type]), name: rawName };
  const m = /^([A-Z]+) (.+)$/.exec(rawName);
  if (m && HTTP_METHODS.has(m[1]!)) return { method: m[1]!, name: m[2]! };
  return { method: null, name: rawName };
}

export type PercentileRow = Map<number, number>;

export function percentilesOfRow(cells: string[], h: HeaderMap): PercentileRow {
  const out: PercentileRow = new Map();
  for (const { p, index } of h.percentiles) {
    const v = numberCell(cells[index]);
    if (v !== null) out.set(p, v);
  }
  return out;
}

/** Fills latency percentiles: p50/p90/p95/p99 in latencyMs, the rest in extraPercentiles. */
export function applyPercentiles(s: Stats, pct: PercentileRow): void {
  const extra: Record<string, number> = {};
  for (const [p, v] of pct) {
    if (p === 50) s.latencyMs.p50 = v;
    else if (p === 90) s.latencyMs.p90 = v;
    else if (p === 95) s.latencyMs.p95 = v;
    else if (p === 99) s.latencyMs.p99 = v;
    else extra[percentileKey(p)] = v;
  }
  if (Object.keys(extra).length > 0) s.extraPercentiles = { ...(s.extraPercentiles ?? {}), ...extra };
}

export function statsOfRow(rec: CsvRecord, h: HeaderMap): { stats: Stats; total: boolean } | { problem: string } {
  const { method, name } = rowIdentity(rec.cells, h);
  if (name === '') return { problem: 'row has no Name' };
  const requests = h.index.requests !== undefined ? numberCell(rec.cells[h.index.requests]) : null;
  if (requests === null || requests < 0) return { problem: `row "${name}" has no valid request count` };
  const s = statsFor(name, method);
  s.requests = requests;
  s.failures = Math.max(0, (h.index.failures !== undefined ? numberCell(rec.cells[h.index.failures]) : null) ?? 0);
  s.rps = h.index.rps !== undefined ? numberCell(rec.cells[h.index.rps]) : null;
  const col = (c: 'min' | 'mean' | 'max' | 'median') => (h.index[c] !== undefined ? numberCell(rec.cells[h.index[c]!]) : null);
  s.latencyMs.min = col('min');
  s.latencyMs.mean = col('mean');
  s.latencyMs.max = col('max');
  applyPercentiles(s, percentilesOfRow(rec.cells, h));
  // Without a 50% column (0.x requests file) the median column is the p50.
  if (s.latencyMs.p50 === null) s.latencyMs.p50 = col('median');
  return { stats: s, total: isTotalRow(name) };
}

export function identityKey(method: string | null, name: string): string {
  return (method ?? '') + ' ' + name;
}
