// A reader that stops early (`ce-report ingest … | head -c 1`) closes the pipe while the
// CLI still writes: it must stop quietly with exit code 0, never print a stack trace.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI } from './helpers/run-cli.js';

const root = path.resolve(__dirname, '..');

describe('a closed pipe on stdout', () => {
  it('ingest | head -c 1: exit code 0, nothing on stderr', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'ce-report-pipe-'));
    try {
      const err = path.join(tmp, 'stderr.txt');
      // The model of the failures example is ~1 MB of JSON: far more than a pipe holds.
      const script = `"${process.execPath}" "${CLI}" ingest examples/data/failures 2>"${err}"; echo "exit=$?" >>"${err}"`;
      const r = spawnSync('sh', ['-c', `(${script}) | head -c 1`], { cwd: root, encoding: 'utf8' });
      expect(r.stdout).toBe('{');
      expect(readFileSync(err, 'utf8')).toBe('exit=0\n');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
