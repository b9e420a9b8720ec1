// Merging the parts of one run that came from different files (k6 NDJSON + its
// summary export, Locust stats + history + failures + exceptions, ...).
import type { ErrorEntry, Precision, Run, Source, Stats, TimelinePoint } from './types.js';

/** The model-side view of an ingested part (see src/ingest/types.ts RunPart). */
export interface PartLike extends Omit<Run, 'id' | 'name'> {
  rank: number;
  name?: string;
}

const PRECISION_ORDER: Record<Precision, number> = { samples: 3, reported: 2, buckets: 1 };

function hasStats(p: PartLike): boolean {
  return p.summary.requests > 0 || p.endpoints.length > 0 || p.summary.latencyMs.p50 !== null;
}

function statsScore(p: PartLike): number {
  if (!hasStats(p)) return -1;
  return PRECISION_ORDER[p.summary.precision] * 1000 + p.rank;
}

function timelineScore(p: PartLike): number {
  if (p.timeline.length === 0) return -1;
  const kind = { interval: 4, window: 3, cumulative: 2, none: 1 }[p.timelineLatency];
  // Prefer latency from samples, then the finest interval, then the longest timeline.
  return kind * 1e9 + (1000 - Math.min(999, p.timelineIntervalS)) * 1e5 + Math.min(p.timeline.length, 99999);
}

function best<T>(items: T[], score: (t: T) => number): T | undefined {
  let top: T | undefined;
  let topScore = -Infinity;
  for (const it of items) {
    const s = score(it);
    if (s > topScore) {
      top = it;
      topScore = s;
    }
  }
  return topScore < 0 ? undefined : top;
}

export function mergeParts(parts: PartLike[], id: string, name: string): Run {
  if (parts.length === 0) throw new Error('mergeParts needs at least one part');
  const byRank = [...parts].sort((a, b) => b.rank - a.rank);
  const primary = best(byRank, statsScore) ?? byRank[0]!;
  const timelineFrom = best(byRank, timelineScore);

  // Errors: each kind (failure/exception) from one part, never summed across parts
  // (Locust's HTML report and its _failures.csv list the same failures). The part that
  // counts the most wins (the most final write); on a tie, the tool's dedicated error
  // file (e.g. _failures.csv keeps the exception class, "ReadTimeout(…)", that the HTML
  // report drops), then the higher rank.
  const errors: ErrorEntry[] = [];
  for (const kind of ['failure', 'exception'] as const) {
    const from = best(byRank, (p) => {
      const own = p.errors.filter((e) => e.kind === kind);
      if (own.length === 0) return -1;
      const total = own.reduce((a, e) => a + e.count, 0);
      const dedicated = p.sources.length > 0 && p.sources.every((s) => s.provides?.length === 1 && s.provides[0] === 'errors');
      return total * 1e6 + (dedicated ? 1e5 : 0) + p.rank;
    });
    if (from) errors.push(...from.errors.filter((e) => e.kind === kind));
  }

  const sources: Source[] = [];
  for (const p of parts) sources.push(...p.sources);
  sources.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.format < b.format ? -1 : 1));

  const starts = parts.map((p) => p.start).filter((s): s is string => !!s).sort();
  const ends = parts.map((p) => p.end).filter((s): s is string => !!s).sort();
  // The part with the timeline keeps the run's clock (Locust's history beside its clockless _stats.csv);
  // only without one does the earliest part say when the run started (a Prometheus range for bombardier).
  const start = primary.start ?? timelineFrom?.start ?? starts[0] ?? null;
  const end = primary.end ?? timelineFrom?.end ?? ends[ends.length - 1] ?? null;

  const labels: Record<string, string> = {};
  for (const p of [...byRank].reverse()) Object.assign(labels, p.labels);

  const metrics = {};
  for (const p of [...byRank].reverse()) Object.assign(metrics, p.metrics);

  const thresholds = byRank.find((p) => p.thresholds.length > 0)?.thresholds ?? [];
  const toolVersion = byRank.find((p) => p.toolVersion)?.toolVersion;
  const thinkTimeS = byRank.find((p) => p.thinkTimeS !== undefined)?.thinkTimeS;

  const summary: Stats = { ...primary.summary };
  const endpoints: Stats[] = primary.endpoints.map((e) => ({ ...e }));
  const timeline: TimelinePoint[] = timelineFrom ? timelineFrom.timeline : [];

  const run: Run = {
    id,
    name,
    tool: primary.tool,
    sources,
    labels,
    start,
    end,
    durationS: primary.durationS ?? (start && end ? (Date.parse(end) - Date.parse(start)) / 1000 : null),
    summary,
    endpoints,
    timelineIntervalS: timelineFrom ? timelineFrom.timelineIntervalS : primary.timelineIntervalS,
    timelineLatency: timelineFrom ? timelineFrom.timelineLatency : 'none',
    timeline,
    errors,
    series: parts.flatMap((p) => p.series),
    thresholds,
    metrics,
  };
  if (toolVersion) run.toolVersion = toolVersion;
  if (thinkTimeS !== undefined) run.thinkTimeS = thinkTimeS;
  // A timeline from another part than the summary must be re-based to the run start.
  if (timelineFrom && timelineFrom !== primary && timelineFrom.start && start) {
    const shift = (Date.parse(timelineFrom.start) - Date.parse(start)) / 1000;
    if (shift !== 0) run.timeline = timeline.map((pt) => ({ ...pt, t: pt.t + shift }));
  }
  return run;
}
