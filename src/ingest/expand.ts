// Turning INPUT arguments (files, folders, globs) into a sorted list of files. Inside a
// folder, symbolic links to files and folders are followed (each real folder once), and
// what cannot be read is skipped with a warning instead of stopping the build: a file
// name that is not valid UTF-8, a broken link. A site ce-report wrote (with its marker)
// inside a folder is not walked. A FIFO, socket or device named on the command line is
// an error that says so.
import { existsSync, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { UsageError } from './errors.js';
import { SITE_MARKER } from './site-marker.js';
import type { Warning } from '../model/types.js';

export interface ExpandedFile {
  path: string;
  /** True when the user named this file directly (an unknown format is then an error, not a skip). */
  explicit: boolean;
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

function isGlob(s: string): boolean {
  return /[*?[\]{}]/.test(s);
}

type Warn = (w: Warning) => void;

async function walk(dir: string, out: string[], warn: Warn, seen = new Set<string>()): Promise<void> {
  const real = await fs.realpath(dir).catch(() => dir);
  if (seen.has(real)) return; // a link back up the tree
  seen.add(real);
  const entries = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  for (const e of entries) {
    const raw = e.name as unknown as Buffer;
    const name = raw.toString('utf8');
    if (name.startsWith('.') || SKIP_DIRS.has(name)) continue;
    if (!Buffer.from(name, 'utf8').equals(raw)) {
      // Node's paths are strings: such a name cannot be opened through them.
      warn({ file: dir, message: `skipped "${name}": its name is not valid UTF-8 (rename it to read it)` });
      continue;
    }
    const p = path.join(dir, name);
    let kind: 'dir' | 'file' | 'other' = e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other';
    if (e.isSymbolicLink()) {
      const st: Stats | undefined = await fs.stat(p).catch(() => undefined);
      if (!st) {
        warn({ file: p, message: 'skipped a symbolic link to nothing (broken link)' });
        continue;
      }
      kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    }
    // A site ce-report wrote (its data holds saved Prometheus answers) is output, not input.
    if (kind === 'dir' && !existsSync(path.join(p, SITE_MARKER))) await walk(p, out, warn, seen);
    else if (kind === 'file') out.push(p);
  }
}

export async function expandInputs(inputs: string[], cwd = process.cwd(), warn: Warn = () => {}): Promise<ExpandedFile[]> {
  const seen = new Map<string, ExpandedFile>();
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    let stat: import('node:fs').Stats | undefined;
    try {
      stat = await fs.stat(abs);
    } catch {
      stat = undefined;
    }
    if (stat?.isFile()) {
      seen.set(abs, { path: abs, explicit: true });
    } else if (stat?.isDirectory()) {
      const files: string[] = [];
      await walk(abs, files, warn);
      for (const f of files) if (!seen.has(f)) seen.set(f, { path: f, explicit: false });
    } else if (stat) {
      throw new UsageError(`${input}: not a regular file or folder (a FIFO, socket or device); give a file of load-test output`);
    } else if (isGlob(input)) {
      // A pattern may name folders (`runs/replicas=*/`): each is read like a folder given by name.
      const matches = await glob(input, { cwd, absolute: true, onlyFiles: false, dot: false });
      const files: string[] = [];
      for (const m of matches.map((x) => path.resolve(x)).sort()) {
        const st = await fs.stat(m).catch(() => undefined);
        if (st?.isDirectory()) await walk(m, files, warn);
        else if (st?.isFile()) files.push(m);
      }
      if (files.length === 0) throw new UsageError(`${input}: the pattern matches no file${matches.length > 0 ? ' (only empty folders)' : ''}`);
      for (const f of files) if (!seen.has(f)) seen.set(f, { path: f, explicit: false });
    } else {
      throw new UsageError(`${path.isAbsolute(input) ? path.relative(cwd, input) || input : input}: no such file or folder`);
    }
  }
  return oncePerRealFile([...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
}

/** A file reached twice (itself and through a link) is read once, by its own path when listed. */
async function oncePerRealFile(files: ExpandedFile[]): Promise<ExpandedFile[]> {
  const byReal = new Map<string, ExpandedFile>();
  for (const f of files) {
    const real = await fs.realpath(f.path).catch(() => f.path);
    const had = byReal.get(real);
    if (!had || (had.path !== real && f.path === real)) byReal.set(real, had ? { ...f, explicit: f.explicit || had.explicit } : f);
  }
  return [...byReal.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
