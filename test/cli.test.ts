// The built CLI, run as a user runs it (node dist/cli.js; `npm test` builds first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateModel } from '../src/model/schema.js';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

function run(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CE_REPORT_DEBUG: '' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let tmp: string;
beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-cli-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('ce-report CLI', () => {
  it('prints help with every command', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['build', 'ingest', 'embed', 'init', 'formats']) expect(r.stdout).toContain(c);
  });

  it('lists the formats it reads', async () => {
    const r = await run(['formats']);
    expect(r.code).toBe(0);
    for (const f of ['k6-json', 'k6-summary', 'k6-csv', 'locust-csv', 'locust-html', 'bombardier-text', 'bombardier-json', 'prometheus-json']) expect(r.stdout).toContain(f);
  });

  it('ingests a k6 run to a model that passes the schema', async () => {
    const r = await run(['ingest', 'examples/data/canary-vs-stable/stable/', '--label', 'team=ml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const model = JSON.parse(r.stdout);
    expect(validateModel(model)).toEqual([]);
    expect(model.runs).toHaveLength(1);
    const run0 = model.runs[0];
    expect(run0.tool).toBe('k6');
    expect(run0.labels.team).toBe('ml');
    // k6's own summary-export.json next to the NDJSON: http_reqs count 3278, 62 failed.
    expect(run0.summary.requests).toBe(3278);
    expect(run0.summary.failures).toBe(62);
    expect(run0.summary.precision).toBe('samples');
    expect(Math.abs(run0.summary.latencyMs.p95 - 99.4644494499999) / 99.46).toBeLessThan(0.01);
  });

  it('writes the model to a file with -o and can leave out histograms', async () => {
    const out = path.join(tmp, 'model.json');
    const r = await run(['ingest', 'examples/data/canary-vs-stable/canary/', '-o', out, '--no-histograms']);
    expect(r.code).toBe(0);
    const model = JSON.parse(await fs.readFile(out, 'utf8'));
    expect(model.runs[0].summary.histogram).toBeUndefined();
    expect(model.runs[0].summary.requests).toBe(3544);
  });

  it('names the file when the format is unknown, without a stack trace', async () => {
    const f = path.join(tmp, 'notes.txt');
    await fs.writeFile(f, 'hello, this is not a load test\n');
    const r = await run(['ingest', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('notes.txt');
    expect(r.stderr).toMatch(/unknown format/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing input clearly', async () => {
    const r = await run(['ingest', 'no/such/file.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no/such/file.json: no such file or folder');
  });

  it('rejects an unknown config key with a suggestion', async () => {
    const cfg = path.join(tmp, 'bad.config.json');
    await fs.writeFile(cfg, '{\n  "titel": "x",\n  "runs": []\n}\n');
    const r = await run(['build', '--config', cfg, '--out', path.join(tmp, 'never')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.config\.json:2:3: unknown key "titel".*did you mean "title"/);
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('builds a site, and a failed build leaves the previous site untouched', async () => {
    const out = path.join(tmp, 'site');
    const ok = await run(['build', 'examples/data/canary-vs-stable/', '--out', out]);
    // On stderr only the note that ./ce-report.config.json is not used for INPUTs and the runs' warnings.
    expect(ok.stderr.split('\n').filter((l) => l && !/^(note|warning): /.test(l))).toEqual([]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Built .*site\/ — 2 run\(s\)/);
    const index = await fs.readFile(path.join(out, 'index.html'), 'utf8');
    expect(existsSync(path.join(out, 'report.md'))).toBe(true);
    expect(existsSync(path.join(out, 'data', 'analysis.json'))).toBe(true);
    const bad = path.join(tmp, 'broken.ndjson');
    await fs.writeFile(bad, '\u0000\u0001\u0002 binary garbage');
    const fail = await run(['build', bad, '--out', out]);
    expect(fail.code).toBe(1);
    expect(await fs.readFile(path.join(out, 'index.html'), 'utf8')).toBe(index);
    const leftovers = (await fs.readdir(tmp)).filter((n) => n.includes('.tmp-') || n.includes('.old-'));
    expect(leftovers).toEqual([]);
  });

  it('gives byte-identical output for the same inputs', async () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    // Two cold builds (every chart drawn), then two through the chart cache (drawn, then reused).
    const c = path.join(tmp, 'c');
    const d = path.join(tmp, 'd');
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-cache-'));
    expect((await run(['build', 'examples/data/canary-vs-stable/', '--out', a, '-q', '--no-cache'])).code).toBe(0);
    expect((await run(['build', 'examples/data/canary-vs-stable/', '--out', b, '-q', '--no-cache'])).code).toBe(0);
    const before = process.env.CE_REPORT_CACHE_DIR;
    process.env.CE_REPORT_CACHE_DIR = cacheDir;
    try {
      expect((await run(['build', 'examples/data/canary-vs-stable/', '--out', c, '-q'])).code).toBe(0);
      expect((await run(['build', 'examples/data/canary-vs-stable/', '--out', d, '-q'])).code).toBe(0);
      expect((await fs.readdir(path.join(cacheDir, 'charts'))).length).toBeGreaterThan(0);
    } finally {
      if (before === undefined) delete process.env.CE_REPORT_CACHE_DIR;
      else process.env.CE_REPORT_CACHE_DIR = before;
      await fs.rm(cacheDir, { recursive: true, force: true });
    }
    const list = async (dir: string) => (await fs.readdir(dir, { recursive: true })).map(String).sort();
    const files = await list(a);
    for (const other of [b, c, d]) {
      expect(await list(other)).toEqual(files);
      for (const f of files) {
        const pa = path.join(a, f);
        if ((await fs.stat(pa)).isDirectory()) continue;
        expect((await fs.readFile(pa)).equals(await fs.readFile(path.join(other, f))), `${other} ${f}`).toBe(true);
      }
    }
  });

  it('exits 2 with --fail-on-verdict when an experiment fails', async () => {
    // Swap the variants: the slower stable version as the "candidate" cannot cut p95.
    const cfg = path.join(tmp, 'swap.config.json');
    await fs.writeFile(
      cfg,
      JSON.stringify({
        runs: [
          { id: 'stable', inputs: [path.join(root, 'examples/data/canary-vs-stable/stable/')] },
          { id: 'canary', inputs: [path.join(root, 'examples/data/canary-vs-stable/canary/')] },
        ],
        studies: [{ kind: 'experiment', id: 'swapped', baseline: 'canary', candidate: 'stable', metric: 'max-p95', criterion: { direction: 'decrease', minChangePct: 5 } }],
      }),
    );
    const r = await run(['build', '--config', cfg, '--out', path.join(tmp, 'gate'), '--fail-on-verdict']);
    expect(r.stdout).toMatch(/FAIL/);
    expect(r.code).toBe(2);
  });

  it('init writes a commented config that build accepts', async () => {
    const dir = path.join(tmp, 'init');
    await fs.mkdir(dir);
    await fs.cp(path.join(root, 'examples/data/canary-vs-stable'), path.join(dir, 'results'), { recursive: true });
    const r = await run(['init', 'results'], dir);
    expect(r.code).toBe(0);
    const text = await fs.readFile(path.join(dir, 'ce-report.config.json'), 'utf8');
    expect(text).toMatch(/^\/\/ /m);
    const again = await run(['init', 'results'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const b = await run(['build', '-q'], dir);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(existsSync(path.join(dir, 'site', 'index.html'))).toBe(true);
  });
});
