// Which folder `build --out` may replace. ce-report replaces a folder whole, so it takes
// only one it wrote itself (a marker file in it, or a site from before the marker: the
// names ce-report writes and nothing else), an empty one or a missing one, never a
// file, an input, or a folder that holds the inputs, the project or a home.
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { UsageError } from './ingest/errors.js';
import { SITE_MARKER } from './ingest/site-marker.js';

/** Written into every site; its presence lets the next build replace the folder. */
export { SITE_MARKER };
export const SITE_MARKER_TEXT = 'This folder is a report site written by ce-report.\n`ce-report build` replaces it whole: keep nothing else in it.\n';

/** What sites written before the marker hold at their top level, and nothing else. */
const LEGACY_SITE_ENTRIES = new Set(['.nojekyll', 'assets', 'charts', 'data', 'embed', 'index.html', 'index.md', 'report.md', 'runs', 'studies']);

/** A build folder gets the marker first, saying it is unfinished, and the final text last. */
const BUILDING_TEXT = 'This folder is a report site that ce-report is still writing (or a build was interrupted).\n';

export async function writeSiteMarker(dir: string, state: 'building' | 'complete'): Promise<void> {
  await fs.writeFile(path.join(dir, SITE_MARKER), state === 'complete' ? SITE_MARKER_TEXT : BUILDING_TEXT);
}

/**
 * What ce-report wrote in `dir`: a complete site (the final marker, or a site from
 * before the marker: only the names ce-report writes), an unfinished build, or null
 * when the folder is not ce-report's (or cannot be read).
 */
export async function siteState(dir: string): Promise<'complete' | 'building' | null> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return null;
  }
  if (names.includes(SITE_MARKER)) {
    const text = await fs.readFile(path.join(dir, SITE_MARKER), 'utf8').catch(() => '');
    return text === SITE_MARKER_TEXT ? 'complete' : 'building';
  }
  return (await isLegacySite(dir, names)) ? 'complete' : null;
}

async function isLegacySite(dir: string, names: string[]): Promise<boolean> {
  if (!names.every((n) => LEGACY_SITE_ENTRIES.has(n)) || !names.includes('index.html')) return false;
  try {
    const fh = await fs.open(path.join(dir, 'data', 'model.json'), 'r');
    try {
      const buf = Buffer.alloc(512);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return /"generator"\s*:\s*\{\s*"name"\s*:\s*"ce-report"/.test(buf.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The literal part of an input (before any glob character), absolute. */
function inputBase(input: string, cwd: string): string {
  const m = /[*?[{]/.exec(input);
  const lit = m ? input.slice(0, m.index) : input;
  return path.resolve(cwd, lit === '' ? '.' : lit);
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`${p}: cannot use it as the output folder (${(e as Error).message})`);
  }
}

export interface OutDirContext {
  cwd: string;
  /** Inputs as given (files, folders, globs) and every file read, relative to cwd or absolute. */
  inputs: string[];
}

/**
 * Checks `outDir` and returns the folder to write (a symbolic link to a folder is
 * followed: the site goes where it points). Throws a UsageError saying why otherwise.
 */
export async function checkOutDir(outDir: string, ctx: OutDirContext): Promise<string> {
  const refuse = (why: string) => new UsageError(`refusing to write the site into ${outDir}: ${why}`);
  let dir = path.resolve(ctx.cwd, outDir);
  let st = await lstatOrNull(dir);
  if (st?.isSymbolicLink()) {
    try {
      dir = await fs.realpath(dir);
    } catch {
      throw refuse('it is a symbolic link to nothing; remove it or choose another --out folder');
    }
    st = await lstatOrNull(dir);
  }
  const cwd = path.resolve(ctx.cwd);
  const home = process.env.HOME ? path.resolve(process.env.HOME) : undefined;
  if (dir === path.parse(dir).root || inside(cwd, dir) || (home && inside(home, dir))) {
    throw refuse('it would replace a folder that holds other files (the working folder, a parent of it, the home folder or /); choose a dedicated --out folder');
  }
  for (const input of ctx.inputs) {
    const base = inputBase(input, cwd);
    if (inside(base, dir)) throw refuse(`it is or holds an input (${input}); choose a folder apart from the inputs`);
  }
  if (!st) return dir;
  if (!st.isDirectory()) throw refuse('it is a file, not a folder; choose a folder name (ce-report replaces that folder whole)');
  const names = await fs.readdir(dir);
  if (names.length > 0 && (await siteState(dir)) === null) {
    throw refuse(`the folder exists and was not written by ce-report (it has no ${SITE_MARKER} file), and a build replaces the folder whole; choose a new or empty folder, or remove this one yourself`);
  }
  return dir;
}
