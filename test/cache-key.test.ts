// The ingest cache is not fooled by a file edited with its size and modification time
// kept (issue 20, point 11: `cp -p`, `touch -r`, rsync -t).
import { afterAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CACHE_MIN_BYTES } from '../src/ingest/cache.js';
import { k6Ndjson, removeScratch, scratch } from './helpers/bad-inputs.js';

afterAll(removeScratch);

describe('ingest cache', () => {
  it('reads an input again when its content changed though its size and mtime did not', async () => {
    const s = await scratch();
    // Few requests (few timeline intervals), made big by a long tag.
    let text = k6Ndjson(1_400, { note: 'x'.repeat(2_000) });
    expect(text.length).toBeGreaterThanOrEqual(CACHE_MIN_BYTES);
    const file = await s.write('k6.json', text);
    const when = new Date(Date.UTC(2026, 0, 2));
    await fs.utimes(file, when, when);
    const cacheDir = path.join(s.dir, 'cache');
    const first = await s.ingest(['k6.json'], { cacheDir } as never);
    const again = await s.ingest(['k6.json'], { cacheDir } as never);
    expect(again.runs[0]!.summary.latencyMs.max).toBe(first.runs[0]!.summary.latencyMs.max);
    const st = await fs.stat(file);
    expect(st.mtimeMs).toBe(when.getTime());
    // The same number of bytes: the first sample's duration 10 ms becomes 99 ms.
    text = text.replace('"http_req_duration","type":"Point","data":{"time":"2026-01-01T00:00:00.000Z","value":10,', '"http_req_duration","type":"Point","data":{"time":"2026-01-01T00:00:00.000Z","value":99,');
    await fs.writeFile(file, text);
    await fs.utimes(file, when, when);
    const st2 = await fs.stat(file);
    expect([st2.size, st2.mtimeMs]).toEqual([st.size, st.mtimeMs]);
    const edited = await s.ingest(['k6.json'], { cacheDir } as never);
    expect(edited.runs[0]!.summary.latencyMs.min).not.toBe(first.runs[0]!.summary.latencyMs.min);
  }, 60_000);
});
