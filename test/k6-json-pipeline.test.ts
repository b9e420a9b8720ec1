// The pipeline reads several inputs at once (one per core) but must report as if it read
// them one after another: warnings in input order, the first bad input's error, and
// the same runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ingestRuns, labelsFromPath } from '../src/ingest/pipeline.js';
import { inferStudies } from '../src/analyze/infer.js';
import { generateK6Ndjson } from '../src/bench/generate-k6.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ce-k6pipe-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A generated run with its line `corruptAt` cut short. */
function run(name: string, bytes: number, seed: number, corruptAt: number): string {
  const runDir = path.join(dir, name);
  mkdirSync(runDir, { recursive: true });
  const file = path.join(runDir, 'k6-out.ndjson');
  generateK6Ndjson(file, bytes, seed);
  const lines = readFileSync(file, 'utf8').split('\n');
  lines[corruptAt - 1] = lines[corruptAt - 1]!.slice(0, 30);
  writeFileSync(file, lines.join('\n'));
  return file;
}

describe('reading several k6 files at once', () => {
  it('keeps input order for warnings and runs, whichever file finishes first', async () => {
    // The first file is much bigger, so the second one finishes first.
    run('replicas=1', 6 * 1024 * 1024, 1, 101);
    run('replicas=2', 96 * 1024, 2, 202);
    run('replicas=3', 96 * 1024, 3, 303);
    const { runs, warnings } = await ingestRuns([{ inputs: [dir] }], { cwd: dir });
    expect(warnings.map((w) => [w.file, w.line])).toEqual([
      ['replicas=1/k6-out.ndjson', 101],
      ['replicas=2/k6-out.ndjson', 202],
      ['replicas=3/k6-out.ndjson', 303],
    ]);
    expect(runs.map((r) => r.labels.replicas)).toEqual(['1', '2', '3']);
    expect(runs.every((r) => r.summary.requests > 10)).toBe(true);
  }, 60_000);

  it('fails with the first bad input in input order, even when a later one fails first', async () => {
    const sub = path.join(dir, 'errors');
    mkdirSync(sub);
    const big = path.join(sub, 'a.ndjson');
    generateK6Ndjson(big, 4 * 1024 * 1024, 4);
    // JSON but not k6 at all: an InputError each; the big valid file before them is read last.
    const bad1 = path.join(sub, 'b.ndjson');
    writeFileSync(bad1, '{"hello":1}\n{"hello":2}\n');
    const bad2 = path.join(sub, 'c.ndjson');
    writeFileSync(bad2, '{"bye":1}\n');
    const explicit = [{ inputs: [big], format: 'k6-json' }, { inputs: [bad1], format: 'k6-json' }, { inputs: [bad2], format: 'k6-json' }];
    await expect(ingestRuns(explicit, { cwd: sub })).rejects.toThrow(/b\.ndjson/);
  }, 60_000);
});

describe('k6 run tags (k6 run --tag variant=canary)', () => {
  const example = path.resolve(__dirname, '..', 'examples', 'data', 'canary-vs-stable');

  it('label the runs, so a canary and a stable run in plain folders make an experiment without a config', async () => {
    const { runs, warnings } = await ingestRuns([{ inputs: [example] }], { cwd: example });
    expect(warnings).toEqual([]);
    expect(runs.map((r) => [r.id, r.labels])).toEqual([
      ['canary', { variant: 'canary' }],
      ['stable', { variant: 'stable' }],
    ]);
    expect(inferStudies(runs).filter((s) => s.kind === 'experiment')).toMatchObject([{ baseline: 'stable', candidate: 'canary' }]);
  }, 60_000);

  it('win over a folder name that says otherwise, with a warning; a configured label wins over both', async () => {
    const sub = path.join(dir, 'tags', 'variant=stable');
    mkdirSync(sub, { recursive: true });
    copyFileSync(path.join(example, 'canary', 'k6-out.ndjson.gz'), path.join(sub, 'k6-out.ndjson.gz'));
    const { runs, warnings } = await ingestRuns([{ inputs: [sub] }], { cwd: path.join(dir, 'tags') });
    expect(runs[0]!.labels).toEqual({ variant: 'canary' });
    expect(warnings).toEqual([{ file: 'variant=stable/k6-out.ndjson.gz', message: 'label variant: the folder name says "stable" but the file records "canary"; using "canary"' }]);
    const configured = await ingestRuns([{ inputs: [sub], labels: { variant: 'blue' } }], { cwd: path.join(dir, 'tags') });
    expect(configured.runs[0]!.labels).toEqual({ variant: 'blue' });
    expect(configured.warnings).toEqual([]);
  }, 60_000);
});

describe('labels from folder names', () => {
  it('take key=value folders whose key is a label name; the file name never counts', () => {
    expect(labelsFromPath('runs/replicas=3/cache.rate=a=b/1x=2/__proto__=x/my dir=y/k6=1.json')).toEqual({ replicas: '3', 'cache.rate': 'a=b' });
    expect(labelsFromPath('variant=/x=1')).toEqual({});
  });
});
