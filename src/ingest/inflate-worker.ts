// Worker thread: inflates one gzip file for readBytes (src/ingest/read.ts) and posts its
// content, chunk by chunk, to the thread that scans it. On the scanning thread, zlib's
// steps run on libuv's pool but each one's callback waits until the scan of the chunk
// before has finished; here they follow each other at once. 1 GiB of k6 output gzipped
// at level 1 (52 MiB), 2 cores, read and scanned in-process: 1.09-1.18 s inflating on the
// scanning thread, 1.00-1.06 s with this (Node's bare gunzip alone: 0.93-0.95 s). The
// scanning thread is then busy all the time but the worker's start: scanning is the
// bound. (The start is shorter now: worker-start.ts, and read.ts prestartInflateWorker.)
//
// Only Node's built-ins are imported: tsc's output runs as is, without bundling.
//
// Messages to the parent, in order: { buf, raw } per chunk (buf an ArrayBuffer of content,
// raw the compressed bytes read so far), then { end: true, raw } or { error: { code, message } }.
// The parent sends the number of chunks it has consumed since its last message (credits back).
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';

export interface InflateWorkerData {
  file: string;
  /** zlib's output buffer size: the size of the chunks posted. */
  chunkSize: number;
  /** Chunks posted and not yet acknowledged before inflating pauses. */
  credits: number;
}

export type InflateMessage = { buf: ArrayBuffer; raw: number } | { end: true; raw: number } | { error: { code?: string; message: string } };

const port = parentPort!;

/**
 * A worker started ahead (read.ts prestartInflateWorker: while the CLI loads, for a .gz
 * argument) has no file yet: its job comes as the first message. Otherwise it is in workerData.
 */
if (workerData) inflate(workerData as InflateWorkerData);
else port.once('message', (job: InflateWorkerData) => inflate(job));

function inflate({ file, chunkSize, credits }: InflateWorkerData): void {
  const raw = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const gunzip = createGunzip({ chunkSize });
  let rawBytes = 0;
  let unacknowledged = 0;
  raw.on('data', (c: Buffer | string) => {
    rawBytes += c.length;
  });
  raw.on('error', (e) => gunzip.destroy(e));

  // At most `credits` chunks travel or wait in the parent (a few MiB): a paused gunzip
  // stops taking input, and the file stream stops with it.
  port.on('message', (consumed: number) => {
    unacknowledged -= consumed;
    if (unacknowledged < credits && gunzip.isPaused()) gunzip.resume();
  });

  gunzip.on('data', (c: Buffer) => {
    // zlib fills one output buffer of chunkSize and hands out slices of it; only a slice
    // that spans its whole ArrayBuffer (zlib takes a new one after it) can be transferred.
    // Transferring a shared one would detach memory zlib still writes to: copy those.
    const whole = c.byteOffset === 0 && c.byteLength === c.buffer.byteLength;
    const buf = whole ? (c.buffer as ArrayBuffer) : (c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength) as ArrayBuffer);
    port.postMessage({ buf, raw: rawBytes } satisfies InflateMessage, [buf]);
    if (++unacknowledged >= credits) gunzip.pause();
  });
  gunzip.on('end', () => {
    port.postMessage({ end: true, raw: rawBytes } satisfies InflateMessage);
    port.unref();
  });
  gunzip.on('error', (e: NodeJS.ErrnoException) => {
    // After every chunk posted before it: the parent recovers what zlib dropped from there.
    raw.destroy();
    port.postMessage({ error: { code: e.code, message: e.message } } satisfies InflateMessage);
    port.unref();
  });
  raw.pipe(gunzip);
}
