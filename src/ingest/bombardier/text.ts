// bombardier's plain-text report (the default output, `-l` adds the latency
// distribution). A file may hold several reports one after another (scripts that
// loop over connection counts and append); each report becomes its own run.
//
// bombardier redraws its progress bar with `\r` even when stdout is not a terminal,
// so a "line" can carry many fragments; each `\r`-separated fragment is read as a
// line of its own and the progress fragments are simply not recognised.
import path from 'node:path';
import { emptyStats, type Stats } from '../../model/types.js';
import { InputError } from '../errors.js';
import { readLines } from '../read.js';
import type { IngestContext, Ingester, RunPart, Sniff } from '../types.js';
import { emptyBombardierPart, endpointName, errorsOf, failuresOf, fileStem, requestsOf, setPercentiles, setStats, statusesOf, type StatusCounts } from './part.js';
import { parseBytesPerSec, parseDurationMs } from './units.js';

export const FORMAT = 'bombardier-text';

interface Block {
  firstLine: number;
  url?: string;
  connections?: number;
  /** Timed test: the `-d` duration. */
  durationS?: number;
  /** Count test: the `-n` request count. */
  requestCount?: number;
  hasStatistics: boolean;
  rps?: { avg: number; stdev: number; max: number };
  latency?: { avg: number; stdev: number; max: number };
  percentiles: Map<number, number>;
  /** Inside "Latency Distribution": `total` is the one we keep, `other` (e.g. "(2xx)") is skipped. */
  distribution: 'total' | 'other' | null;
  codes?: Omit<StatusCounts, 'others'>;
  others?: number;
  inErrors: boolean;
  transportErrors: Array<{ message: string; count: number }>;
  throughput?: number;
  complete: boolean;
}

function newBlock(lineNo: number): Block {
  return { firstLine: lineNo, hasStatistics: false, percentiles: new Map(), distribution: null, inErrors: false, transportErrors: [], complete: false };
}

const NUM = '(\\d+(?:\\.\\d+)?)';
const RE = {
  intro: /^Bombarding\s+(\S+)\s+(?:for\s+(\S+)|with\s+(\d+)\s+requests?(?:\(s\))?)\s+using\s+(\d+)\s+connections?(?:\(s\))?/,
  statistics: /^Statistics\s+Avg\s+Stdev\s+Max$/,
  reqs: new RegExp(`^Reqs/sec\\s+${NUM}\\s+${NUM}\\s+${NUM}$`),
  latency: /^Latency\s+(\S+)\s+(\S+)\s+(\S+)$/,
  distribution: /^Latency Distribution(?:\s*\(([^)]*)\))?$/,
  percentile: new RegExp(`^${NUM}%\\s+(\\S+)$`),
  codesHeader: /^HTTP codes:$/,
  codes: /^1xx - (\d+), 2xx - (\d+), 3xx - (\d+), 4xx - (\d+), 5xx - (\d+)$/,
  others: /^others - (\d+)$/,
  errorsHeader: /^Errors:$/,
  errorLine: /^(.*\S)\s+-\s+(\d+)$/,
  throughput: /^Throughput:\s+(\S+)$/,
  notEnough: /^There wasn't enough data to compute statistics for (requests|latencies)\.?$/,
};

/** Reads one trimmed fragment into the block; returns false when it is not part of a report. */
function readFragment(b: Block, s: string, lineNo: number, warn: (line: number, message: string) => void): boolean {
  let m: RegExpExecArray | null;
  if (b.inErrors) {
    if ((m = RE.errorLine.exec(s)) && !RE.throughput.test(s)) {
      b.transportErrors.push({ message: m[1]!, count: Number(m[2]) });
      return true;
    }
    b.inErrors = false;
  }
  if ((m = RE.percentile.exec(s)) && b.distribution) {
    const ms = parseDurationMs(m[2]!);
    if (ms === null) warn(lineNo, `unreadable latency "${m[2]}" in the latency distribution`);
    else if (b.distribution === 'total') b.percentiles.set(Number(m[1]), ms);
    return true;
  }
  b.distribution = null;
  if ((m = RE.reqs.exec(s))) {
    b.rps = { avg: Number(m[1]), stdev: Number(m[2]), max: Number(m[3]) };
  } else if ((m = RE.distribution.exec(s))) {
    const which = (m[1] ?? '').trim();
    b.distribution = which === '' || /^total$/i.test(which) ? 'total' : 'other';
  } else if ((m = RE.latency.exec(s))) {
    const [avg, stdev, max] = [m[1]!, m[2]!, m[3]!].map(parseDurationMs);
    if (avg === null || stdev === null || max === null) warn(lineNo, `unreadable latency figures "${s}"`);
    else b.latency = { avg: avg!, stdev: stdev!, max: max! };
  } else if (RE.codesHeader.test(s) || RE.notEnough.test(s)) {
    // nothing to keep
  } else if ((m = RE.codes.exec(s))) {
    b.codes = { '1xx': Number(m[1]), '2xx': Number(m[2]), '3xx': Number(m[3]), '4xx': Number(m[4]), '5xx': Number(m[5]) };
  } else if ((m = RE.others.exec(s))) {
    b.others = Number(m[1]);
  } else if (RE.errorsHeader.test(s)) {
    b.inErrors = true;
  } else if ((m = RE.throughput.exec(s))) {
    const bps = parseBytesPerSec(m[1]!);
    if (bps === null) warn(lineNo, `unreadable throughput "${m[1]}"`);
    else b.throughput = bps;
    b.complete = true;
  } else {
    return false;
  }
  return true;
}

function blockToPart(file: string, b: Block, groupKey: string, name: string): RunPart {
  const part = emptyBombardierPart(file, FORMAT, groupKey, name);
  const endpoint: Stats = emptyStats(b.url ? endpointName(b.url) : 'all', null, 'reported');
  if (b.codes) {
    const counts: StatusCounts = { ...b.codes, others: b.others ?? 0 };
    endpoint.requests = requestsOf(counts);
    endpoint.failures = failuresOf(counts);
    endpoint.statuses = statusesOf(counts);
    part.errors = errorsOf(counts, b.transportErrors, endpoint.name, null);
  }
  endpoint.rps = b.rps?.avg ?? null;
  if (b.latency) {
    endpoint.latencyMs.mean = b.latency.avg;
    endpoint.latencyMs.max = b.latency.max;
  }
  setPercentiles(endpoint, b.percentiles);
  setStats(part, endpoint);
  if (b.durationS !== undefined) part.durationS = b.durationS;
  else if (b.requestCount !== undefined && endpoint.rps) part.durationS = endpoint.requests / endpoint.rps;
  if (b.throughput !== undefined) part.metrics.throughputBytesPerSec = b.throughput;
  if (b.connections !== undefined) part.labels.connections = String(b.connections);
  return part;
}

export async function ingestBombardierText(file: string, ctx: IngestContext): Promise<RunPart[]> {
  const blocks: Block[] = [];
  let cur: Block | null = null;
  const warn = (line: number, message: string) => ctx.warn({ line, message });
  let unknownInReport = 0;
  let firstUnknown = 0;

  const finish = (b: Block | null, reason: string) => {
    if (!b) return;
    if (!b.hasStatistics) {
      warn(b.firstLine, `bombardier run${b.url ? ` against ${b.url}` : ''} has no results (${reason}); skipped`);
      return;
    }
    if (!b.complete) warn(b.firstLine, `bombardier report is incomplete (${reason}; no "Throughput:" line); kept what was readable`);
    blocks.push(b);
  };

  for await (const line of readLines(file, ctx)) {
    for (const fragment of line.text.split('\r')) {
      const s = fragment.trim();
      if (s === '') continue;
      let m: RegExpExecArray | null;
      if ((m = RE.intro.exec(s))) {
        finish(cur, 'another run starts');
        cur = newBlock(line.lineNo);
        cur.url = m[1]!;
        cur.connections = Number(m[4]);
        if (m[2] !== undefined) {
          const ms = parseDurationMs(m[2]);
          if (ms === null) warn(line.lineNo, `unreadable test duration "${m[2]}"`);
          else cur.durationS = ms / 1000;
        } else {
          cur.requestCount = Number(m[3]);
        }
        continue;
      }
      if (RE.statistics.test(s)) {
        if (!cur || cur.hasStatistics) {
          finish(cur, 'another report starts');
          cur = newBlock(line.lineNo);
        }
        cur.hasStatistics = true;
        continue;
      }
      if (!cur || !cur.hasStatistics || cur.complete) continue; // intro, progress bar, "Done!", the runner's own lines
      if (!readFragment(cur, s, line.lineNo, warn)) {
        unknownInReport++;
        if (firstUnknown === 0) firstUnknown = line.lineNo;
      }
    }
  }
  finish(cur, 'the file ends');
  if (unknownInReport > 0) warn(firstUnknown, `${unknownInReport} unrecognised line(s) inside a bombardier report were ignored`);
  if (blocks.length === 0) throw new InputError(file, 'no bombardier report found (expected a "Statistics  Avg  Stdev  Max" table)');

  const stem = fileStem(file);
  const key = path.resolve(file);
  if (blocks.length === 1) return [blockToPart(file, blocks[0]!, key, stem)];
  return blocks.map((b, i) => blockToPart(file, b, `${key}#${i + 1}`, `${stem}-${i + 1}`));
}

export function detectBombardierText(sniff: Sniff): boolean {
  const h = sniff.head;
  if (/"numberOfConnections"\s*:/.test(h)) return false; // JSON output, maybe after an intro line
  return /(^|[\r\n])Statistics {2,}Avg {2,}Stdev {2,}Max[ \t]*(\r?\n|$)/.test(h) || /(^|[\r\n])Bombarding https?:\/\/\S+ (for \S+|with \d+ requests?(\(s\))?) using \d+ connection/.test(h);
}

export const bombardierText: Ingester = {
  format: FORMAT,
  tool: 'bombardier',
  description: 'bombardier plain-text report (with or without -l latency distribution); several reports in one file become several runs',
  detect: detectBombardierText,
  ingest: ingestBombardierText,
};
