// Splitting k6 NDJSON into lines and feeding them to the aggregation. Works on raw
// Buffers. Chunks go through the WebAssembly kernel (ndjson-kernel.ts), which reads the
// lines of k6's usual shape; every other line is read here by the JavaScript scanner
// (lines found with indexOf(10), read byte by byte) and, failing that, JSON.parse. Only
// lines that reach JSON.parse become strings. Used by the single-threaded ingester and
// by each worker.
import { addPoint, createAggregate, narrowRunTags, type K6Aggregate } from './aggregate.js';
import { getKernel, readRecord, recordEnd, recordStart, type Kernel } from './ndjson-kernel.js';
import { CORRUPT, FALLBACK, FOREIGN, INVALID, METRIC, POINT, TIME_ONLY, createLineResult, parseLineJson, scanLine } from './ndjson-line.js';

/** A kind of problem line: how many, and where the first one was. */
export interface LineProblem {
  count: number;
  /** 1-based line number, relative to the start of the scanned range. */
  firstLine: number;
  detail: string;
}

export interface NdjsonScan {
  agg: K6Aggregate;
  /** Lines seen so far (the line number of the last line). */
  lineNo: number;
  points: number;
  declarations: number;
  corrupt: LineProblem;
  invalid: LineProblem;
  foreign: LineProblem;
  negative: LineProblem;
  /** Bytes of an unfinished line carried over to the next chunk. */
  carry: Buffer | null;
  /** Room that a long unfinished line grows into (doubling: linear time, however many chunks it spans). */
  carryRoom: Buffer | null;
  atStart: boolean;
  /** Tests turn the byte scanner off to compare it with the JSON.parse path. */
  fast: boolean;
  /** The WebAssembly kernel, when it reads this scan's chunks (fast scans where WebAssembly runs). */
  kernel: Kernel | null;
}

/**
 * The longest line read. k6 writes lines of a few hundred bytes; a longer one is not a
 * k6 sample (one "line" of 1 GiB of spaces or zeros), and reading on would only fill memory.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** A line over MAX_LINE_BYTES; the reader turns it into an error naming the file. */
export class LineTooLongError extends Error {
  constructor(readonly lineNo: number) {
    super(`line ${lineNo} is longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB: not k6 output (k6 writes one short JSON object per line); refusing to read further`);
    this.name = 'LineTooLongError';
  }
}

const noProblem = (): LineProblem => ({ count: 0, firstLine: 0, detail: '' });

/**
 * A scan with its own aggregation. `fast`: the byte scanners (false: JSON.parse on every
 * line, the reference tests compare with); `useKernel`: the WebAssembly kernel in front of
 * the JavaScript scanner (tests turn it off to check the JavaScript scanner alone).
 */
export function createScan(timelineIntervalS: number, fast = true, useKernel = true): NdjsonScan {
  return {
    agg: createAggregate(timelineIntervalS),
    lineNo: 0,
    points: 0,
    declarations: 0,
    corrupt: noProblem(),
    invalid: noProblem(),
    foreign: noProblem(),
    negative: noProblem(),
    carry: null,
    carryRoom: null,
    atStart: true,
    fast,
    kernel: fast && useKernel ? getKernel() : null,
  };
}

function note(p: LineProblem, lineNo: number, detail: string): void {
  if (p.count === 0) {
    p.firstLine = lineNo;
    p.detail = detail;
  }
  p.count++;
}

const line = createLineResult();

/**
 * Limits of a usable sample (see "Bad input, hostile input and safety" in README.md). Values stay far enough below
 * Number.MAX_VALUE that no sum over any number of samples overflows to Infinity.
 */
export const MAX_SAMPLE_VALUE = 1e200;
export const MAX_DURATION_MS = 24 * 3600 * 1000;
/**
 * An http_reqs sample counts the requests it stands for: k6 writes 1. A negative,
 * fractional or huge count (−5, 2^53+1) cannot be true and would be summed silently.
 */
export const MAX_REQUESTS_PER_SAMPLE = 1_000_000;
export function impossibleRequestCount(metric: string, value: number): boolean {
  return metric === 'http_reqs' && !(Number.isInteger(value) && value >= 0 && value <= MAX_REQUESTS_PER_SAMPLE);
}

/** The Date range: later or earlier times cannot be written as ISO 8601. */
export const MAX_TIME_MS = 8.64e15;

function scanOne(scan: NdjsonScan, b: Buffer, start: number, end: number): void {
  scan.lineNo++;
  if (end > start && b[end - 1] === 13) end--; // CRLF
  if (scan.atStart) {
    scan.atStart = false;
    if (end - start >= 3 && b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf) start += 3; // BOM
  }
  if (end === start) return;
  let kind = scan.fast ? scanLine(b, start, end, line) : FALLBACK;
  if (kind === FALLBACK) {
    line.metricType = undefined;
    line.contains = undefined;
    line.problem = '';
    kind = parseLineJson(b.toString('utf8', start, end), line);
  }
  applyLine(scan, kind);
}

/** Counts the line just read into `line` (of `kind`) into the scan. */
function applyLine(scan: NdjsonScan, kind: number): void {
  const agg = scan.agg;
  switch (kind) {
    case POINT: {
      // A value or time beyond any real run (1e300, a year 275760 clock) would overflow the
      // sums or the Date range: an unusable sample, counted like other unusable ones.
      if (!(Math.abs(line.value) <= MAX_SAMPLE_VALUE) || !(Math.abs(line.timeMs) <= MAX_TIME_MS)) {
        note(scan.invalid, scan.lineNo, `${line.metric}: value or time out of range`);
        return;
      }
      // A negative request duration is a broken sample (clock trouble), not a fast request;
      // one over a day is as broken (HDR histograms would have to grow without bound).
      // Custom trends may legitimately go negative; the aggregation only drops their percentiles.
      if ((line.value < 0 || line.value > MAX_DURATION_MS) && line.metric === 'http_req_duration') {
        note(scan.negative, scan.lineNo, `${line.metric} = ${line.value}`);
        return;
      }
      if (impossibleRequestCount(line.metric, line.value)) {
        note(scan.invalid, scan.lineNo, `http_reqs = ${line.value}: a request count per sample is a whole number from 0 to ${MAX_REQUESTS_PER_SAMPLE}`);
        return;
      }
      scan.points++;
      // Lines of metrics the model does not use (TIME_ONLY) skip their tags; they carry their request's.
      if (line.tags !== agg.runTagsFrom) narrowRunTags(agg, line.tags);
      addPoint(agg, line.kind, line.metric, line.timeMs, line.value, line.tags);
      return;
    }
    case TIME_ONLY: {
      if (!(Math.abs(line.timeMs) <= MAX_TIME_MS)) {
        note(scan.invalid, scan.lineNo, `${line.metric}: time out of range`);
        return;
      }
      // Samples the model does not use still bound the run in time, exactly as in addPoint.
      scan.points++;
      agg.samples++;
      if (line.timeMs < agg.minTimeMs) agg.minTimeMs = line.timeMs;
      if (line.timeMs > agg.maxTimeMs) agg.maxTimeMs = line.timeMs;
      return;
    }
    case METRIC:
      scan.declarations++;
      if (line.metricType) agg.metricTypes.set(line.metric, line.metricType);
      return;
    case INVALID:
      note(scan.invalid, scan.lineNo, `${line.metric}: ${line.problem}`);
      return;
    case FOREIGN:
      note(scan.foreign, scan.lineNo, 'not a k6 Metric or Point object');
      return;
    case CORRUPT:
      note(scan.corrupt, scan.lineNo, 'not valid JSON');
      return;
  }
}

/** Feeds a chunk of bytes; lines may span chunks. */
export function scanChunk(scan: NdjsonScan, chunk: Buffer): void {
  // A chunk inside one long line only lengthens it: scanning the line again would cost
  // time quadratic in its length.
  if (scan.carry !== null && chunk.indexOf(10) < 0) {
    appendCarry(scan, chunk);
    return;
  }
  const k = scan.kernel;
  const carried = scan.carry === null ? 0 : scan.carry.length;
  if (k !== null && carried + chunk.length <= k.copyCap) {
    // Copied to the input's start, leaving room before it for the carried-over tail.
    k.input.set(chunk, carried);
    scanInKernel(scan, k, carried, carried + chunk.length);
    return;
  }
  scanChunkJs(scan, chunk);
}

/**
 * Scans `n` bytes that the caller read into the kernel's read area `i` (see kernelArea):
 * the carried-over tail goes right before them, and the kernel reads the lot in place.
 */
export function scanKernelArea(scan: NdjsonScan, i: 0 | 1, n: number): void {
  const k = scan.kernel!;
  if (scan.carry !== null && k.areas[i].subarray(0, n).indexOf(10) < 0) {
    appendCarry(scan, k.areas[i].subarray(0, n));
    return;
  }
  if (scan.carry !== null && scan.carry.length > k.carryRoom) {
    scanChunkJs(scan, k.areas[i].subarray(0, n));
    return;
  }
  scanInKernel(scan, k, k.areaAt[i], k.areaAt[i] + n);
}

/**
 * The kernel's read area `i` for this scan to read a file into, or null when it has no
 * kernel or another scan on this thread holds the areas (one at a time: a scan keeps a
 * read going into one area across awaits). Call releaseKernelAreas when done.
 */
export function kernelArea(scan: NdjsonScan, i: 0 | 1): Buffer | null {
  const k = scan.kernel;
  if (k === null || (k.areasOwner !== null && k.areasOwner !== scan)) return null;
  k.areasOwner = scan;
  return k.areas[i];
}

export function releaseKernelAreas(scan: NdjsonScan): void {
  if (scan.kernel !== null && scan.kernel.areasOwner === scan) scan.kernel.areasOwner = null;
}

/** The JavaScript scanner on a chunk: lines found with indexOf. */
function scanChunkJs(scan: NdjsonScan, chunk: Buffer): void {
  let pos = 0;
  if (scan.carry) {
    const nl = chunk.indexOf(10);
    if (nl < 0) {
      appendCarry(scan, chunk);
      return;
    }
    if (scan.carry.length + nl > MAX_LINE_BYTES) throw new LineTooLongError(scan.lineNo + 1);
    const joined = Buffer.concat([scan.carry, chunk.subarray(0, nl)]);
    scan.carry = null;
    scan.carryRoom = null;
    scanOne(scan, joined, 0, joined.length);
    pos = nl + 1;
  }
  pos = scanLines(scan, chunk, pos);
  // Copy the tail so the (large) chunk can be freed or reused.
  if (pos < chunk.length) scan.carry = Buffer.from(chunk.subarray(pos));
}

/** Adds a chunk without a line end to the unfinished line, in place when there is room. */
function appendCarry(scan: NdjsonScan, bytes: Buffer): void {
  const carry = scan.carry!;
  const len = carry.length;
  const need = len + bytes.length;
  if (need > MAX_LINE_BYTES) throw new LineTooLongError(scan.lineNo + 1);
  let room = scan.carryRoom;
  const inRoom = room !== null && carry.buffer === room.buffer && carry.byteOffset === room.byteOffset && need <= room.length;
  if (!inRoom) {
    room = Buffer.allocUnsafe(Math.min(MAX_LINE_BYTES, Math.max(need, 2 * len)));
    carry.copy(room, 0);
    scan.carryRoom = room;
  }
  bytes.copy(room!, len);
  scan.carry = room!.subarray(0, need);
}

/**
 * Scans the complete lines of `chunk` from `pos`; returns where the unfinished tail
 * starts. A function of its own so the hot loop is optimized on its own: inside
 * scanChunk, with 8 MiB chunks, the optimized loop was thrown away at the end of every
 * chunk (the code after it had no type feedback yet) and ran unoptimized again for part
 * of the next (not seen with the 4 MiB and 512 KiB chunks the readers use today).
 */
function scanLines(scan: NdjsonScan, chunk: Buffer, pos: number): number {
  for (;;) {
    const nl = chunk.indexOf(10, pos);
    if (nl < 0) return pos;
    scanOne(scan, chunk, pos, nl);
    pos = nl + 1;
  }
}

/**
 * The kernel reads input[at, end), after the carried-over tail of the last chunk (put
 * right before `at`, where the caller left room), in batches of records; the unfinished
 * tail is carried over in turn.
 */
function scanInKernel(scan: NdjsonScan, k: Kernel, at: number, end: number): void {
  let start = at;
  if (scan.carry !== null) {
    start -= scan.carry.length;
    k.input.set(scan.carry, start);
    scan.carry = null;
    scan.carryRoom = null;
  }
  const x = k.exports;
  try {
    x.begin(start);
    for (;;) {
      const n = x.scan(end);
      applyRecords(scan, k, n);
      if (n < k.maxRecords) break;
    }
  } catch (e) {
    // Records not applied may have brought tags text this side never read: start afresh.
    k.reset();
    throw e;
  }
  const tail = x.scan_pos();
  // A copy: the input is filled again by the next chunk.
  if (tail < end) scan.carry = Buffer.from(k.input.subarray(tail, end));
}

/** The kernel's records, in line order: its samples, and the lines it left to the JavaScript scanner. */
function applyRecords(scan: NdjsonScan, k: Kernel, n: number): void {
  for (let r = 0; r < n; r++) {
    const kind = readRecord(k, r, line);
    if (kind === FALLBACK) {
      scanOne(scan, k.input, recordStart(k, r), recordEnd(k, r));
      continue;
    }
    scan.lineNo++;
    scan.atStart = false;
    applyLine(scan, kind);
  }
}

/** Ends the input: an unterminated last line is scanned too (a truncated one shows up as corrupt). */
export function finishScan(scan: NdjsonScan): void {
  if (scan.carry && scan.carry.length > 0) {
    const c = scan.carry;
    scan.carry = null;
    scanOne(scan, c, 0, c.length);
  }
}
