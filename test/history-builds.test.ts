// Ten builds from real runs with a real regression (issue 22): fixtures/history/build-01 …
// build-10 are short Locust runs of the same load against fixtures/studies/service.py,
// whose time per request is 20% longer from build 06 on (scripts/make-history-fixtures.sh;
// what is true by design: fixtures/history/README.md). The ten sites are built in
// sequence as CI would, each with the previous site as --baseline and its commit from
// GITHUB_SHA. Expected values come from the design or from Locust's own CSVs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { runCli, type CliResult } from './helpers/run-cli.js';
import type { Comparison } from '../src/baseline/types.js';
import type { HistoryFile } from '../src/history/types.js';

const fixtures = path.resolve(__dirname, '..', 'fixtures', 'history');
const BUILDS = Array.from({ length: 10 }, (_, i) => `build-${String(i + 1).padStart(2, '0')}`);
/** By design: build 06 is the first against the slowed service. */
const SLOWED_FROM = 5;
const sha = (i: number) => `${(i + 1).toString(16).padStart(2, '0')}`.padEnd(40, 'e');

/** Locust's own Aggregated row of run_stats.csv. */
function locustAggregated(build: string): Record<string, string> {
  const text = readFileSync(path.join(fixtures, build, 'run_stats.csv'), 'utf8');
  const rows = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
  return rows.find((r) => r.Name === 'Aggregated')!;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

let tmp: string;
const results: CliResult[] = [];
const siteOf = (i: number) => path.join(tmp, `site-${i + 1}`);
const json = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'ce-report-history-builds-'));
  for (const [i, build] of BUILDS.entries()) {
    const config = path.join(tmp, `${build}.json`);
    // The same run in every build: its labels match it with the baseline's.
    await writeFile(config, JSON.stringify({ runs: [{ id: 'work', name: 'GET /work (Locust, 20 users)', inputs: [path.join(fixtures, build)], labels: { service: 'work' } }], studies: [] }));
    const against = i === 0 ? ['--history'] : ['--baseline', siteOf(i - 1), '--fail-on-regression'];
    results.push(await runCli(['build', '-q', '-c', config, '--out', siteOf(i), ...against], tmp, { GITHUB_SHA: sha(i), GITHUB_REF_NAME: 'main', GITHUB_HEAD_REF: '', GITHUB_STEP_SUMMARY: '' }));
  }
}, 300_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('ten builds of real runs, the service slowed by 20% from build 6', () => {
  it('the fixtures are what the design says (Locust’s own figures)', () => {
    const p95 = BUILDS.map((b) => Number(locustAggregated(b)['95%']));
    const rps = BUILDS.map((b) => Number(locustAggregated(b)['Requests/s']));
    // 20 users paced at 1 request a second each: ≈20 req/s whatever the service time.
    for (const r of rps) expect(r).toBeGreaterThan(17);
    for (const r of rps) expect(r).toBeLessThan(21);
    // The service's 700 ms became 840 ms: Locust's p95 rose by about a fifth.
    const rise = mean(p95.slice(SLOWED_FROM)) / mean(p95.slice(0, SLOWED_FROM)) - 1;
    expect(rise).toBeGreaterThan(0.1);
    expect(rise).toBeLessThan(0.3);
    for (const b of BUILDS) expect(Number(locustAggregated(b)['Failure Count'])).toBe(0);
  });

  it('the history marks build 6 for p95, and no change anywhere else', async () => {
    for (const [i, r] of results.entries()) expect(r.code === 0 || r.code === 3, `${BUILDS[i]}: ${r.stderr}`).toBe(true);
    const h = await json<HistoryFile>(path.join(siteOf(9), 'data', 'history.json'));
    expect(h.builds.map((b) => b.commit)).toEqual(BUILDS.map((_, i) => sha(i)));
    expect(h.builds.every((b) => b.branch === 'main')).toBe(true);
    const p95 = h.shifts.filter((s) => s.metric === 'p95');
    expect(p95, JSON.stringify(h.shifts)).toHaveLength(1);
    expect(p95[0]!.buildIndex).toBe(SLOWED_FROM);
    expect(p95[0]!.buildId).toBe(sha(SLOWED_FROM).slice(0, 12));
    expect(p95[0]!.n).toEqual({ before: 5, after: 5 });
    expect(p95[0]!.confidence).toBeGreaterThanOrEqual(0.95);
    // Its size against Locust's own p95s of the same builds (the tool's figures over the
    // whole run; ce-report's are the full-load ones, so they agree within a few %).
    const locust = BUILDS.map((b) => Number(locustAggregated(b)['95%']));
    const locustRise = (mean(locust.slice(SLOWED_FROM)) / mean(locust.slice(0, SLOWED_FROM)) - 1) * 100;
    expect(Math.abs(p95[0]!.size - locustRise), `${p95[0]!.size} vs Locust ${locustRise}`).toBeLessThan(8);
    // No change elsewhere: no shift at any other build, none in throughput or errors
    // (the load is paced, and nothing failed).
    for (const s of h.shifts) expect(s.buildIndex, `${s.metric} at ${s.buildId}`).toBe(SLOWED_FROM);
    expect(h.shifts.filter((s) => s.metric === 'rps' || s.metric === 'errorRate')).toEqual([]);
    // The published page names the build.
    const page = await readFile(path.join(siteOf(9), 'history.md'), 'utf8');
    expect(page).toContain(`introduced by build ${sha(SLOWED_FROM).slice(0, 12)} (main)`);
  });

  it('--fail-on-regression exits 3 on build 6 and 0 on the unchanged builds', async () => {
    expect(results[SLOWED_FROM]!.code, results[SLOWED_FROM]!.stderr).toBe(3);
    expect(results[SLOWED_FROM]!.stderr).toContain('regression against the baseline: work');
    const c = await json<Comparison>(path.join(siteOf(SLOWED_FROM), 'data', 'comparison.json'));
    const p95 = c.runs[0]!.metrics.find((m) => m.metric === 'p95')!;
    expect(p95.verdict).toBe('REGRESSION');
    const locust = (b: number) => Number(locustAggregated(BUILDS[b]!)['95%']);
    expect(Math.abs(p95.change! - (locust(SLOWED_FROM) / locust(SLOWED_FROM - 1) - 1) * 100)).toBeLessThan(8);
    // Every unchanged build passes the gate, but build 3 (below).
    const unchanged = results.map((r, i) => ({ build: BUILDS[i]!, code: r.code })).filter((_, i) => i > 0 && i !== SLOWED_FROM && i !== 2);
    expect(unchanged).toEqual(unchanged.map((u) => ({ ...u, code: 0 })));
  });

  // Build 3 ran on a busier machine: its full-load p95 is 8.7% above build 2's (Locust's own
  // recent-window p95 stayed at 820 ms where build 2's rose from 730 to 800), under the 10%
  // threshold. Its CI must contain its estimate and the gate pass. (A bug found here: a
  // latency side's values are the intervals that have a figure, Locust's first row being N/A,
  // and the bootstrap read the drawn positions among all intervals, so the last intervals were
  // never resampled and the CI, +10.3% … +12.3%, left out its own estimate.)
  it('build 3 (unchanged service) passes the gate: its p95 change lies inside its CI', async () => {
    const c = await json<Comparison>(path.join(siteOf(2), 'data', 'comparison.json'));
    const p95 = c.runs[0]!.metrics.find((m) => m.metric === 'p95')!;
    expect(p95.change!).toBeGreaterThanOrEqual(p95.ci![0]);
    expect(p95.change!).toBeLessThanOrEqual(p95.ci![1]);
    expect(results[2]!.code).toBe(0);
  });
});
