// k6 `--out json`: one JSON object per line, Metric declarations and Point samples,
// plain or gzip. Every sample is aggregated (src/ingest/k6/aggregate.ts) as it streams
// past; nothing per sample is kept. Very large plain files are split by byte ranges
// across threads, and a file read while others are read can get a worker of its own
// (ndjson-parallel.ts); the others are scanned on this thread while reads and inflating
// run on libuv's thread pool.
import { promises as fs } from 'node:fs';
import { samplesPart } from './aggregate.js';
import { InputError } from '../errors.js';
import { isGzipMagic, readChunks, utf16Encoding } from '../read.js';
import type { IngestContext, Ingester, RunPart, Sniff } from '../types.js';
import { createScan, finishScan, LineTooLongError, scanChunk, type LineProblem, type NdjsonScan } from './ndjson-scan.js';
import { canScanInParallel, scanGzipInParallel, scanInParallel, scanPlainSplitting } from './ndjson-parallel.js';
import { scanPlainRange } from './ndjson-read.js';

export const FORMAT = 'k6-json';

/**
 * A plain file alone at least this big is read with workers that take shares of it as
 * they become ready (ndjson-parallel.ts scanPlainSplitting): this thread starts at once
 * and a share is handed out only when it saves time at the speed measured so far. One
 * thread with the WebAssembly kernel reads ~1-1.4 GB/s here and a fresh worker loads in
 * ~0.1-0.2 s, so below this the file is read before a worker could help. (A split fixed
 * by size, 1.5 GiB and up, left 1 GiB files to one thread: 0.76-0.96 s, where this thread
 * and one worker read them in ~0.6 s.)
 */
const SPLIT_MIN_BYTES = 96 * 1024 * 1024;

export interface NdjsonOptions {
  /** Use the byte scanner (default) or JSON.parse on every line (tests compare the two). */
  fast?: boolean;
  /** With `fast`: the WebAssembly kernel in front of the JavaScript byte scanner (default); tests turn it off to check the JavaScript scanner alone. */
  kernel?: boolean;
  /** Worker threads that scan (plain: byte ranges; gzip: inflated chunks): 0 = never, undefined = automatic by size and cores. */
  workers?: number;
  /** Tests: split plain files from this size on, handing out shares that save at least `minShareS` (defaults SPLIT_MIN_BYTES, 0.05 s). */
  split?: { minBytes: number; minShareS: number };
}

function detectNdjson(sniff: Sniff): boolean {
  // Content only: complete lines in the head that are k6 Metric or Point objects.
  const lines = sniff.head.split('\n');
  if (lines.length > 1) lines.pop(); // the last line of the head may be cut
  let k6 = 0;
  let checked = 0;
  for (const raw of lines) {
    const text = raw.trim();
    if (text === '') continue;
    if (++checked > 8) break;
    if (!text.startsWith('{') || !text.includes('"metric"')) continue;
    try {
      const o = JSON.parse(text) as Record<string, unknown>;
      if ((o.type === 'Point' || o.type === 'Metric') && typeof o.metric === 'string' && typeof o.data === 'object') k6++;
    } catch {
      // a corrupt line; the others decide
    }
  }
  return k6 > 0 && k6 * 2 >= Math.min(checked, 8);
}

async function scanSequential(file: string, size: number, ctx: IngestContext, fast: boolean, gzip: boolean, kernel: boolean): Promise<NdjsonScan> {
  const scan = createScan(ctx.options.timelineIntervalS, fast, kernel);
  if (gzip) {
    for await (const chunk of readChunks(file, ctx)) scanChunk(scan, chunk);
  } else {
    await scanPlainRange(scan, file, 0, size, ctx.options.onBytes);
  }
  finishScan(scan);
  return scan;
}

function warnProblem(ctx: IngestContext, p: LineProblem, what: string): void {
  if (p.count === 0) return;
  ctx.warn({ line: p.firstLine, message: `skipped ${p.count} ${what}; first at line ${p.firstLine} (${p.detail})` });
}

/**
 * NDJSON files being read right now. The pipeline reads several files at once (one per
 * core); each big one then scans in one worker thread of its own, so the files use the
 * cores side by side instead of sharing this thread or splitting each file again.
 */
let activeReads = 0;
/** With other files being read, a file at least this big gets one worker thread. */
const ONE_WORKER_MIN_BYTES = 32 * 1024 * 1024;

export async function ingestNdjson(file: string, ctx: IngestContext, opts: NdjsonOptions = {}): Promise<RunPart[]> {
  activeReads++;
  try {
    return await ingestOne(file, ctx, opts);
  } finally {
    activeReads--;
  }
}

async function ingestOne(file: string, ctx: IngestContext, opts: NdjsonOptions): Promise<RunPart[]> {
  const fast = opts.fast ?? true;
  const stat = await fs.stat(file);
  const head = Buffer.alloc(2);
  const fh = await fs.open(file, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  // UTF-16 text goes through readChunks like gzip does: it is turned into UTF-8 there.
  const gzip = isGzipMagic(head) || utf16Encoding(head) !== null;
  const alone = activeReads === 1;
  // A gzip file alone is scanned on this thread while zlib inflates on the thread pool,
  // whatever the cores: with the WebAssembly kernel this thread scans faster than zlib
  // inflates (1 GiB: ~0.75 s against ~1 s), so inflating is the bound and workers
  // scanning in its place cannot end sooner (on 2 cores, before the kernel, one worker
  // was already slower: 2.4-2.7 s against 1.75-1.9 s, as it pays its start-up first).
  // A plain file alone is split as workers become ready (SPLIT_MIN_BYTES); with other
  // files being read, a big one gets one worker of its own.
  const sharedMin = gzip ? ONE_WORKER_MIN_BYTES / 8 : ONE_WORKER_MIN_BYTES;
  const workers = opts.workers ?? (alone ? 0 : stat.size >= sharedMin ? 1 : 0);
  const splitting = fast && opts.kernel !== false && !gzip && alone && opts.workers === undefined && stat.size >= (opts.split?.minBytes ?? SPLIT_MIN_BYTES) && canScanInParallel();
  let scan: NdjsonScan;
  try {
    if (splitting) scan = await scanPlainSplitting(file, stat.size, ctx, opts.split?.minShareS);
    else if (fast && opts.kernel !== false && workers !== 0 && canScanInParallel()) scan = gzip ? await scanGzipInParallel(file, ctx, workers) : await scanInParallel(file, stat.size, ctx, workers, alone);
    else scan = await scanSequential(file, stat.size, ctx, fast, gzip, opts.kernel ?? true);
  } catch (e) {
    if (e instanceof LineTooLongError) throw new InputError(file, e.message, { line: e.lineNo });
    throw e;
  }

  if (scan.points === 0 && scan.declarations === 0) {
    const first = scan.corrupt.count > 0 ? scan.corrupt : scan.foreign.count > 0 ? scan.foreign : null;
    if (first) throw new InputError(file, `not k6 --out json output: ${first.detail}`, { line: first.firstLine, column: 1 });
    throw new InputError(file, 'the file is empty: no k6 samples');
  }
  warnProblem(ctx, scan.corrupt, 'unreadable line(s) (not valid JSON: a truncated write or a corrupt line)');
  warnProblem(ctx, scan.foreign, 'line(s) that are JSON but not k6 Metric/Point objects');
  warnProblem(ctx, scan.invalid, 'sample(s) with an unusable time or value');
  warnProblem(ctx, scan.negative, 'negative or implausible (over 24 h) http_req_duration sample(s)');

  return [samplesPart(file, FORMAT, 30, scan.agg, ctx)];
}

export const k6Ndjson: Ingester = {
  format: FORMAT,
  tool: 'k6',
  description: 'k6 --out json (NDJSON, plain or .gz): every sample, aggregated into HDR histograms',
  detect: detectNdjson,
  ingest: (file, ctx) => ingestNdjson(file, ctx),
};
