// E-divisive means (src/history/change-points.ts) and the history built on it: a shift
// is found at the build that introduced it, with its size and confidence, and nowhere in
// noise; retention and rebuilds of the same commit.
import { describe, expect, it } from 'vitest';
import { bestSplit, changePoints } from '../src/history/change-points.js';
import { appendBuild, findShifts } from '../src/history/history.js';
import type { HistoryBuild, HistoryRun } from '../src/history/types.js';
import { randomNormal, seededRng } from '../src/analyze/prng.js';

function noisy(n: number, level: (i: number) => number, sd: number, seed: number): number[] {
  const rng = seededRng(seed);
  return Array.from({ length: n }, (_, i) => level(i) * (1 + sd * randomNormal(rng)));
}

/** Q(τ) straight from its definition, to check the incremental sums. */
function qDirect(xs: number[], t: number): number {
  const a = xs.slice(0, t);
  const b = xs.slice(t);
  let between = 0;
  for (const x of a) for (const y of b) between += Math.abs(x - y);
  const within = (s: number[]) => {
    let w = 0;
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) w += Math.abs(s[i]! - s[j]!);
    return s.length > 1 ? w / ((s.length * (s.length - 1)) / 2) : 0;
  };
  return ((a.length * b.length) / xs.length) * ((2 * between) / (a.length * b.length) - within(a) - within(b));
}

describe('E-divisive means', () => {
  it('the best split maximises the energy statistic as defined', () => {
    const xs = noisy(14, (i) => (i < 8 ? 100 : 130), 0.05, 7);
    const best = bestSplit(xs, 3)!;
    let max = -Infinity;
    let at = -1;
    for (let t = 3; t <= xs.length - 3; t++) {
      const q = qDirect(xs, t);
      if (q > max) [max, at] = [q, t];
    }
    expect(best.index).toBe(at);
    expect(best.q).toBeCloseTo(max, 9);
  });

  it('finds a 20% shift at build 6 of 10 in 3% noise, and nothing in noise alone', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const shifted = noisy(10, (i) => (i < 5 ? 100 : 120), 0.03, seed);
      const cps = changePoints(shifted);
      expect(cps.map((c) => c.index), `seed ${seed}`).toEqual([5]);
      expect(cps[0]!.p).toBeLessThan(0.05);
    }
    let falseAlarms = 0;
    for (let seed = 1; seed <= 40; seed++) falseAlarms += changePoints(noisy(10, () => 100, 0.03, 100 + seed)).length;
    // Tested at p < 0.05: about 2 in 40 noise series may be split; the size filter of the history removes those (below).
    expect(falseAlarms).toBeLessThanOrEqual(5);
  });

  it('finds two shifts in a longer series, and none in a constant one', () => {
    const xs = noisy(40, (i) => (i < 15 ? 100 : i < 28 ? 140 : 90), 0.03, 3);
    expect(changePoints(xs).map((c) => c.index)).toEqual([15, 28]);
    expect(changePoints(Array(20).fill(5))).toEqual([]);
  });

  it('is deterministic', () => {
    const xs = noisy(30, (i) => (i < 12 ? 50 : 60), 0.05, 11);
    expect(changePoints(xs)).toEqual(changePoints(xs));
  });
});

function run(key: string, p95: number, rps: number): HistoryRun {
  return { key, runId: key, name: `run ${key}`, labels: { k: key }, state: 'steady', rpsBasis: 'full-load', latencyBasis: 'full-load', rps, p50: p95 / 2, p95, p99: p95 * 1.3, errorRate: 0 };
}

function build(i: number, runs: HistoryRun[]): HistoryBuild {
  const commit = (i + 1).toString(16).padStart(40, 'a');
  return { id: commit.slice(0, 12), commit, branch: 'main', time: null, timeBasis: 'none', runs };
}

describe('history', () => {
  it('marks the build that introduced a shift, with size and confidence, and no shift in a run that did not change', () => {
    const a = noisy(10, (i) => (i < 5 ? 100 : 120), 0.03, 5);
    const b = noisy(10, () => 80, 0.03, 6);
    const rpsA = noisy(10, () => 50, 0.02, 8);
    const builds = a.map((p95, i) => build(i, [run('a', p95, rpsA[i]!), run('b', b[i]!, 60)]));
    const shifts = findShifts(builds);
    const a95 = shifts.filter((s) => s.key === 'a' && s.metric === 'p95');
    expect(a95).toHaveLength(1);
    expect(a95[0]!.buildIndex).toBe(5);
    expect(a95[0]!.buildId).toBe(builds[5]!.id);
    expect(a95[0]!.size).toBeGreaterThan(12);
    expect(a95[0]!.size).toBeLessThan(28);
    expect(a95[0]!.confidence).toBeGreaterThan(0.95);
    // p50 and p99 of run a move with its p95; nothing of run b, nor run a's throughput.
    expect(shifts.filter((s) => s.key === 'b')).toEqual([]);
    expect(shifts.filter((s) => s.metric === 'rps')).toEqual([]);
  });

  it('keeps the last 200 builds and replaces a rebuild of the same commit', () => {
    let builds: HistoryBuild[] = [];
    for (let i = 0; i < 205; i++) builds = appendBuild(builds, build(i, [run('a', 100, 50)]));
    expect(builds).toHaveLength(200);
    expect(builds[0]!.commit).toBe(build(5, []).commit);
    const again = appendBuild(builds, { ...build(204, [run('a', 101, 50)]) });
    expect(again).toHaveLength(200);
    expect(again[199]!.runs[0]!.p95).toBe(101);
    const otherBranch = appendBuild(builds, { ...build(204, [run('a', 101, 50)]), branch: 'feature' });
    expect(otherBranch[199]!.branch).toBe('feature');
    expect(otherBranch[198]!.branch).toBe('main');
  });
});

describe('history keys', () => {
  it('runs sharing their labels in a build are told apart by id', async () => {
    const { historyRuns } = await import('../src/history/history.js');
    const base = { name: 'n', state: null, rpsBasis: 'whole-run', latencyBasis: 'whole-run', value: { rps: 1, p50: 1, p95: 1, p99: 1, errorRate: 0 }, fullLoad: null, latency: null, wholeRun: { requests: 1, failures: 0, rps: null, p50: null, p95: null, p99: null, errorRate: null }, endpoints: [] } as const;
    const runs = historyRuns({ format: 'ce-report-figures/1', runs: [{ ...base, runId: 'a', labels: { k: 'x' } }, { ...base, runId: 'b', labels: { k: 'x' } }, { ...base, runId: 'c', labels: { k: 'y' } }] });
    expect(runs.map((r) => r.key)).toEqual(['"a"', '"b"', '[["k","y"]]']);
  });
});
