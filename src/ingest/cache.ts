// A cache of ingested parts, keyed by the input's path, size and modification time
// (and the ingest options and ce-report version), so rebuilding a study skips the
// multi-GB inputs that did not change. Only big inputs are cached: small ones are
// faster to read again than to look up.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Warning } from '../model/types.js';
import type { RunPart } from './types.js';

export const CACHE_MIN_BYTES = 8 * 1024 * 1024;

export interface CachedIngest {
  parts: RunPart[];
  warnings: Warning[];
}

export function defaultCacheDir(): string {
  if (process.env.CE_REPORT_CACHE_DIR) return process.env.CE_REPORT_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'ce-report');
}

/**
 * The key of a file's cached reading. Size and modification time alone trust a file
 * edited with its time kept (`touch -r`, `cp -p`, rsync -t): the key also holds the
 * inode and status-change time (which no tool can set back: any write moves it) and a
 * hash of the first and last 64 KiB.
 */
export async function cacheKey(file: string, format: string, options: object, version: string): Promise<string> {
  const st = await fs.stat(file);
  const h = createHash('sha256');
  h.update(JSON.stringify([path.resolve(file), st.size, st.mtimeMs, st.ctimeMs, st.ino, format, options, version]));
  const fh = await fs.open(file, 'r');
  try {
    const edge = Buffer.alloc(Math.min(st.size, 64 * 1024));
    for (const at of [0, Math.max(0, st.size - edge.length)]) {
      const { bytesRead } = await fh.read(edge, 0, edge.length, at);
      h.update(edge.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex').slice(0, 40);
}

export async function readCache(dir: string, key: string): Promise<CachedIngest | undefined> {
  try {
    const text = await fs.readFile(path.join(dir, `${key}.json`), 'utf8');
    return JSON.parse(text) as CachedIngest;
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written (read-only home, full disk) is skipped silently. */
export async function writeCache(dir: string, key: string, value: CachedIngest): Promise<void> {
  await writeCacheEntry(dir, `${key}.json`, JSON.stringify(value));
}

/**
 * Writes one cache file through a temporary name, so a reader never sees half a file.
 * Best effort, as every cache write: a failure is ignored.
 */
export async function writeCacheEntry(dir: string, name: string, text: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `${name}.${process.pid}.tmp`);
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, path.join(dir, name));
  } catch {
    // ignore
  }
}
