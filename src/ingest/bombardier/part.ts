// What the two bombardier formats share: the run part they fill, the endpoint name
// taken from the target URL, and how status classes become failures and errors.
//
// Failures: bombardier counts responses by status class and calls everything that
// got no HTTP response at all (timeouts, refused connections) "others". We count
// 4xx + 5xx + others as failures, like k6's http_req_failed and Locust do by default;
// 1xx-3xx are successes (bombardier does not follow redirects, a 3xx is an answer).
import path from 'node:path';
import { percentileKey, type ErrorEntry, type Stats } from '../../model/types.js';
import { emptyRunPart, type RunPart } from '../types.js';

export interface StatusCounts {
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  others: number;
}

export function requestsOf(c: StatusCounts): number {
  return c['1xx'] + c['2xx'] + c['3xx'] + c['4xx'] + c['5xx'] + c.others;
}

export function failuresOf(c: StatusCounts): number {
  return c['4xx'] + c['5xx'] + c.others;
}

export function statusesOf(c: StatusCounts): Record<string, number> {
  return { '1xx': c['1xx'], '2xx': c['2xx'], '3xx': c['3xx'], '4xx': c['4xx'], '5xx': c['5xx'] };
}

/**
 * Error entries: one "HTTP 4xx" / "HTTP 5xx" entry per failing status class, plus the
 * transport errors bombardier lists by message (those make up `others`).
 */
export function errorsOf(c: StatusCounts, transport: Array<{ message: string; count: number }>, endpoint: string, method: string | null): ErrorEntry[] {
  const out: ErrorEntry[] = [];
  for (const cls of ['4xx', '5xx'] as const) {
    if (c[cls] > 0) out.push({ endpoint, method, message: `HTTP ${cls}`, status: cls, count: c[cls], kind: 'failure' });
  }
  for (const t of transport) out.push({ endpoint, method, message: t.message, status: null, count: t.count, kind: 'failure' });
  return out;
}

/** "http://127.0.0.1:18080/predict?x=1" → "/predict?x=1"; the text when it is no URL. */
export function endpointName(url: string): string {
  try {
    const u = new URL(url.includes('://') ? url : `http://${url}`);
    return (u.pathname || '/') + u.search;
  } catch {
    return url;
  }
}

/** `dir/run_c20.txt` → `run_c20`. */
export function fileStem(file: string): string {
  const base = path.basename(file).replace(/\.gz$/i, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

export function emptyBombardierPart(file: string, format: string, groupKey: string, name: string): RunPart {
  // bombardier prints no clock time: start and end stay unknown.
  return emptyRunPart({ groupKey, rank: 1, name, tool: 'bombardier', source: { path: file, format, provides: ['summary', 'endpoints', 'errors'] } });
}

/** The summary and the single endpoint carry the same figures (bombardier hits one URL). */
export function setStats(part: RunPart, endpoint: Stats): void {
  part.endpoints = [endpoint];
  part.summary = { ...endpoint, name: 'all', method: null, latencyMs: { ...endpoint.latencyMs } };
  if (endpoint.extraPercentiles) part.summary.extraPercentiles = { ...endpoint.extraPercentiles };
  if (endpoint.statuses) part.summary.statuses = { ...endpoint.statuses };
}

/**
 * Puts bombardier's latency percentiles (percent → ms) on an endpoint: p50/p90/p95/p99
 * into latencyMs, any other (bombardier -l also prints 75%) into extraPercentiles.
 */
export function setPercentiles(endpoint: Stats, percentiles: Iterable<[number, number]>): void {
  const extra: Record<string, number> = {};
  for (const [p, ms] of percentiles) {
    if (p === 50) endpoint.latencyMs.p50 = ms;
    else if (p === 90) endpoint.latencyMs.p90 = ms;
    else if (p === 95) endpoint.latencyMs.p95 = ms;
    else if (p === 99) endpoint.latencyMs.p99 = ms;
    else extra[percentileKey(p)] = ms;
  }
  if (Object.keys(extra).length > 0) endpoint.extraPercentiles = extra;
}
