// The newer Locust HTML report (React, about 2.2x and later): all data sits as JSON
// in `window.templateArgs = {...}` near the end of <body>. The minified bundle also
// mentions `window.templateArgs`, so only an assignment followed by `{` is taken.
import type { ErrorEntry, Stats } from '../../model/types.js';
import type { ReportDom } from './html-dom.js';
import type { ReportData, ReportHistoryPoint } from './html-jinja.js';
import { parseJsLiteral, type JsValue } from './js-literal.js';
import { applyPercentiles, identityKey } from './csv-stats.js';
import { isTotalRow, methodOf, statsFor, statusOfMessage } from './part.js';

type Obj = { [k: string]: JsValue };
const isObj = (v: JsValue): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const numOf = (v: JsValue): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strOf = (v: JsValue): string | null => (typeof v === 'string' ? v : null);
const arrOf = (v: JsValue): JsValue[] => (Array.isArray(v) ? v : []);

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** Jinja autoescaping leaks into the report's JSON strings (`&#x27;`): undo it. */
export function unescapeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|amp|lt|gt|quot|apos);/g, (all, e: string) => {
    if (e.startsWith('#x')) return safeCodePoint(parseInt(e.slice(2), 16)) ?? all;
    if (e.startsWith('#')) return safeCodePoint(parseInt(e.slice(1), 10)) ?? all;
    return NAMED_ENTITIES[e] ?? all;
  });
}

function safeCodePoint(n: number): string | null {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : null;
}

export function findTemplateArgs(dom: ReportDom): { args: Obj | null; problem?: string } {
  for (let i = dom.scripts.length - 1; i >= 0; i--) {
    const src = dom.scripts[i]!;
    const at = /window\.templateArgs\s*=\s*\{/.exec(src);
    if (!at) continue;
    try {
      const v = parseJsLiteral(src, at.index + at[0].length - 1).value;
      return { args: isObj(v) ? v : null };
    } catch (e) {
      return { args: null, problem: `cannot read window.templateArgs: ${(e as Error).message}` };
    }
  }
  return { args: null };
}

/** "0.95" → 95; "response_time_percentile_0.95" → 95. */
function percentOfKey(k: string): number | null {
  const m = /^(?:response_time_percentile_)?(0(?:\.\d+)?|1(?:\.0+)?)$/.exec(k);
  return m ? Math.round(Number(m[1]) * 100 * 1000) / 1000 : null;
}

export function readReactReport(args: Obj): ReportData {
  const problems: string[] = [];
  const stats: Stats[] = [];
  const byId = new Map<string, Stats>();
  const reqs = args.requests_statistics;
  if (!Array.isArray(reqs)) problems.push('the report data has no requests_statistics (unknown report version)');
  for (const r of arrOf(reqs)) {
    if (!isObj(r)) continue;
    const name = unescapeEntities(strOf(r.name) ?? '');
    const requests = numOf(r.num_requests);
    // A negative count is a corrupt report, not a number of requests.
    if (name === '' || requests === null || requests < 0) {
      problems.push(`requests_statistics entry "${name}" has no num_requests`);
      continue;
    }
    const s = statsFor(name, methodOf(strOf(r.method) ?? ''));
    s.requests = requests;
    s.failures = Math.max(0, numOf(r.num_failures) ?? 0);
    s.rps = numOf(r.total_rps);
    s.latencyMs.mean = numOf(r.avg_response_time);
    s.latencyMs.min = numOf(r.min_response_time);
    s.latencyMs.max = numOf(r.max_response_time);
    const pct = new Map<number, number>();
    const median = numOf(r.median_response_time);
    if (median !== null) pct.set(50, median);
    for (const [k, v] of Object.entries(r)) {
      const p = percentOfKey(k);
      const n = numOf(v);
      if (p !== null && n !== null && k.startsWith('response_time_percentile_')) pct.set(p, n);
    }
    applyPercentiles(s, pct);
    stats.push(s);
    byId.set(isTotalRow(name) ? 'total' : identityKey(s.method, name), s);
  }
  // The percentile table is finer than the request table (0.5 … 1.0) and wins.
  for (const r of arrOf(args.response_time_statistics)) {
    if (!isObj(r)) continue;
    const name = unescapeEntities(strOf(r.name) ?? '');
    const s = byId.get(isTotalRow(name) ? 'total' : identityKey(methodOf(strOf(r.method) ?? ''), name));
    if (!s) continue;
    const pct = new Map<number, number>();
    for (const [k, v] of Object.entries(r)) {
      const p = percentOfKey(k);
      const n = numOf(v);
      if (p !== null && n !== null) pct.set(p, n);
    }
    applyPercentiles(s, pct);
  }
  const errors: ErrorEntry[] = [];
  for (const f of arrOf(args.failures_statistics)) {
    if (!isObj(f)) continue;
    const count = numOf(f.occurrences);
    if (count === null || count < 0) continue;
    const message = unescapeEntities(strOf(f.error) ?? '');
    errors.push({ endpoint: unescapeEntities(strOf(f.name) ?? ''), method: methodOf(strOf(f.method) ?? ''), message, status: statusOfMessage(message), count, kind: 'failure' });
  }
  for (const x of arrOf(args.exceptions_statistics)) {
    if (!isObj(x)) continue;
    const count = numOf(x.count);
    if (count === null || count < 0) continue;
    const e: ErrorEntry = { endpoint: '', method: null, message: unescapeEntities(strOf(x.msg) ?? strOf(x.message) ?? ''), status: null, count, kind: 'exception' };
    const tb = strOf(x.traceback);
    if (tb) e.detail = unescapeEntities(tb);
    errors.push(e);
  }
  const history: ReportHistoryPoint[] = [];
  for (const h of arrOf(args.history)) {
    if (!isObj(h)) continue;
    const clock = Date.parse(strOf(h.time) ?? '');
    if (!Number.isFinite(clock)) continue;
    // Each value is an [iso_time, value] pair.
    const val = (k: string) => {
      const v = h[k];
      return Array.isArray(v) ? numOf(v[1]) : numOf(v);
    };
    history.push({
      clock: clock / 1000,
      users: val('user_count'),
      rps: val('current_rps'),
      failPerS: val('current_fail_per_sec'),
      p50: val('response_time_percentile_0.5'),
      p90: val('response_time_percentile_0.9'),
      p95: val('response_time_percentile_0.95'),
      p99: val('response_time_percentile_0.99'),
    });
  }
  const version = strOf(args.locust_version) ?? strOf(args.version);
  const data: ReportData = {
    kind: 'react',
    stats,
    errors,
    history,
    clockIsTimeOfDay: false,
    startText: timeText(args.start_time),
    endText: timeText(args.end_time),
    host: strOf(args.host),
    problems,
  };
  if (version) data.toolVersion = version;
  return data;
}

/** ISO text as written; some versions wrote unix seconds. */
function timeText(v: JsValue): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 95_617_584_000) return new Date(v * 1000).toISOString();
  return null;
}
