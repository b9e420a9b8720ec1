// The GitHub Action's steps run here as GitHub would run them: action.yml's build step
// (its env filled in from the inputs and their defaults, its command, which runs
// scripts/action/run.sh) with GitHub's variables stood in for: the event and its
// JSON, the repository, commit and branch, the step summary and output files, and
// GITHUB_API_URL pointing at a stand-in of GitHub's REST API on 127.0.0.1 that records the
// comment calls. The published site (the baseline) is served by a static server on
// 127.0.0.1: first it has no site (404, the first build), then the site the default-branch
// build made. The runs are real Locust runs (fixtures/history: build-01 and build-02 of the
// same service, build-06 of the service slowed by 20%).
//
// Nothing may go to the internet: every address given is 127.0.0.1, and the proxy variables
// point at a recording trap, so a request curl sent anywhere else would land there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import { CLI } from './helpers/run-cli.js';

const root = path.resolve(__dirname, '..');
const fixtures = path.join(root, 'fixtures', 'history');
const REPO = 'Perf-Team/load-tests';
const MARKER = '<!-- ce-report -->';
const TOKEN = 'test-token-123';

interface Call {
  method: string;
  url: string;
  auth: string | undefined;
  type: string | undefined;
  body: string;
}
interface Comment {
  id: number;
  body: string;
  user: { login: string };
}

let tmp: string;
let pages: Server;
let api: Server;
let trap: Server;
let base: string;
const pagesLog: string[] = [];
const apiCalls: Call[] = [];
const trapped: string[] = [];
const comments: Comment[] = [];
let nextId = 9000;
let published: string | null = null;
let pagesBroken = false;
let callsAfterFirst = -1;

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}


/**
 * action.yml's build step as the runner would run it: its env with `${{ inputs.X }}` (the
 * given value, else the input's default), `${{ github.action_path }}` (this checkout) and
 * `${{ github.token }}` filled in, its working directory and its command. A reader of
 * this file's own layout, not of YAML at large.
 */
function actionStep(given: Record<string, string>): { env: Record<string, string>; cwd: string; run: string } {
  const text = readFileSync(path.join(root, 'action.yml'), 'utf8');
  const lines = text.split('\n');
  const defaults: Record<string, string> = {};
  let section = '';
  let input = '';
  for (const line of lines) {
    if (/^\S/.test(line)) section = line.replace(/:.*$/, '');
    const name = line.match(/^  ([a-z-]+):\s*$/);
    if (section === 'inputs' && name) input = name[1]!;
    const def = line.match(/^    default: (.*)$/);
    if (section === 'inputs' && def) defaults[input] = def[1]!.replace(/^'(.*)'$/, '$1');
  }
  const fill = (v: string) =>
    v.replace(/\$\{\{\s*([a-z._-]+)\s*\}\}/g, (_, expr: string) => {
      if (expr === 'github.action_path') return root;
      if (expr === 'github.token') return given['github.token'] ?? '';
      if (expr.startsWith('inputs.')) {
        const key = expr.slice('inputs.'.length);
        if (!(key in defaults)) throw new Error(`action.yml uses an undeclared input ${key}`);
        return fill(given[key] ?? defaults[key]!);
      }
      throw new Error(`action.yml: no stand-in for \${{ ${expr} }}`);
    });
  const start = lines.findIndex((l) => l.trim() === 'id: run');
  const step = lines.slice(start);
  const end = step.findIndex((l, i) => i > 0 && /^    - /.test(l));
  const body = end < 0 ? step : step.slice(0, end);
  const env: Record<string, string> = {};
  let inEnv = false;
  let cwd = '.';
  let run = '';
  for (const line of body) {
    const kv = line.match(/^ {6}([a-z-]+): ?(.*)$/);
    if (kv) {
      inEnv = kv[1] === 'env';
      if (kv[1] === 'working-directory') cwd = fill(kv[2]!);
      if (kv[1] === 'run') run = fill(kv[2]!.replace(/^'(.*)'$/, '$1'));
      continue;
    }
    const e = line.match(/^ {8}([A-Z_]+): (.*)$/);
    if (inEnv && e) env[e[1]!] = fill(e[2]!);
  }
  return { env, cwd, run };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
}

let runNo = 0;
/** One run of the action's build step in `tmp`, for `build` (a folder of fixtures/history). */
async function runAction(build: string, event: 'push' | 'pull_request', inputs: Record<string, string> = {}): Promise<Run> {
  runNo++;
  const config = path.join(tmp, `build.${runNo}.config.json`);
  // One run; its labels match it with the same run of the baseline.
  await writeFile(config, JSON.stringify({ runs: [{ id: 'work', name: 'GET /work (Locust, 20 users)', inputs: [path.join(fixtures, build)], labels: { service: 'work' } }], studies: [] }));
  const eventFile = path.join(tmp, `event.${runNo}.json`);
  const payload = event === 'pull_request' ? { pull_request: { number: 42, head: { ref: 'slower' } }, repository: { default_branch: 'main' } } : { ref: 'refs/heads/main', repository: { default_branch: 'main' } };
  await writeFile(eventFile, JSON.stringify(payload));
  const summaryFile = path.join(tmp, `summary.${runNo}.md`);
  const outputFile = path.join(tmp, `output.${runNo}.txt`);
  await writeFile(summaryFile, '');
  await writeFile(outputFile, '');
  const trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: tmp,
    CE_REPORT_CACHE_DIR: path.join(tmp, 'cache'),
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_REPOSITORY: REPO,
    GITHUB_SHA: (runNo * 1111).toString(16).padStart(40, 'a'),
    GITHUB_REF_NAME: event === 'pull_request' ? '42/merge' : 'main',
    GITHUB_HEAD_REF: event === 'pull_request' ? 'slower' : '',
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    GITHUB_API_URL: `http://127.0.0.1:${(api.address() as { port: number }).port}`,
    // Anything curl would send beyond 127.0.0.1 lands in the trap.
    http_proxy: trapUrl,
    https_proxy: trapUrl,
    HTTPS_PROXY: trapUrl,
    ALL_PROXY: trapUrl,
    no_proxy: '127.0.0.1',
    NO_PROXY: '127.0.0.1',
  };
  const step = actionStep({ config, out: 'site', baseline: base, 'github.token': TOKEN, ...inputs });
  expect(step.env.CE_ACTION_CLI).toBe(CLI);
  Object.assign(env, step.env, { GITHUB_ACTION_PATH: root });
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('bash', ['-e', '-c', step.run], { cwd: path.resolve(tmp, step.cwd), env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
  const outputs: Record<string, string> = {};
  for (const line of (await readFile(outputFile, 'utf8')).split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { code, stdout, stderr, summary: await readFile(summaryFile, 'utf8'), outputs };
}

interface MdNode {
  type: string;
  url?: string;
  value?: string;
  children?: MdNode[];
}

function mdNodes(markdown: string): MdNode[] {
  const all: MdNode[] = [];
  const walk = (n: MdNode) => {
    all.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(unified().use(remarkParse).use(remarkGfm).parse(markdown) as MdNode);
  return all;
}

const runs: Record<string, Run> = {};

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
  tmp = await mkdtemp(path.join(tmpdir(), 'ce-report-action-'));
  // GitHub Pages: /load-tests/ serves the published site, once there is one.
  pages = createServer((req, res) => {
    const url = req.url ?? '/';
    pagesLog.push(url);
    if (pagesBroken) {
      res.writeHead(503).end('unavailable');
      return;
    }
    const rel = url.replace(/^\/load-tests\//, '').split('?')[0]!;
    const file = published && url.startsWith('/load-tests/') ? path.join(published, ...rel.split('/').filter((s) => s && s !== '..')) : '';
    if (!file || !existsSync(file)) {
      res.writeHead(404).end('404 Not Found');
      return;
    }
    readFile(file).then((b) => res.writeHead(200, { 'content-type': 'application/json' }).end(b));
  });
  // GitHub's REST API, the issue-comment calls only.
  api = createServer(async (req, res) => {
    const b = await body(req);
    apiCalls.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, type: req.headers['content-type'], body: b });
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { message: 'Bad credentials' });
    const list = url.pathname.match(/^\/repos\/Perf-Team\/load-tests\/issues\/(\d+)\/comments$/);
    const one = url.pathname.match(/^\/repos\/Perf-Team\/load-tests\/issues\/comments\/(\d+)$/);
    if (list && req.method === 'GET') {
      const page = Number(url.searchParams.get('page') ?? 1);
      const per = Number(url.searchParams.get('per_page') ?? 30);
      return send(200, comments.slice((page - 1) * per, page * per));
    }
    if (list && req.method === 'POST') {
      const c = { id: nextId++, body: JSON.parse(b).body as string, user: { login: 'github-actions[bot]' } };
      comments.push(c);
      return send(201, c);
    }
    if (one && req.method === 'PATCH') {
      const c = comments.find((x) => x.id === Number(one[1]));
      if (!c) return send(404, { message: 'Not Found' });
      c.body = JSON.parse(b).body as string;
      return send(200, c);
    }
    send(404, { message: 'Not Found' });
  });
  trap = createServer((req, res) => {
    trapped.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  trap.on('connect', (req, socket) => {
    trapped.push(`CONNECT ${req.url}`);
    socket.destroy();
  });
  const pagesPort = await listen(pages);
  await listen(api);
  await listen(trap);
  base = `http://127.0.0.1:${pagesPort}/load-tests/`;
  // Someone else's comments come first on the pull request, one that quotes the marker.
  for (let i = 0; i < 3; i++) comments.push({ id: nextId++, body: i === 1 ? `Why does the bot write ${MARKER}?` : `review comment ${i}`, user: { login: 'reviewer' } });

  // 1. The first build on the default branch: nothing published yet.
  runs.first = await runAction('build-01', 'push');
  callsAfterFirst = apiCalls.length;
  // It is published (the workflow's upload-pages-artifact and deploy-pages).
  published = path.join(tmp, 'published');
  await cp(path.join(tmp, 'site'), published, { recursive: true });
  // 2. A pull request whose runs did not change; 3. a push to it with the slowed service.
  runs.unchanged = await runAction('build-02', 'pull_request');
  runs.slowed = await runAction('build-06', 'pull_request');
  // 4. The same, not gating; 5. Pages failing.
  // (read through the `inputs` input, with no config: the folder's name is the run's label)
  await cp(path.join(fixtures, 'build-06'), path.join(tmp, 'results', 'service=work'), { recursive: true });
  runs.noGate = await runAction('build-06', 'pull_request', { 'fail-on-regression': 'false', comment: 'false', config: '', inputs: '\n  results/\n' });
  pagesBroken = true;
  runs.broken = await runAction('build-02', 'pull_request');
  pagesBroken = false;
}, 300_000);

afterAll(async () => {
  for (const s of [pages, api, trap]) s?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the action, run locally', () => {
  it('the first build without a published site: no baseline, the history starts, ready to publish', async () => {
    const r = runs.first!;
    expect(r.code, r.stderr).toBe(0);
    expect(pagesLog[0]).toBe('/load-tests/data/figures.json');
    expect(r.stderr).toContain('--history');
    expect(r.stderr).not.toContain('--baseline');
    expect(r.outputs).toMatchObject({ deploy: 'true', verdict: 'none', 'exit-code': '0', baseline: '' });
    expect(r.outputs['site-dir']).toBe(path.join(tmp, 'site'));
    expect(r.summary).toContain('No ce-report site is published at');
    expect(r.summary).toContain('answered 404');
    const h = JSON.parse(await readFile(path.join(tmp, 'published', 'data', 'history.json'), 'utf8'));
    expect(h.builds).toHaveLength(1);
    expect(h.builds[0]).toMatchObject({ commit: (1111).toString(16).padStart(40, 'a'), branch: 'main' });
    // The default-branch build links its report into the address derived from the repository.
    const report = await readFile(path.join(tmp, 'published', 'report.md'), 'utf8');
    expect(report).toContain('https://perf-team.github.io/load-tests/');
    // A push comments nowhere.
    expect(callsAfterFirst).toBe(0);
    expect(existsSync(path.join(tmp, 'published', 'index.html'))).toBe(true);
  });

  it('a pull request with the same service: compared with the published site, one comment posted, exit 0', async () => {
    const r = runs.unchanged!;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`--baseline ${base}`);
    expect(r.outputs.deploy).toBe('false');
    expect(r.outputs.baseline).toBe(base);
    expect(['OK', 'INCONCLUSIVE', 'IMPROVED']).toContain(r.outputs.verdict);
    // ce-report's own step summary: the comparison.
    expect(r.summary).toMatch(/^# Against the baseline: (OK|INCONCLUSIVE|IMPROVED)/m);
    const posts = apiCalls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.url).toBe('/repos/Perf-Team/load-tests/issues/42/comments');
    expect(posts[0]!.auth).toBe(`Bearer ${TOKEN}`);
    expect(posts[0]!.type).toBe('application/json');
    // The token never appears on a command line or in the log.
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
    const posted = JSON.parse(posts[0]!.body).body as string;
    expect(posted.startsWith(`${MARKER}\n# Against the baseline`)).toBe(true);
    expect(r.outputs['comment-id']).toBe(String(comments[3]!.id));
  });

  it('the slowed service: REGRESSION, exit 3, the same comment updated', async () => {
    const r = runs.slowed!;
    expect(r.code, r.stderr).toBe(3);
    expect(r.outputs).toMatchObject({ verdict: 'REGRESSION', 'exit-code': '3' });
    expect(r.stderr).toContain('regression against the baseline: work');
    expect(r.summary).toMatch(/^# Against the baseline: REGRESSION in 1 of 1 run/m);
    // Still one comment of ours: the second run edited it.
    const ours = comments.filter((c) => c.body.startsWith(MARKER));
    expect(ours).toHaveLength(1);
    const patches = apiCalls.filter((c) => c.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.url).toBe(`/repos/Perf-Team/load-tests/issues/comments/${ours[0]!.id}`);
    expect(apiCalls.filter((c) => c.method === 'POST')).toHaveLength(1);
    expect(r.outputs['comment-id']).toBe(String(ours[0]!.id));
    expect(comments[1]!.body).toBe(`Why does the bot write ${MARKER}?`);
    // The comment is the step summary's comparison, behind the marker.
    const text = ours[0]!.body.slice(MARKER.length + 1);
    expect(r.summary).toContain(text.trim());
    expect(text).toContain('**REGRESSION**');
    expect(text).toContain('| p95 |');
  });

  it('the comment renders with GFM: tables, no image, no relative link, only the marker as HTML', () => {
    const text = comments.find((c) => c.body.startsWith(MARKER))!.body;
    const nodes = mdNodes(text);
    expect(nodes.filter((n) => n.type === 'table').length).toBeGreaterThan(1);
    expect(nodes.filter((n) => n.type === 'image' || n.type === 'imageReference')).toEqual([]);
    const links = nodes.filter((n) => n.type === 'link' || n.type === 'definition');
    for (const l of links) expect(l.url, l.url).toMatch(/^https?:\/\//);
    expect(nodes.filter((n) => n.type === 'html').map((n) => n.value)).toEqual([MARKER]);
    expect(text.length).toBeLessThanOrEqual(65_536);
  });

  it('fail-on-regression false: the regression is reported and the step passes; comment false: no API call', () => {
    const r = runs.noGate!;
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: 'REGRESSION', 'exit-code': '0' });
    expect(r.stderr).not.toContain('--fail-on-regression');
    expect(r.stderr).toContain(' -- results/\n');
    expect(r.stderr).not.toContain('--config');
    expect(r.outputs['comment-id']).toBeUndefined();
    expect(apiCalls.filter((c) => c.method !== 'GET')).toHaveLength(2);
  });

  it('a published site that does not answer stops the job instead of starting the history anew', () => {
    const r = runs.broken!;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read the baseline ${base}data/figures.json (HTTP 503)`);
    expect(r.outputs).toEqual({});
  });

  it('action.yml passes every setting the script reads, and nothing else', () => {
    const script = readFileSync(path.join(root, 'scripts', 'action', 'run.sh'), 'utf8');
    const read = [...new Set(script.match(/\bCE_ACTION_[A-Z_]+/g))].sort();
    const step = actionStep({});
    expect(Object.keys(step.env).filter((k) => k.startsWith('CE_ACTION_')).sort()).toEqual(read);
    expect(step.run).toBe('"$GITHUB_ACTION_PATH/scripts/action/run.sh"');
    expect(step.env.CE_ACTION_OUT).toBe('ce-report-site');
    expect(step.env.CE_ACTION_FAIL_ON_REGRESSION).toBe('true');
  });

  it('the example workflows use only inputs and outputs the action has', () => {
    const action = readFileSync(path.join(root, 'action.yml'), 'utf8');
    const section = (name: string) => {
      const from = action.indexOf(`\n${name}:\n`);
      const rest = action.slice(from + name.length + 3);
      return [...rest.slice(0, rest.search(/\n\S/)).matchAll(/^ {2}([a-z-]+):\s*$/gm)].map((m) => m[1]!);
    };
    const inputs = section('inputs');
    const outputs = section('outputs');
    expect(inputs).toContain('fail-on-regression');
    expect(outputs).toContain('site-dir');
    for (const file of ['k6.yml', 'locust.yml']) {
      const text = readFileSync(path.join(root, 'examples', 'workflows', file), 'utf8');
      const step = text.slice(text.indexOf('uses: OWNER/ce-report@'));
      const withBlock = step.slice(step.indexOf('with:\n') + 6, step.search(/\n\s*\n/));
      const given = [...withBlock.matchAll(/^ {10}([a-z-]+):/gm)].map((m) => m[1]!);
      expect(given.length, file).toBeGreaterThan(0);
      for (const g of given) expect(inputs, `${file}: input ${g}`).toContain(g);
      for (const m of text.matchAll(/(?:steps\.report|needs\.load-test)\.outputs\.([a-z-]+)/g)) expect(outputs, `${file}: output ${m[1]}`).toContain(m[1]!);
      // The site is uploaded for Pages only from the build that is published.
      expect(text).toContain("if: ${{ steps.report.outputs.deploy == 'true' }}\n        uses: actions/upload-pages-artifact@v3");
    }
  });

  it('nothing went beyond 127.0.0.1', () => {
    expect(trapped).toEqual([]);
    // The baseline was read from the stand-in Pages server only, its data files only.
    expect(pagesLog.every((u) => /^\/load-tests\/data\/(figures|history)\.json$/.test(u)), pagesLog.join(' ')).toBe(true);
  });
});
