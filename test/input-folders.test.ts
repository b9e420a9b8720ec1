// What an input folder may hold besides load-test output (issue 20, points 6 and 11):
// a file whose name is not valid UTF-8, symbolic links to files and run folders, a
// broken link; and a FIFO or device named on the command line.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../src/ingest/errors.js';
import { k6Ndjson, prometheusMatrix, removeScratch, scratch } from './helpers/bad-inputs.js';

afterAll(removeScratch);

describe('input folders', () => {
  it('a file name that is not valid UTF-8 is skipped with a warning; the build goes on', async () => {
    const s = await scratch();
    await s.write('results/variant=a/k6.json', k6Ndjson(5));
    // "shot-\xff.png": Latin-1 ÿ, as a Windows tool might write it.
    await fs.writeFile(Buffer.concat([Buffer.from(path.join(s.dir, 'results', 'variant=a', 'shot-')), Buffer.from([0xff]), Buffer.from('.png')]), 'png');
    const r = await s.ingest(['results']);
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]!.summary.requests).toBe(5);
    expect(r.warnings.some((w) => w.file === path.join('results', 'variant=a') && /skipped "shot-\uFFFD\.png": its name is not valid UTF-8/.test(w.message))).toBe(true);
  });

  it('symbolic links to files and run folders are followed, each real file read once; a broken link warns', async () => {
    const s = await scratch();
    await s.write('store/run-a/k6.json', k6Ndjson(4));
    await s.write('store/run-b/k6.json', k6Ndjson(6));
    await fs.mkdir(path.join(s.dir, 'results', 'variant=b'), { recursive: true });
    await fs.symlink(path.join(s.dir, 'store', 'run-a'), path.join(s.dir, 'results', 'variant=a'));
    await fs.symlink(path.join(s.dir, 'store', 'run-b', 'k6.json'), path.join(s.dir, 'results', 'variant=b', 'k6.json'));
    await fs.symlink(path.join(s.dir, 'nowhere'), path.join(s.dir, 'results', 'dangling.json'));
    // A link back up the tree is not walked again.
    await fs.symlink(path.join(s.dir, 'results'), path.join(s.dir, 'results', 'variant=b', 'loop'));
    const r = await s.ingest(['results']);
    expect(r.runs.map((x) => [x.labels.variant, x.summary.requests]).sort()).toEqual([
      ['a', 4],
      ['b', 6],
    ]);
    expect(r.warnings.some((w) => /dangling\.json$/.test(w.file ?? '') && /broken link/.test(w.message))).toBe(true);
  });

  it('a site ce-report wrote inside the folder is output, not input (its saved Prometheus answers are not read)', async () => {
    const s = await scratch();
    await s.write('results/run/k6.json', k6Ndjson(5));
    await s.write('site/.ce-report-site', 'marker');
    await s.write('site/data/prometheus/p95.json', prometheusMatrix([[1767225601, '0.1']]));
    const r = await s.ingest(['.']);
    const sources = r.runs.flatMap((x) => [...x.sources.map((y) => y.path), ...x.series.map((y) => y.source)]);
    expect(sources.some((p) => p.startsWith('site'))).toBe(false);
    expect(r.runs[0]!.summary.requests).toBe(5);
  });

  it('a FIFO or a device named as INPUT is an error that says what it is', async () => {
    const s = await scratch();
    execFileSync('mkfifo', [path.join(s.dir, 'pipe')]);
    for (const input of ['pipe', '/dev/zero']) {
      const err = await s.ingest([input]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/not a regular file or folder \(a FIFO, socket or device\)/);
    }
  });
});
