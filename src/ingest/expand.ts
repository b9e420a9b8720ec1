// Turning INPUT arguments (files, folders, globs) into a sorted list of files.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { UsageError } from './errors.js';

export interface ExpandedFile {
  path: string;
  /** True when the user named this file directly (an unknown format is then an error, not a skip). */
  explicit: boolean;
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

function isGlob(s: string): boolean {
  return /[*?[\]{}]/.test(s);
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.') || SKIP_DIRS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

export async function expandInputs(inputs: string[], cwd = process.cwd()): Promise<ExpandedFile[]> {
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
      await walk(abs, files);
      for (const f of files) if (!seen.has(f)) seen.set(f, { path: f, explicit: false });
    } else if (isGlob(input)) {
      // A pattern may name folders (`runs/replicas=*/`): each is read like a folder given by name.
      const matches = await glob(input, { cwd, absolute: true, onlyFiles: false, dot: false });
      const files: string[] = [];
      for (const m of matches.map((x) => path.resolve(x)).sort()) {
        const st = await fs.stat(m).catch(() => undefined);
        if (st?.isDirectory()) await walk(m, files);
        else if (st?.isFile()) files.push(m);
      }
      if (files.length === 0) throw new UsageError(`${input}: the pattern matches no file${matches.length > 0 ? ' (only empty folders)' : ''}`);
      for (const f of files) if (!seen.has(f)) seen.set(f, { path: f, explicit: false });
    } else {
      throw new UsageError(`${path.isAbsolute(input) ? path.relative(cwd, input) || input : input}: no such file or folder`);
    }
  }
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
