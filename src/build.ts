// `ce-report build`: config → ingest → (live Prometheus) → analyze → render, written to
// a temporary folder that replaces the output folder only when everything succeeded.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { analyze, type Analysis } from './analyze/index.js';
import type { Config, LoadedConfig } from './config.js';
import { checkStudiesMatchRuns, configFor } from './config-scope.js';
import { UsageError } from './ingest/errors.js';
import { defaultCacheDir } from './ingest/cache.js';
import { cachedChartRenderer } from './chart-cache.js';
import { ingestRuns, type PipelineOptions, type RunInput } from './ingest/pipeline.js';
import { SCHEMA_VERSION, type Model, type Run, type Warning } from './model/types.js';
import { startChartRenderer } from './render/chart-pool.js';
import { checkOutDir, writeSiteMarker } from './output-dir.js';
import { recoverOutDir, removeOnSignal, swapIn, tmpDirFor, withOutLock } from './output-swap.js';
import { describeFsError, isFileSystemError } from './fs-errors.js';
import { generatorInfo } from './version.js';
import { siteUrlBase } from './render/site-url.js';
import { attachLiveSeries } from './live.js';
import { loadBaseline, type LoadedBaseline } from './baseline/load.js';
import type { Comparison } from './baseline/types.js';
import { appendStepSummary, writeContinuous } from './continuous.js';

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

export interface BuildResult {
  outDir: string;
  files: number;
  bytes: number;
  model: Model;
  analysis: Analysis;
  warnings: Warning[];
  /** Lines for the terminal about how the build was set up (which config applies). */
  notes: string[];
  /** The comparison with --baseline. */
  comparison: Comparison | null;
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

export async function build(opts: BuildOptions): Promise<BuildResult> {
  const cwd = opts.cwd ?? process.cwd();
  const log = opts.log ?? (() => {});
  // A wrong --site-url fails before any input is read.
  if (opts.siteUrl !== undefined) {
    try {
      siteUrlBase(opts.siteUrl);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  // A baseline that cannot be read fails before any input is.
  const baseline = opts.baseline !== undefined ? await loadBaseline(opts.baseline, cwd) : null;
  // Started first: the chart workers load vega while the inputs are read.
  const drawer = startChartRenderer();
  // The renderer's modules (unified, remark, handlebars: a few hundred files) load while
  // the inputs are read, instead of before the first input is opened.
  const renderer = import('./render/index.js');
  renderer.catch(() => undefined);
  const charts = opts.cache === false ? drawer : cachedChartRenderer(drawer, defaultCacheDir());
  try {
    return await buildWith(opts, cwd, log, charts, renderer, baseline);
  } finally {
    await charts.close();
  }
}

async function buildWith(opts: BuildOptions, cwd: string, log: (line: string) => void, charts: ReturnType<typeof startChartRenderer>, renderer: Promise<typeof import('./render/index.js')>, baseline: LoadedBaseline | null): Promise<BuildResult> {
  // Where the time goes, for `--verbose` (issue reports about slow builds start here).
  let mark = performance.now();
  const took = (what: string) => {
    const now = performance.now();
    log(`${what}: ${((now - mark) / 1000).toFixed(2)} s`);
    mark = now;
  };
  // A site that a build killed mid-swap left beside the output folder goes back first,
  // whatever becomes of this build.
  const early = path.resolve(cwd, outDirOption(opts, (await configFor(opts, cwd)).loaded));
  if (existsSync(path.dirname(early))) for (const note of await outputStep(early, () => withOutLock(early, () => recoverOutDir(early)))) log(note);
  const { loaded, runs, warnings, notes } = await ingestFromOptions(opts);
  took('read inputs');
  const cfg: Config = loaded.config;
  const inputs = [...runInputsFrom(loaded, opts, cwd).flatMap((r) => r.inputs), ...runs.flatMap((r) => r.sources.map((s) => s.path))];
  const outDir = await checkOutDir(path.resolve(cwd, outDirOption(opts, loaded)), { cwd, inputs });
  const tmpDir = tmpDirFor(outDir);
  await outputStep(outDir, async () => {
    await fs.mkdir(path.dirname(outDir), { recursive: true });
    for (const note of await withOutLock(outDir, () => recoverOutDir(outDir))) log(note);
    await fs.rm(tmpDir, { recursive: true, force: true });
    await fs.mkdir(tmpDir, { recursive: true });
    await writeSiteMarker(tmpDir, 'building');
  });
  // Ctrl-C or SIGTERM while the pages are written removes the unfinished folder.
  const stopWatching = removeOnSignal(tmpDir);
  // Fault injection for the test of Ctrl-C while the pages are written (test/output-safety.test.ts).
  if (process.env.CE_REPORT_FAULT === 'sigint-while-writing') process.kill(process.pid, 'SIGINT');
  try {
    if (cfg.prometheus) {
      const liveWarnings = await attachLiveSeries(runs, cfg.prometheus, {
        saveDir: path.join(tmpDir, 'data', 'prometheus'),
        previousDir: path.join(outDir, 'data', 'prometheus'),
        offline: !!opts.offline,
        log,
      });
      warnings.push(...liveWarnings);
    }
    const analysis = analyze(runs, {
      studies: cfg.studies ?? [],
      windowS: cfg.windowS,
      failureRateThreshold: cfg.failureRateThreshold,
      inferStudies: cfg.inferStudies,
    } as Parameters<typeof analyze>[1]);
    took('analysis');
    // A config named with --config for INPUTs: its studies must fit the runs read.
    if (opts.inputs.length > 0) checkStudiesMatchRuns(loaded, runs, analysis);
    const model: Model = {
      schemaVersion: SCHEMA_VERSION,
      generator: generatorInfo(),
      runs,
      warnings,
      analysis,
    };
    const { renderSite } = await renderer;
    await renderSite(model, analysis, tmpDir, {
      title: opts.title ?? cfg.title ?? 'Load test report',
      description: cfg.description,
      timestamp: opts.timestamp ? new Date().toISOString() : undefined,
      siteUrl: opts.siteUrl,
      charts,
      continuous: { baseline: baseline !== null, history: !!opts.history || baseline !== null },
    } as Parameters<typeof renderSite>[3]);
    took('pages and charts');
    const continuous = await writeContinuous(tmpDir, model, analysis, {
      baseline,
      history: !!opts.history,
      regression: cfg.regression,
      siteUrl: opts.siteUrl,
      timestamp: opts.timestamp ? new Date().toISOString() : undefined,
      title: opts.title ?? cfg.title ?? 'Load test report',
      cwd,
      charts,
    });
    await fs.writeFile(path.join(tmpDir, '.nojekyll'), '');
    await writeSiteMarker(tmpDir, 'complete');
    const { files, bytes } = await folderSize(tmpDir);
    stopWatching();
    const swapNotes = await outputStep(outDir, () => swapIn(tmpDir, outDir));
    for (const message of swapNotes) warnings.push({ message });
    appendStepSummary(continuous.summary);
    return { outDir, files, bytes, model, analysis, warnings, notes, comparison: continuous.comparison };
  } catch (e) {
    stopWatching();
    await fs.rm(tmpDir, { recursive: true, force: true });
    // A full disk or a read-only mount while writing pages: one line naming the folder.
    if (isFileSystemError(e) && !(e instanceof UsageError)) throw new UsageError(`${outDir}: cannot write the site (${describeFsError(e, tmpDir)}); the previous site is unchanged`);
    throw e;
  }
}

function outDirOption(opts: BuildOptions, loaded: LoadedConfig): string {
  return opts.out ?? (loaded.config.out ? path.resolve(loaded.baseDir, loaded.config.out) : 'site');
}

/** A file-system error while preparing or swapping the output is the user's to fix: one line naming the folder. */
async function outputStep<T>(outDir: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!code || (e as Error).name === 'UsageError') throw e;
    throw new UsageError(`${outDir}: cannot write the site there (${(e as Error).message})`);
  }
}

export async function folderSize(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    files++;
    const parent = (e as unknown as { parentPath?: string; path?: string }).parentPath ?? (e as unknown as { path: string }).path;
    bytes += (await fs.stat(path.join(parent, e.name))).size;
  }
  return { files, bytes };
}
