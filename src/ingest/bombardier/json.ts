// bombardier's JSON report (`-o json`, usually with `-p r`). With `-p i,p,r` the intro
// line and the `\r` progress bar come first, so the JSON object is looked for in the
// text rather than assumed to start at byte 0. Latencies in it are microseconds.
import path from 'node:path';
import { emptyStats, type Stats } from '../../model/types.js';
import { InputError } from '../errors.js';
import { parseJsonText, readText } from '../read.js';
import type { IngestContext, Ingester, RunPart, Sniff } from '../types.js';
import { emptyBombardierPart, endpointName, errorsOf, failuresOf, fileStem, requestsOf, setPercentiles, setStats, statusesOf, type StatusCounts } from './part.js';

export const FORMAT = 'bombardier-json';

type Obj = Record<string, unknown>;

/** Where the report object starts: `{"spec"` (bombardier's own order), else the first `{` at a line start. */
function jsonStart(text: string): number {
  const m = /\{\s*"(spec|result)"\s*:/.exec(text);
  if (m) return m.index;
  const line = /(^|\n)\s*\{/.exec(text);
  return line ? text.indexOf('{', line.index) : -1;
}

/** End (exclusive) of the JSON object starting at `start`, by matching braces outside strings. */
function jsonEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return i + 1;
  }
  return text.length; // unbalanced: let JSON.parse report where it breaks
}

function num(o: Obj | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function lineOf(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function parseReport(file: string, text: string): Obj {
  const start = jsonStart(text);
  if (start < 0) throw new InputError(file, 'no bombardier JSON report found (expected an object with "spec" and "result")');
  const body = text.slice(start, jsonEnd(text, start));
  try {
    return obj(parseJsonText(file, body)) ?? {};
  } catch (e) {
    // Report the position in the whole file, not in the slice.
    if (e instanceof InputError && e.line !== undefined) {
      const before = lineOf(text, start) - 1;
      const col = e.line === 1 ? (e.column ?? 1) + (start - text.lastIndexOf('\n', start - 1) - 1) : e.column;
      throw new InputError(file, e.detail, { line: e.line + before, column: col });
    }
    throw e;
  }
}

export async function ingestBombardierJson(file: string, ctx: IngestContext): Promise<RunPart[]> {
  const text = await readText(file, ctx, 64 * 1024 * 1024);
  const report = parseReport(file, text);
  const spec = obj(report.spec) ?? {};
  const result = obj(report.result);
  if (!result) throw new InputError(file, 'bombardier JSON report has no "result" object');

  // A negative or astronomically large count is a corrupt report, not a number of requests.
  const count = (key: string): number => {
    const v = num(result, key) ?? 0;
    if (v < 0 || v > 1e15) throw new InputError(file, `result.${key} is ${v}, which cannot be a request count`);
    return v;
  };
  const counts: StatusCounts = {
    '1xx': count('req1xx'),
    '2xx': count('req2xx'),
    '3xx': count('req3xx'),
    '4xx': count('req4xx'),
    '5xx': count('req5xx'),
    others: count('others'),
  };
  const url = typeof spec.url === 'string' ? spec.url : undefined;
  const method = typeof spec.method === 'string' && spec.method !== '' ? spec.method : null;

  const part = emptyBombardierPart(file, FORMAT, path.resolve(file), fileStem(file));
  const endpoint: Stats = emptyStats(url ? endpointName(url) : 'all', method, 'reported');
  endpoint.requests = requestsOf(counts);
  endpoint.failures = failuresOf(counts);
  endpoint.statuses = statusesOf(counts);

  const latency = obj(result.latency);
  const us = (v: number | undefined) => (v === undefined ? null : v / 1000);
  endpoint.latencyMs.mean = us(num(latency, 'mean'));
  endpoint.latencyMs.max = us(num(latency, 'max'));
  const percentiles = obj(latency?.percentiles) ?? {};
  const readable: Array<[number, number]> = [];
  for (const [k, v] of Object.entries(percentiles)) {
    const p = Number(k.trim());
    if (!Number.isFinite(p) || typeof v !== 'number' || !Number.isFinite(v)) {
      ctx.warn({ message: `latency percentile "${k}" has no usable value; ignored` });
      continue;
    }
    readable.push([p, v / 1000]);
  }
  setPercentiles(endpoint, readable);
  endpoint.rps = num(obj(result.rps), 'mean') ?? null;
  setStats(part, endpoint);

  const transport: Array<{ message: string; count: number }> = [];
  if (Array.isArray(result.errors)) {
    for (const e of result.errors) {
      const o = obj(e);
      const count = num(o, 'count');
      if (o && typeof o.description === 'string' && count !== undefined) transport.push({ message: o.description, count });
      else ctx.warn({ message: 'an entry of "errors" has no description or count; ignored' });
    }
  }
  part.errors = errorsOf(counts, transport, endpoint.name, method);

  const taken = num(result, 'timeTakenSeconds');
  part.durationS = taken ?? num(spec, 'testDurationSeconds') ?? null;
  const read = num(result, 'bytesRead');
  const written = num(result, 'bytesWritten');
  if (read !== undefined) part.metrics.dataReceivedBytes = read;
  if (written !== undefined) part.metrics.dataSentBytes = written;
  // bombardier's text "Throughput" is (bytes read + written) / time taken; the JSON has the parts.
  if (read !== undefined && written !== undefined && taken) part.metrics.throughputBytesPerSec = (read + written) / taken;

  const connections = num(spec, 'numberOfConnections');
  if (connections !== undefined) part.labels.connections = String(connections);
  const rate = num(spec, 'rate');
  if (rate !== undefined) part.labels.rate = String(rate);
  return [part];
}

export function detectBombardierJson(sniff: Sniff): boolean {
  const h = sniff.head;
  return /"numberOfConnections"\s*:/.test(h) && /"(testType|spec)"\s*:/.test(h);
}

export const bombardierJson: Ingester = {
  format: FORMAT,
  tool: 'bombardier',
  description: 'bombardier JSON report (-o json, with -p r or with the intro and progress of -p i,p,r before it)',
  detect: detectBombardierJson,
  ingest: ingestBombardierJson,
};
