// Zero-config experiments on variants served at the same time: when a run's Prometheus
// series carry a `version`, `variant` or `track` label with stable and canary (or
// baseline and candidate) values, one query answered for both, and an experiment on
// that run compares the two halves of it.
import type { Run, Series } from '../model/types.js';
import { shortSeriesName } from './server-metric.js';
import type { ExperimentStudyConfig } from './types.js';

export const SPLIT_LABELS = ['version', 'variant', 'track'];
export const SPLIT_PAIRS: Array<[string, string]> = [
  ['stable', 'canary'],
  ['baseline', 'candidate'],
];
const TIME_UNITS = new Set(['s', 'ms', 'µs']);

function isP95(s: Series): boolean {
  return /\bhistogram_quantile\s*\(\s*0?\.95\b/.test(s.query ?? '') || /(^|_)p95(_|$)/.test(shortSeriesName(s.name));
}

/**
 * The series an inferred experiment is judged on, in this order: a time series named
 * for a maximum (`max(…)` of it: the seeds' "maximum processing time"), then a p95
 * series (`max(…)`: the server's worst p95, like the client-side default max-p95).
 * Ties go to the first name in sort order.
 */
function pickSeries(names: Map<string, Series[]>): string | undefined {
  const timed = [...names.entries()].filter(([, ss]) => ss.every((s) => TIME_UNITS.has(s.unit))).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return (timed.find(([n]) => /(^|_)max(_|$)/.test(n)) ?? timed.find(([, ss]) => ss.every(isP95)))?.[0];
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

export function inferSplitExperiments(runs: Run[]): ExperimentStudyConfig[] {
  const out: ExperimentStudyConfig[] = [];
  for (const run of [...runs].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    for (const label of SPLIT_LABELS) {
      const pair = SPLIT_PAIRS.find(([b, c]) => {
        const values = new Set(run.series.map((s) => s.labels[label]));
        return values.has(b) && values.has(c);
      });
      if (!pair) continue;
      // Names whose series are exactly one per side.
      const names = new Map<string, Series[]>();
      for (const s of run.series) {
        const name = shortSeriesName(s.name);
        names.set(name, [...(names.get(name) ?? []), s]);
      }
      for (const [n, ss] of [...names]) {
        const sides = pair.map((v) => ss.filter((s) => s.labels[label] === v).length);
        if (sides[0] !== 1 || sides[1] !== 1) names.delete(n);
      }
      const series = pickSeries(names);
      if (!series) continue;
      out.push({
        kind: 'experiment',
        id: `experiment-${slug(pair[1])}-${slug(run.id)}-${slug(label)}`,
        title: `${pair[1]} vs ${pair[0]} (${label} label of ${run.id}, server: max(${series}))`,
        baseline: run.id,
        candidate: run.id,
        metric: `max(${series})`,
        criterion: { direction: 'decrease', minChangePct: 5 },
        split: { label, baseline: pair[0], candidate: pair[1] },
      });
      break;
    }
  }
  return out;
}
