// A Locust history whose rows are out of order, an hour early or repeated (issue 20,
// point 3): the timeline is the one of the file in order, with warnings naming the
// file and the first line of each kind of problem.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { longestNonDecreasing, orderHistoryRows } from '../src/ingest/locust/history-order.js';
import { seededRng } from '../src/analyze/prng.js';
import type { Run, Warning } from '../src/model/types.js';

const example = path.resolve(__dirname, '..', 'examples', 'data', 'failures');
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'ce-report-history-order-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;

async function ingestHistory(lines: string[]): Promise<{ run: Run; warnings: Warning[] }> {
  const dir = path.join(tmpRoot, String(n++));
  mkdirSync(dir);
  copyFileSync(path.join(example, 'failures-n4_stats.csv'), path.join(dir, 'failures-n4_stats.csv'));
  writeFileSync(path.join(dir, 'failures-n4_stats_history.csv'), lines.join('\n') + '\n');
  const r = await ingestRuns([{ inputs: [dir] }], { cwd: dir });
  expect(r.runs).toHaveLength(1);
  return { run: r.runs[0]!, warnings: r.warnings };
}

const original = readFileSync(path.join(example, 'failures-n4_stats_history.csv'), 'utf8').trimEnd().split('\n');
const header = original[0]!;
const body = original.slice(1);

function shuffle<T>(xs: T[], seed: number): T[] {
  const rng = seededRng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const total = (r: Run) => r.timeline.reduce((a, p) => a + p.requests, 0);
const firstFailureT = (r: Run) => r.timeline.find((p) => p.failures > 0)?.t;

describe('Locust history rows out of order', () => {
  it('shuffled, one row an hour early and duplicated rows give the timeline of the file in order, with warnings', async () => {
    const good = await ingestHistory([header, ...body]);
    expect(good.warnings.filter((w) => /history|Aggregated/.test(w.message))).toEqual([]);

    const rows = shuffle(body, 7);
    // One Aggregated row (from the middle of the run) an hour early.
    const agg = body.filter((l) => l.includes(',Aggregated,'));
    const mid = rows.indexOf(agg[Math.floor(agg.length / 2)]!);
    const cells = rows[mid]!.split(',');
    cells[0] = String(Number(cells[0]) - 3600);
    rows[mid] = cells.join(',');
    // Two rows written twice.
    rows.push(rows[3]!, rows[10]!);
    const bad = await ingestHistory([header, ...rows]);

    expect(total(bad.run)).toBe(total(good.run));
    expect(firstFailureT(bad.run)).toBe(firstFailureT(good.run));
    expect(bad.run.timeline.every((p) => p.t >= 0 && p.failures <= p.requests)).toBe(true);
    expect(bad.run.start).toBe(good.run.start);
    const ts = bad.run.timeline.map((p) => p.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const msgs = bad.warnings.map((w) => `${w.file}:${w.line}: ${w.message}`);
    expect(msgs.some((m) => /failures-n4_stats_history\.csv:\d+: history rows are not in time order/.test(m))).toBe(true);
    expect(msgs.some((m) => /failures-n4_stats_history\.csv:\d+: left out 1 Aggregated row\(s\) whose cumulative request count contradicts their Timestamp/.test(m))).toBe(true);
    expect(msgs.some((m) => /left out \d+ duplicated Aggregated row/.test(m)) || !rows.slice(-2).some((l) => l.includes('Aggregated'))).toBe(true);
  });

  it('any shuffle of the rows gives the same total and a timeline in time order', async () => {
    const good = await ingestHistory([header, ...body]);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), async (seed) => {
        const bad = await ingestHistory([header, ...shuffle(body, seed)]);
        expect(total(bad.run)).toBe(total(good.run));
        expect(bad.run.timeline.map((p) => p.requests)).toEqual(good.run.timeline.map((p) => p.requests));
        expect(bad.run.timeline.every((p) => p.t >= 0 && p.failures <= p.requests)).toBe(true);
      }),
      { numRuns: 8, seed: 20 },
    );
  });
});

describe('history row ordering', () => {
  const row = (ts: number, cumReq: number, line: number) => ({ ts, cumReq, cumFail: 0, line });

  it('keeps a file in order as it is, resets included', () => {
    const rows = [row(1, 5, 2), row(2, 9, 3), row(3, 2, 4), row(4, 6, 5)];
    expect(orderHistoryRows(rows)).toEqual({ rows, problems: [] });
  });

  it('drops an exact repeat and, in a file out of order, a row contradicting its time', () => {
    const r = orderHistoryRows([row(2, 9, 2), row(1, 5, 3), row(1, 5, 4), row(3, 12, 5), row(0, 11, 6)]);
    expect(r.rows.map((x) => x.line)).toEqual([3, 2, 5]);
    expect(r.problems.map((p) => p.line)).toEqual([3, 4, 6]);
  });

  it('finds a longest non-decreasing subsequence', () => {
    expect([...longestNonDecreasing([3, 1, 2, 2, 5, 4])].sort()).toEqual([1, 2, 3, 5]);
    expect(longestNonDecreasing([]).size).toBe(0);
  });
});
