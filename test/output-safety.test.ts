// `build --out` never deletes what ce-report did not write, and the swap of the old site
// for the new one leaves a complete site whatever happens (issue 20, points 1, 7, 9).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { k6Ndjson } from './helpers/bad-inputs.js';
import { swapIn } from '../src/output-swap.js';
import { writeSiteMarker } from '../src/output-dir.js';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
type Result = { code: number; stdout: string; stderr: string };

function run(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: tmp, env: { ...process.env, CE_REPORT_DEBUG: '', ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const at = (...p: string[]) => path.join(tmp, ...p);
const leftovers = async () => (await fs.readdir(tmp)).filter((n) => /\.(tmp|old)-\d+$|ce-report-lock$/.test(n)).sort();

let tmp: string;
beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-out-'));
});
// Written again before each test: a test that fails (on a version with the bug) may have deleted them.
beforeEach(async () => {
  if (existsSync(at('results')) && !(await fs.stat(at('results'))).isDirectory()) await fs.rm(at('results'));
  await fs.mkdir(at('results', 'run'), { recursive: true });
  await fs.writeFile(at('results', 'run', 'k6.json'), k6Ndjson(20));
  await fs.writeFile(at('results', 'NOTES.txt'), 'hand-written notes\n');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function expectRefused(r: Result, why: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^ce-report: refusing to write the site into /);
  expect(r.stderr).toMatch(why);
}

describe('--out never deletes user data', () => {
  it('refuses the input folder itself', async () => {
    expectRefused(await run(['build', 'results', '--out', 'results']), /is or holds an input/);
    expect(await fs.readFile(at('results', 'NOTES.txt'), 'utf8')).toBe('hand-written notes\n');
    expect(existsSync(at('results', 'run', 'k6.json'))).toBe(true);
  });

  it('refuses a folder of hand-written files (a GitHub Pages docs/ folder)', async () => {
    await fs.mkdir(at('docs'));
    await fs.writeFile(at('docs', 'guide.md'), '# guide\n');
    expectRefused(await run(['build', 'results', '--out', 'docs']), /not written by ce-report \(it has no \.ce-report-site file\)/);
    expect(await fs.readdir(at('docs'))).toEqual(['guide.md']);
  });

  it('refuses a file', async () => {
    await fs.writeFile(at('afile'), 'data\n');
    expectRefused(await run(['build', 'results', '--out', 'afile']), /is a file, not a folder/);
    expect(await fs.readFile(at('afile'), 'utf8')).toBe('data\n');
  });

  it('takes an empty folder, then replaces its own site (marked), and a site from before the marker', async () => {
    await fs.mkdir(at('empty'));
    expect((await run(['build', 'results', '--out', 'empty', '-q'])).code).toBe(0);
    expect(existsSync(at('empty', '.ce-report-site'))).toBe(true);
    expect((await run(['build', 'results', '--out', 'empty', '-q'])).code).toBe(0);
    // A site written before the marker existed: only the names ce-report writes.
    await fs.rm(at('empty', '.ce-report-site'));
    expect((await run(['build', 'results', '--out', 'empty', '-q'])).code).toBe(0);
    // The same with a file of the user's added: not ce-report's alone any more.
    await fs.rm(at('empty', '.ce-report-site'));
    await fs.writeFile(at('empty', 'mine.txt'), 'x');
    expectRefused(await run(['build', 'results', '--out', 'empty']), /not written by ce-report/);
    expect(existsSync(at('empty', 'mine.txt'))).toBe(true);
  });

  it('writes through a symbolic link to its real folder', async () => {
    await fs.mkdir(at('real'));
    await fs.symlink(at('real'), at('link'));
    expect((await run(['build', 'results', '--out', 'link', '-q'])).code).toBe(0);
    expect((await fs.lstat(at('link'))).isSymbolicLink()).toBe(true);
    expect(existsSync(at('real', 'index.html'))).toBe(true);
  });

  it('a file-system error on the output is a one-line error, not an internal one', async () => {
    const r = await run(['build', 'results', '--out', 'x'.repeat(250)]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^ce-report: .*cannot write the site there \(ENAMETOOLONG/);
    const under = await run(['build', 'results', '--out', 'afile/site']);
    expect(under.code, under.stderr).toBe(1);
    expect(under.stderr).not.toMatch(/internal error/);
  });
});

describe('file-system errors are the user\'s to fix, not internal errors', () => {
  it('ingest -o under a file (ENOTDIR) or onto a full disk (ENOSPC): exit 1, one line naming the path', async () => {
    await fs.writeFile(at('plain'), 'x');
    const notDir = await run(['ingest', 'results/run/k6.json', '-o', 'plain/model.json']);
    expect(notDir.code, notDir.stderr).toBe(1);
    expect(notDir.stderr.trim().split('\n')).toHaveLength(1);
    expect(notDir.stderr).toMatch(/^ce-report: .*ENOTDIR.*plain\/model\.json/);
    if (existsSync('/dev/full')) {
      const full = await run(['ingest', 'results/run/k6.json', '-o', '/dev/full']);
      expect(full.code, full.stderr).toBe(1);
      expect(full.stderr).toMatch(/^ce-report: \/dev\/full: ENOSPC/);
    }
  });
});

describe('the swap keeps a complete site', () => {
  it('a kill between the two renames loses nothing, and the next build puts the site back and cleans up', async () => {
    expect((await run(['build', 'results', '--out', 'site', '-q'])).code).toBe(0);
    const before = await fs.readFile(at('site', 'index.html'), 'utf8');
    const child = spawn(process.execPath, [cli, 'build', 'results', '--out', 'site', '-q', '--title', 'Second'], { cwd: tmp, env: { ...process.env, CE_REPORT_FAULT: 'kill-between-renames' }, stdio: 'ignore' });
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    // Both sites are complete beside the missing folder.
    expect(existsSync(at('site'))).toBe(false);
    expect(await fs.readFile(at(`site.old-${child.pid}`, 'index.html'), 'utf8')).toBe(before);
    expect(await fs.readFile(at(`site.tmp-${child.pid}`, 'index.html'), 'utf8')).toMatch(/Second/);
    // The next build, even a failing one, puts the newest complete site back first.
    await fs.writeFile(at('bad.ndjson'), '\u0000\u0001 garbage');
    await fs.mkdir(at('user.old-1'));
    await fs.writeFile(at('user.old-1', 'keep.txt'), 'x');
    const next = await run(['build', 'results', '--out', 'site', '--title', 'Third']);
    expect(next.code, next.stderr).toBe(0);
    expect(await fs.readFile(at('site', 'index.html'), 'utf8')).toMatch(/Third/);
    expect(await leftovers()).toEqual(['user.old-1']);
  }, 60_000);

  it('SIGTERM (a cancelled CI job) between the two renames: the swap finishes first, then the process ends', async () => {
    const child = spawn(process.execPath, [cli, 'build', 'results', '--out', 'termed', '-q', '--title', 'Termed'], { cwd: tmp, env: { ...process.env, CE_REPORT_FAULT: 'sigterm-between-renames' }, stdio: 'ignore' });
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGTERM');
    expect(await fs.readFile(at('termed', 'index.html'), 'utf8')).toMatch(/Termed/);
    expect((await leftovers()).filter((n) => n.startsWith('termed'))).toEqual([]);
  }, 60_000);

  it('Ctrl-C while the pages are written: the previous site stays, no OUT.tmp-PID is left', async () => {
    expect((await run(['build', 'results', '--out', 'interrupted', '-q', '--title', 'First'])).code).toBe(0);
    const child = spawn(process.execPath, [cli, 'build', 'results', '--out', 'interrupted', '-q', '--title', 'Second'], { cwd: tmp, env: { ...process.env, CE_REPORT_FAULT: 'sigint-while-writing' }, stdio: 'ignore' });
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGINT');
    expect(await fs.readFile(at('interrupted', 'index.html'), 'utf8')).toMatch(/First/);
    expect((await leftovers()).filter((n) => n.startsWith('interrupted'))).toEqual([]);
  }, 60_000);

  it('restores the interrupted build\'s site even when the next build fails', async () => {
    const dead = 2_000_000_000; // no such process
    await fs.rename(at('site'), at(`site.old-${dead}`));
    await fs.mkdir(at(`site.tmp-${dead}`));
    await fs.writeFile(at(`site.tmp-${dead}`, '.ce-report-site'), 'unfinished');
    const fail = await run(['build', 'bad.ndjson', '--out', 'site']);
    expect(fail.code).toBe(1);
    expect(existsSync(at('site', 'index.html'))).toBe(true);
    expect(await leftovers()).toEqual(['user.old-1']);
  });

  it('two builds into one folder both succeed and leave one complete site', async () => {
    expect((await run(['build', 'results', '--out', 'twice', '-q'])).code).toBe(0);
    // Each pauses between its two renames, so the swaps overlap.
    const slow = { CE_REPORT_FAULT: 'pause-between-renames' };
    const [a, b] = await Promise.all([run(['build', 'results', '--out', 'twice', '-q', '--title', 'A'], slow), run(['build', 'results', '--out', 'twice', '-q', '--title', 'B'], slow)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(await fs.readFile(at('twice', 'index.html'), 'utf8')).toMatch(/<title>[^<]*(A|B)/);
    expect((await leftovers()).filter((n) => n.startsWith('twice'))).toEqual([]);
  }, 60_000);
});

describe('leftovers of an earlier process with this one\'s id (containers reuse ids)', () => {
  it('its lock is taken over at once and its old site is removed at the swap', async () => {
    const out = at('reused');
    await fs.mkdir(out);
    await writeSiteMarker(out, 'complete');
    await fs.writeFile(`${out}.ce-report-lock`, `${process.pid}\n`);
    await fs.mkdir(`${out}.old-${process.pid}`);
    await writeSiteMarker(`${out}.old-${process.pid}`, 'complete');
    await fs.mkdir(`${out}.tmp-${process.pid}`);
    await writeSiteMarker(`${out}.tmp-${process.pid}`, 'complete');
    await fs.writeFile(path.join(`${out}.tmp-${process.pid}`, 'index.html'), 'new');
    const t0 = Date.now();
    await swapIn(`${out}.tmp-${process.pid}`, out);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await fs.readFile(path.join(out, 'index.html'), 'utf8')).toBe('new');
    expect((await leftovers()).filter((n) => n.startsWith('reused'))).toEqual([]);
  });
});
