// ce-report build --baseline: real runs of the bundled example built twice, once as they
// are and once with the 2- and 4-worker runs' inputs swapped under their labels (the
// "4 workers" run then has half the throughput: a regression made by the load tool, not
// by editing numbers). The swapped build is judged a REGRESSION and --fail-on-regression
// exits 3; an unchanged build exits 0; the summary is Markdown that renders on GitHub
// with no relative link; a baseline that cannot be read is one line naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import { runCli, type CliResult } from './helpers/run-cli.js';
import type { Comparison } from '../src/baseline/types.js';
import type { HistoryFile } from '../src/history/types.js';

const root = path.resolve(__dirname, '..');
const data = path.join(root, 'examples', 'data');
const SITE = 'https://example.org/perf';
const HOSTILE = 'Stable <img src=x onerror=alert(1)> | `x` [y](javascript:alert(1))';

function config(swap: boolean, extra: object[] = [], drop: string[] = []): string {
  const w2 = path.join(data, 'scaling', swap ? 'workers-4' : 'workers-2');
  const w4 = path.join(data, 'scaling', swap ? 'workers-2' : 'workers-4');
  const runs = [
    { id: 'stable', name: HOSTILE, inputs: [path.join(data, 'canary-vs-stable', 'stable')], labels: { variant: 'stable' } },
    { id: 'workers-2', name: '2 workers', inputs: [w2], labels: { workers: '2' } },
    { id: 'workers-4', name: '4 workers', inputs: [w4], labels: { workers: '4' } },
    { id: 'threads-stable', name: 'threads', inputs: [path.join(data, 'canary-threads', 'stable')], labels: { threads: '4' } },
    ...extra,
  ].filter((r) => !drop.includes((r as { id: string }).id));
  return JSON.stringify({ runs, studies: [], regression: { p95Pct: 10, rpsPct: 5, errorRatePct: 1 } });
}

interface Node {
  type: string;
  url?: string;
  children?: Node[];
}

function nodes(markdown: string): Node[] {
  const all: Node[] = [];
  const walk = (n: Node) => {
    all.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(unified().use(remarkParse).use(remarkGfm).parse(markdown) as Node);
  return all;
}

const sha = (n: number) => n.toString(16).padStart(40, 'c');
const env = (n: number, more: Record<string, string> = {}) => ({ GITHUB_SHA: sha(n), GITHUB_REF_NAME: 'main', GITHUB_HEAD_REF: '', GITHUB_STEP_SUMMARY: '', ...more });

let tmp: string;
let server: Server;
let port: number;
const results: Record<string, CliResult> = {};
const read = (rel: string) => readFile(path.join(tmp, rel), 'utf8');
const json = async <T>(rel: string) => JSON.parse(await read(rel)) as T;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'ce-report-baseline-'));
  await writeFile(path.join(tmp, 'base.json'), config(false));
  await writeFile(path.join(tmp, 'swapped.json'), config(true));
  await writeFile(path.join(tmp, 'changed-set.json'), config(false, [{ id: 'workers-1', name: '1 worker', inputs: [path.join(data, 'scaling', 'workers-1')], labels: { workers: '1' } }], ['threads-stable']));
  // The baseline served over http as GitHub Pages would, plus answers that fail.
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/broken/')) {
      res.writeHead(500).end('oops');
      return;
    }
    if (url.startsWith('/garbage/data/figures.json')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"format": "ce-report-figures/1", "runs": [{"runId": 3}]}');
      return;
    }
    const file = path.join(tmp, 'A', ...url.replace(/^\/site\//, '').split('/').filter((s) => s && s !== '..'));
    if (!url.startsWith('/site/') || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    readFile(file).then((b) => res.writeHead(200, { 'content-type': 'application/json' }).end(b));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;

  results.A = await runCli(['build', '-q', '-c', 'base.json', '--out', 'A', '--history'], tmp, env(1));
  const summary = path.join(tmp, 'step-summary.md');
  await writeFile(summary, '# earlier step\n');
  const builds: Array<[string, string[], Record<string, string>]> = [
    ['B', ['-c', 'swapped.json', '--out', 'B', '--baseline', 'A', '--fail-on-regression', '--site-url', SITE], env(2, { GITHUB_STEP_SUMMARY: summary })],
    ['B2', ['-c', 'swapped.json', '--out', 'B2', '--baseline', 'A', '--fail-on-regression', '--site-url', SITE], env(2)],
    ['C', ['-c', 'base.json', '--out', 'C', '--baseline', 'A', '--fail-on-regression'], env(3)],
    ['D', ['-c', 'changed-set.json', '--out', 'D', '--baseline', `http://127.0.0.1:${port}/site`], env(4)],
    ['E', ['-c', 'base.json', '--out', 'E', '--baseline', `http://127.0.0.1:${port}/site/index.html`], env(5)],
  ];
  for (const [name, args, e] of builds) results[name] = await runCli(['build', ...args], tmp, e);
}, 240_000);

afterAll(async () => {
  server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('build --baseline', () => {
  it('the swapped build regresses: exit 3 with --fail-on-regression, the 4-worker run named', async () => {
    expect(results.A!.code, results.A!.stderr).toBe(0);
    expect(results.B!.code, results.B!.stderr).toBe(3);
    expect(results.B!.stderr).toContain('regression against the baseline: workers-4');
    expect(results.B!.stdout).toContain('REGRESSION: workers-4 (rps, p95)');
    const c = await json<Comparison>('B/data/comparison.json');
    expect(c.verdict).toBe('REGRESSION');
    const w4 = c.runs.find((r) => r.runId === 'workers-4')!;
    expect(w4.matchedBy).toBe('labels');
    const rps = w4.metrics.find((m) => m.metric === 'rps')!;
    const p95 = w4.metrics.find((m) => m.metric === 'p95')!;
    // Full-load throughput 62 → 29 req/s (the analysis' own figures of the two runs).
    const a = await json<{ runs: Array<{ runId: string; fullLoad: { rps: number } | null; endOfRun: { p95: number } | null; state: string }> }>('A/data/analysis.json');
    const aw2 = a.runs.find((r) => r.runId === 'workers-2')!;
    const aw4 = a.runs.find((r) => r.runId === 'workers-4')!;
    expect(rps.baseline).toBeCloseTo(aw4.fullLoad!.rps, 1);
    expect(rps.current).toBeCloseTo(aw2.fullLoad!.rps, 1);
    expect(rps.basis).toEqual({ baseline: 'full-load', current: 'full-load' });
    expect(rps.ci![1]).toBeLessThan(-5);
    expect(rps.verdict).toBe('REGRESSION');
    // These runs are overloaded: latency is the end-of-run window's, named so.
    expect(aw4.state).toBe('overloaded');
    expect(p95.basis).toEqual({ baseline: 'end-of-run', current: 'end-of-run' });
    // The analysis' own end-of-run figures (as the run pages show them) …
    expect(p95.baseline! / aw4.endOfRun!.p95).toBeCloseTo(1, 3);
    expect(p95.current! / aw2.endOfRun!.p95).toBeCloseTo(1, 3);
    // … the same in both builds: the swapped run's is the other run's of the baseline.
    const fa = await json<{ runs: Array<{ runId: string; value: { p95: number }; latency: { fromT: number; toT: number; p95: unknown[] } }> }>('A/data/figures.json');
    expect(p95.baseline).toBe(fa.runs.find((r) => r.runId === 'workers-4')!.value.p95);
    expect(p95.current).toBe(fa.runs.find((r) => r.runId === 'workers-2')!.value.p95);
    // The end-of-run window: the last 10 s of the full-load phase, each interval a value.
    const l4 = fa.runs.find((r) => r.runId === 'workers-4')!.latency;
    expect(l4.toT - l4.fromT).toBe(10);
    expect(l4.p95).toHaveLength(10);
    expect(p95.ci![0]).toBeGreaterThan(10);
    expect(p95.pValue).toBeLessThan(0.05);
    expect(c.runs.find((r) => r.runId === 'workers-2')!.verdict).toBe('IMPROVED');
    expect(c.runs.find((r) => r.runId === 'stable')!.verdict).toBe('OK');
  });

  it('an unchanged build passes the gate: exit 0, no run regressed, every run matched', async () => {
    expect(results.C!.code, results.C!.stderr).toBe(0);
    const c = await json<Comparison>('C/data/comparison.json');
    expect(c.regressions).toBe(0);
    expect(c.runs.map((r) => r.verdict)).not.toContain('REGRESSION');
    expect(c.unmatched).toEqual({ current: [], baseline: [] });
    for (const r of c.runs) for (const m of r.metrics) if (m.change !== null) expect(m.change).toBe(0);
    // Zero failures on both sides: bounded by the rule of three, not left INCONCLUSIVE.
    const w4 = c.runs.find((r) => r.runId === 'workers-4')!;
    expect(w4.metrics.find((m) => m.metric === 'errorRate')!.verdict).toBe('OK');
    expect(await read('C/baseline.md')).toContain('Every run matches a baseline run.');
    // A steady run's latency is its full-load figure, as the analysis reads it.
    const a = await json<{ runs: Array<{ runId: string; state: string; fullLoad: { p50: number; p95: number } }> }>('A/data/analysis.json');
    const stable = a.runs.find((r) => r.runId === 'stable')!;
    expect(stable.state).toBe('steady');
    const p95 = c.runs.find((r) => r.runId === 'stable')!.metrics.find((m) => m.metric === 'p95')!;
    expect(p95.basis.current).toBe('full-load');
    expect(p95.current! / stable.fullLoad.p95).toBeCloseTo(1, 3);
  });

  it('reads a published baseline over http and says which runs match and which do not', async () => {
    expect(results.D!.code, results.D!.stderr).toBe(0);
    const c = await json<Comparison>('D/data/comparison.json');
    expect(c.source).toBe(`http://127.0.0.1:${port}/site`);
    expect(c.unmatched).toEqual({ current: ['workers-1'], baseline: ['threads-stable'] });
    expect(results.D!.stdout).toContain('not in the baseline: workers-1');
    expect(results.D!.stdout).toContain('baseline runs not built: threads-stable');
    const md = await read('D/baseline.md');
    expect(md).toContain('Runs of this build with no match in the baseline (not compared): workers-1.');
    expect(md).toContain('Baseline runs missing from this build: threads-stable.');
    // The history came over http too.
    const h = await json<HistoryFile>('D/data/history.json');
    expect(h.builds.map((b) => b.commit)).toEqual([sha(1), sha(4)]);
    // The address of a page of the site works as well as the site's.
    expect(results.E!.code, results.E!.stderr).toBe(0);
    expect((await json<Comparison>('E/data/comparison.json')).runs).toHaveLength(4);
  });

  it('baseline.md renders on GitHub: no image, no HTML, links only into the published site, artifact text escaped, within the comment limit', async () => {
    const md = await read('B/baseline.md');
    expect(md.length).toBeLessThan(65_536);
    const tree = nodes(md);
    expect(tree.filter((n) => ['image', 'imageReference', 'html', 'definition'].includes(n.type))).toEqual([]);
    const links = tree.filter((n) => n.type === 'link').map((n) => n.url!);
    expect(links.length).toBeGreaterThan(0);
    for (const url of links) expect(url.startsWith(`${SITE}/`), url).toBe(true);
    expect(links).toContain(`${SITE}/runs/workers-4.html`);
    // The hostile run name stays text: no javascript: link, no <img>.
    expect(md).not.toMatch(/<img/);
    expect(links.some((u) => u.includes('javascript'))).toBe(false);
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // Without --site-url: no link at all (C compares a folder baseline).
    expect(nodes(await read('C/baseline.md')).filter((n) => n.type === 'link' || n.type === 'image')).toEqual([]);
    // $GITHUB_STEP_SUMMARY: appended after what earlier steps wrote.
    expect(await read('step-summary.md')).toBe(`# earlier step\n${md}\n`);
    // The site's own page links relatively and escapes too.
    const html = await read('B/baseline.html');
    expect(html).toContain('href="runs/workers-4.html"');
    expect(html).toContain('<strong class="badge badge-fail">REGRESSION</strong>');
    expect(html).not.toContain('<img src=x');
  });

  it('is deterministic: the same inputs, baseline and commit give byte-identical files', async () => {
    expect(results.B2!.code).toBe(3);
    for (const f of ['data/figures.json', 'data/comparison.json', 'data/history.json', 'baseline.md', 'baseline.html', 'history.md', 'history.html']) {
      expect(await read(`B2/${f}`), f).toBe(await read(`B/${f}`));
    }
  });

  it('data/figures.json is bounded and carries the per-interval values of the full-load phase', async () => {
    const f = await json<{ runs: Array<{ runId: string; fullLoad: { requests: number[]; stepS: number } | null; latency: { p95: Array<number | null> } | null }> }>('A/data/figures.json');
    const w4 = f.runs.find((r) => r.runId === 'workers-4')!;
    expect(w4.fullLoad!.requests.length).toBeGreaterThan(20);
    expect(w4.fullLoad!.requests.length).toBeLessThanOrEqual(600);
    expect(w4.latency!.p95.length).toBeGreaterThan(5);
    // bombardier keeps no timeline: whole-run figures only.
    expect(f.runs.find((r) => r.runId === 'threads-stable')!.fullLoad).toBeNull();
    expect((await read('A/data/figures.json')).length).toBeLessThan(200_000);
  });

  it('history: carried from the baseline, this build appended with its commit and branch, the time from its runs without --timestamp', async () => {
    const a = await json<HistoryFile>('A/data/history.json');
    expect(a.builds).toHaveLength(1);
    const b = await json<HistoryFile>('B/data/history.json');
    expect(b.builds.map((x) => [x.commit, x.branch])).toEqual([
      [sha(1), 'main'],
      [sha(2), 'main'],
    ]);
    expect(b.builds[1]!.timeBasis).toBe('runs');
    expect(b.builds[1]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(b.retention).toBe(200);
    const page = await read('B/history.md');
    expect(page).toContain('# Build history');
    expect(page).toContain(sha(2).slice(0, 12));
    // Each metric's chart, inlined in the HTML page, the hostile run name never as markup.
    const html = await read('B/history.html');
    expect(html.match(/<figure class="chart">/g)).toHaveLength(5);
    expect(html).not.toContain('<img src=x');
    expect(await read('B/charts/history-p95.svg')).toContain('<title id="history-p95-title">p95 over the builds');
    // The index links the pages the build made.
    expect(await read('B/index.md')).toContain('- [Against the baseline](baseline.md)');
    expect(await read('B/index.html')).toContain('<a href="history.html">Build history</a>');
    expect(await read('A/index.md')).toContain('- [Build history](history.md)');
    expect(await read('A/index.md')).not.toContain('Against the baseline');
  });
});

describe('a baseline that cannot be read is one line naming it, before any input is read', () => {
  const fails = async (baseline: string, expected: string) => {
    const r = await runCli(['build', '-q', '-c', 'base.json', '--out', 'X', '--baseline', baseline], tmp, env(9));
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain(`--baseline ${baseline}: `);
    expect(lines[0]).toContain(expected);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(tmp, 'X'))).toBe(false);
  };

  it('a folder that is missing, not a site, or a file', async () => {
    await mkdir(path.join(tmp, 'empty'), { recursive: true });
    await fails('no-such-folder', 'no such folder');
    await fails('empty', 'not a site built by ce-report (no data/figures.json)');
    await fails('base.json', 'not a folder');
    await mkdir(path.join(tmp, 'bad', 'data'), { recursive: true });
    await writeFile(path.join(tmp, 'bad', 'data', 'figures.json'), '{ nope');
    await fails('bad', 'data/figures.json is not valid JSON');
  });

  it('an address that fails: refused, 404, 500, a file of the wrong shape', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    await fails(`http://127.0.0.1:${closedPort}/site`, 'connection refused');
    await fails(`http://127.0.0.1:${port}/nothing-here`, 'not a site built by ce-report');
    await fails(`http://127.0.0.1:${port}/broken/`, 'HTTP 500');
    await fails(`http://127.0.0.1:${port}/garbage/`, 'data/figures.json: figures.runs[0].runId is not a string');
    await fails('ftp://example.org/site', 'only http:// and https://');
  });

  it('--fail-on-regression without --baseline is a usage error', async () => {
    const r = await runCli(['build', '-q', '-c', 'base.json', '--out', 'X', '--fail-on-regression'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('ce-report: --fail-on-regression needs --baseline (the site to compare with)');
  });
});
