// Locust `--html` reports, both kinds: the Jinja/table report and the React report
// with its JSON data. Rank 20: the report is written at shutdown, so its numbers
// are final where `_stats.csv` (rewritten every second) can trail by up to a second.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { TimelinePoint } from '../../model/types.js';
import { InputError } from '../errors.js';
import { readText } from '../read.js';
import type { IngestContext, Ingester, RunPart, Sniff } from '../types.js';
import { isJinjaReport, readJinjaReport, type ReportData, type ReportHistoryPoint } from './html-jinja.js';
import { findTemplateArgs, readReactReport } from './html-react.js';
import { csvPrefix, emptyPart } from './part.js';

export const FORMAT = 'locust-html';
export const HTML_RANK = 20;
const DAY = 86400;

/**
 * The report joins the run of the CSV files beside it: the only CSV prefix in its
 * folder, or the prefix its name starts with (`run1_report.html`); else its own name
 * without a `_report` suffix.
 */
export function reportPrefix(file: string): string {
  const base = path.basename(file).replace(/\.gz$/i, '').replace(/\.html?$/i, '');
  let names: string[] = [];
  try {
    names = readdirSync(path.dirname(file));
  } catch {
    names = [];
  }
  const prefixes = [...new Set(names.filter((n) => /_(stats|stats_history|failures|exceptions)\.csv(\.gz)?$/i.test(n)).map(csvPrefix))];
  if (prefixes.length === 1) return prefixes[0]!;
  const named = prefixes.filter((p) => base === p || /^[_.-]/.test(base.slice(p.length)) && base.startsWith(p)).sort((a, b) => b.length - a.length);
  // Alone, `run1_report.html` names the run "run1", as its CSV files would.
  return named[0] ?? (base.replace(/[_.-]report$/i, '') || base);
}

/** "2026-11-22 19:37:32" (Jinja, no zone: taken as UTC) or ISO 8601 (React) → unix seconds. */
function parseReportTime(s: string | null): number | null {
  if (!s) return null;
  const t = s.trim();
  const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(t) ? t.replace(' ', 'T') + 'Z' : t;
  const ms = Date.parse(iso);
  // Keep a margin inside the Date range: a time-zone correction is added later.
  return Number.isFinite(ms) && Math.abs(ms) < 8e15 ? ms / 1000 : null;
}

function mostCommonStep(clocks: number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < clocks.length; i++) {
    const d = Math.round((clocks[i]! - clocks[i - 1]! + DAY) % DAY);
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let step = 0;
  let best = 0;
  for (const [d, n] of counts) if (n > best || (n === best && d < step)) [step, best] = [d, n];
  return step || 5;
}

/**
 * Seconds since the run start for each history point. Jinja reports give a UTC time
 * of day; midnight is crossed by unwrapping. Older 2.x reports print "During" in the
 * machine's local time while the history is UTC: the whole-quarter-hour difference
 * is that zone, and the start is corrected by it (returned as `zoneShiftS`).
 */
function historyOffsets(points: ReportHistoryPoint[], start: number | null, timeOfDay: boolean): { t: number[]; zoneShiftS: number } {
  if (points.length === 0) return { t: [], zoneShiftS: 0 };
  if (!timeOfDay) {
    const origin = start ?? points[0]!.clock;
    return { t: points.map((p) => p.clock - origin), zoneShiftS: 0 };
  }
  let first = 0;
  let zoneShiftS = 0;
  if (start !== null) {
    const sod = ((start % DAY) + DAY) % DAY;
    let d = (((points[0]!.clock - sod) % DAY) + DAY) % DAY;
    if (d >= DAY / 2) d -= DAY;
    zoneShiftS = Math.round(d / 900) * 900;
    first = d - zoneShiftS;
  }
  const t = [first];
  for (let i = 1; i < points.length; i++) t.push(t[i - 1]! + ((((points[i]!.clock - points[i - 1]!.clock) % DAY) + DAY) % DAY));
  return { t, zoneShiftS };
}

/** Locust charts 0 while its current window is still empty: "no figure", not 0 ms. */
function allZero(p: ReportHistoryPoint): boolean {
  const v = [p.p50, p.p90, p.p95, p.p99].filter((x) => x !== null);
  return v.length > 0 && v.every((x) => x === 0);
}

function toPart(file: string, data: ReportData, ctx: IngestContext): RunPart {
  const prefix = reportPrefix(file);
  const part = emptyPart(file, FORMAT, prefix, HTML_RANK, ['summary', 'endpoints', 'errors', 'timeline']);
  const summary = data.stats.find((s) => s.name === 'all');
  part.endpoints = data.stats.filter((s) => s.name !== 'all');
  if (summary) part.summary = summary;
  else if (data.stats.length > 0) ctx.warn({ message: 'the report has no Aggregated row; the run summary is missing' });
  part.errors = data.errors;
  if (data.toolVersion) {
    part.toolVersion = data.toolVersion;
    part.sources[0]!.toolVersion = data.toolVersion;
  }

  let start = parseReportTime(data.startText);
  let end = parseReportTime(data.endText);
  const { t, zoneShiftS } = historyOffsets(data.history, start, data.clockIsTimeOfDay);
  if (zoneShiftS !== 0 && start !== null) {
    start += zoneShiftS;
    if (end !== null) end += zoneShiftS;
    const h = -zoneShiftS / 3600;
    ctx.warn({ message: `the report's "During" times are local time (UTC${h >= 0 ? '+' : ''}${h}) while its history is UTC; start and end were converted to UTC` });
  }
  if (start !== null) part.start = new Date(start * 1000).toISOString();
  if (end !== null) part.end = new Date(end * 1000).toISOString();
  if (start !== null && end !== null) part.durationS = end - start;

  const step = data.clockIsTimeOfDay ? mostCommonStep(data.history.map((p) => p.clock)) : mostCommonStep(data.history.map((p) => Math.round(p.clock)));
  // The report keeps only rates per history point; requests per point are the
  // rate times the point spacing (an estimate, rounded to whole requests).
  // A corrupt rate (negative, or 1e309 = Infinity) counts as no requests, not as a count.
  const perPoint = (rate: number | null) => {
    const n = Math.round((rate ?? 0) * step);
    return Number.isFinite(n) && n > 0 ? n : 0;
  };
  const timeline: TimelinePoint[] = data.history.map((p, i) => ({
    t: Math.max(0, t[i]!),
    requests: perPoint(p.rps),
    failures: perPoint(p.failPerS),
    users: p.users,
    latencyMs: allZero(p) ? { p50: null, p90: null, p95: null, p99: null, max: null } : { p50: p.p50, p90: p.p90, p95: p.p95, p99: p.p99, max: null },
  }));
  part.timeline = timeline;
  part.timelineIntervalS = step;
  // The runner's history holds its current-window percentiles.
  part.timelineLatency = timeline.some((p) => p.latencyMs.p50 !== null || p.latencyMs.p95 !== null) ? 'window' : 'none';
  if (timeline.length === 0) ctx.warn({ message: 'the report has no history (charts); the run has no timeline from it' });
  for (const p of data.problems) ctx.warn({ message: p });
  return part;
}

export const locustHtml: Ingester = {
  format: FORMAT,
  tool: 'locust',
  description: 'Locust --html report (the Jinja table report of 1.x/2.x and the newer React report)',
  detect(sniff: Sniff): boolean {
    const head = sniff.head;
    if (!/<html[\s>]/i.test(head.slice(0, 4096)) && !/^\s*<!doctype html/i.test(head)) return false;
    return /<h1>\s*Locust Test Report\s*<\/h1>/i.test(head) || /<title>\s*Locust\s*<\/title>/i.test(head) || /window\.templateArgs\s*=\s*\{/.test(head);
  },
  async ingest(file, ctx) {
    const html = await readText(file, ctx, 256 * 1024 * 1024);
    // The HTML parser (htmlparser2 and its entity tables, a fifth of what `ce-report ingest`
    // compiles) loads only when a Locust report is read.
    const { readReportDom } = await import('./html-dom.js');
    const dom = readReportDom(html);
    const { args, problem } = findTemplateArgs(dom);
    let data: ReportData;
    if (args) data = readReactReport(args);
    else if (isJinjaReport(dom)) data = readJinjaReport(dom);
    else throw new InputError(file, problem ?? 'no Locust report data found: neither the report tables nor window.templateArgs');
    if (data.stats.length === 0 && data.history.length === 0) {
      throw new InputError(file, `no Locust report data could be read (${data.problems.join('; ') || 'empty report'})`);
    }
    return [toPart(file, data, ctx)];
  },
};
