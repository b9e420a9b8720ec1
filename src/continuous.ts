// Continuous experimentation (issue 22): what a build adds to its site for later builds
// (data/figures.json, always), the comparison with --baseline (baseline.md for a pull
// request or step summary, baseline.html, data/comparison.json), and the history of
// builds (data/history.json, history.md/.html) with --baseline or --history.
import { appendFileSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Analysis } from './analyze/types.js';
import { compareBuilds } from './baseline/compare.js';
import { figuresFile } from './baseline/figures.js';
import { isUrl, type LoadedBaseline } from './baseline/load.js';
import { comparisonSections, pullRequestMarkdown, sourceText } from './baseline/markdown.js';
import { FIGURES_FILE, type Comparison, type RegressionThresholds } from './baseline/types.js';
import { appendBuild, historyFile, previousBuilds, thisBuild } from './history/history.js';
import { buildIdentity } from './history/identity.js';
import { historyMarkdown } from './history/page.js';
import type { HistoryFile } from './history/types.js';
import { UsageError } from './ingest/errors.js';
import type { Model } from './model/types.js';
import { uniqueSlugs } from './render/escape.js';
import { markdownToHtmlBody } from './render/markdown-html.js';
import { siteUrlBase } from './render/site-url.js';
import { renderLayout } from './render/templates.js';
import { labelledSvg, standaloneSvg } from './render/charts.js';
import type { ChartRenderer } from './render/chart-pool.js';
import { inlineCharts } from './render/markdown-html.js';
import { CHART_METRICS, historySpec, NARROW, WIDE } from './history/charts.js';
import type { HistoryChart } from './history/page.js';

export interface ContinuousOptions {
  baseline: LoadedBaseline | null;
  history: boolean;
  regression?: RegressionThresholds;
  siteUrl?: string;
  /** The build time, only with --timestamp. */
  timestamp?: string;
  title: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Draws the history charts; without one the history page has tables only. */
  charts?: ChartRenderer;
}

export interface ContinuousResult {
  comparison: Comparison | null;
  history: HistoryFile | null;
  /** baseline.md's text, for $GITHUB_STEP_SUMMARY. */
  summary: string | null;
}

type Inline = Parameters<typeof inlineCharts>[1];

function page(title: string, siteTitle: string, markdown: string, mdFile: string, generator: string, timestamp: string | undefined, inline: Inline = []): string {
  // A regression wears the failing verdict's badge (our own bold text, never an artifact's: names are escaped).
  const body = markdownToHtmlBody(markdown).replace(/<strong>REGRESSION<\/strong>/g, '<strong class="badge badge-fail">REGRESSION</strong>');
  return renderLayout({ pageTitle: `${title} · ${siteTitle}`, siteTitle, root: '', body: inlineCharts(body, inline), markdownHref: mdFile, generator, timestamp });
}

/** Each metric's chart over the builds, drawn wide and narrow; the .svg files written under charts/. */
async function historyCharts(dir: string, h: HistoryFile, renderer: ChartRenderer): Promise<{ charts: HistoryChart[]; inline: Inline }> {
  const charts: HistoryChart[] = [];
  const inline: Inline = [];
  for (const m of CHART_METRICS) {
    const wide = historySpec(h, m.metric, WIDE);
    const narrow = historySpec(h, m.metric, NARROW);
    if (!wide || !narrow) continue;
    const id = `history-${m.metric.toLowerCase()}`;
    const alt = `${m.title}: one line per run, a triangle where a shift starts`;
    const svg = labelledSvg(await renderer.render(wide, id), id, m.title, alt);
    const small = labelledSvg(await renderer.render(narrow, `${id}-narrow`), `${id}-narrow`, m.title, alt);
    await write(dir, `charts/${id}.svg`, standaloneSvg(svg));
    charts.push({ file: `${id}.svg`, alt });
    inline.push({ src: `charts/${id}.svg`, svg, narrow: small });
  }
  return { charts, inline };
}

async function write(dir: string, rel: string, text: string): Promise<void> {
  const target = path.join(dir, ...rel.split('/'));
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.writeFile(target, text);
}

/** The time a history entry carries: the build time with --timestamp, else the latest run start. */
function entryTime(model: Model, timestamp: string | undefined): { iso: string | null; basis: 'build' | 'runs' | 'none' } {
  if (timestamp) return { iso: timestamp, basis: 'build' };
  const starts = model.runs.map((r) => r.start).filter((s): s is string => typeof s === 'string').sort();
  return starts.length > 0 ? { iso: starts[starts.length - 1]!, basis: 'runs' } : { iso: null, basis: 'none' };
}

export async function writeContinuous(dir: string, model: Model, analysis: Analysis, o: ContinuousOptions): Promise<ContinuousResult> {
  const figures = figuresFile(model.runs, analysis);
  await write(dir, FIGURES_FILE, JSON.stringify(figures) + '\n');
  const slugs = uniqueSlugs(model.runs.map((r) => r.id));
  const runLink = (ext: 'md' | 'html') => (id: string) => `runs/${slugs.get(id) ?? 'missing'}.${ext}`;
  const generator = `${model.generator.name} ${model.generator.version}`;
  const siteUrl = o.siteUrl === undefined ? undefined : siteUrlBase(o.siteUrl);
  let comparison: Comparison | null = null;
  let summary: string | null = null;
  if (o.baseline) {
    const source = isUrl(o.baseline.source) ? o.baseline.source : path.basename(path.resolve(o.cwd, o.baseline.source));
    comparison = compareBuilds(o.baseline.figures, figures, source, o.regression);
    const shown = sourceText(source, isUrl(o.baseline.source));
    summary = pullRequestMarkdown(comparisonSections(comparison, runLink('md'), shown), siteUrl);
    await write(dir, 'baseline.md', summary);
    await write(dir, 'baseline.html', page('Against the baseline', o.title, comparisonSections(comparison, runLink('html'), shown).join(''), 'baseline.md', generator, o.timestamp));
    await write(dir, 'data/comparison.json', JSON.stringify(comparison, null, 2) + '\n');
  }
  let history: HistoryFile | null = null;
  if (o.history || o.baseline) {
    const previous = previousBuilds(o.baseline?.history ?? null);
    if ('problem' in previous) throw new UsageError(`--baseline ${o.baseline!.source}: data/history.json: ${previous.problem}`);
    const entry = thisBuild(figures, buildIdentity(o.cwd, o.env), entryTime(model, o.timestamp), previous.builds.length);
    history = historyFile(appendBuild(previous.builds, entry));
    await write(dir, 'data/history.json', JSON.stringify(history, null, 1) + '\n');
    const inSite = new Set(model.runs.map((r) => r.id));
    const drawn = o.charts ? await historyCharts(dir, history, o.charts) : { charts: [], inline: [] };
    const md = historyMarkdown(history, (id) => (inSite.has(id) ? runLink('md')(id) : null), drawn.charts);
    await write(dir, 'history.md', md);
    await write(dir, 'history.html', page('Build history', o.title, historyMarkdown(history, (id) => (inSite.has(id) ? runLink('html')(id) : null), drawn.charts), 'history.md', generator, o.timestamp, drawn.inline));
  }
  return { comparison, history, summary };
}

/** Appends the comparison to GitHub's step summary when the variable names a file. */
export function appendStepSummary(summary: string | null, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!summary || !file) return;
  try {
    appendFileSync(file, (summary.endsWith('\n') ? summary : summary + '\n') + '\n');
  } catch (e) {
    throw new UsageError(`GITHUB_STEP_SUMMARY ${file}: cannot append the comparison (${(e as Error).message})`);
  }
}
