// The older Locust HTML report (1.x and 2.x up to about 2.2x), rendered by Jinja:
// Request Statistics / Response Time Statistics / Failures / Exceptions tables, and
// a history written as JavaScript (`var stats_history = {...}` in 2.x, chart
// `setOption({...})` literals in 1.x).
import type { ErrorEntry, Stats } from '../../model/types.js';
import type { HtmlTable, ReportDom } from './html-dom.js';
import { parseJsLiteral, type JsValue } from './js-literal.js';
import { applyPercentiles, identityKey } from './csv-stats.js';
import { isTotalRow, methodOf, statsFor, statusOfMessage } from './part.js';

export interface ReportHistoryPoint {
  /** Seconds since midnight UTC (Jinja reports give only a time of day), or unix seconds (React). */
  clock: number;
  users: number | null;
  rps: number | null;
  failPerS: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

export interface ReportData {
  kind: 'jinja' | 'react';
  stats: Stats[];
  errors: ErrorEntry[];
  history: ReportHistoryPoint[];
  /** True when `history[].clock` is a time of day (Jinja), false for unix seconds (React). */
  clockIsTimeOfDay: boolean;
  /** As written in the report; Jinja's "During" has no zone. */
  startText: string | null;
  endText: string | null;
  host: string | null;
  toolVersion?: string;
  problems: string[];
}

const num = (s: string | undefined): number | null => {
  if (s === undefined) return null;
  const t = s.trim();
  if (t === '' || /^n\/a$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
};

function column(t: HtmlTable, ...names: RegExp[]): number {
  return t.header.findIndex((h) => names.some((n) => n.test(h.trim())));
}

function tableBySection(dom: ReportDom, re: RegExp): HtmlTable | undefined {
  return dom.tables.find((t) => re.test(t.section));
}

export function isJinjaReport(dom: ReportDom): boolean {
  return dom.h1.some((h) => /Locust Test Report/i.test(h)) || dom.tables.some((t) => /Request Statistics/i.test(t.section));
}

export function readJinjaReport(dom: ReportDom): ReportData {
  const problems: string[] = [];
  const stats: Stats[] = [];
  const byId = new Map<string, Stats>();
  const req = tableBySection(dom, /^Request Statistics/i);
  if (!req) problems.push('no "Request Statistics" table');
  else {
    const c = {
      method: column(req, /^(Method|Type)$/i),
      name: column(req, /^Name$/i),
      requests: column(req, /^# ?Requests$/i),
      fails: column(req, /^# ?Fail(ure)?s$/i),
      avg: column(req, /^Average \(ms\)$/i),
      min: column(req, /^Min \(ms\)$/i),
      max: column(req, /^Max \(ms\)$/i),
      median: column(req, /^Median \(ms\)$/i),
      rps: column(req, /^(RPS|Requests\/s)$/i),
    };
    if (c.name < 0 || c.requests < 0) problems.push('the Request Statistics table has no Name or # Requests column');
    else
      for (const r of req.rows) {
        const name = r[c.name] ?? '';
        const requests = num(r[c.requests]);
        // A negative count is a corrupt report, not a number of requests.
        if (name === '' || requests === null || requests < 0) {
          problems.push(`Request Statistics row "${name}" has no request count`);
          continue;
        }
        const s = statsFor(name, methodOf(r[c.method]));
        s.requests = requests;
        s.failures = Math.max(0, num(r[c.fails]) ?? 0);
        s.rps = num(r[c.rps]);
        s.latencyMs.mean = num(r[c.avg]);
        s.latencyMs.min = num(r[c.min]);
        s.latencyMs.max = num(r[c.max]);
        s.latencyMs.p50 = num(r[c.median]);
        stats.push(s);
        byId.set(isTotalRow(name) ? 'total' : identityKey(s.method, name), s);
      }
  }
  const rt = tableBySection(dom, /^Response Time Statistics/i);
  if (rt) {
    const m = column(rt, /^(Method|Type)$/i);
    const n = column(rt, /^Name$/i);
    const pcols = rt.header.map((h, i) => ({ p: /^(\d+(?:\.\d+)?)\s*%ile/i.exec(h.trim())?.[1], i })).filter((x) => x.p !== undefined);
    for (const r of rt.rows) {
      const name = r[n] ?? '';
      const s = byId.get(isTotalRow(name) ? 'total' : identityKey(methodOf(r[m]), name));
      if (!s) continue;
      const pct = new Map<number, number>();
      for (const { p, i } of pcols) {
        const v = num(r[i]);
        if (v !== null) pct.set(Number(p), v);
      }
      applyPercentiles(s, pct);
    }
  }
  const errors: ErrorEntry[] = [];
  const fails = tableBySection(dom, /^Failures Statistics/i);
  if (fails) {
    const m = column(fails, /^(Method|Type)$/i);
    const n = column(fails, /^Name$/i);
    const e = column(fails, /^Error$/i);
    const o = column(fails, /^Occurr?ences$/i);
    for (const r of fails.rows) {
      const count = num(r[o]);
      if (count === null || count < 0) continue;
      const message = r[e] ?? '';
      errors.push({ endpoint: r[n] ?? '', method: methodOf(r[m]), message, status: statusOfMessage(message), count, kind: 'failure' });
    }
  }
  const exc = tableBySection(dom, /^Exceptions Statistics/i);
  if (exc) {
    const cnt = column(exc, /^Count$/i);
    const msg = column(exc, /^Message$/i);
    const tb = column(exc, /^Traceback$/i);
    for (const r of exc.rows) {
      const count = num(r[cnt]);
      if (count === null || count < 0) continue;
      const entry: ErrorEntry = { endpoint: '', method: null, message: r[msg] ?? '', status: null, count, kind: 'exception' };
      if (r[tb]) entry.detail = r[tb];
      errors.push(entry);
    }
  }
  const during = dom.paragraphs.find((p) => /^During:/i.test(p)) ?? '';
  const dm = /(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s*-\s*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/.exec(during);
  const hostP = dom.paragraphs.find((p) => /^Target Host:/i.test(p));
  const history = readJinjaHistory(dom.scripts, problems);
  return {
    kind: 'jinja',
    stats,
    errors,
    history,
    clockIsTimeOfDay: true,
    startText: dm ? dm[1]! : null,
    endText: dm ? dm[2]! : null,
    host: hostP ? hostP.replace(/^Target Host:\s*/i, '') : null,
    problems,
  };
}

function clockOfDay(s: JsValue): number | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{1,2}):(\d\d):(\d\d)$/.exec(s.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

/** `{"value": x}` (2.x), `{"users": n, "value": x}` or a bare number (1.x). */
function pointValue(v: JsValue): number | null {
  // 1e309 in the report's script reads as Infinity: no value, like a missing one.
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.value === 'number') return Number.isFinite(v.value) ? v.value : null;
  return null;
}

function asArray(v: JsValue): JsValue[] {
  return Array.isArray(v) ? v : [];
}

function readJinjaHistory(scripts: string[], problems: string[]): ReportHistoryPoint[] {
  for (const src of scripts) {
    const at = /var\s+stats_history\s*=\s*\{/.exec(src);
    if (!at) continue;
    let obj: JsValue;
    try {
      obj = parseJsLiteral(src, at.index + at[0].length - 1).value;
    } catch (e) {
      problems.push(`cannot read the report's stats_history: ${(e as Error).message}`);
      return [];
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [];
    // Late 2.x names the chart percentiles by index, with `var percentile1 = 0.5`.
    const byIndex: Record<string, number> = {};
    for (const m of src.matchAll(/var\s+percentile(\d+)\s*=\s*([\d.]+)/g)) byIndex[m[1]!] = Number(m[2]) * 100;
    const series: Record<number, JsValue[]> = {};
    for (const [k, v] of Object.entries(obj)) {
      const m = /^response_time_percentile_(\d+(?:\.\d+)?)$/.exec(k);
      if (!m) continue;
      const p = byIndex[m[1]!] ?? (Number(m[1]) <= 1 ? Number(m[1]) * 100 : Number(m[1]));
      series[Math.round(p * 1000) / 1000] = asArray(v);
    }
    const time = asArray(obj.time);
    return time.map((t, i) => ({
      clock: clockOfDay(t) ?? NaN,
      users: pointValue(asArray(obj.user_count)[i]),
      rps: pointValue(asArray(obj.current_rps)[i]),
      failPerS: pointValue(asArray(obj.current_fail_per_sec)[i]),
      p50: pointValue(series[50]?.[i]),
      p90: pointValue(series[90]?.[i]),
      p95: pointValue(series[95]?.[i]),
      p99: pointValue(series[99]?.[i]),
    })).filter((p) => Number.isFinite(p.clock));
  }
  return readOneXHistory(scripts, problems);
}

/** 1.x: `rpsChart.chart.setOption({xAxis: {data: [...]}, series: [{data: [...]}, ...]})`. */
function readOneXHistory(scripts: string[], problems: string[]): ReportHistoryPoint[] {
  const chart = (name: string): { x: JsValue[]; series: JsValue[][] } | null => {
    for (const src of scripts) {
      const at = new RegExp(`\\b${name}\\.chart\\.setOption\\(\\s*\\{`).exec(src);
      if (!at) continue;
      try {
        const o = parseJsLiteral(src, at.index + at[0].length - 1).value;
        if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
        const xAxis = o.xAxis;
        const x = xAxis && typeof xAxis === 'object' && !Array.isArray(xAxis) ? asArray(xAxis.data) : [];
        const series = asArray(o.series).map((s) => (s && typeof s === 'object' && !Array.isArray(s) ? asArray(s.data) : []));
        return { x, series };
      } catch (e) {
        problems.push(`cannot read the ${name} data: ${(e as Error).message}`);
        return null;
      }
    }
    return null;
  };
  const rps = chart('rpsChart');
  if (!rps) return [];
  const rt = chart('responseTimeChart');
  const users = chart('usersChart');
  return rps.x.map((t, i) => ({
    clock: clockOfDay(t) ?? NaN,
    users: pointValue(users?.series[0]?.[i]),
    rps: pointValue(rps.series[0]?.[i]),
    failPerS: pointValue(rps.series[1]?.[i]),
    p50: pointValue(rt?.series[0]?.[i]),
    p90: null,
    p95: pointValue(rt?.series[1]?.[i]),
    p99: null,
  })).filter((p) => Number.isFinite(p.clock));
}
