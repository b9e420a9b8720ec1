// Stage 3: conclusions from the run model. Fed only by the model (src/model).
import type { Run } from '../model/types.js';
import { experimentStudy } from './experiment.js';
import { failuresStudy } from './failures.js';
import { inferStudies, slugify } from './infer.js';
import { peakVsSustainedStudy } from './peak-vs-sustained.js';
import { analyzeRun, rereadRun, type RunFacts } from './run-analysis.js';
import type { UnloadedHint } from './run-reading.js';
import { factorValue, scalingStudy } from './scaling.js';
import { factorKindOf } from './factor-kind.js';
import { DEFAULT_ANALYZE_OPTIONS, type Analysis, type AnalysisWarning, type AnalyzeOptions, type Study, type StudyConfig } from './types.js';

export * from './types.js';
export { inferStudies } from './infer.js';

/** Options with defaults; an explicit `undefined` (unset config key) keeps the default. */
function withDefaults(options: Partial<AnalyzeOptions>): AnalyzeOptions {
  const out: AnalyzeOptions = { ...DEFAULT_ANALYZE_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

function studyId(cfg: StudyConfig, taken: Set<string>): string {
  let base = cfg.id;
  if (!base && cfg.kind === 'failures') base = cfg.runs?.length === 1 ? `failures-${slugify(cfg.runs[0]!)}` : 'failures';
  if (!base) {
    const what = cfg.kind === 'scaling' ? cfg.factor : cfg.kind === 'peak-vs-sustained' ? (cfg.label ?? 'runs') : cfg.kind === 'experiment' ? `${cfg.candidate}-vs-${cfg.baseline}` : 'runs';
    base = `${cfg.kind}-${slugify(what)}`;
  }
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

function runStudy(cfg: StudyConfig, id: string, facts: RunFacts[], opts: AnalyzeOptions, runs: Run[], rereadHints: Map<string, UnloadedHint>): Study {
  if (cfg.kind === 'scaling') return scalingStudy({ ...cfg, id }, facts, opts.windowS, opts.failureRateThreshold);
  if (cfg.kind === 'experiment') return experimentStudy({ ...cfg, id }, facts, opts);
  if (cfg.kind === 'failures') return failuresStudy({ ...cfg, id }, facts, opts);
  const windowS = cfg.windowS ?? opts.windowS;
  // Its own window: each run is analysed again, and read again against its sweep's unloaded latency as above.
  const own =
    windowS === opts.windowS
      ? facts
      : runs.map((r) => {
          const f = analyzeRun(r, { ...opts, windowS });
          const hint = rereadHints.get(r.id);
          return hint && f.analysis.state === 'steady' ? rereadRun(f, { ...opts, windowS }, hint) : f;
        });
  return peakVsSustainedStudy({ ...cfg, id }, own, windowS);
}

/**
 * Runs of a load sweep or a capacity study share one service and its per-request work: its unloaded
 * response time is the lowest p50 any of them shows. A run whose users all start at once never shows
 * it, so a queue at its bound would read as steady; such a run is read again against the sweep's
 * lowest p50 (the reading says so). Not across a setting, which may change the work itself (a cache).
 */
function rereadLoadSweeps(configs: StudyConfig[], facts: RunFacts[], opts: AnalyzeOptions): Map<string, UnloadedHint> {
  const hints = new Map<string, UnloadedHint>();
  for (const cfg of configs) {
    if (cfg.kind !== 'scaling' || (cfg.factorKind ?? factorKindOf(cfg.factor)) === 'setting') continue;
    const members = facts.filter((f) => (cfg.runs ? cfg.runs.includes(f.run.id) : factorValue(f.run, cfg.factor) !== null));
    let best: { ms: number; runId: string } | null = null;
    for (const f of members) {
      const ms = f.reading.ownMinMs;
      if (ms !== null && ms > 0 && (best === null || ms < best.ms)) best = { ms, runId: f.run.id };
    }
    if (!best) continue;
    for (const f of members) {
      if (f.analysis.state !== 'steady' || f.run.id === best.runId || (f.reading.ownMinMs ?? Infinity) <= best.ms) continue;
      const again = rereadRun(f, opts, best);
      if (again.analysis.state === f.analysis.state) continue;
      facts[facts.indexOf(f)] = again;
      hints.set(f.run.id, best);
    }
  }
  return hints;
}

export function analyze(runs: Run[], options: Partial<AnalyzeOptions> = {}): Analysis {
  const opts = withDefaults(options);
  const facts = runs.map((r) => analyzeRun(r, opts));

  const configs = [...opts.studies];
  if (configs.length === 0 || opts.inferStudies) {
    const configured = new Set(configs.map((c) => c.id).filter(Boolean));
    for (const c of inferStudies(runs, opts.failureRateThreshold)) if (!configured.has(c.id)) configs.push(c);
  }
  const rereadHints = rereadLoadSweeps(configs, facts, opts);
  const warnings: AnalysisWarning[] = [];
  for (const f of facts) for (const message of f.analysis.warnings) warnings.push({ runId: f.run.id, message });
  const ids = new Set<string>();
  const known = new Set(runs.map((r) => r.id));
  const studies: Study[] = [];
  for (const cfg of configs) {
    const id = studyId(cfg, ids);
    const missing = (cfg.kind === 'experiment' ? [cfg.baseline, cfg.candidate] : cfg.kind === 'failures' && cfg.baseline ? [...(cfg.runs ?? []), cfg.baseline] : (cfg.runs ?? [])).filter((r) => !known.has(r));
    for (const m of missing) warnings.push({ studyId: id, message: `Study "${id}" names run "${m}", which is not among the ingested runs.` });
    const study = runStudy(cfg, id, facts, opts, runs, rereadHints);
    if (study.runIds.length === 0) warnings.push({ studyId: id, message: `Study "${id}" has no runs to compare.` });
    studies.push(study);
  }
  return { windowS: opts.windowS, runs: facts.map((f) => f.analysis), studies, warnings };
}
