// Reading what gunzip threw away. When zlib finds a gzip stream damaged (a checksum that
// does not match, a cut-off end), Node's gunzip drops the output it still held (up to
// half a megabyte) with the error. The deflate data itself is read again here, without
// the checksum, and what comes after the bytes already handed out is kept.
import { createReadStream, promises as fs } from 'node:fs';
import { constants as zlibConstants, createInflateRaw } from 'node:zlib';

/** Length of the gzip member header at the start of `file`, or null when it is not one. */
export async function gzipHeaderLength(file: string): Promise<number | null> {
  const fh = await fs.open(file, 'r');
  try {
    const b = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    if (bytesRead < 10 || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) return null;
    const flags = b[3]!;
    let p = 10;
    if (flags & 4) p += 2 + b.readUInt16LE(p);
    for (const bit of [8, 16]) {
      if (!(flags & bit)) continue;
      while (p < bytesRead && b[p] !== 0) p++;
      p++;
    }
    if (flags & 2) p += 2;
    return p <= bytesRead ? p : null;
  } finally {
    await fh.close();
  }
}

/**
 * The content after the first `skip` bytes, inflated from the raw deflate data of the
 * file's first gzip member; `complete` is true when the deflate stream ended properly
 * (only the trailer's checksum or length was wrong); `overLimit` when the content went
 * past `limit` bytes in all.
 */
export async function* inflateRest(file: string, skip: number, limit: number, state: { complete: boolean; overLimit: boolean }): AsyncGenerator<Buffer> {
  const start = await gzipHeaderLength(file);
  if (start === null) return;
  const raw = createReadStream(file, { start, highWaterMark: 1024 * 1024 });
  const inflate = createInflateRaw({ finishFlush: zlibConstants.Z_SYNC_FLUSH, chunkSize: 512 * 1024 });
  raw.on('error', (e) => inflate.destroy(e));
  raw.pipe(inflate);
  let seen = 0;
  try {
    for await (const chunk of inflate) {
      const c = chunk as Buffer;
      const from = Math.max(0, skip - seen);
      seen += c.length;
      if (seen > limit) {
        state.overLimit = true;
        return;
      }
      if (from < c.length) yield c.subarray(from);
    }
    // A deflate stream that reached its last block leaves the trailer (checksum and
    // length, 8 bytes) unread; a cut-off one was read to the end of the file.
    const { size } = await fs.stat(file);
    state.complete = inflate.bytesWritten + 8 <= size - start;
  } catch {
    // The deflate data itself ends early or is damaged: what came before is kept.
  } finally {
    raw.destroy();
    inflate.destroy();
  }
}
