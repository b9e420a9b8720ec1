// Gzip inflated in a worker thread (src/ingest/inflate-worker.ts, issue 21), through the
// built CLI and dist/ (`npm test` builds first): from the TypeScript sources there is no
// compiled worker and readBytes inflates on its own thread, so the other tests never
// reach it. CE_REPORT_INFLATE_WORKER_MIN_BYTES=0 sends these small files to the worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { k6Lines } from './helpers/bad-inputs.js';
import { CLI, runCli } from './helpers/run-cli.js';

const READ_JS = path.resolve(__dirname, '..', 'dist', 'ingest', 'read.js');
const WORKER = { CE_REPORT_INFLATE_WORKER_MIN_BYTES: '0' };
const IN_THREAD = { CE_REPORT_INFLATE_WORKER_MIN_BYTES: String(2 ** 50) };
const MiB = 1024 * 1024;

// ~15 MiB of content: more than the worker's 8 chunks of 1 MiB in flight, so it waits
// for acknowledgements along the way. Ten minutes of requests, 50 times over (a run of
// 30 000 seconds would make the timeline, not the reading, the cost of each ingest).
const lines = k6Lines(600);
const text = lines.slice(0, 3).join('\n') + '\n' + (lines.slice(3).join('\n') + '\n').repeat(50);
const gz = gzipSync(text, { level: 1 });
let tmp: string;

async function write(rel: string, content: string | Buffer): Promise<string> {
  const file = path.join(tmp, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

/** `ce-report ingest` of `rel` (inside `dir` under tmp): the output model as text, and stderr. */
async function ingest(dir: string, rel: string, env: Record<string, string>): Promise<{ model: string; stderr: string }> {
  const cwd = path.join(tmp, dir);
  const r = await runCli(['ingest', '--no-cache', rel, '-o', 'out.json'], cwd, env);
  expect(r.code, r.stderr).toBe(0);
  return { model: await fs.readFile(path.join(cwd, 'out.json'), 'utf8'), stderr: r.stderr };
}

beforeAll(async () => {
  if (!existsSync(CLI) || !existsSync(READ_JS)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-inflate-worker-'));
  await write('plain/run/k6.json', text);
  await write('gz/run/k6.json.gz', gz);
  // Two gzip members, split in the middle of a line.
  const half = Math.floor(text.length / 2) + 7;
  await write('multi/run/k6.json.gz', Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]));
  await write('cut/run/k6.json.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
  const bad = Buffer.from(gz);
  bad[bad.length - 8] ^= 0xff;
  await write('checksum/run/k6.json.gz', bad);
});
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('gzip inflated in a worker thread (built CLI)', () => {
  it('a whole file gives the same run as the plain file', async () => {
    const plain = await ingest('plain', 'run/k6.json', WORKER);
    for (const dir of ['gz', 'multi']) {
      const viaWorker = await ingest(dir, 'run/k6.json.gz', WORKER);
      expect(viaWorker.stderr).toBe('');
      expect(viaWorker.model.replaceAll('k6.json.gz', 'k6.json')).toBe(plain.model);
    }
  });

  for (const [dir, warning] of [
    ['cut', /gzip stream is truncated or corrupt after \d+\.\d MiB of content; kept what was readable/],
    ['checksum', /gzip checksum or length does not match the content \(a damaged or edited file\?\); kept all \d+\.\d MiB of content/],
  ] as const) {
    it(`a damaged file (${dir}): the same warning and content as inflating on the main thread`, async () => {
      const viaWorker = await ingest(dir, 'run/k6.json.gz', WORKER);
      const inThread = await ingest(dir, 'run/k6.json.gz', IN_THREAD);
      expect(viaWorker.stderr).toMatch(warning);
      expect(viaWorker.model).toBe(inThread.model);
      expect(viaWorker.stderr).toBe(inThread.stderr);
    });
  }
});

describe('readChunks from dist/ with the worker', () => {
  type ReadModule = typeof import('../src/ingest/read.js');
  let read: ReadModule;
  const saved = process.env.CE_REPORT_INFLATE_WORKER_MIN_BYTES;
  beforeAll(async () => {
    process.env.CE_REPORT_INFLATE_WORKER_MIN_BYTES = '0';
    read = (await import(pathToFileURL(READ_JS).href)) as ReadModule;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.CE_REPORT_INFLATE_WORKER_MIN_BYTES;
    else process.env.CE_REPORT_INFLATE_WORKER_MIN_BYTES = saved;
  });
  const ctx = (maxDecompressedBytes: number, onBytes?: (n: number) => void) => ({ options: { timelineIntervalS: 1, maxDecompressedBytes, onBytes }, warn: () => {} });

  it('the content in order, in the worker’s 1 MiB chunks, with progress up to the file size', async () => {
    const file = path.join(tmp, 'gz/run/k6.json.gz');
    const parts: Buffer[] = [];
    let progress = 0;
    for await (const c of read.readChunks(file, ctx(64 * 1024 ** 3, (n) => (progress = n)))) parts.push(c);
    expect(Buffer.concat(parts).toString('utf8')).toBe(text);
    // The main thread's gunzip hands out at most 512 KiB at a time: these came from the worker.
    expect(parts[0]!.length).toBe(MiB);
    expect(progress).toBe(gz.length);
  });

  it('content past maxDecompressedBytes is an error naming the file', async () => {
    const file = path.join(tmp, 'gz/run/k6.json.gz');
    const reading = (async () => {
      for await (const _ of read.readChunks(file, ctx(3 * MiB))) void _;
    })();
    await expect(reading).rejects.toThrow(`${file}: decompressed content exceeds the limit of 3.0 MiB; refusing to read further (decompression bomb?)`);
  });
});

describe('a worker never keeps the process alive', () => {
  // A child process that stops reading after the first chunk, by closing the generator or
  // by leaving it suspended: it must exit by itself.
  for (const how of ['break', 'abandon'] as const) {
    it(`a reader that stops early (${how})`, async () => {
      const file = path.join(tmp, 'gz/run/k6.json.gz');
      const script = `
        const { readChunks } = await import(${JSON.stringify(pathToFileURL(READ_JS).href)});
        const ctx = { options: { timelineIntervalS: 1, maxDecompressedBytes: 2 ** 40 }, warn() {} };
        const it = readChunks(${JSON.stringify(file)}, ctx)[Symbol.asyncIterator]();
        const first = await it.next();
        if (${JSON.stringify(how)} === 'break') await it.return();
        console.log(first.value.length);`;
      // A file, not `node --input-type=module -e`: a worker inherits the parent's execArgv,
      // and --input-type refuses to start one from a file.
      const scriptFile = await write(`stop-${how}.mjs`, script);
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
        const child = execFile(process.execPath, [scriptFile], { env: { ...process.env, ...WORKER }, timeout: 20_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, killed: child.killed });
        });
      });
      expect(r.killed, 'the process did not exit by itself').toBe(false);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(String(MiB));
    });
  }
});
