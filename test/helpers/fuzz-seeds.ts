// The inputs the fuzz tests mutate: every fixture input (fixtures/*/*/input/**) plus the
// bundled example data, gunzipped, cut to a small size and deduplicated by content.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { shrinkSeed } from './mutate.js';

export interface Seed {
  /** Project-relative path of the original file, for messages. */
  origin: string;
  /** File name to write mutated content under (without `.gz`): names break detection ties. */
  name: string;
  /** Plain (gunzipped) content, cut to at most maxBytes at a line end. */
  content: Buffer;
  gzip: boolean;
}

function filesUnder(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else if (e.isFile()) out.push(p);
  }
}

export function loadSeeds(root: string, maxBytes: number): Seed[] {
  const files: string[] = [];
  const fixtures = path.join(root, 'fixtures');
  if (existsSync(fixtures)) {
    for (const format of readdirSync(fixtures).sort()) {
      const fdir = path.join(fixtures, format);
      if (!statSync(fdir).isDirectory()) continue;
      for (const c of readdirSync(fdir).sort()) filesUnder(path.join(fdir, c, 'input'), files);
    }
  }
  filesUnder(path.join(root, 'examples', 'data'), files);
  const seen = new Set<string>();
  const seeds: Seed[] = [];
  for (const f of files.sort()) {
    if (/readme\.md$/i.test(f)) continue;
    const raw = readFileSync(f);
    const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
    let plain: Buffer = raw;
    if (gzip) {
      try {
        plain = gunzipSync(raw, { finishFlush: 2 });
      } catch {
        plain = raw;
      }
    }
    const content = shrinkSeed(plain, maxBytes);
    const hash = createHash('sha1').update(content).digest('hex');
    if (seen.has(hash)) continue;
    seen.add(hash);
    seeds.push({ origin: path.relative(root, f).split(path.sep).join('/'), name: path.basename(f).replace(/\.gz$/i, ''), content, gzip });
  }
  return seeds;
}
