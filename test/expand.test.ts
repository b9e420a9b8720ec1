// INPUT arguments → files: a folder is searched recursively, a glob may name files or
// folders (`ce-report build 'runs/replicas=*/'`, the example of `build --help`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandInputs } from '../src/ingest/expand.js';

let tmp: string;
const rel = (files: Array<{ path: string; explicit: boolean }>) => files.map((f) => [path.relative(tmp, f.path).split(path.sep).join('/'), f.explicit]);

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-expand-'));
  for (const d of ['runs/replicas=1/prometheus', 'runs/replicas=3', 'runs/empty=1']) await fs.mkdir(path.join(tmp, d), { recursive: true });
  await fs.writeFile(path.join(tmp, 'runs/replicas=1/k6.ndjson'), '{}\n');
  await fs.writeFile(path.join(tmp, 'runs/replicas=1/prometheus/p95.json'), '{}');
  await fs.writeFile(path.join(tmp, 'runs/replicas=3/k6.ndjson'), '{}\n');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('expandInputs', () => {
  it('a glob naming folders reads each folder as if named (recursively)', async () => {
    expect(rel(await expandInputs(['runs/replicas=*/'], tmp))).toEqual([
      ['runs/replicas=1/k6.ndjson', false],
      ['runs/replicas=1/prometheus/p95.json', false],
      ['runs/replicas=3/k6.ndjson', false],
    ]);
  });

  it('a glob naming files, a file named, a folder named', async () => {
    expect(rel(await expandInputs(['runs/*/k6.ndjson'], tmp))).toEqual([
      ['runs/replicas=1/k6.ndjson', false],
      ['runs/replicas=3/k6.ndjson', false],
    ]);
    expect(rel(await expandInputs(['runs/replicas=3/k6.ndjson', 'runs/replicas=1'], tmp))).toEqual([
      ['runs/replicas=1/k6.ndjson', false],
      ['runs/replicas=1/prometheus/p95.json', false],
      ['runs/replicas=3/k6.ndjson', true],
    ]);
  });

  it('a glob that matches nothing, or only empty folders, is a usage error naming it', async () => {
    await expect(expandInputs(['runs/nothing=*/'], tmp)).rejects.toThrow('runs/nothing=*/: the pattern matches no file');
    await expect(expandInputs(['runs/empty=*/'], tmp)).rejects.toThrow('runs/empty=*/: the pattern matches no file (only empty folders)');
  });
});
