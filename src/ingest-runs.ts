// The runs a `ce-report build` or `ingest` reads: the config (or the command line) →
// each run's inputs → the ingesters. Apart from build.ts so that `ce-report ingest`
// loads none of the analysis and rendering (a third of the CLI's start-up).
import path from 'node:path';
import type { LoadedConfig } from './config.js';
import { configFor } from './config-scope.js';
import { UsageError } from './ingest/errors.js';
import { defaultCacheDir } from './ingest/cache.js';
import { ingestRuns, type PipelineOptions, type RunInput } from './ingest/pipeline.js';
import type { Run, Warning } from './model/types.js';
import { generatorInfo } from './version.js';

export interface BuildOptions {
  inputs: string[];
  config?: string;
  out?: string;
  labels?: Record<string, string>;
  format?: string;
  title?: string;
  /** Use the Prometheus responses saved by an earlier build instead of querying. */
  offline?: boolean;
  /** Write the build time into the site (off by default: builds are byte-identical). */
  timestamp?: boolean;
  /** Where the site is published (https://…): report.md links its studies, runs and charts there. */
  siteUrl?: string;
  /** A site built earlier (folder or published http(s) address) to compare with and carry the history of. */
  baseline?: string;
  /** Keep the build history (data/history.json) even without a baseline. */
  history?: boolean;
  cwd?: string;
  /** Reuse ingested big inputs whose size and modification time did not change (default true). */
  cache?: boolean;
  onProgress?: PipelineOptions['onProgress'];
  onFile?: PipelineOptions['onFile'];
  log?: (line: string) => void;
}

/** Runs the config or command line declares, with paths resolved. */
export function runInputsFrom(loaded: LoadedConfig, opts: Pick<BuildOptions, 'inputs' | 'labels' | 'format'>, cwd: string): RunInput[] {
  if (opts.inputs.length > 0) {
    return [{ inputs: opts.inputs, labels: opts.labels, format: opts.format }];
  }
  const cfg = loaded.config;
  const specs: RunInput[] = [];
  for (const r of cfg.runs ?? []) {
    specs.push({ ...r, inputs: r.inputs.map((i) => path.resolve(loaded.baseDir, i)), labels: { ...(r.labels ?? {}), ...(opts.labels ?? {}) }, format: r.format ?? opts.format });
  }
  if (cfg.inputs && cfg.inputs.length > 0) {
    specs.push({ inputs: cfg.inputs.map((i) => path.resolve(loaded.baseDir, i)), labels: opts.labels, format: opts.format });
  }
  return specs;
}

export async function ingestFromOptions(opts: BuildOptions): Promise<{ loaded: LoadedConfig; runs: Run[]; warnings: Warning[]; notes: string[] }> {
  const cwd = opts.cwd ?? process.cwd();
  const { loaded, notes } = await configFor(opts, cwd);
  const specs = runInputsFrom(loaded, opts, cwd);
  if (specs.length === 0) {
    throw new UsageError('nothing to read: give INPUT files or folders, or write a ce-report.config.json (see `ce-report init`)');
  }
  const result = await ingestRuns(specs, {
    cwd,
    timelineIntervalS: loaded.config.timelineIntervalS,
    onProgress: opts.onProgress,
    onFile: opts.onFile,
    cacheDir: opts.cache === false ? undefined : defaultCacheDir(),
    version: generatorInfo().version,
  });
  if (result.runs.length === 0) {
    const first = result.warnings.find((w) => w.file);
    throw new UsageError('no load-test output found in the inputs (k6, Locust, bombardier or Prometheus files)' + (first ? `; ${result.warnings.length} warning(s), the first: ${first.file}: ${first.message}` : ''));
  }
  return { loaded, runs: result.runs, warnings: result.warnings, notes };
}

