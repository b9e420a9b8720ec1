// The regression verdict of one metric from its CI, the match of runs between builds, and
// the pull-request Markdown of a comparison too large for one GitHub comment.
import { describe, expect, it } from 'vitest';
import { judge } from '../src/baseline/statistics.js';
import { compareBuilds, matchRuns } from '../src/baseline/compare.js';
import { comparisonSections, pullRequestMarkdown } from '../src/baseline/markdown.js';
import { FIGURES_FORMAT, type FiguresFile, type RunFigures } from '../src/baseline/types.js';
import { figuresProblem } from '../src/baseline/validate.js';
import { seededRng, randomNormal } from '../src/analyze/prng.js';

const sure = { rankOk: true, rankSignificant: true, goodRankOk: false, enough: true };

describe('judge', () => {
  it('REGRESSION only when the whole CI is worse than the threshold and the rank test agrees', () => {
    // p95 (+1 is worse), threshold +10%.
    expect(judge([12, 30], 1, 10, sure)).toBe('REGRESSION');
    expect(judge([12, 30], 1, 10, { ...sure, rankOk: false })).toBe('INCONCLUSIVE');
    expect(judge([5, 30], 1, 10, sure)).toBe('INCONCLUSIVE');
    expect(judge([-4, 6], 1, 10, { ...sure, rankOk: false, rankSignificant: false })).toBe('OK');
    expect(judge([-30, -12], 1, 10, { rankOk: false, rankSignificant: true, goodRankOk: true, enough: true })).toBe('IMPROVED');
    // Throughput (−1: a fall is worse), threshold 5%.
    expect(judge([-40, -20], -1, 5, sure)).toBe('REGRESSION');
    expect(judge([-3, 4], -1, 5, { ...sure, rankOk: false, rankSignificant: false })).toBe('OK');
    // Too little data decides nothing.
    expect(judge([50, 60], 1, 10, { ...sure, enough: false })).toBe('INCONCLUSIVE');
    expect(judge(null, 1, 10, sure)).toBe('INCONCLUSIVE');
  });
});

function run(id: string, labels: Record<string, string>, level: number, seed: number): RunFigures {
  const rng = seededRng(seed);
  const n = 40;
  const requests = Array.from({ length: n }, () => Math.round(100 * (1 + 0.05 * randomNormal(rng))));
  const p95 = Array.from({ length: n }, () => level * (1 + 0.05 * randomNormal(rng)));
  const iv = { fromT: 0, toT: n, stepS: 1, requests, failures: requests.map(() => 0), p50: p95.map((x) => x / 2), p95, p99: p95.map((x) => x * 1.2) };
  const mean = requests.reduce((a, b) => a + b, 0) / n;
  const w = p95.reduce((a, b, i) => a + b * requests[i]!, 0) / requests.reduce((a, b) => a + b, 0);
  return {
    runId: id,
    name: `Run ${id} <b>x</b>`,
    labels,
    state: 'steady',
    rpsBasis: 'full-load',
    latencyBasis: 'full-load',
    value: { rps: mean, p50: w / 2, p95: w, p99: w * 1.2, errorRate: 0 },
    fullLoad: iv,
    latency: iv,
    wholeRun: { requests: n * 100, failures: 0, rps: null, p50: null, p95: null, p99: null, errorRate: null },
    endpoints: [],
  };
}

const file = (runs: RunFigures[]): FiguresFile => ({ format: FIGURES_FORMAT, runs });

describe('compareBuilds', () => {
  it('a 20% p95 rise in 5% noise is a REGRESSION; the same level is OK; labels match before ids', () => {
    const base = file([run('a', { v: '1' }, 100, 1), run('b', { v: '2' }, 100, 2)]);
    const cur = file([run('renamed', { v: '1' }, 120, 3), run('b', { v: '2' }, 100, 4)]);
    const c = compareBuilds(base, cur, 'prev', undefined);
    expect(c.runs.map((r) => [r.baselineRunId, r.runId, r.matchedBy, r.verdict])).toEqual([
      ['a', 'renamed', 'labels', 'REGRESSION'],
      ['b', 'b', 'labels', 'OK'],
    ]);
    const p95 = c.runs[0]!.metrics.find((m) => m.metric === 'p95')!;
    expect(p95.change).toBeGreaterThan(15);
    expect(p95.ci![0]).toBeGreaterThan(10);
  });

  it('runs whose labels are shared by several are matched by id; the rest are listed', () => {
    const base = file([run('x', {}, 100, 1), run('y', { k: 'same' }, 100, 2), run('z', { k: 'same' }, 100, 3)]);
    const cur = file([run('y', { k: 'same' }, 100, 4), run('w', {}, 100, 5)]);
    const m = matchRuns(base.runs, cur.runs);
    expect(m.pairs.map((p) => [p.b.runId, p.c.runId, p.by])).toEqual([['y', 'y', 'id']]);
    expect(m.unmatched).toEqual({ current: ['w'], baseline: ['x', 'z'] });
  });
});

describe('pull-request Markdown', () => {
  it('a comparison of 100 runs is cut to GitHub’s comment limit with a note, names escaped', () => {
    const runs = Array.from({ length: 100 }, (_, i) => run(`r${i}`, { i: String(i) }, 100, i + 1));
    const c = compareBuilds(file(runs), file(runs), 'prev', { p95Pct: 10 });
    const md = pullRequestMarkdown(comparisonSections(c, (id) => `runs/${id}.md`, '`prev`'), 'https://example.org/site');
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toMatch(/more sections? left out to stay within GitHub's comment size; the whole comparison: https:\/\/example.org\/site\/baseline.html/);
    expect(md).toContain('Run r0 &lt;b&gt;x&lt;/b&gt;');
    expect(md).not.toContain('<b>');
  });
});

describe('figures file check', () => {
  it('names what is wrong', () => {
    expect(figuresProblem({ format: 'x', runs: [] })).toBe('format is "x", expected "ce-report-figures/1"');
    const r = run('a', {}, 100, 1);
    expect(figuresProblem(file([r]))).toBeNull();
    expect(figuresProblem(file([{ ...r, fullLoad: { ...r.fullLoad!, p95: [1] } }]))).toBe('per-interval lists of different lengths, or a step of 0');
    expect(figuresProblem(file([{ ...r, value: { ...r.value, p95: 'x' as unknown as number } }]))).toBe('figures.runs[0].value.p95 is not a number or null');
  });
});
