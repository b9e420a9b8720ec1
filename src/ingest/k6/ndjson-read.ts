// Reading a byte range of a plain file into a scan on this thread: two reused 4 MiB
// buffers (the WebAssembly kernel's read areas when it is free, so nothing is copied),
// the next read running on libuv's thread pool while this thread scans the previous one. (A fresh 1 MB Buffer per chunk, what a read stream gives, costs more in
// garbage collection than the scan itself.)
import { promises as fs } from 'node:fs';
import { InputError } from '../errors.js';
import { kernelArea, LineTooLongError, releaseKernelAreas, scanChunk, scanKernelArea, type NdjsonScan } from './ndjson-scan.js';

const BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Where a range being read ends, and how far reads have been issued: another thread's
 * share can be cut off the end while the range is read (ndjson-parallel.ts
 * scanPlainSplitting), at a line start at or after `issued`.
 */
export interface RangeBound {
  end: number;
  issued: number;
}

/**
 * Scans `file[start, end)` (a range starting at a line start) into `scan`; onBytes gets the
 * bytes read so far. With `bound`, its `end` is read at every step instead of `end`, and may shrink.
 */
export async function scanPlainRange(scan: NdjsonScan, file: string, start: number, end: number, onBytes?: (bytes: number) => void, bound: RangeBound = { end, issued: start }): Promise<void> {
  const fh = await fs.open(file, 'r');
  // Straight into the WebAssembly kernel's memory when this scan can have its read areas.
  const a0 = kernelArea(scan, 0);
  const a1 = a0 === null ? null : kernelArea(scan, 1);
  const direct = a0 !== null && a1 !== null;
  const bufs = direct ? [a0, a1] : [Buffer.allocUnsafe(BUFFER_BYTES), Buffer.allocUnsafe(BUFFER_BYTES)];
  let pending: Promise<{ bytesRead: number }> | null = null;
  const readAt = (i: number, pos: number) => {
    const length = Math.min(bufs[i]!.length, bound.end - pos);
    bound.issued = pos + length;
    return fh.read(bufs[i]!, 0, length, pos);
  };
  try {
    let pos = start;
    let i = 0;
    pending = pos < bound.end ? readAt(0, pos) : null;
    while (pending) {
      let { bytesRead } = await pending;
      pending = null;
      // The end never moves below what was issued, but a read can still come back longer than the range now is.
      bytesRead = Math.min(bytesRead, bound.end - pos);
      if (bytesRead <= 0) break;
      const cur = bufs[i]!;
      pos += bytesRead;
      i ^= 1;
      if (pos < bound.end) pending = readAt(i, pos);
      if (direct) scanKernelArea(scan, (i ^ 1) as 0 | 1, bytesRead);
      else scanChunk(scan, cur.subarray(0, bytesRead));
      onBytes?.(pos - start);
    }
  } catch (e) {
    if (e instanceof LineTooLongError) throw e;
    throw new InputError(file, `cannot read: ${(e as Error).message}`);
  } finally {
    if (pending) await pending.catch(() => {});
    releaseKernelAreas(scan);
    await fh.close();
  }
}
