// `npm run bench [-- --size 4GB] [--no-gzip]`: the k6 NDJSON streaming benchmark.
// Generates k6 --out json of the given size (default 1 GB) in a temp folder, gzips a
// copy, and measures, each in a fresh child process so peak RSS is per measurement:
//   baseline  readline + JSON.parse on every line + per-endpoint HDR histograms
//   ours      the k6-json ingester on the plain file
//   gunzip    just inflating the .gz to nowhere
//   ours-gz   the k6-json ingester on the .gz
// It prints a table and, last, one JSON line with every target and whether it is met.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { createDenseHistogram, percentileMs, recordMs, type Histogram } from '../model/histogram.js';
import { DEFAULT_INGEST_OPTIONS } from '../ingest/types.js';
import { ingestNdjson } from '../ingest/k6/ndjson.js';
import { generateK6Ndjson } from './generate-k6.js';

const MB = 1024 * 1024;

interface Measurement {
  kind: string;
  ms: number;
  maxRssMB: number;
  /** Requests counted, as a cross-check that every path read the whole file. */
  requests: number;
  p95: number | null;
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g)?i?b?$/i.exec(s.trim());
  if (!m) throw new Error(`--size: cannot read "${s}" (try 512MB, 1GB, 4GB)`);
  const unit = (m[2] ?? '').toLowerCase();
  return Math.round(Number(m[1]) * (unit === 'g' ? 1024 ** 3 : unit === 'm' ? MB : unit === 'k' ? 1024 : 1));
}

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

async function gunzipOnly(file: string): Promise<void> {
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: MB }).pipe(createGunzip({ chunkSize: 256 * 1024 }))) n += (chunk as Buffer).length;
  if (n === 0) throw new Error('empty gzip');
}

async function ours(file: string): Promise<{ requests: number; p95: number | null }> {
  const ctx = { options: { ...DEFAULT_INGEST_OPTIONS }, warn: () => {} };
  const [part] = await ingestNdjson(file, ctx);
  return { requests: part!.summary.requests, p95: part!.summary.latencyMs.p95 };
}

/** Child-process side: one measurement, printed as JSON. */
async function measure(kind: string, file: string): Promise<void> {
  const t0 = performance.now();
  let r: { requests: number; p95: number | null } = { requests: 0, p95: null };
  if (kind === 'baseline') r = await baseline(file);
  else if (kind === 'gunzip') await gunzipOnly(file);
  else r = await ours(file);
  const ms = performance.now() - t0;
  const m: Measurement = { kind, ms, maxRssMB: process.resourceUsage().maxRSS / 1024, ...r };
  process.stdout.write(JSON.stringify(m) + '\n');
}

function runChild(kind: string, file: string): Measurement {
  const self = fileURLToPath(import.meta.url);
  const res = spawnSync(process.execPath, [self, '--measure', kind, file], { encoding: 'utf8', maxBuffer: 16 * MB });
  if (res.status !== 0) throw new Error(`${kind} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as Measurement;
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--measure');
  if (i >= 0) return measure(argv[i + 1]!, argv[i + 2]!);
  const sizeArg = argv.indexOf('--size');
  const target = parseSize(sizeArg >= 0 ? argv[sizeArg + 1]! : '1GB');
  const withGzip = !argv.includes('--no-gzip');
  const dir = mkdtempSync(path.join(tmpdir(), 'ce-report-bench-'));
  const plain = path.join(dir, 'k6-out.ndjson');
  const gz = plain + '.gz';
  try {
    const g0 = performance.now();
    const gen = generateK6Ndjson(plain, target);
    console.log(`generated ${(gen.bytes / MB).toFixed(0)} MiB, ${gen.lines} lines, ${gen.requests} requests in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
    if (withGzip) {
      const z0 = performance.now();
      await pipeline(createReadStream(plain), createGzip({ level: 1 }), createWriteStream(gz));
      console.log(`gzipped (level 1) to ${(statSync(gz).size / MB).toFixed(0)} MiB in ${((performance.now() - z0) / 1000).toFixed(1)} s`);
    }
    const sizeMB = gen.bytes / MB;
    const rows: Measurement[] = [];
    for (const kind of ['baseline', 'ours']) rows.push(runChild(kind, plain));
    if (withGzip) for (const kind of ['gunzip', 'ours-gz']) rows.push(runChild(kind, gz));
    console.log(`\ninput: ${sizeMB.toFixed(0)} MiB plain, ${gen.lines} lines; machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
    console.log('kind       seconds   MiB/s   lines/s    peak RSS MiB  requests  p95 ms');
    for (const r of rows) {
      const s = r.ms / 1000;
      console.log(`${r.kind.padEnd(10)} ${s.toFixed(2).padStart(7)} ${(sizeMB / s).toFixed(0).padStart(7)} ${(gen.lines / s / 1e6).toFixed(2).padStart(7)} M ${r.maxRssMB.toFixed(0).padStart(9)}     ${String(r.requests).padStart(8)}  ${r.p95 ?? ''}`);
    }
    const by = (k: string) => rows.find((r) => r.kind === k);
    const base = by('baseline')!;
    const own = by('ours')!;
    const ratio = base.ms / own.ms;
    const mbps = sizeMB / (own.ms / 1000);
    const targets: Record<string, { value: number; target: string; met: boolean }> = {
      speedupVsBaseline: { value: round2(ratio), target: '>= 3', met: ratio >= 3 },
      plainMiBps: { value: Math.round(mbps), target: '>= 400', met: mbps >= 400 },
      plainPeakRssMiB: { value: Math.round(own.maxRssMB), target: '< 200', met: own.maxRssMB < 200 },
      sameRequestCount: { value: own.requests, target: `= ${gen.requests}`, met: own.requests === gen.requests && base.requests === gen.requests },
    };
    const gzRow = by('ours-gz');
    const gun = by('gunzip');
    if (gzRow && gun) {
      const gzRatio = gzRow.ms / gun.ms;
      targets.gzipVsGunzip = { value: round2(gzRatio), target: '<= 1.5', met: gzRatio <= 1.5 };
      targets.gzipPeakRssMiB = { value: Math.round(gzRow.maxRssMB), target: '< 200', met: gzRow.maxRssMB < 200 };
    }
    console.log(`\nours vs baseline: ${ratio.toFixed(2)}x`);
    console.log(JSON.stringify({ bench: 'k6-ndjson', inputMiB: Math.round(sizeMB), lines: gen.lines, cores: cpus().length, node: process.version, targets, allMet: Object.values(targets).every((t) => t.met) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(1);
});
