// Issue 19, point 4, through the built CLI: bombardier has no load script and no
// timeline. Its failures are named by HTTP status class, a missing timeline is said as
// such, and two experiments from one folder (a text and a JSON output of separate runs)
// get page names cut at whole words and titles that tell them apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/run-cli.js';

const input = path.resolve(__dirname, '..', 'fixtures', 'bombardier-json', 'canary-vs-stable-text-and-json', 'input');
let tmp: string;
let site: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-bombardier-'));
  await fs.cp(input, path.join(tmp, 'results'), { recursive: true });
  const r = await runCli(['build', 'results', '--out', 'site'], tmp);
  if (r.code !== 0) throw new Error(r.stderr);
  site = path.join(tmp, 'site');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('bombardier runs in a report', () => {
  it('failures are server errors (5xx), never checks in a load script', async () => {
    const analysis = JSON.parse(await fs.readFile(path.join(site, 'data', 'analysis.json'), 'utf8'));
    const failures = analysis.studies.find((s: { kind: string }) => s.kind === 'failures');
    expect(failures).toBeDefined();
    for (const run of failures.runs) {
      expect(run.failureGroups.map((g: { message: string; category: string }) => [g.message, g.category])).toEqual([['HTTP 5xx', 'server-error']]);
      expect(run.byCategory).toEqual({ 'server-error': run.failures });
    }
    const page = await fs.readFile(path.join(site, 'studies', `${failures.id}.md`), 'utf8');
    expect(page).toMatch(/By kind: 49 server errors \(5xx\)\./);
    expect(page).not.toContain('checks in the load script');
    expect(page).not.toContain('script check');
    expect(page).toContain('| server error (5xx) |');
  });

  it('says the tool keeps no timeline instead of "the timeline holds 0 of the requests"', async () => {
    const page = await fs.readFile(path.join(site, 'studies', 'failures.md'), 'utf8');
    expect(page).not.toMatch(/timeline holds 0 of/);
    expect(page).toContain('The tool keeps no timeline (only whole-run totals), so there are no charts over time.');
  });

  it('two experiments from one folder: page names in whole words, titles that tell the pairs apart', async () => {
    const pages = (await fs.readdir(path.join(site, 'studies'))).filter((f) => f.startsWith('experiment-') && f.endsWith('.md')).sort();
    expect(pages).toHaveLength(2);
    for (const p of pages) {
      const words = p.replace(/\.md$/, '').split('-');
      // Every word of a page name is a whole word of the study id (no "resul").
      for (const w of words) expect(['experiment', 'canary', 'bombardier', 'variant', 'post', 'predict', 'c10', '15s', 'latencies', 'result']).toContain(w);
    }
    expect(pages[1]).toMatch(/latencies-result\.md$/);
    const index = await fs.readFile(path.join(site, 'index.md'), 'utf8');
    expect(index).toContain('post-predict\\_c10\\_15s\\_latencies.txt');
    expect(index).toContain('post-predict\\_c10\\_15s\\_latencies\\_result.json');
  });
});
