// The build history over real runs: ten builds of the bundled example's runs, the last
// five with the 2- and 4-worker runs' inputs swapped under their labels (the load tool's
// own output of a slower and a faster service, no number edited). The history marks
// build 6 for those two runs and nothing for the runs that did not change; the page names
// the build; the same builds give the same file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyze } from '../src/analyze/index.js';
import { ingestFromOptions } from '../src/ingest-runs.js';
import { figuresFile, runFigures } from '../src/baseline/figures.js';
import type { Run } from '../src/model/types.js';
import type { Analysis } from '../src/analyze/types.js';
import type { FiguresFile } from '../src/baseline/types.js';
import { appendBuild, historyFile, thisBuild } from '../src/history/history.js';
import { historyMarkdown } from '../src/history/page.js';
import type { HistoryBuild } from '../src/history/types.js';

const data = path.resolve(__dirname, '..', 'examples', 'data');
let tmp: string;
let plain: FiguresFile;
let swapped: FiguresFile;
let plainRuns: Run[];
let plainAnalysis: Analysis;

function config(swap: boolean): string {
  const runs = [
    { id: 'stable', name: 'Stable', inputs: [path.join(data, 'canary-vs-stable', 'stable')], labels: { variant: 'stable' } },
    { id: 'workers-2', name: '2 workers', inputs: [path.join(data, 'scaling', swap ? 'workers-4' : 'workers-2')], labels: { workers: '2' } },
    { id: 'workers-4', name: '4 workers', inputs: [path.join(data, 'scaling', swap ? 'workers-2' : 'workers-4')], labels: { workers: '4' } },
    { id: 'threads-stable', name: 'threads', inputs: [path.join(data, 'canary-threads', 'stable')], labels: { threads: '4' } },
  ];
  return JSON.stringify({ runs, studies: [] });
}

async function figuresOf(file: string): Promise<FiguresFile> {
  const { runs } = await ingestFromOptions({ inputs: [], config: file, cwd: tmp, cache: false });
  const analysis = analyze(runs, { studies: [] });
  if (!plainRuns) [plainRuns, plainAnalysis] = [runs, analysis];
  return figuresFile(runs, analysis);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'ce-report-history-'));
  await writeFile(path.join(tmp, 'plain.json'), config(false));
  await writeFile(path.join(tmp, 'swapped.json'), config(true));
  plain = await figuresOf(path.join(tmp, 'plain.json'));
  swapped = await figuresOf(path.join(tmp, 'swapped.json'));
}, 120_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function tenBuilds(): HistoryBuild[] {
  let builds: HistoryBuild[] = [];
  for (let i = 0; i < 10; i++) {
    const commit = (0xabc000 + i).toString(16).padEnd(40, '0');
    builds = appendBuild(builds, thisBuild(i < 5 ? plain : swapped, { commit, branch: 'main' }, { iso: null, basis: 'none' }, builds.length));
  }
  return builds;
}

describe('history of real runs', () => {
  it('marks build 6 for the runs that changed and nothing elsewhere', () => {
    const h = historyFile(tenBuilds());
    expect(h.builds).toHaveLength(10);
    const keys = new Set(h.shifts.map((s) => s.runName));
    expect([...keys].sort()).toEqual(['2 workers', '4 workers']);
    for (const s of h.shifts) {
      expect(s.buildIndex, `${s.runName} ${s.metric}`).toBe(5);
      expect(s.buildId).toBe(h.builds[5]!.id);
      expect(s.n).toEqual({ before: 5, after: 5 });
      expect(s.confidence).toBeGreaterThan(0.95);
    }
    const rps4 = h.shifts.find((s) => s.runName === '4 workers' && s.metric === 'rps')!;
    expect(rps4.size).toBeLessThan(-40);
    expect(rps4.before).toBeCloseTo(plain.runs.find((r) => r.runId === 'workers-4')!.value.rps!, 6);
    const p95 = h.shifts.find((s) => s.runName === '4 workers' && s.metric === 'p95')!;
    expect(p95.size).toBeGreaterThan(100);
    // The page says which build introduced each shift.
    const page = historyMarkdown(h, () => null);
    expect(page).toContain(`introduced by build ${h.builds[5]!.id} (main)`);
    expect(page).toMatch(/p95 of 4 workers: [\d,.]+ ms → [\d,.]+ ms \(\+[\d,.]+%, mean of 5 builds before and 5 from it; confidence [\d.]+%, permutation p = [\d.]+\)/);
  });

  it('finds no shift when nothing changed, and the same builds give the same file', () => {
    let builds: HistoryBuild[] = [];
    for (let i = 0; i < 10; i++) builds = appendBuild(builds, thisBuild(plain, { commit: String(i).repeat(40), branch: 'main' }, { iso: null, basis: 'none' }, builds.length));
    expect(historyFile(builds).shifts).toEqual([]);
    expect(JSON.stringify(historyFile(tenBuilds()))).toBe(JSON.stringify(historyFile(tenBuilds())));
  });

  it('a run whose percentiles are since-start (cumulative) compares latency on whole-run figures', () => {
    const run = plainRuns.find((r) => r.id === 'workers-4')!;
    const ra = plainAnalysis.runs.find((r) => r.runId === 'workers-4')!;
    expect(runFigures(run, ra).latencyBasis).toBe('end-of-run');
    const f = runFigures({ ...run, timelineLatency: 'cumulative' }, ra);
    expect(f.latencyBasis).toBe('whole-run');
    expect(f.latency).toBeNull();
    expect(f.value.p95).toBe(f.wholeRun.p95!.value);
    expect(f.rpsBasis).toBe('full-load');
  });
});
