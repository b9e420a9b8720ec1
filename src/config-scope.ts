// Which config applies to a build, and whether its studies fit the runs read.
//
// `ce-report build` with no INPUT reads ./ce-report.config.json (or --config). Given
// INPUTs, a config found in the current folder is not used: it describes other runs
// (the bundled example's, a colleague's), and applying its studies to the user's runs
// gave empty studies and verdicts over runs that do not exist. A config named with
// --config does apply to the INPUTs, and then each of its studies must match runs.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Analysis, StudyConfig } from './analyze/index.js';
import { CONFIG_FILE_NAME, loadConfig, type LoadedConfig } from './config.js';
import { InputError } from './ingest/errors.js';
import type { Run } from './model/types.js';

export interface ConfigChoice {
  loaded: LoadedConfig;
  /** Lines for the terminal about the choice (not warnings about the runs). */
  notes: string[];
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** The config of a build or ingest: none for explicit INPUTs unless one is named. */
export async function configFor(opts: { inputs: string[]; config?: string }, cwd: string): Promise<ConfigChoice> {
  if (opts.inputs.length === 0 || opts.config) return { loaded: await loadConfig(opts.config, cwd), notes: [] };
  const notes: string[] = [];
  if (await exists(path.resolve(cwd, CONFIG_FILE_NAME))) {
    notes.push(`${CONFIG_FILE_NAME} in this folder is not used for the INPUTs given: studies are inferred from their labels (to apply it, add --config ${CONFIG_FILE_NAME})`);
  }
  return { loaded: { config: {}, baseDir: cwd, file: null }, notes };
}

/** The run ids a study names itself (none for studies that select runs by label). */
function namedRuns(cfg: StudyConfig): string[] {
  if (cfg.kind === 'experiment') return [cfg.baseline, cfg.candidate];
  if (cfg.kind === 'failures') return [...(cfg.runs ?? []), ...(cfg.baseline ? [cfg.baseline] : [])];
  return cfg.runs ?? [];
}

/** Line and column of the n-th study in the config text (its id, else the "studies" key). */
function studyPosition(loaded: LoadedConfig, cfg: StudyConfig): { line?: number; column?: number } {
  const text = loaded.text ?? '';
  const studies = text.indexOf('"studies"');
  if (studies < 0) return {};
  let at = studies;
  if (cfg.id) {
    const idAt = text.indexOf(JSON.stringify(cfg.id), studies);
    if (idAt >= 0) at = idAt;
  }
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
}

/**
 * With INPUTs and a config named by --config, each configured study must find its runs
 * among those read: a study naming a run that is not there, or selecting none, is an
 * error naming the config file, the study's line and the runs that were read.
 */
export function checkStudiesMatchRuns(loaded: LoadedConfig, runs: Run[], analysis: Analysis): void {
  const configured = loaded.config.studies ?? [];
  if (!loaded.file || configured.length === 0) return;
  const shown = path.relative(process.cwd(), loaded.file) || loaded.file;
  const known = new Set(runs.map((r) => r.id));
  const found = runs.map((r) => r.id).join(', ');
  configured.forEach((cfg, i) => {
    const id = analysis.studies[i]?.id ?? cfg.id ?? `#${i + 1}`;
    const missing = namedRuns(cfg).filter((r) => !known.has(r));
    const where = studyPosition(loaded, cfg);
    if (missing.length > 0) {
      throw new InputError(shown, `study "${id}" names run${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}, not among the runs read from the INPUTs (${found}); name runs by these ids, or build without --config to infer studies`, where);
    }
    // A failures study over "every run above the threshold" may rightly find none.
    const mayBeEmpty = cfg.kind === 'failures' && !cfg.runs;
    if (!mayBeEmpty && (analysis.studies[i]?.runIds.length ?? 0) === 0) {
      const what = cfg.kind === 'scaling' ? ` (no run has a numeric "${cfg.factor}" label)` : cfg.kind === 'peak-vs-sustained' && cfg.label ? ` (no run has a "${cfg.label}" label)` : '';
      throw new InputError(shown, `study "${id}" matches none of the runs read from the INPUTs (${found})${what}; label the runs (folder names key=value, --label), or build without --config to infer studies`, where);
    }
  });
}
