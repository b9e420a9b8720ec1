// k6's end-of-test summary as JSON, in both shapes k6 writes:
// - `--summary-export` (legacy, flat): metrics.X = {count, avg, med, "p(95)", ...} or
//   {passes, fails, value}; thresholds.X = {"p(95)<100": true} where TRUE MEANS FAILED
//   (k6 stores whether the threshold was crossed, not whether it passed).
// - handleSummary's `data` (JSON.stringify(data)): metrics.X = {type, contains,
//   values: {...}, thresholds: {"p(95)<100": {ok: false}}}, plus `state.testRunDurationMs`.
// Only k6's rounded statistics are here, so every figure is precision 'reported'.
import path from 'node:path';
import { emptyLatency, type LatencyMs, type RunMetrics, type Stats, type Threshold } from '../../model/types.js';
import { InputError } from '../errors.js';
import { parseJsonText, readText } from '../read.js';
import type { IngestContext, Ingester, RunPart, Sniff } from '../types.js';
import { BUILTIN_METRICS } from './aggregate.js';

type Values = Record<string, number>;

interface SummaryMetric {
  values: Values;
  thresholds: Array<{ expression: string; ok: boolean }>;
  /** Count fields (count, passes, fails) left out because they were negative. */
  badCounts: string[];
}

/** Fields that count samples: a negative one is no count (a damaged file), not a figure. */
const COUNT_FIELDS = new Set(['count', 'passes', 'fails']);

const KNOWN_METRIC_KEYS = /"(http_reqs|http_req_duration|iterations|vus|vus_max|checks|data_sent|data_received|iteration_duration)"\s*:\s*\{/;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function numbersOf(o: Record<string, unknown>, badCounts: string[]): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (v < 0 && COUNT_FIELDS.has(k)) badCounts.push(k);
    else out[k] = v;
  }
  return out;
}

/** Reads one metric in either shape; null when it is not a k6 metric summary. */
export function readMetric(raw: unknown): SummaryMetric | null {
  if (!isObject(raw)) return null;
  const thresholds: SummaryMetric['thresholds'] = [];
  if (isObject(raw.thresholds)) {
    for (const [expression, t] of Object.entries(raw.thresholds)) {
      // handleSummary: {ok: boolean}. --summary-export: a boolean that is true when the
      // threshold was crossed, i.e. FAILED.
      if (isObject(t) && typeof t.ok === 'boolean') thresholds.push({ expression, ok: t.ok });
      else if (typeof t === 'boolean') thresholds.push({ expression, ok: !t });
    }
  }
  const badCounts: string[] = [];
  const values = numbersOf(isObject(raw.values) ? raw.values : raw, badCounts);
  return { values, thresholds, badCounts };
}

/** `http_req_duration{endpoint:predict,method:POST}` → base name and tags. */
export function parseMetricKey(key: string): { base: string; tags: Record<string, string> } {
  const open = key.indexOf('{');
  if (open < 0 || !key.endsWith('}')) return { base: key, tags: {} };
  const tags: Record<string, string> = {};
  for (const part of splitSelector(key.slice(open + 1, -1))) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    tags[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  return { base: key.slice(0, open), tags };
}

/** Splits `a:b,c:d` on commas that start a new `tag:` (a value such as a URL may hold commas). */
function splitSelector(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (const piece of s.split(',')) {
    if (cur !== '' && /^\s*[\w.-]+:/.test(piece)) {
      parts.push(cur);
      cur = piece;
    } else cur = cur === '' ? piece : cur + ',' + piece;
  }
  if (cur !== '') parts.push(cur);
  return parts;
}

/** `p(99.9)` → `p99.9`; null for anything else. */
function percentileKey(k: string): string | null {
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(k);
  return m ? 'p' + m[1] : null;
}

export function latencyOf(v: Values): { latencyMs: LatencyMs; extraPercentiles?: Record<string, number> } {
  const l = emptyLatency();
  l.min = v.min ?? null;
  l.mean = v.avg ?? null;
  l.max = v.max ?? null;
  l.p50 = v.med ?? v['p(50)'] ?? null;
  l.p90 = v['p(90)'] ?? null;
  l.p95 = v['p(95)'] ?? null;
  l.p99 = v['p(99)'] ?? null;
  const extra: Record<string, number> = {};
  for (const [k, val] of Object.entries(v)) {
    const p = percentileKey(k);
    if (p && !['p50', 'p90', 'p95', 'p99'].includes(p)) extra[p] = val;
  }
  return Object.keys(extra).length > 0 ? { latencyMs: l, extraPercentiles: extra } : { latencyMs: l };
}

function customKey(k: string): string {
  if (k === 'avg') return 'mean';
  if (k === 'med') return 'p50';
  return percentileKey(k) ?? k;
}

/** Submetric tags that name an endpoint; others (expected_response, status, scenario…) only filter. */
const ENDPOINT_TAGS = ['name', 'endpoint', 'url'] as const;

function endpointName(tags: Record<string, string>): string | null {
  for (const t of ENDPOINT_TAGS) if (tags[t]) return tags[t]!;
  return null;
}

function sameSelector(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function looksLikeMetricSummary(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (isObject(v.values)) return true;
  return ['count', 'avg', 'med', 'value', 'passes', 'rate', 'p(95)', 'p(90)'].some((k) => typeof v[k] === 'number');
}

export function detectSummary(sniff: Sniff): boolean {
  const head = sniff.head.trimStart();
  if (!head.startsWith('{')) return false;
  if (!/"metrics"\s*:\s*\{/.test(head)) return false;
  // A full parse when the head is the whole file (summaries are small); otherwise the key pattern.
  if (sniff.size <= sniff.head.length || (!sniff.gzip && sniff.size < 60_000)) {
    try {
      const doc = JSON.parse(head) as unknown;
      if (!isObject(doc) || !isObject(doc.metrics)) return false;
      const entries = Object.entries(doc.metrics);
      return entries.length > 0 && entries.some(([k, v]) => (BUILTIN_METRICS.has(parseMetricKey(k).base) || /p\(\d/.test(JSON.stringify(v))) && looksLikeMetricSummary(v));
    } catch {
      return false;
    }
  }
  return KNOWN_METRIC_KEYS.test(head) && /"(p\(\d+(\.\d+)?\)|values|passes|count)"\s*:/.test(head);
}

export async function ingestSummary(file: string, ctx: IngestContext): Promise<RunPart[]> {
  const text = await readText(file, ctx, 64 * 1024 * 1024);
  const doc = parseJsonText(file, text);
  if (!isObject(doc) || !isObject(doc.metrics)) throw new InputError(file, 'not a k6 summary: no "metrics" object at the top level');

  const metrics = new Map<string, SummaryMetric>();
  let skipped = 0;
  for (const [key, raw] of Object.entries(doc.metrics)) {
    const m = readMetric(raw);
    if (m) metrics.set(key, m);
    else skipped++;
  }
  if (skipped > 0) ctx.warn({ message: `${skipped} metric(s) in "metrics" are not k6 metric summaries and were skipped` });
  const badCounts = [...metrics].flatMap(([key, m]) => m.badCounts.map((f) => `${key}.${f}`));
  if (badCounts.length > 0) {
    ctx.warn({ message: `${badCounts.length} negative count(s) left out, as if missing (first: ${badCounts[0]})` });
  }
  const get = (k: string): Values | undefined => metrics.get(k)?.values;

  const httpReqs = get('http_reqs');
  const duration = get('http_req_duration');
  const failed = get('http_req_failed');
  const state = isObject(doc.state) ? doc.state : undefined;
  const runMs = typeof state?.testRunDurationMs === 'number' && state.testRunDurationMs > 0 ? state.testRunDurationMs : undefined;
  // Without state (the export), count / rate gives back k6's test run duration.
  const durationS = runMs !== undefined ? runMs / 1000 : httpReqs?.count && httpReqs.rate ? httpReqs.count / httpReqs.rate : null;

  const summary: Stats = {
    name: 'all',
    method: null,
    requests: httpReqs?.count ?? duration?.count ?? 0,
    // http_req_failed is a rate of "request failed": a *pass* is a failed request.
    failures: failed?.passes ?? 0,
    rps: httpReqs?.rate ?? null,
    precision: 'reported',
    ...latencyOf(duration ?? {}),
  };
  if (failed === undefined && summary.requests > 0) {
    ctx.warn({ message: 'no http_req_failed metric (k6 older than v0.31?): failed requests are unknown and counted as 0' });
  }

  const endpoints: Stats[] = [];
  for (const [key, m] of metrics) {
    const { base, tags } = parseMetricKey(key);
    if (base !== 'http_req_duration') continue;
    const name = endpointName(tags);
    if (name === null) continue;
    const find = (metric: string): Values | undefined => {
      for (const [k2, m2] of metrics) {
        const p = parseMetricKey(k2);
        if (p.base === metric && sameSelector(p.tags, tags)) return m2.values;
      }
      return undefined;
    };
    const reqs = find('http_reqs');
    const fails = find('http_req_failed');
    // Every request records exactly one http_req_duration sample, so the trend's count
    // is the request count when no matching http_reqs submetric exists. Without either
    // (summaryTrendStats without "count"), the endpoint's size is unknown: leave it out.
    const requests = reqs?.count ?? m.values.count;
    if (requests === undefined) continue;
    endpoints.push({
      name,
      method: tags.method ?? null,
      requests,
      // Unknown without an http_req_failed submetric for the same tags; the sample-based
      // formats of the same run (NDJSON, CSV) outrank this part and give the real count.
      failures: fails?.passes ?? 0,
      rps: reqs?.rate ?? (durationS ? requests / durationS : null),
      precision: 'reported',
      ...latencyOf(m.values),
    });
  }
  endpoints.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : (a.method ?? '') < (b.method ?? '') ? -1 : 1));

  const thresholds: Threshold[] = [];
  for (const [key, m] of metrics) for (const t of m.thresholds) thresholds.push({ metric: key, expression: t.expression, ok: t.ok });
  // k6 writes metrics in Go map order, which changes from run to run; sort for stable output.
  thresholds.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : a.expression < b.expression ? -1 : 1));

  const runMetrics: RunMetrics = {};
  const iterations = get('iterations');
  if (iterations?.count !== undefined) runMetrics.iterations = iterations.count;
  const dropped = get('dropped_iterations');
  if (dropped?.count !== undefined) runMetrics.droppedIterations = dropped.count;
  const checks = get('checks');
  if (checks?.passes !== undefined && checks.fails !== undefined) runMetrics.checks = { passes: checks.passes, fails: checks.fails };
  const vusMax = get('vus_max');
  const vusMaxValue = vusMax?.max ?? vusMax?.value;
  if (vusMaxValue !== undefined) runMetrics.vusMax = vusMaxValue;
  const sent = get('data_sent');
  if (sent?.count !== undefined) runMetrics.dataSentBytes = sent.count;
  const received = get('data_received');
  if (received?.count !== undefined) runMetrics.dataReceivedBytes = received.count;
  if (received?.rate !== undefined) runMetrics.throughputBytesPerSec = received.rate;
  const custom: Record<string, Record<string, number>> = {};
  for (const [key, m] of metrics) {
    if (BUILTIN_METRICS.has(parseMetricKey(key).base)) continue;
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(m.values)) values[customKey(k)] = v;
    custom[key] = values;
  }
  if (Object.keys(custom).length > 0) runMetrics.custom = custom;

  const provides = ['summary', 'metrics'];
  if (endpoints.length > 0) provides.push('endpoints');
  if (thresholds.length > 0) provides.push('thresholds');
  return [
    {
      groupKey: path.dirname(file),
      rank: 10,
      tool: 'k6',
      sources: [{ path: file, format: 'k6-summary', provides }],
      labels: {},
      start: null,
      end: null,
      durationS,
      summary,
      endpoints,
      timelineIntervalS: ctx.options.timelineIntervalS,
      timelineLatency: 'none',
      timeline: [],
      errors: [],
      series: [],
      thresholds,
      metrics: runMetrics,
    },
  ];
}

export const k6Summary: Ingester = {
  format: 'k6-summary',
  tool: 'k6',
  description: 'k6 end-of-test summary JSON (--summary-export, or handleSummary writing JSON.stringify(data))',
  detect: detectSummary,
  ingest: ingestSummary,
};
