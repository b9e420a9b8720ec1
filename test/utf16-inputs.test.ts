// Text written as UTF-16 (Windows PowerShell's `>`: `bombardier … > run.txt`,
// `curl … > p95.json`) reads exactly like the same text in UTF-8 (issue 20, point 11:
// it was skipped or called binary).
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { k6Ndjson, removeScratch, scratch } from './helpers/bad-inputs.js';

afterAll(removeScratch);
const fixtures = path.resolve(__dirname, '..', 'fixtures');

function utf16(text: string, order: 'le' | 'be'): Buffer {
  const le = Buffer.from('\uFEFF' + text, 'utf16le');
  if (order === 'le') return le;
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
}

const strip = (runs: unknown) => JSON.parse(JSON.stringify(runs, (k, v) => (k === 'sources' ? undefined : v)));

describe('UTF-16 text', () => {
  const cases: Array<[string, string]> = [
    ['bombardier text', path.join(fixtures, 'bombardier-text', 'canary-vs-stable', 'input', 'variant=canary', 'post-predict_c10_15s_latencies.txt')],
  ];
  for (const [what, file] of cases) {
    for (const order of ['le', 'be'] as const) {
      it(`${what} in UTF-16 ${order.toUpperCase()} gives the model of the UTF-8 file`, async () => {
        const s = await scratch();
        const text = readFileSync(file, 'utf8');
        await s.write('utf8/run.txt', text);
        await s.write('utf16/run.txt', utf16(text, order));
        const a = await s.ingest(['utf8/run.txt']);
        const b = await s.ingest(['utf16/run.txt']);
        expect(b.runs).toHaveLength(1);
        expect(strip(b.runs.map((r) => ({ ...r, id: '', name: '' })))).toEqual(strip(a.runs.map((r) => ({ ...r, id: '', name: '' }))));
      });
    }
  }

  it('k6 NDJSON in UTF-16, plain and gzipped, is read like UTF-8', async () => {
    const s = await scratch();
    const text = k6Ndjson(30);
    await s.write('a/k6.json', utf16(text, 'le'));
    await s.write('b/k6.json.gz', gzipSync(utf16(text, 'le')));
    for (const f of ['a/k6.json', 'b/k6.json.gz']) {
      const r = await s.ingest([f]);
      expect(r.runs[0]!.summary.requests).toBe(30);
    }
  });
});
