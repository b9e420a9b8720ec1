// Reading input files: transparent gunzip, a size limit against decompression bombs,
// progress counting, and the sniff used by format detection.
import { createReadStream, existsSync, promises as fs, statSync } from 'node:fs';
import { constants as zlibConstants, createGunzip, type ZlibOptions } from 'node:zlib';
import type { TransformOptions } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from './errors.js';
import { inflateRest } from './gzip-recover.js';
import type { InflateMessage, InflateWorkerData } from './inflate-worker.js';
import type { IngestContext, Sniff } from './types.js';
import { startWorker } from '../worker-start.js';

const SNIFF_BYTES = 64 * 1024;

export function isGzipMagic(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * The UTF-16 byte order mark: Windows PowerShell's `>` writes text as UTF-16 (a
 * redirected `bombardier … > run.txt`, a `curl … > p95.json`). Such text is turned into
 * UTF-8 as it is read, so every reader sees what it would have in UTF-8.
 */
export function utf16Encoding(b: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return null;
}

export async function sniffFile(file: string): Promise<Sniff> {
  const stat = await fs.stat(file);
  const fh = await fs.open(file, 'r');
  let raw: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(stat.size, SNIFF_BYTES * 4));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    raw = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const gzip = isGzipMagic(raw);
  let head: Buffer = raw;
  if (gzip) head = await gunzipPrefix(raw, SNIFF_BYTES);
  const base = path.basename(file);
  return {
    path: file,
    name: base.replace(/\.gz$/i, ''),
    head: stripBom(decodeHead(head.subarray(0, SNIFF_BYTES))),
    gzip,
    size: stat.size,
  };
}

/**
 * Decompresses the start of a gzip prefix (the rest of the file is not read), stopping
 * after `max` bytes of output: a decompression bomb must not fill memory while sniffing.
 * A truncated or corrupt stream gives what was readable.
 */
function gunzipPrefix(raw: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const gunzip = createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH, chunkSize: 16 * 1024 });
    const parts: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      gunzip.destroy();
      resolve(Buffer.concat(parts).subarray(0, max));
    };
    gunzip.on('data', (c: Buffer) => {
      parts.push(c);
      total += c.length;
      if (total >= max) finish();
    });
    gunzip.on('end', finish);
    gunzip.on('error', finish);
    gunzip.on('close', finish);
    gunzip.end(raw);
  });
}

function decodeHead(b: Buffer): string {
  const utf16 = utf16Encoding(b);
  return utf16 ? new TextDecoder(utf16).decode(b.subarray(0, b.length - (b.length % 2))) : b.toString('utf8');
}

export function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/**
 * Streams a file's content (gunzipped when it starts with the gzip magic) in chunks.
 * A truncated or corrupt gzip keeps what was readable and warns; content past
 * `maxDecompressedBytes` is a clear error (decompression bomb).
 */
export async function* readChunks(file: string, ctx: IngestContext): AsyncGenerator<Buffer> {
  let decoder: InstanceType<typeof TextDecoder> | null | undefined;
  for await (const chunk of readBytes(file, ctx)) {
    // The first bytes say whether the content is UTF-16 (see utf16Encoding).
    if (decoder === undefined) {
      const enc = utf16Encoding(chunk);
      decoder = enc ? new TextDecoder(enc) : null;
    }
    if (decoder === null) yield chunk;
    else {
      const text = decoder.decode(chunk, { stream: true });
      if (text.length > 0) yield Buffer.from(text, 'utf8');
    }
  }
  if (decoder) {
    const rest = decoder.decode();
    if (rest.length > 0) yield Buffer.from(rest, 'utf8');
  }
}

/** The file's bytes, gunzipped when it starts with the gzip magic. */
async function* readBytes(file: string, ctx: IngestContext): AsyncGenerator<Buffer> {
  const limit = ctx.options.maxDecompressedBytes;
  const fh = await fs.open(file, 'r');
  const magic = Buffer.alloc(2);
  let size: number;
  try {
    await fh.read(magic, 0, 2, 0);
    size = (await fh.stat()).size;
  } finally {
    await fh.close();
  }
  const gzip = isGzipMagic(magic);
  let total = 0;
  if (!gzip) {
    for await (const chunk of countRaw(createReadStream(file, { highWaterMark: 1024 * 1024 }), ctx)) {
      total += chunk.length;
      yield chunk as Buffer;
    }
    return;
  }
  let chunks: AsyncIterable<Buffer>;
  let stop = () => {};
  if (inflatesInWorker(size)) chunks = inflateInWorker(file, ctx);
  else {
    // zlib inflates on libuv's thread pool while the caller scans on this thread; a deep
    // output buffer lets it run ahead instead of waiting for each chunk to be taken (1 GiB
    // of k6 output: 2.2 s with 256 KiB and the default 16 KiB buffer, 1.75 s with this).
    const options: ZlibOptions & TransformOptions = { chunkSize: 512 * 1024, highWaterMark: 8 * 1024 * 1024 };
    const gunzip = createGunzip(options);
    const raw = countRaw(createReadStream(file, { highWaterMark: 1024 * 1024 }), ctx);
    raw.on('error', (e) => gunzip.destroy(e));
    raw.pipe(gunzip);
    chunks = gunzip;
    stop = () => {
      raw.destroy();
      gunzip.destroy();
    };
  }
  try {
    for await (const chunk of chunks) {
      total += chunk.length;
      if (total > limit) {
        stop();
        throw new InputError(file, `decompressed content exceeds the limit of ${formatBytes(limit)}; refusing to read further (decompression bomb?)`);
      }
      yield chunk;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end of file/i.test(String((e as Error).message))) {
      // gunzip dropped the output it still held: read the deflate data again past what was handed out.
      const state = { complete: false, overLimit: false };
      for await (const chunk of inflateRest(file, total, limit, state)) {
        total += chunk.length;
        yield chunk;
      }
      if (state.overLimit) throw new InputError(file, `decompressed content exceeds the limit of ${formatBytes(limit)}; refusing to read further (decompression bomb?)`);
      if (total === 0) throw new InputError(file, 'gzip stream is corrupt or empty; nothing could be read');
      ctx.warn({
        file,
        message: state.complete
          ? `gzip checksum or length does not match the content (a damaged or edited file?); kept all ${formatBytes(total)} of content`
          : `gzip stream is truncated or corrupt after ${formatBytes(total)} of content; kept what was readable`,
      });
      return;
    }
    throw new InputError(file, `cannot read: ${(e as Error).message}`);
  }
}

/** Reports the bytes read from `raw` so far to onBytes (progress). */
function countRaw<T extends NodeJS.ReadableStream>(raw: T, ctx: IngestContext): T {
  let rawBytes = 0;
  raw.on('data', (c: Buffer | string) => {
    rawBytes += c.length;
    ctx.options.onBytes?.(rawBytes);
  });
  return raw;
}

const INFLATE_WORKER_URL = new URL('./inflate-worker.js', import.meta.url);
/** Chunks consumed per acknowledgement sent back to the worker (see inflateInWorker). */
const ACK_EVERY = 4;

/**
 * Compressed size from which a gzip file is inflated in a worker thread (see
 * inflate-worker.ts). A worker started when the file is reached sends its first chunk
 * ~40 ms later (worker-start.ts; one started ahead for a .gz on the command line is
 * quicker), during which this thread has nothing to scan; it wins back ~0.1 s per GiB of
 * content. Measured before worker-start.ts, with a ~75 ms first chunk: k6 output gzipped at level 1 (~20:1), 2 cores,
 * in-process: 64 MiB of content (3.3 MiB gzipped) 0.16 s against 0.14 s on this thread,
 * 256 MiB (13 MiB) 0.35-0.42 s against 0.33-0.35 s, 512 MiB (27 MiB) 0.55-0.62 s against
 * 0.62-0.75 s. CE_REPORT_INFLATE_WORKER_MIN_BYTES sets another size (tests send small
 * files through the worker with 0).
 */
function inflateWorkerMinBytes(): number {
  const env = process.env.CE_REPORT_INFLATE_WORKER_MIN_BYTES;
  const n = env === undefined || env === '' ? NaN : Number(env);
  return Number.isFinite(n) && n >= 0 ? n : 16 * 1024 * 1024;
}

/**
 * Whether a gzip file of `size` compressed bytes is inflated in a worker: big enough, and the
 * worker's compiled module is there (from the TypeScript sources, in tests, there is none).
 */
function inflatesInWorker(size: number): boolean {
  return size >= inflateWorkerMinBytes() && INFLATE_WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(INFLATE_WORKER_URL));
}

/** An inflate worker started ahead, booted and waiting for its file (prestartInflateWorker). */
let prestarted: Worker | null = null;

/**
 * Starts an inflate worker ahead, while the CLI is still loading, for a command given a
 * .gz file big enough to be inflated in one (early-start.ts): its boot (~30 ms) and the
 * rest of the CLI's start (~35 ms of module evaluation, config, detection) then overlap,
 * and the file's first chunk comes that much sooner. Until it is given a file it keeps
 * nothing alive; unused, it ends with the process.
 */
export function prestartInflateWorker(file: string): void {
  if (prestarted) return;
  try {
    if (!inflatesInWorker(statSync(file).size)) return;
  } catch {
    return;
  }
  prestarted = startWorker(INFLATE_WORKER_URL, { workerData: null });
  prestarted.on('error', () => {
    prestarted = null;
  });
  prestarted.unref();
}

/**
 * A gzip file's content, inflated in a worker thread, in order. A zlib or read error comes
 * after every chunk inflated before it, with the same code and message as gunzip's on
 * this thread (readBytes recovers what it can from there). Closing the generator (the
 * caller stops or fails) stops the worker.
 */
async function* inflateInWorker(file: string, ctx: IngestContext): AsyncGenerator<Buffer> {
  // 1 MiB chunks, at most 8 unacknowledged: ~8 MiB in flight (peak RSS of `ce-report
  // ingest` of 1 GiB gzipped: 150-180 MiB, 140-145 MiB on this thread). Measured against
  // 512 KiB x 16, 512 KiB x 8, 2 MiB x 4, 1 MiB x 4 and 1 MiB x 3: as fast as any, the
  // others up to 0.07 s slower.
  const job: InflateWorkerData = { file, chunkSize: 1024 * 1024, credits: 8 };
  const ahead = prestarted;
  prestarted = null;
  if (ahead) ahead.postMessage(job);
  const worker = ahead ?? startWorker(INFLATE_WORKER_URL, { workerData: job });
  const queue: InflateMessage[] = [];
  let consumed = 0;
  let failure: Error | undefined;
  let exited = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  worker.on('message', (m: InflateMessage) => {
    queue.push(m);
    notify();
  });
  worker.on('error', (e) => {
    failure = e;
    notify();
  });
  worker.on('exit', () => {
    exited = true;
    notify();
  });
  try {
    for (;;) {
      const m = queue.shift();
      if (m === undefined) {
        if (failure) throw failure;
        if (exited) throw new Error('the worker thread inflating the file stopped unexpectedly');
        // Waiting for the worker keeps the process alive; a generator left suspended at
        // a yield (never resumed nor closed) must not.
        worker.ref();
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if ('error' in m) throw Object.assign(new Error(m.error.message), m.error.code === undefined ? {} : { code: m.error.code });
      ctx.options.onBytes?.(m.raw);
      if ('end' in m) return;
      worker.unref();
      yield Buffer.from(m.buf);
      // Credits go back 4 at a time: with a message per chunk, posting them took ~50 ms
      // of this thread's time for 1 GiB (CPU profile); in-process 0.05-0.08 s slower.
      if (++consumed === ACK_EVERY) {
        worker.postMessage(consumed);
        consumed = 0;
      }
    }
  } finally {
    void worker.terminate();
  }
}

export interface Line {
  text: string;
  /** 1-based line number. */
  lineNo: number;
  /** True for the last line when the file does not end with a newline. */
  unterminated: boolean;
}

/**
 * The longest line (or CSV record) read, in characters. Load-test tools write short
 * lines; a longer one is not their output (a file of zeros, one line of spaces), and
 * gathering it would only fill memory.
 */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

export function lineTooLong(file: string, lineNo: number, what = 'line'): InputError {
  return new InputError(file, `${what} ${lineNo} is longer than ${MAX_LINE_CHARS / (1024 * 1024)} MiB: not load-test output (the tools write short lines); refusing to read further`, { line: lineNo });
}

/**
 * Streams lines (UTF-8, CRLF tolerated, BOM stripped). An unfinished line is kept as
 * pieces and joined once when its end comes, so a line spanning many chunks costs
 * linear time; one over MAX_LINE_CHARS is an error naming the file and line.
 */
export async function* readLines(file: string, ctx: IngestContext): AsyncGenerator<Line> {
  let pieces: string[] = [];
  let pending = 0;
  let lineNo = 0;
  const decoder = new TextDecoder('utf-8');
  let first = true;
  const take = (last: string): string => {
    const line = pieces.length === 0 ? last : pieces.join('') + last;
    pieces = [];
    pending = 0;
    return line;
  };
  for await (const chunk of readChunks(file, ctx)) {
    let text = decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      text = stripBom(text);
      first = false;
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (pending + nl - start > MAX_LINE_CHARS) throw lineTooLong(file, lineNo + 1);
      const line = take(text.slice(start, nl));
      lineNo++;
      yield { text: line.endsWith('\r') ? line.slice(0, -1) : line, lineNo, unterminated: false };
      start = nl + 1;
    }
    if (start < text.length) {
      pending += text.length - start;
      if (pending > MAX_LINE_CHARS) throw lineTooLong(file, lineNo + 1);
      pieces.push(text.slice(start));
    }
  }
  const carry = take(decoder.decode());
  if (carry.length > 0) {
    lineNo++;
    yield { text: carry.endsWith('\r') ? carry.slice(0, -1) : carry, lineNo, unterminated: true };
  }
}

/** Reads a whole (small) file as text; for JSON summaries, HTML reports and the like. */
export async function readText(file: string, ctx: IngestContext, maxBytes = 512 * 1024 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of readChunks(file, ctx)) {
    total += chunk.length;
    if (total > maxBytes) throw new InputError(file, `file is larger than ${formatBytes(maxBytes)}; this format is read whole and cannot be that large`);
    parts.push(chunk);
  }
  return stripBom(Buffer.concat(parts).toString('utf8'));
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i === 0 ? String(v) : v.toFixed(1)) + ' ' + units[i];
}

/** Parses JSON, turning a syntax error into an InputError with line and column. */
export function parseJsonText(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const { detail, position } = describeJsonError(text, (e as Error).message);
    throw new InputError(file, `invalid JSON: ${detail}`, position === undefined ? {} : lineColumnAt(text, position));
  }
}

export function lineColumnAt(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  return { line: before.split('\n').length, column: position - before.lastIndexOf('\n') };
}

/**
 * V8's JSON errors either give "at position N" or, for an unexpected token, quote a
 * piece of the text (with its newlines) and no position. The quote must not reach a
 * one-line error message, and the position is worth finding: a valid JSON prefix
 * fails only with "Unexpected end", so the shortest failing prefix ends at the error.
 */
export function describeJsonError(text: string, message: string): { detail: string; position?: number } {
  if (/^Unexpected end of JSON input/.test(message)) {
    return { detail: 'the text ends early (truncated file?)', position: text.length };
  }
  const pos = /at position (\d+)/.exec(message);
  const token = /^Unexpected token '(.+?)', /s.exec(message);
  const detail = token
    ? `unexpected character ${JSON.stringify(token[1])}`
    : message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*$/s, '');
  if (pos) {
    const at = Number(pos[1]);
    // "Expected ',' or ']'" at the very end is a cut-off file, not a syntax slip.
    if (at >= text.trimEnd().length) return { detail: 'the text ends early (truncated file?)', position: text.length };
    return { detail, position: at };
  }
  if (text.length > 64 * 1024 * 1024) return { detail };
  return { detail, position: firstJsonErrorPosition(text) };
}

function prefixError(text: string, k: number): number | undefined {
  try {
    JSON.parse(text.slice(0, k));
    return undefined;
  } catch (e) {
    const msg = (e as Error).message;
    if (/^Unexpected end of JSON input/.test(msg)) return undefined;
    const pos = /at position (\d+)/.exec(msg);
    if (pos) return Number(pos[1]) < k ? Number(pos[1]) : undefined;
    return k - 1;
  }
}

function firstJsonErrorPosition(text: string): number | undefined {
  let lo = 1;
  let hi = text.length;
  if (prefixError(text, hi) === undefined) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (prefixError(text, mid) === undefined) lo = mid + 1;
    else hi = mid;
  }
  return prefixError(text, lo);
}
