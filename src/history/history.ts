// The build history: the baseline's builds carried forward, this build appended (a
// rebuild of the same commit and branch replaces its entry), the oldest dropped beyond
// HISTORY_RETENTION, and the shifts of every run's metrics found again over the whole.
// Nothing here reads a clock: the same baseline, runs and commit give the same file.
import { num } from '../analyze/format.js';
import { labelKey } from '../baseline/compare.js';
import { METRICS, type FiguresFile, type Metric } from '../baseline/types.js';
import { changePoints, DEFAULTS } from './change-points.js';
import type { BuildIdentity } from './identity.js';
import { HISTORY_FORMAT, HISTORY_RETENTION, type HistoryBuild, type HistoryFile, type HistoryRun, type Shift } from './types.js';

/** Shifts smaller than this (in %, or percentage points for the error rate) are not reported, however certain. */
export const MIN_SHIFT = { pct: 5, pp: 0.5 } as const;

/** A run's key across builds: its labels when no other run of the build has the same, else its id (as runs are matched with a baseline). */
export function historyRuns(figures: FiguresFile): HistoryRun[] {
  const count = new Map<string, number>();
  for (const r of figures.runs) count.set(labelKey(r.labels), (count.get(labelKey(r.labels)) ?? 0) + 1);
  return figures.runs.map((r) => ({
    key: Object.keys(r.labels).length > 0 && count.get(labelKey(r.labels)) === 1 ? labelKey(r.labels) : JSON.stringify(r.runId),
    runId: r.runId,
    name: r.name,
    labels: r.labels,
    state: r.state,
    rpsBasis: r.rpsBasis,
    latencyBasis: r.latencyBasis,
    rps: r.value.rps,
    p50: r.value.p50,
    p95: r.value.p95,
    p99: r.value.p99,
    errorRate: r.value.errorRate,
  }));
}

export function thisBuild(figures: FiguresFile, id: BuildIdentity, time: { iso: string | null; basis: HistoryBuild['timeBasis'] }, index: number): HistoryBuild {
  return { id: id.commit ? id.commit.slice(0, 12) : `build-${index + 1}`, commit: id.commit, branch: id.branch, time: time.iso, timeBasis: time.basis, runs: historyRuns(figures) };
}

/** Previous builds from a baseline's history (already checked), with this one appended. */
export function appendBuild(previous: HistoryBuild[], build: HistoryBuild, retention = HISTORY_RETENTION): HistoryBuild[] {
  const last = previous[previous.length - 1];
  const rebuild = last && build.commit !== null && last.commit === build.commit && last.branch === build.branch;
  const all = rebuild ? [...previous.slice(0, -1), build] : [...previous, build];
  return all.slice(Math.max(0, all.length - retention));
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Shifts of each run's metrics over the builds. */
export function findShifts(builds: HistoryBuild[]): Shift[] {
  const keys: Array<{ key: string; name: string }> = [];
  for (const b of builds) for (const r of b.runs) if (!keys.some((k) => k.key === r.key)) keys.push({ key: r.key, name: r.name });
  const shifts: Shift[] = [];
  for (const { key, name } of keys) {
    for (const metric of METRICS) {
      const points: Array<{ build: number; value: number }> = [];
      for (const [i, b] of builds.entries()) {
        const v = b.runs.find((r) => r.key === key)?.[metric];
        if (typeof v === 'number' && Number.isFinite(v)) points.push({ build: i, value: v });
      }
      const xs = points.map((p) => p.value);
      const cps = changePoints(xs);
      const bounds = [0, ...cps.map((c) => c.index), xs.length];
      for (const [j, cp] of cps.entries()) {
        const before = mean(xs.slice(bounds[j]!, cp.index));
        const after = mean(xs.slice(cp.index, bounds[j + 2]!));
        const unit = metric === 'errorRate' ? 'pp' : '%';
        const size = unit === 'pp' ? (after - before) * 100 : before !== 0 ? ((after - before) / Math.abs(before)) * 100 : NaN;
        if (!Number.isFinite(size) || Math.abs(size) < (unit === 'pp' ? MIN_SHIFT.pp : MIN_SHIFT.pct)) continue;
        const build = builds[points[cp.index]!.build]!;
        shifts.push({
          key,
          runName: name,
          metric: metric as Metric,
          buildId: build.id,
          commit: build.commit,
          branch: build.branch,
          buildIndex: points[cp.index]!.build,
          before,
          after,
          size,
          unit,
          p: cp.p,
          confidence: 1 - cp.p,
          n: { before: cp.index - bounds[j]!, after: bounds[j + 2]! - cp.index },
        });
      }
    }
  }
  return shifts;
}

export const HISTORY_METHOD =
  `Change points by E-divisive means (Matteson & James 2014, as Apache Otava uses) on each run's figure over the builds: the split that maximises the energy distance between the builds before and after it, ` +
  `tested by ${DEFAULTS.permutations} seeded permutations of the segment's values (significant at p < ${num(DEFAULTS.alpha)}; confidence 1 − p), at least ${DEFAULTS.minSize} builds on each side, ` +
  `each significant split searched again on both sides (binary segmentation). A shift is reported when the means on its two sides differ by at least ${MIN_SHIFT.pct}% (the error rate: ${MIN_SHIFT.pp} percentage points). ` +
  `Figures as each build read them: throughput over the full-load phase; latency over the full-load phase of a steady run, the end-of-run window otherwise.`;

export function historyFile(builds: HistoryBuild[]): HistoryFile {
  return { format: HISTORY_FORMAT, retention: HISTORY_RETENTION, builds, shifts: findShifts(builds), method: HISTORY_METHOD };
}

/** A baseline's history: its builds when it is one this version reads; a one-line problem otherwise. */
export function previousBuilds(value: unknown): { builds: HistoryBuild[] } | { problem: string } {
  if (value === null || value === undefined) return { builds: [] };
  const v = value as Partial<HistoryFile>;
  if (typeof v !== 'object' || v.format !== HISTORY_FORMAT) return { problem: `format is ${JSON.stringify((v as { format?: unknown })?.format)}, expected "${HISTORY_FORMAT}"` };
  if (!Array.isArray(v.builds)) return { problem: 'builds is not a list' };
  const numOrNull = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x));
  const strOrNull = (x: unknown) => x === null || typeof x === 'string';
  for (const [i, b] of v.builds.entries()) {
    const ok =
      b && typeof b === 'object' && typeof b.id === 'string' && strOrNull(b.commit) && strOrNull(b.branch) && strOrNull(b.time) && ['build', 'runs', 'none'].includes(b.timeBasis) && Array.isArray(b.runs) &&
      b.runs.every((r) => r && typeof r === 'object' && typeof r.key === 'string' && typeof r.runId === 'string' && typeof r.name === 'string' && r.labels && typeof r.labels === 'object' && METRICS.every((m) => numOrNull(r[m])));
    if (!ok) return { problem: `builds[${i}] is not a build entry` };
  }
  return { builds: v.builds };
}
