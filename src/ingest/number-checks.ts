// Numbers that cannot be true are caught where they enter the model, with a warning
// naming the file, whatever the format: counts that are negative or beyond 2^53, more
// failures than requests, percentiles out of order (p50 above p95, min above max).
// Rounding makes small inversions normal (HDR's 3 significant digits: p99 6.149 over a
// max of 6.148719; Locust's 2: a p99 of 12 over a max of 11.52): those are clamped
// silently; larger ones are damage, and those figures are left out.
import type { LatencyMs, Precision, Stats, TimelineLatency, TimelinePoint } from '../model/types.js';
import type { RunPart } from './types.js';

/**
 * The inversion that rounding explains, by how the figures were obtained: HDR's 3
 * significant digits (0.2%); a tool's own figures, 2 significant digits and whole
 * milliseconds (6% and 1 ms: Locust's report shows a p99 of 12 and a max of 11).
 */
interface Tolerance {
  rel: number;
  abs: number;
}
function tolerance(precision: Precision | 'timeline'): Tolerance {
  return precision === 'samples' ? { rel: 0.002, abs: 0.001 } : { rel: 0.06, abs: 1 };
}
const below = (v: number, ref: number, t: Tolerance) => v < ref - t.rel * Math.abs(ref) - t.abs;

const validCount = (n: number) => Number.isFinite(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;

type Latency = Partial<LatencyMs> & TimelineLatency;
const ORDER = ['p50', 'p90', 'p95', 'p99'] as const;

/**
 * Puts `l` in order in place when rounding explains the inversions and returns null;
 * otherwise leaves out the figures that cannot be true and returns what was wrong.
 */
export function orderLatency(l: Latency, tol: Tolerance): string | null {
  const hasMin = 'min' in l;
  const min = hasMin ? (l.min ?? null) : null;
  const max = l.max;
  const seq: Array<[string, number]> = [];
  if (min !== null) seq.push(['min', min]);
  for (const k of ORDER) if (l[k] !== null) seq.push([k, l[k]!]);
  if (max !== null) seq.push(['max', max]);
  let problem: string | null = null;
  for (let i = 1; i < seq.length && !problem; i++) {
    const [pk, pv] = seq[i - 1]!;
    const [k, v] = seq[i]!;
    if (below(v, pv, tol)) problem = `${pk} ${pv} > ${k} ${v}`;
  }
  if (problem) {
    for (const k of ORDER) l[k] = null;
    if (min !== null && max !== null && min > max) {
      l.min = null;
      l.max = null;
    }
    if (l.mean !== undefined && l.mean !== null && ((l.min != null && l.mean < l.min) || (l.max !== null && l.mean > l.max))) l.mean = null;
    return problem;
  }
  // Within rounding: min at most max, each percentile at least the one below it, and within [min, max].
  if (min !== null && max !== null && min > max) l.min = max;
  let floor = l.min ?? -Infinity;
  for (const k of ORDER) {
    const v = l[k];
    if (v === null) continue;
    const clamped = Math.min(Math.max(v, floor), max ?? Infinity);
    l[k] = clamped;
    floor = clamped;
  }
  if (l.mean != null && min !== null && max !== null) {
    if (below(l.mean, min, tol) || below(max, l.mean, tol)) {
      const mean = l.mean;
      l.mean = null;
      return `mean ${mean} outside min ${min} … max ${max}`;
    }
    l.mean = Math.min(Math.max(l.mean, l.min ?? min), max);
  }
  return null;
}

/** Checks one endpoint or summary; returns false when its counts cannot be true (leave it out). */
function checkStats(s: Stats, what: string, warn: (m: string) => void): boolean {
  if (!validCount(s.requests) || !validCount(s.failures)) {
    warn(`${what}: impossible request or failure count (${s.requests} requests, ${s.failures} failures)`);
    return false;
  }
  if (s.failures > s.requests) {
    warn(`${what}: ${s.failures} failures of ${s.requests} requests cannot be; failures capped at the requests`);
    s.failures = s.requests;
  }
  const problem = orderLatency(s.latencyMs, tolerance(s.precision));
  if (problem) warn(`${what}: the latency figures cannot be true (${problem} ms); ${problem.startsWith('mean') ? 'the mean is' : 'the percentiles are'} left out`);
  return true;
}

function checkTimeline(points: TimelinePoint[], warn: (m: string) => void): void {
  const firstBack = points.findIndex((p, i) => i > 0 && p.t < points[i - 1]!.t);
  if (firstBack > 0) {
    // A history written out of order (edited, merged): the intervals in time order.
    warn(`the timeline's intervals were not in time order (first: t=${points[firstBack]!.t} s after t=${points[firstBack - 1]!.t} s); sorted them`);
    points.sort((a, b) => a.t - b.t);
  }
  let capped = 0;
  let firstCapped = 0;
  let disordered = 0;
  let firstDisordered = 0;
  let example = '';
  let badCounts = 0;
  let firstBad = 0;
  for (const p of points) {
    if (!validCount(p.requests) || !validCount(p.failures)) {
      if (badCounts++ === 0) firstBad = p.t;
      if (!validCount(p.requests)) p.requests = 0;
      if (!validCount(p.failures)) p.failures = 0;
    }
    if (p.failures > p.requests) {
      if (capped++ === 0) firstCapped = p.t;
      p.failures = p.requests;
    }
    const problem = orderLatency(p.latencyMs, tolerance('timeline'));
    if (problem && disordered++ === 0) {
      firstDisordered = p.t;
      example = problem;
    }
  }
  if (badCounts > 0) warn(`${badCounts} timeline interval(s) had an impossible request or failure count (negative or beyond 2^53), counted as 0 (first at t=${firstBad} s)`);
  if (capped > 0) warn(`${capped} timeline interval(s) had more failures than requests; failures capped at the requests (first at t=${firstCapped} s)`);
  if (disordered > 0) warn(`${disordered} timeline interval(s) had latency figures out of order (first at t=${firstDisordered} s: ${example} ms); their percentiles are left out`);
}

/** Checks a part's counts and latencies in place; `warn` gets one line per kind of problem. */
export function checkPartNumbers(part: RunPart, warn: (message: string) => void): void {
  const endpoints: Stats[] = [];
  for (const e of part.endpoints) if (checkStats(e, `endpoint ${e.method ? e.method + ' ' : ''}${e.name}`, warn)) endpoints.push(e);
  part.endpoints = endpoints;
  if (!checkStats(part.summary, 'run summary', warn)) {
    // The endpoints' own counts stand in for a summary that cannot be true.
    part.summary.requests = endpoints.reduce((a, e) => a + e.requests, 0);
    part.summary.failures = endpoints.reduce((a, e) => a + e.failures, 0);
    orderLatency(part.summary.latencyMs, tolerance(part.summary.precision));
  }
  checkTimeline(part.timeline, warn);
}
