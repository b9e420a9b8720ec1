// A child process of the benchmark (`node dist/bench/baseline.js KIND FILE`), timed from
// spawn to exit by the benchmark. It prints one JSON line { requests, p95, maxRssMiB }.
//   baseline  readline + JSON.parse on every line + per-endpoint HDR histograms: what a
//             straightforward Node script does, the reference of issue 6
//   gunzip    Node's bare gunzip of the file to nowhere (requests 0)
// The same V8 settings as the CLI (see v8-tuning.ts).
import '../v8-tuning.js';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { createDenseHistogram, percentileMs, recordMs, type Histogram } from '../model/histogram.js';

const MB = 1024 * 1024;

async function baseline(file: string): Promise<{ requests: number; p95: number | null }> {
  const hists = new Map<string, Histogram>();
  let requests = 0;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line === '') continue;
    const o = JSON.parse(line);
    if (o.type !== 'Point') continue;
    if (o.metric === 'http_reqs') requests += o.data.value;
    else if (o.metric === 'http_req_duration') {
      const tags = o.data.tags ?? {};
      const key = (tags.method ?? '') + ' ' + (tags.name ?? tags.url ?? '');
      let h = hists.get(key);
      if (!h) hists.set(key, (h = createDenseHistogram()));
      recordMs(h, o.data.value);
    }
  }
  const all = createDenseHistogram();
  for (const h of hists.values()) {
    for (const p of [50, 90, 95, 99]) percentileMs(h, p);
    all.add(h);
  }
  return { requests, p95: percentileMs(all, 95) };
}

async function gunzipOnly(file: string): Promise<{ requests: number; p95: null }> {
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: MB }).pipe(createGunzip({ chunkSize: 256 * 1024 }))) n += (chunk as Buffer).length;
  if (n === 0) throw new Error('empty gzip');
  return { requests: 0, p95: null };
}

const [kind, file] = process.argv.slice(2);
if ((kind !== 'baseline' && kind !== 'gunzip') || !file) {
  console.error('usage: node dist/bench/baseline.js baseline|gunzip FILE');
  process.exit(2);
}
const r = kind === 'baseline' ? await baseline(file) : await gunzipOnly(file);
process.stdout.write(JSON.stringify({ ...r, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
