// Hostile inputs whose cost used to grow without bound (issue 20, points 4 and 5): one
// endless line (gzip of spaces or zeros) is refused after MAX_LINE_BYTES in linear time,
// with an error naming the file and line; 50,000 distinct endpoint names keep a bounded
// number of endpoints, with a warning.
import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { InputError } from '../src/ingest/errors.js';
import { createScan, finishScan, LineTooLongError, scanChunk } from '../src/ingest/k6/ndjson-scan.js';
import { k6Decl, k6Lines, k6Point, removeScratch, scratch } from './helpers/bad-inputs.js';
import { capEndpoints, groupIdSegments, MAX_ENDPOINTS, OTHER_ENDPOINTS } from '../src/ingest/endpoint-cap.js';
import { emptyStats } from '../src/model/types.js';

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

/** k6 NDJSON of `n` requests, the i-th with the tags `tags(i)`. */
function k6Requests(n: number, tags: (i: number) => Record<string, string>): string {
  const lines = [k6Decl('http_reqs', 'counter'), k6Decl('http_req_duration', 'trend')];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 1000))).toISOString();
    lines.push(k6Point(t, 'http_reqs', 1, tags(i)), k6Point(t, 'http_req_duration', 10 + (i % 50), tags(i)));
  }
  return lines.join('\n') + '\n';
}

describe('50,000 distinct endpoint names', () => {
  it('URLs with ids and no name tag group as one endpoint /users/{id}', async () => {
    const s = await scratch();
    await s.write('k6.ndjson', k6Requests(50_000, (i) => ({ name: `http://api.test/users/${i}?session=${(i * 7919).toString(16).padStart(16, 'a')}`, url: `http://api.test/users/${i}?session=${(i * 7919).toString(16).padStart(16, 'a')}` })));
    const t0 = performance.now();
    const r = await s.ingest(['k6.ndjson']);
    expect((performance.now() - t0) / 1000).toBeLessThan(15);
    const run = r.runs[0]!;
    expect(run.endpoints.map((e) => e.name)).toEqual(['http://api.test/users/{id}?session={id}']);
    expect(run.endpoints[0]!.requests).toBe(50_000);
  }, 60_000);

  it('50,000 names that are not ids: the busiest 500 kept, the rest folded into one, with warnings; totals unchanged', async () => {
    const s = await scratch();
    // Request i goes to "page-<i % 50000>"; the first 40 names get extra requests.
    await s.write('k6.ndjson', k6Requests(52_000, (i) => ({ name: `page-${i < 50_000 ? i : i % 40}` })));
    const t0 = performance.now();
    const r = await s.ingest(['k6.ndjson']);
    expect((performance.now() - t0) / 1000).toBeLessThan(15);
    const run = r.runs[0]!;
    expect(run.endpoints).toHaveLength(MAX_ENDPOINTS + 1);
    expect(run.endpoints.reduce((a, e) => a + e.requests, 0)).toBe(52_000);
    const other = run.endpoints.find((e) => e.name === OTHER_ENDPOINTS)!;
    expect(other.precision).toBe('samples');
    expect(other.latencyMs.p50).not.toBeNull();
    // The 40 busiest names are among those kept.
    for (let i = 0; i < 40; i++) expect(run.endpoints.some((e) => e.name === `page-${i}` && e.requests > 1)).toBe(true);
    expect(r.warnings.map((w) => `${w.file}: ${w.message}`).join('\n')).toMatch(/k6\.ndjson: more than 1000 distinct endpoint names[^]*k6\.ndjson: \d+ endpoints: kept the 500 with the most requests and folded the other \d+ into "\(other endpoints\)"/);
    expect(JSON.stringify(run).length).toBeLessThan(2_000_000);
  }, 60_000);
});

describe('endpoint rules', () => {
  it('groups id-like path segments and query values, never the host or plain words', () => {
    expect(groupIdSegments('/users/123/orders/9f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c')).toBe('/users/{id}/orders/{id}');
    expect(groupIdSegments('http://127.0.0.1:8080/v1/items/42?page=3&sort=asc')).toBe('http://127.0.0.1:8080/v1/items/{id}?page={id}&sort=asc');
    expect(groupIdSegments('/predict')).toBe('/predict');
    expect(groupIdSegments('GET home')).toBe('GET home');
    expect(groupIdSegments('/blob/5f2b9c0e8a7d6e4f3a2b1c0d')).toBe('/blob/{id}');
  });

  it('keeps the busiest endpoints in their order and folds the rest, reported percentiles left out', () => {
    const e = (name: string, requests: number) => ({ ...emptyStats(name, 'GET', 'reported'), requests, failures: 1, rps: 1, latencyMs: { min: requests, mean: 10, p50: 5, p90: 6, p95: 7, p99: 8, max: requests * 2 } });
    const r = capEndpoints([e('a', 1), e('b', 5), e('c', 3), e('d', 2)], 2);
    expect(r.folded).toBe(2);
    expect(r.endpoints.map((x) => x.name)).toEqual(['b', 'c', OTHER_ENDPOINTS]);
    const other = r.endpoints[2]!;
    expect([other.requests, other.failures, other.rps]).toEqual([3, 2, 2]);
    expect(other.latencyMs).toEqual({ min: 1, mean: 10, p50: null, p90: null, p95: null, p99: null, max: 4 });
  });
});
