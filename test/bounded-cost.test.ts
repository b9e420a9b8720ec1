// Hostile inputs whose cost used to grow without bound (issue 20, points 4 and 5): one
// endless line (gzip of spaces or zeros) is refused after MAX_LINE_BYTES in linear time,
// with an error naming the file and line.
import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { InputError } from '../src/ingest/errors.js';
import { createScan, finishScan, LineTooLongError, scanChunk } from '../src/ingest/k6/ndjson-scan.js';
import { k6Lines, removeScratch, scratch } from './helpers/bad-inputs.js';

afterAll(removeScratch);
const MiB = 1024 * 1024;

async function expectRefusedFast(run: () => Promise<unknown>, message: RegExp, seconds: number): Promise<void> {
  const t0 = performance.now();
  const err = await run().then(
    () => null,
    (e: unknown) => e,
  );
  const took = (performance.now() - t0) / 1000;
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toMatch(message);
  expect(took, `took ${took.toFixed(2)} s`).toBeLessThan(seconds);
}

describe('one endless line', () => {
  it('a gzip k6 file (a header, then 64 MiB of spaces on one line) is refused at line 4, in seconds', async () => {
    const s = await scratch();
    const head = Buffer.from(k6Lines(0).join('\n') + '\n');
    await s.write('k6-out.ndjson.gz', gzipSync(Buffer.concat([head, Buffer.alloc(64 * MiB, 0x20)])));
    await expectRefusedFast(() => s.ingest(['k6-out.ndjson.gz']), /k6-out\.ndjson\.gz:4: line 4 is longer than 16 MiB/, 10);
  }, 60_000);

  for (const format of ['k6-json', 'k6-csv', 'locust-csv', 'bombardier-text']) {
    it(`--format ${format} on 64 MiB of gzipped zeros is refused at line 1, in seconds`, async () => {
      const s = await scratch();
      await s.write('zeros.gz', gzipSync(Buffer.alloc(64 * MiB, 0)));
      await expectRefusedFast(() => s.ingest(['zeros.gz'], { format }), /zeros\.gz:1: .*line 1 is longer than 16 MiB/, 10);
    }, 60_000);
  }

  it('the k6 scanner joins a line spread over thousands of small chunks in linear time', () => {
    for (const useKernel of [true, false]) {
      const scan = createScan(1, true, useKernel);
      const lines = k6Lines(3);
      scanChunk(scan, Buffer.from(lines.slice(0, 4).join('\n') + '\n'));
      const piece = Buffer.alloc(4096, 0x20);
      const t0 = performance.now();
      // 12 MiB in 4 KiB chunks: copying the line again for each chunk moved ~18 GiB.
      for (let i = 0; i < 3072; i++) scanChunk(scan, piece);
      scanChunk(scan, Buffer.from('\n' + lines.slice(4).join('\n') + '\n'));
      finishScan(scan);
      expect((performance.now() - t0) / 1000).toBeLessThan(2);
      expect(scan.corrupt.count).toBe(1);
      expect(scan.corrupt.firstLine).toBe(5);
      // One more chunk past 16 MiB is refused.
      const endless = createScan(1, true, useKernel);
      scanChunk(endless, Buffer.from('{"x":'));
      expect(() => {
        for (let i = 0; i < 4100; i++) scanChunk(endless, piece);
      }).toThrow(LineTooLongError);
    }
  });

  it('a line just under the limit costs linear time: read, and skipped with a warning', async () => {
    const s = await scratch();
    const lines = k6Lines(3);
    const text = Buffer.concat([Buffer.from(lines.slice(0, 4).join('\n') + '\n'), Buffer.alloc(15 * MiB, 0x20), Buffer.from('\n' + lines.slice(4).join('\n') + '\n')]);
    await s.write('k6-out.ndjson.gz', gzipSync(text));
    const t0 = performance.now();
    const r = await s.ingest(['k6-out.ndjson.gz']);
    expect((performance.now() - t0) / 1000).toBeLessThan(5);
    expect(r.runs[0]!.summary.requests).toBe(3);
    expect(r.warnings.some((w) => /skipped 1 unreadable line/.test(w.message))).toBe(true);
  }, 60_000);
});
