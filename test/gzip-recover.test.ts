// A gzip file whose only fault is its checksum or length keeps all of its content, and a
// cut-off one keeps all that can be inflated (issue 20, point 11: gunzip threw away the
// last ≤ 512 KiB it held when it found the fault).
import { afterAll, describe, expect, it } from 'vitest';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { k6Ndjson, removeScratch, scratch } from './helpers/bad-inputs.js';

afterAll(removeScratch);
const text = k6Ndjson(6000);

describe('damaged gzip', () => {
  for (const [what, at] of [
    ['checksum', 8],
    ['length', 4],
  ] as const) {
    it(`a wrong ${what} in the trailer: every request kept, with a warning`, async () => {
      const s = await scratch();
      const gz = gzipSync(text);
      gz[gz.length - at] ^= 0xff;
      await s.write('k6.json.gz', gz);
      const r = await s.ingest(['k6.json.gz']);
      expect(r.runs[0]!.summary.requests).toBe(6000);
      expect(r.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/^gzip checksum or length does not match the content \(a damaged or edited file\?\); kept all \d+\.\d MiB of content$/));
    });
  }

  it('cut off: every line that can be inflated is kept', async () => {
    const s = await scratch();
    const gz = gzipSync(text);
    const cut = gz.subarray(0, Math.floor(gz.length * 0.9));
    await s.write('k6.json.gz', cut);
    const readable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    const requests = readable.split('\n').filter((l) => l.endsWith('}') && l.includes('"http_reqs","type":"Point"')).length;
    const r = await s.ingest(['k6.json.gz']);
    expect(r.runs[0]!.summary.requests).toBe(requests);
    expect(r.warnings.some((w) => /gzip stream is truncated or corrupt after .* of content; kept what was readable/.test(w.message))).toBe(true);
  });
});
