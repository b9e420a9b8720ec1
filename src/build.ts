// `ce-report build`: config → ingest → (live Prometheus) → analyze → render, written to
// a temporary folder that replaces the output folder only when everything succeeded.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { analyze, type Analysis } from './analyze/index.js';
import type { Config, LoadedConfig } from './config.js';

export type { BuildOptions };
import { checkStudiesMatchRuns, configFor } from './config-scope.js';
import { UsageError } from './ingest/errors.js';
import { defaultCacheDir } from './ingest/cache.js';
import { ingestFromOptions, runInputsFrom, type BuildOptions } from './ingest-runs.js';
import { cachedChartRenderer } from './chart-cache.js';
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
