// Scanning one NDJSON file with several threads. A plain file is cut into byte ranges at
// line boundaries; a gzip file is inflated here and handed to workers in newline-aligned
// chunks. Each thread scans into its own aggregation (histograms and counters), and the
// results are merged here with histogram `add` (the way autocannon merges its workers).
// Lines are independent and every aggregate is a sum, max, min or histogram; sums are
// compensated and exact extremes restored, so the merge gives the same model as one
// sequential scan.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createDenseHistogram, encodeHistogram, type Histogram } from '../../model/histogram.js';
import type { ErrorEntry } from '../../model/types.js';
import { addEncoded, mergeRunTags, openBucketAt, restoreExtremes, sealAllBuckets, sealBucketAt, sumError, type K6Aggregate } from './aggregate.js';
import { InputError } from '../errors.js';
import type { IngestContext } from '../types.js';
import { createScan, finishScan, MAX_LINE_BYTES, type LineProblem, type NdjsonScan } from './ndjson-scan.js';
import { scanPlainRange, type RangeBound } from './ndjson-read.js';
import { readChunks } from '../read.js';
import { startWorker } from '../../worker-start.js';

type EndpointAcc = K6Aggregate['endpoints'] extends Map<string, infer E> ? E : never;
type BucketAcc = K6Aggregate['buckets'] extends Map<number, infer B> ? B : never;
type CustomAcc = K6Aggregate['custom'] extends Map<string, infer C> ? C : never;

type Encoded<T> = Omit<T, 'hist' | 'statuses'> & { hist: string | null; statuses?: Array<[string, number]> };

/** A scan as a worker sends it back (structured-clone friendly: histograms encoded). */
export interface SerializedScan {
  lineNo: number;
  points: number;
  declarations: number;
  problems: Record<ProblemKind, LineProblem>;
  endpoints: Array<[string, Encoded<EndpointAcc>]>;
  /** Sealed buckets: figures and encoded histogram already computed. */
  buckets: Array<[number, BucketAcc]>;
  errors: Array<[string, ErrorEntry]>;
  custom: Array<[string, Encoded<CustomAcc>]>;
  metricTypes: Array<[string, string]>;
  runTags: Array<[string, string]> | null;
  scalars: Pick<K6Aggregate, 'sawHttpReqs' | 'minTimeMs' | 'maxTimeMs' | 'samples' | 'iterations' | 'droppedIterations' | 'checksPass' | 'checksFail' | 'sawChecks' | 'vusMax' | 'dataSent' | 'dataReceived'>;
}

type ProblemKind = 'corrupt' | 'invalid' | 'foreign' | 'negative';
export const PROBLEM_KINDS: readonly ProblemKind[] = ['corrupt', 'invalid', 'foreign', 'negative'];

/** Scan the byte range [start, end) of a plain file; seq = the range's index. */
export interface RangeJob {
  file: string;
  start: number;
  end: number;
  seq: number;
  timelineIntervalS: number;
}

/** Main thread to a worker. */
export type ToWorker =
  | { type: 'range'; job: RangeJob }
  | { type: 'start'; timelineIntervalS: number }
  | { type: 'chunk'; seq: number; buffer: ArrayBuffer; length: number }
  | { type: 'end' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; bytes: number }
  | { type: 'free'; buffer: ArrayBuffer }
  | {
      type: 'done';
      scan: SerializedScan;
      /** chunks mode: lines in each chunk scanned, by chunk seq. */
      lineCounts?: Array<[number, number]>;
      /** chunks mode: the chunk where each kind of problem line first occurred (its firstLine counts within that chunk). */
      firstSeq?: Partial<Record<ProblemKind, number>>;
    }
  | { type: 'error'; message: string };

const WORKER_URL = new URL('./ndjson-worker.js', import.meta.url);

/**
 * Workers need the compiled worker module (dist/); when running from TypeScript sources
 * (the test runner) it is not there and the sequential path is used.
 */
export function canScanInParallel(): boolean {
  return availableParallelism() >= 2 && WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

const encodeHist = (h: Histogram) => (h.totalCount > 0 ? encodeHistogram(h) : null);

export function serializeScan(scan: NdjsonScan): SerializedScan {
  const a = scan.agg;
  sealAllBuckets(a);
  return {
    lineNo: scan.lineNo,
    points: scan.points,
    declarations: scan.declarations,
    problems: { corrupt: scan.corrupt, invalid: scan.invalid, foreign: scan.foreign, negative: scan.negative },
    endpoints: [...a.endpoints].map(([k, e]) => [k, { ...e, hist: encodeHist(e.hist), statuses: [...e.statuses] }]),
    buckets: [...a.buckets],
    errors: [...a.errors],
    custom: [...a.custom].map(([k, c]) => [k, { ...c, hist: encodeHist(c.hist) }]),
    metricTypes: [...a.metricTypes],
    runTags: a.runTags && [...a.runTags],
    scalars: {
      sawHttpReqs: a.sawHttpReqs,
      minTimeMs: a.minTimeMs,
      maxTimeMs: a.maxTimeMs,
      samples: a.samples,
      iterations: a.iterations,
      droppedIterations: a.droppedIterations,
      checksPass: a.checksPass,
      checksFail: a.checksFail,
      sawChecks: a.sawChecks,
      vusMax: a.vusMax,
      dataSent: a.dataSent,
      dataReceived: a.dataReceived,
    },
  };
}

/** A dense histogram holding an encoded one, like the histograms a sequential scan builds. */
function denseFrom(encoded: string | null): Histogram {
  const h = createDenseHistogram();
  if (encoded !== null) addEncoded(h, encoded);
  return h;
}

function addHist(target: { hist: Histogram }, encoded: string | null): void {
  if (encoded !== null) addEncoded(target.hist, encoded);
}

const maxOrNull = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
const sumOrNull = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : a + b);

/**
 * Adds a part's problem lines of one kind to the total; `lineOffset`: the lines of the
 * file before the part's first line. The earliest first line in the file is kept.
 */
function addProblem(total: LineProblem, part: LineProblem, lineOffset: number): void {
  if (part.count === 0) return;
  const line = part.firstLine + lineOffset;
  if (total.count === 0 || line < total.firstLine) {
    total.firstLine = line;
    total.detail = part.detail;
  }
  total.count += part.count;
}

/**
 * Merges a range's scan into `into`. Ranges must come in file order: line numbers are
 * shifted by the lines before the range, and a gauge's last value is the later range's.
 */
export function mergeSerializedScan(into: NdjsonScan, part: SerializedScan): void {
  for (const kind of PROBLEM_KINDS) addProblem(into[kind], part.problems[kind], into.lineNo);
  into.lineNo += part.lineNo;
  mergeAggregate(into, part);
}

/** Everything of a part but its problem lines and line count. */
function mergeAggregate(into: NdjsonScan, part: SerializedScan): void {
  into.points += part.points;
  into.declarations += part.declarations;

  const a = into.agg;
  const reopened: number[] = [];
  for (const [key, e] of part.endpoints) {
    let t = a.endpoints.get(key);
    if (!t) {
      t = { ...e, hist: denseFrom(e.hist), statuses: new Map(e.statuses) };
      restoreExtremes(t.hist, t.minMs, t.maxMs);
      a.endpoints.set(key, t);
      continue;
    }
    t.httpReqs += e.httpReqs;
    t.durations += e.durations;
    t.failures += e.failures;
    const sumMs = t.sumMs + e.sumMs;
    t.sumErr += sumError(t.sumMs, e.sumMs, sumMs) + e.sumErr;
    t.sumMs = sumMs;
    t.minMs = Math.min(t.minMs, e.minMs);
    t.maxMs = Math.max(t.maxMs, e.maxMs);
    for (const [s, n] of e.statuses ?? []) t.statuses.set(s, (t.statuses.get(s) ?? 0) + n);
    addHist(t, e.hist);
    restoreExtremes(t.hist, t.minMs, t.maxMs);
  }
  for (const [idx, b] of part.buckets) {
    if (!a.buckets.has(idx)) {
      // Only the buckets at a range boundary are in two parts; the rest move over sealed.
      a.buckets.set(idx, b);
      continue;
    }
    const t = openBucketAt(a, idx);
    reopened.push(idx);
    t.httpReqs += b.httpReqs;
    t.durations += b.durations;
    t.failures += b.failures;
    t.users = maxOrNull(t.users, b.users);
    t.minMs = Math.min(t.minMs, b.minMs);
    t.maxMs = Math.max(t.maxMs, b.maxMs);
    addHist(t as { hist: Histogram }, b.sealed?.histogram ?? null);
    restoreExtremes(t.hist!, t.minMs, t.maxMs);
  }
  // Seal them again, so merging many parts keeps only a few histograms open.
  for (const idx of reopened) sealBucketAt(a, idx);
  for (const [key, e] of part.errors) {
    const t = a.errors.get(key);
    if (t) t.count += e.count;
    else a.errors.set(key, { ...e });
  }
  for (const [name, c] of part.custom) {
    let t = a.custom.get(name);
    if (!t) {
      t = { ...c, hist: denseFrom(c.hist) };
      restoreExtremes(t.hist, t.min, t.max);
      a.custom.set(name, t);
      continue;
    }
    t.count += c.count;
    const sum = t.sum + c.sum;
    t.sumErr += sumError(t.sum, c.sum, sum) + c.sumErr;
    t.sum = sum;
    t.min = Math.min(t.min, c.min);
    t.max = Math.max(t.max, c.max);
    t.nonZero += c.nonZero;
    // The later part's gauge value (ranges come in order; chunks carry their position).
    if (c.count > 0 && c.lastSeq >= t.lastSeq) {
      t.last = c.last;
      t.lastSeq = c.lastSeq;
    }
    addHist(t, c.hist);
    restoreExtremes(t.hist, t.min, t.max);
  }
  mergeRunTags(a, part.runTags);
  for (const [k, v] of part.metricTypes) a.metricTypes.set(k, v as K6Aggregate['metricTypes'] extends Map<string, infer T> ? T : never);
  const s = part.scalars;
  a.sawHttpReqs ||= s.sawHttpReqs;
  a.minTimeMs = Math.min(a.minTimeMs, s.minTimeMs);
  a.maxTimeMs = Math.max(a.maxTimeMs, s.maxTimeMs);
  a.samples += s.samples;
  a.iterations += s.iterations;
  a.droppedIterations += s.droppedIterations;
  a.checksPass += s.checksPass;
  a.checksFail += s.checksFail;
  a.sawChecks ||= s.sawChecks;
  a.vusMax = maxOrNull(a.vusMax, s.vusMax);
  a.dataSent = sumOrNull(a.dataSent, s.dataSent);
  a.dataReceived = sumOrNull(a.dataReceived, s.dataReceived);
}

/** Byte offsets that cut `file` into about `n` ranges, each starting at a line start. */
function lineAlignedCuts(file: string, size: number, n: number): number[] {
  const cuts = [0];
  for (let i = 1; i < n; i++) {
    const last = cuts[cuts.length - 1]!;
    const cut = lineStartAtOrAfter(file, Math.max(Math.floor((size * i) / n), last), size);
    if (cut !== null && cut > last) cuts.push(cut);
  }
  cuts.push(size);
  return cuts;
}

// Idle workers, kept for the next file: a study reads many files, and starting a worker
// costs more than scanning tens of MB. Idle ones are unref'd so they never keep the
// process alive.
const idleWorkers: Worker[] = [];

/** Workers that said they are loaded (ndjson-worker.ts posts 'ready' once). */
const readyWorkers = new WeakSet<Worker>();

/** Resolves when `w` has loaded (at once for one that has); rejects if it fails to start. */
function whenReady(w: Worker): Promise<void> {
  if (readyWorkers.has(w)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      w.off('message', message);
      w.off('error', fail);
      w.off('exit', fail);
    };
    const message = (m: WorkerMessage) => {
      if (m.type !== 'ready') return;
      done();
      resolve();
    };
    const fail = (e: unknown) => {
      done();
      reject(e instanceof Error ? e : new Error(`NDJSON worker stopped with exit code ${String(e)}`));
    };
    w.on('message', message);
    w.on('error', fail);
    w.on('exit', fail);
  });
}

function acquireWorker(): Worker {
  const w = idleWorkers.pop();
  if (w) {
    w.ref();
    return w;
  }
  const fresh = startWorker(WORKER_URL);
  fresh.on('message', (m: WorkerMessage) => {
    if (m.type === 'ready') readyWorkers.add(fresh);
  });
  fresh.on('exit', () => {
    const i = idleWorkers.indexOf(fresh);
    if (i >= 0) idleWorkers.splice(i, 1);
  });
  // Errors reach the job's own listener; this one only keeps an idle worker's crash from being unhandled.
  fresh.on('error', () => {});
  return fresh;
}

/** Back to the pool after a job that finished cleanly; a worker in an unknown state is stopped instead. */
function releaseWorker(w: Worker, clean: boolean): void {
  if (clean && idleWorkers.length < Math.max(2, availableParallelism())) {
    w.unref();
    idleWorkers.push(w);
  } else {
    void w.terminate();
  }
}

/** Runs one job on a pooled worker: `onMessage` returns a result to finish, undefined to go on. */
function withWorker<T>(start: (w: Worker) => void, onMessage: (m: WorkerMessage) => T | Error | undefined, given?: Worker): { worker: Worker; done: Promise<T> } {
  const worker = given ?? acquireWorker();
  const done = new Promise<T>((resolve, reject) => {
    const finish = (clean: boolean) => {
      worker.off('message', message);
      worker.off('error', error);
      worker.off('exit', exit);
      releaseWorker(worker, clean);
    };
    const message = (m: WorkerMessage) => {
      const r = onMessage(m);
      if (r === undefined) return;
      finish(!(r instanceof Error) || m.type === 'error');
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const error = (e: Error) => {
      finish(false);
      reject(e);
    };
    const exit = (code: number) => {
      finish(false);
      reject(new Error(`NDJSON worker stopped with exit code ${code}`));
    };
    worker.on('message', message);
    worker.on('error', error);
    worker.on('exit', exit);
  });
  start(worker);
  return { worker, done };
}

function runRange(job: RangeJob, onProgress: (bytes: number) => void, worker?: Worker): Promise<SerializedScan> {
  return withWorker<SerializedScan>(
    (w) => w.postMessage({ type: 'range', job } satisfies ToWorker),
    (m) => {
      if (m.type === 'progress') onProgress(m.bytes);
      else if (m.type === 'done') return m.scan;
      else if (m.type === 'error') return new InputError(job.file, `cannot read: ${m.message}`);
      return undefined;
    },
    worker,
  ).done;
}

/** Workers to use when not told: one per core, at most 4. */
function defaultWorkers(): number {
  return Math.min(availableParallelism(), 4);
}

/**
 * Scans a plain file in `parts` byte ranges (default: one per core, at most 4) on that
 * many threads. When `mainTakesPart`, this thread scans the first range itself and only
 * the others go to workers: one fewer worker to start, and this thread would otherwise
 * just wait. Without it (other files are being read here too), every range has a worker.
 */
export async function scanInParallel(file: string, size: number, ctx: IngestContext, parts?: number, mainTakesPart = false): Promise<NdjsonScan> {
  const n = Math.max(1, parts ?? defaultWorkers());
  const cuts = lineAlignedCuts(file, size, n);
  const progress = new Array<number>(cuts.length - 1).fill(0);
  const report = () => ctx.options.onBytes?.(progress.reduce((x, y) => x + y, 0));
  const onProgress = (i: number) => (bytes: number) => {
    progress[i] = bytes;
    report();
  };
  const scanHere = async (): Promise<SerializedScan> => {
    const own = createScan(ctx.options.timelineIntervalS);
    await scanPlainRange(own, file, cuts[0]!, cuts[1]!, onProgress(0));
    finishScan(own);
    return serializeScan(own);
  };
  const results = await Promise.all(
    cuts.slice(0, -1).map((start, i) =>
      i === 0 && mainTakesPart ? scanHere() : runRange({ file, start, end: cuts[i + 1]!, seq: i, timelineIntervalS: ctx.options.timelineIntervalS }, onProgress(i)),
    ),
  );
  const scan = createScan(ctx.options.timelineIntervalS);
  for (const p of results) mergeSerializedScan(scan, p);
  return scan;
}

let lastSplit = 0;
/** How many shares workers took of the last file scanPlainSplitting read (for tests). */
export const sharesOfLastSplit = (): number => lastSplit;

/**
 * A worker takes a share of a file only if that saves this thread at least this long:
 * its result must be encoded there and merged here (~10-30 ms for a run's histograms).
 */
const MIN_SHARE_S = 0.05;
/** This thread's reading speed until it has measured its own (bytes per second). */
const ASSUMED_BYTES_PER_S = 1e9;

/**
 * Scans a plain file alone, splitting it as workers become ready instead of by size up
 * front. This thread starts reading at once; workers start loading beside it (~0.1-0.2 s
 * for a fresh one, nothing for a pooled one), and each one that is ready takes an equal
 * share of what this thread has not read yet, cut off the end of its range at a line
 * start, when that share would take this thread at least MIN_SHARE_S at the speed it has
 * measured so far. So a file that is read before a worker is ready is not split (and
 * waits for nothing), a slow file (long numbers, many tags) splits sooner than a fast
 * one, and the threads end at about the same time: the fixed halves of scanInParallel
 * left this thread idle while the worker, started later, read its half.
 */
export async function scanPlainSplitting(file: string, size: number, ctx: IngestContext, minShareS = MIN_SHARE_S, helpers = defaultWorkers() - 1): Promise<NdjsonScan> {
  const interval = ctx.options.timelineIntervalS;
  const own = createScan(interval);
  const bound: RangeBound = { end: size, issued: 0 };
  const t0 = performance.now();
  let ownBytes = 0;
  const shares: Array<{ start: number; bytes: number; result: Promise<SerializedScan> }> = [];
  const report = () => ctx.options.onBytes?.(ownBytes + shares.reduce((n, s) => n + s.bytes, 0));
  let reading = true;
  let waiting = Math.max(0, helpers);
  const offer = (w: Worker): void => {
    waiting--;
    const remaining = bound.end - bound.issued;
    const elapsedS = (performance.now() - t0) / 1000;
    const speed = ownBytes >= 8 * 1024 * 1024 && elapsedS > 0 ? ownBytes / elapsedS : ASSUMED_BYTES_PER_S;
    // An equal share for this thread, this worker and those still loading.
    const share = remaining / (2 + waiting);
    const cut = reading && share / speed >= minShareS ? lineStartAtOrAfter(file, bound.end - share, bound.end) : null;
    if (cut === null || cut <= bound.issued) {
      releaseWorker(w, true);
      return;
    }
    const end = bound.end;
    bound.end = cut;
    w.ref();
    const index = shares.length;
    // seq orders the parts by their place in the file (a gauge keeps the later part's value).
    const job = { file, start: cut, end, seq: cut, timelineIntervalS: interval };
    const onBytes = (bytes: number) => {
      shares[index]!.bytes = bytes;
      report();
    };
    shares.push({ start: cut, bytes: 0, result: runRange(job, onBytes, w) });
  };
  for (let i = 0; i < waiting; i++) {
    const w = acquireWorker();
    // Loading must not keep the process alive if this file is read before it is ready.
    w.unref();
    whenReady(w).then(
      () => offer(w),
      () => void w.terminate(),
    );
  }
  try {
    await scanPlainRange(own, file, 0, size, (bytes) => {
      ownBytes = bytes;
      report();
    }, bound);
  } catch (e) {
    // The shares handed out end on their own (their workers go back to the pool); nobody waits for them.
    for (const s of shares) s.result.catch(() => {});
    throw e;
  } finally {
    reading = false;
  }
  finishScan(own);
  lastSplit = shares.length;
  if (shares.length === 0) return own;
  const scan = createScan(interval);
  mergeSerializedScan(scan, serializeScan(own));
  const parts = await Promise.all([...shares].sort((a, b) => a.start - b.start).map((s) => s.result));
  for (const p of parts) mergeSerializedScan(scan, p);
  return scan;
}

/** The start of the first line after byte `at` (just past the first newline at or after it) when it lies before `limit`; else null. */
function lineStartAtOrAfter(file: string, at: number, limit: number): number | null {
  const fd = openSync(file, 'r');
  try {
    const probe = Buffer.alloc(64 * 1024);
    let pos = Math.max(0, Math.floor(at));
    while (pos < limit) {
      const n = readSync(fd, probe, 0, Math.min(probe.length, limit - pos), pos);
      if (n === 0) return null;
      const nl = probe.subarray(0, n).indexOf(10);
      if (nl >= 0) return pos + nl + 1 < limit ? pos + nl + 1 : null;
      pos += n;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Decompressed text per chunk handed to a worker. */
const CHUNK_BYTES = 2 * 1024 * 1024;
/** Chunks queued per worker: enough to keep it busy, few enough to keep memory flat. */
const CHUNKS_IN_FLIGHT = 2;

interface ChunkWorker {
  worker: Worker;
  inFlight: number;
  done: Promise<Extract<WorkerMessage, { type: 'done' }>>;
}

/**
 * Scans a gzip file with `workers` threads: this thread inflates (zlib works on libuv's
 * thread pool, so inflating and scanning overlap), cuts the text into newline-aligned
 * chunks and transfers each to the least busy worker; workers hand the buffers back for
 * reuse. Problem lines are numbered within their chunk and shifted here by the lines of
 * the chunks before.
 */
export async function scanGzipInParallel(file: string, ctx: IngestContext, workers?: number): Promise<NdjsonScan> {
  // zlib keeps one core busy, so by default one worker fewer than cores. On 2 cores one
  // worker took 3.9 s of CPU and 155 MB for 1 GiB against 5.0-5.6 s and 183-198 MB for two.
  const n = Math.max(1, workers ?? Math.min(availableParallelism() - 1, 3));
  const pool: ArrayBuffer[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const crew: ChunkWorker[] = [];
  for (let i = 0; i < n; i++) {
    const c: ChunkWorker = { worker: null as never, inFlight: 0, done: null as never };
    const job = withWorker<Extract<WorkerMessage, { type: 'done' }>>(
      (w) => w.postMessage({ type: 'start', timelineIntervalS: ctx.options.timelineIntervalS } satisfies ToWorker),
      (m) => {
        if (m.type === 'free') {
          c.inFlight--;
          pool.push(m.buffer);
          notify();
        } else if (m.type === 'done') return m;
        else if (m.type === 'error') return new InputError(file, `cannot read: ${m.message}`);
        return undefined;
      },
    );
    c.worker = job.worker;
    c.done = job.done;
    c.done.catch((e: Error) => {
      failure ??= e;
      notify();
    });
    crew.push(c);
  }
  const waitForWorker = async (): Promise<ChunkWorker> => {
    for (;;) {
      if (failure) throw failure;
      let best = crew[0]!;
      for (const w of crew) if (w.inFlight < best.inFlight) best = w;
      if (best.inFlight < CHUNKS_IN_FLIGHT) return best;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  let seq = 0;
  const send = async (buffer: ArrayBuffer, length: number) => {
    const w = await waitForWorker();
    w.inFlight++;
    w.worker.postMessage({ type: 'chunk', seq: seq++, buffer, length } satisfies ToWorker, [buffer]);
  };
  const take = (size: number) => {
    const b = pool.pop();
    return b && b.byteLength >= size ? b : new ArrayBuffer(size);
  };

  let finished = false;
  try {
    let cur = take(CHUNK_BYTES);
    let view = new Uint8Array(cur);
    let len = 0;
    for await (const piece of readChunks(file, ctx)) {
      if (failure) throw failure;
      let off = 0;
      while (off < piece.length) {
        const k = Math.min(piece.length - off, view.length - len);
        view.set(piece.subarray(off, off + k), len);
        len += k;
        off += k;
        if (len < view.length) continue;
        const nl = view.lastIndexOf(10, len - 1);
        if (nl < 0) {
          // One line longer than the chunk: grow it, up to the longest line read.
          if (view.length > MAX_LINE_BYTES) {
            throw new InputError(file, `a line is longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB: not k6 output (k6 writes one short JSON object per line); refusing to read further`);
          }
          const bigger = new Uint8Array(view.length * 2);
          bigger.set(view);
          cur = bigger.buffer;
          view = bigger;
          continue;
        }
        const next = take(CHUNK_BYTES);
        const nextView = new Uint8Array(next);
        nextView.set(view.subarray(nl + 1, len));
        await send(cur, nl + 1);
        len -= nl + 1;
        cur = next;
        view = nextView;
      }
    }
    if (len > 0) await send(cur, len);
    for (const w of crew) w.worker.postMessage({ type: 'end' } satisfies ToWorker);
    const results = await Promise.all(crew.map((w) => w.done));
    finished = true;

    // Line numbers: chunk seq -> lines before it.
    const counts = results.flatMap((r) => r.lineCounts ?? []).sort((x, y) => x[0] - y[0]);
    const before = new Map<number, number>();
    let lines = 0;
    for (const [s, c] of counts) {
      before.set(s, lines);
      lines += c;
    }
    const scan = createScan(ctx.options.timelineIntervalS);
    scan.lineNo = lines;
    for (const kind of PROBLEM_KINDS) {
      for (const r of results) addProblem(scan[kind], r.scan.problems[kind], before.get(r.firstSeq?.[kind] ?? 0) ?? 0);
    }
    for (const r of results) mergeAggregate(scan, r.scan);
    return scan;
  } finally {
    // Workers still in a session (an error stopped the read) cannot be reused.
    if (!finished) for (const w of crew) void w.worker.terminate();
  }
}
