// `--format` forced on a folder (`ce-report build results/canary --format k6-json`): the
// folder's logs and other tools' files are not that format. They are skipped, each with
// a warning naming it and why, and the files of the format build; a file named on the
// command line that is not the format stays an error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/run-cli.js';

const root = path.resolve(__dirname, '..');
let tmp: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-format-folder-'));
  await fs.cp(path.join(root, 'examples', 'data', 'canary-vs-stable', 'stable'), path.join(tmp, 'run'), { recursive: true });
  await fs.writeFile(path.join(tmp, 'run', 'stdout.txt'), 'running (0m30.1s), 00/10 VUs, 3278 complete and 0 interrupted iterations\n');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('--format on a folder', () => {
  it('reads the files of that format and skips the rest with a warning each', async () => {
    const r = await runCli(['build', 'run', '--format', 'k6-json', '--out', 'site'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: run/stdout.txt:1:1: not read as k6-json (the format given): not k6 --out json output: not valid JSON; skipped this file\n');
    expect(r.stderr).toMatch(/^warning: run\/summary-export\.json(:\d+)*: not read as k6-json \(the format given\): .*; skipped this file$/m);
    const model = JSON.parse(await fs.readFile(path.join(tmp, 'site', 'data', 'model.json'), 'utf8'));
    expect(model.runs).toHaveLength(1);
    expect(model.runs[0].summary.requests).toBe(3278);
    expect(model.runs[0].sources.map((s: { format: string }) => s.format)).toEqual(['k6-json']);
  });

  it('a folder with no file of that format is an error naming the first file, as when it is named', async () => {
    const r = await runCli(['build', 'run', '--format', 'bombardier-text', '--out', 'never'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ce-report: run\/k6-out\.ndjson\.gz: .*\n$/);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('ce-report:'))).toHaveLength(1);
  });

  it('a file named on the command line in another format is still an error', async () => {
    const r = await runCli(['build', 'run/stdout.txt', '--format', 'k6-json', '--out', 'never'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('ce-report: run/stdout.txt:1:1: not k6 --out json output: not valid JSON\n');
  });
});
