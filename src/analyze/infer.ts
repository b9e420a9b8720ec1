// Studies inferred from run labels when no configuration names them: a label with two
// or more numeric values → scaling + peak-vs-sustained; a `variant` label with
// stable/canary (or baseline/candidate) → an experiment with the default criterion;
// series split by a version/variant/track label → an experiment on that run (infer-split.ts);
// runs whose failure rate is above the threshold → one failures study over them.
import type { Run } from '../model/types.js';
import { inferSplitExperiments } from './infer-split.js';
import { errorRate } from './run-analysis.js';
import type { StudyConfig } from './types.js';

const VARIANT_PAIRS: Array<[string, string]> = [
  ['stable', 'canary'],
  ['baseline', 'candidate'],
];

export function slugify(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x'
  );
}

function byId(a: Run, b: Run): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Runs split by tool, so a study never compares k6 with bombardier figures. */
function groupByTool(runs: Run[]): Map<string, Run[]> {
  const groups = new Map<string, Run[]>();
  for (const r of [...runs].sort(byId)) groups.set(r.tool, [...(groups.get(r.tool) ?? []), r]);
  return new Map([...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

function isNumeric(v: string | undefined): boolean {
  return v !== undefined && v.trim() !== '' && Number.isFinite(Number(v));
}

/**
 * Labels that name a run rather than say what was varied: k6 users tag every run with a
 * `testid` (k6's documentation suggests it for dashboards), often a number, which must not
 * read as a scaling factor. A study over one of them can still be configured.
 */
const RUN_ID_LABELS = new Set(['testid', 'test_id', 'test-id', 'runid', 'run_id', 'run-id', 'id', 'run']);
const namesRun = (label: string) => RUN_ID_LABELS.has(label.toLowerCase());

export function inferStudies(runs: Run[], failureRateThreshold = 0.01): StudyConfig[] {
  const out: StudyConfig[] = [];
  const groups = groupByTool(runs);
  const labelNames = [...new Set(runs.flatMap((r) => Object.keys(r.labels)))].sort();

  for (const label of labelNames) {
    if (label === 'variant' || namesRun(label)) continue;
    const qualifying = [...groups.entries()].filter(([, rs]) => new Set(rs.filter((r) => isNumeric(r.labels[label])).map((r) => Number(r.labels[label]))).size >= 2);
    for (const [tool, rs] of qualifying) {
      const ids = rs.filter((r) => isNumeric(r.labels[label])).map((r) => r.id);
      const suffix = qualifying.length > 1 ? `-${slugify(tool)}` : '';
      const toolNote = qualifying.length > 1 ? ` (${tool})` : '';
      out.push({ kind: 'scaling', id: `scaling-${slugify(label)}${suffix}`, title: `Scaling with ${label}${toolNote}`, factor: label, runs: ids });
      out.push({ kind: 'peak-vs-sustained', id: `peak-vs-sustained-${slugify(label)}${suffix}`, title: `Peak vs sustained latency by ${label}${toolNote}`, label, runs: ids });
    }
  }

  // Experiments: within each tool, pair runs that differ only in their variant. When a
  // variant has several such runs (a text and a JSON report of each side, say), each
  // baseline takes the unused candidate written the same way: the same input formats,
  // then the same file name.
  const experiments: Array<{ base: Run; cand: Run }> = [];
  for (const [, rs] of groups) {
    for (const [b, c] of VARIANT_PAIRS) {
      // What else was varied; labels that only name a run (a k6 testid) say nothing about it.
      const keyOf = (r: Run) => JSON.stringify(Object.entries(r.labels).filter(([k]) => k !== 'variant' && !namesRun(k)).sort());
      const bases = rs.filter((r) => r.labels['variant'] === b);
      const cands = rs.filter((r) => r.labels['variant'] === c);
      const used = new Set<Run>();
      for (const base of bases) {
        const sameKey = cands.filter((r) => !used.has(r) && keyOf(r) === keyOf(base));
        const pool = sameKey.length > 0 ? sameKey : bases.length === 1 ? cands.filter((r) => !used.has(r)) : [];
        const cand = closestRun(base, pool);
        if (cand) {
          used.add(cand);
          experiments.push({ base, cand });
        }
      }
    }
  }
  for (const { base, cand } of experiments) {
    const id = experiments.length > 1 ? `experiment-${slugify(cand.labels['variant']!)}-${slugify(base.tool)}-${slugify(cand.id)}` : `experiment-${slugify(cand.labels['variant']!)}`;
    const sameTitle = experiments.filter((e) => e.base.tool === base.tool && e.cand.labels['variant'] === cand.labels['variant']).length > 1;
    const detail = experiments.length > 1 ? ` (${base.tool}${sameTitle ? `, ${sourceName(cand)}` : ''})` : '';
    out.push({
      kind: 'experiment',
      id,
      title: `${cand.labels['variant']} vs ${base.labels['variant']}${detail}`,
      baseline: base.id,
      candidate: cand.id,
      metric: 'max-p95',
      criterion: { direction: 'decrease', minChangePct: 5 },
    });
  }
  // Variants served at the same time, told apart by a label of one query's series.
  out.push(...inferSplitExperiments(runs));
  // A reader of a report with failing runs wants to see why they failed, whatever the labels.
  const failing = [...runs].sort(byId).filter((r) => (errorRate(r) ?? 0) > failureRateThreshold);
  if (failing.length > 0) out.push({ kind: 'failures', id: 'failures', title: 'Failures under load', runs: failing.map((r) => r.id) });
  return out;
}

/** The first input file's name, without folders: how two sides of a pair are told apart. */
function sourceName(r: Run): string {
  const p = r.sources[0]?.path ?? r.id;
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The run of `pool` most like `base` in how it was written: input formats, then file name. */
function closestRun(base: Run, pool: Run[]): Run | undefined {
  const formats = (r: Run) => [...new Set(r.sources.map((s) => s.format))].sort().join(',');
  let best: Run | undefined;
  let bestScore = -1;
  for (const r of pool) {
    const score = (formats(r) === formats(base) ? 2 : 0) + (sourceName(r) === sourceName(base) ? 1 : 0);
    if (score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}
