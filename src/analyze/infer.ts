// Studies inferred from run labels when no configuration names them: a label with two
// or more numeric values → scaling + peak-vs-sustained; a `variant` label with
// stable/canary (or baseline/candidate) → an experiment with the default criterion;
// series split by a version/variant/track label → an experiment on that run (infer-split.ts);
// runs whose failure rate is above the threshold → one failures study over them.
import type { Run } from '../model/types.js';
import { inferSplitExperiments } from './infer-split.js';
import { factorKindOf, scalingTitle } from './factor-kind.js';
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
    const found: Array<{ tool: string; studies: StudyConfig[] }> = [];
    for (const [tool, rs] of groups) {
      const studies = factorStudies(label, rs, labelNames);
      if (studies.length > 0) found.push({ tool, studies });
    }
    for (const { tool, studies } of found) {
      for (const st of studies) {
        if (found.length > 1) {
          st.id = `${st.id}-${slugify(tool)}`;
          st.title = `${st.title} (${tool})`;
        }
        out.push(st);
      }
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
    const peers = experiments.filter((e) => e.base.tool === base.tool && e.cand.labels['variant'] === cand.labels['variant']).map((e) => e.cand);
    const detail = experiments.length > 1 ? ` (${base.tool}${peers.length > 1 ? `, ${distinguishing(cand, peers)}` : ''})` : '';
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

/**
 * What tells a candidate apart from the others of the same tool and variant: the labels
 * whose values differ among them (`pair=aa`), else its file name, else its run id.
 */
function distinguishing(cand: Run, peers: Run[]): string {
  const keys = [...new Set(peers.flatMap((r) => Object.keys(r.labels)))].filter((k) => k !== 'variant' && !namesRun(k)).sort();
  const differ = keys.filter((k) => new Set(peers.map((r) => r.labels[k])).size > 1);
  const byLabels = (r: Run) => differ.filter((k) => r.labels[k] !== undefined).map((k) => `${k}=${r.labels[k]}`).join(', ');
  const withFile = (r: Run) => [byLabels(r), sourceName(r)].filter(Boolean).join(', ');
  for (const describe of [byLabels, withFile, sourceName]) {
    if (describe(cand) && peers.filter((r) => describe(r) === describe(cand)).length === 1) return describe(cand);
  }
  return cand.id;
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

/** Labels fixed across a set of runs, as "users=1500, services=1". */
function fixedText(rs: Run[], except: string[]): string {
  const keys = [...new Set(rs.flatMap((r) => Object.keys(r.labels)))].filter((k) => !except.includes(k) && !namesRun(k)).sort();
  return keys
    .filter((k) => new Set(rs.map((r) => r.labels[k])).size === 1 && rs[0]!.labels[k] !== undefined)
    .map((k) => `${k}=${rs[0]!.labels[k]}`)
    .join(', ');
}

function titleOf(label: string, kind: ReturnType<typeof factorKindOf>, fixed: string, by?: string): string {
  return `${scalingTitle(label, kind, by)}${fixed ? ` (${fixed})` : ''}`;
}

/**
 * The studies of one numeric label over one tool's runs, read as a designed experiment:
 * runs that hold every other label equal form one study (a design with several factors
 * gives one study per factor; a run can be in several). When the label varies in several
 * such sets that differ only in one other numeric label, the two factors cross: one grid
 * study, the capacity (or setting) factor compared across the load factor.
 */
function factorStudies(label: string, rs: Run[], labelNames: string[]): StudyConfig[] {
  const withL = rs.filter((r) => isNumeric(r.labels[label]));
  // Labels that move in step with this one (replicas=3 always beside workers=3) say the same thing twice:
  // they are not held equal, and only the first of them by name makes a study.
  const aliases = labelNames.filter((m) => m !== label && movesInStep(withL, label, m));
  if (aliases.some((m) => m < label)) return [];
  const otherKey = (r: Run, skip: string[]) => JSON.stringify(Object.entries(r.labels).filter(([k]) => !skip.includes(k) && !aliases.includes(k) && !namesRun(k)).sort());
  const parts = new Map<string, Run[]>();
  for (const r of withL) {
    const k = otherKey(r, [label]);
    parts.set(k, [...(parts.get(k) ?? []), r]);
  }
  const qualifying = [...parts.values()].filter((p) => new Set(p.map((r) => Number(r.labels[label]))).size >= 2);
  if (qualifying.length === 0) return [];
  const kind = factorKindOf(label);
  if (qualifying.length > 1) {
    // Do the sets differ in one other numeric label only? Then the two factors cross.
    const candidates = labelNames.filter((m) => m !== label && m !== 'variant' && !namesRun(m));
    const cross = candidates.find((m) => {
      const all = qualifying.flat();
      if (!all.every((r) => isNumeric(r.labels[m]))) return false;
      return new Set(all.map((r) => otherKey(r, [label, m]))).size === 1;
    });
    if (cross) {
      const crossKind = factorKindOf(cross);
      // One grid per pair: the non-load factor across the load factor (or the first name of two alike).
      const mine = kind !== 'load' && crossKind === 'load' ? true : kind === 'load' && crossKind !== 'load' ? false : label < cross;
      if (!mine) return [];
      const runs = qualifying.flat().sort(byId);
      const fixed = fixedText(runs, [label, cross]);
      return [{ kind: 'scaling', id: `scaling-${slugify(label)}-by-${slugify(cross)}`, title: titleOf(label, kind, fixed, cross), factor: label, by: cross, runs: runs.map((r) => r.id) }];
    }
  }
  const out: StudyConfig[] = [];
  for (const part of qualifying) {
    const shownFixed = fixedText(part, [label]);
    // The fixed labels tell a factor's studies apart in their ids only when it has several.
    const suffix = qualifying.length > 1 && shownFixed ? `-${slugify(shownFixed)}` : '';
    const ids = part.sort(byId).map((r) => r.id);
    out.push({ kind: 'scaling', id: `scaling-${slugify(label)}${suffix}`, title: titleOf(label, kind, shownFixed), factor: label, runs: ids });
    out.push({ kind: 'peak-vs-sustained', id: `peak-vs-sustained-${slugify(label)}${suffix}`, title: `Peak vs sustained latency by ${label}${shownFixed ? ` (${shownFixed})` : ''}`, label, runs: ids });
  }
  return out;
}

/** Every run with `a` also has `b`, and their values map one to one (with two values or more). */
function movesInStep(rs: Run[], a: string, b: string): boolean {
  if (rs.length < 2 || !rs.every((r) => r.labels[b] !== undefined)) return false;
  const ab = new Map<string, string>();
  const ba = new Map<string, string>();
  for (const r of rs) {
    const va = r.labels[a]!;
    const vb = r.labels[b]!;
    if ((ab.has(va) && ab.get(va) !== vb) || (ba.has(vb) && ba.get(vb) !== va)) return false;
    ab.set(va, vb);
    ba.set(vb, va);
  }
  return ab.size >= 2;
}
