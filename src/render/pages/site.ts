// What every page of the site shares: the site context (runs, studies, their slugs and
// colours), the page and chart records the renderer consumes, links and chart Markdown.
import type { TopLevelSpec } from 'vega-lite';
import type { Model, Run, Warning } from '../../model/types.js';
import type { Analysis, AnalysisWarning, RunAnalysis } from '../../analyze/types.js';
import { mdText, uniqueSlugs } from '../escape.js';
import { runColors, type RunColors } from '../colors.js';
import type { Links } from '../markdown-tables.js';
import { NARROW, WIDE, type ChartSize, type TimeAxis } from '../charts.js';
import type { PageTemplate } from '../templates.js';

export type Ext = 'md' | 'html';

export interface ChartJob {
  /** File name under charts/, e.g. `run-a-latency.svg`. */
  file: string;
  /** The chart's title, as drawn on it. */
  title: string;
  /** One line that says what the chart shows: its caption and, with the title, its text alternative. */
  alt: string;
  /** Drawn at the page's content width (charts/<file> and the wide pages). */
  spec: TopLevelSpec;
  /** The same chart drawn at a phone's width. */
  narrow: TopLevelSpec;
}

/** A chart drawn at both sizes by `draw`. */
export function chartJob(file: string, alt: string, draw: (size: ChartSize) => TopLevelSpec): ChartJob {
  const spec = draw(WIDE);
  const t = (spec as { title?: string | { text: string | string[] } }).title;
  const title = typeof t === 'string' ? t : Array.isArray(t?.text) ? t.text.join(' ') : (t?.text ?? '');
  return { file, title, alt, spec, narrow: draw(NARROW) };
}

export interface PageDraft {
  /** Path without extension, relative to the site: `index`, `runs/a`, `studies/b`. */
  path: string;
  title: string;
  template: PageTemplate;
  charts: ChartJob[];
  view(ext: Ext, root: string): object;
}

export interface SiteContext {
  model: Model;
  analysis: Analysis;
  title: string;
  description?: string;
  runSlugs: Map<string, string>;
  studySlugs: Map<string, string>;
  colors: RunColors;
  /** Pages of a build with --baseline / --history (src/continuous.ts writes them), for the index to link. */
  continuous?: { baseline: boolean; history: boolean };
}

export function siteContext(model: Model, analysis: Analysis, title: string, description?: string): SiteContext {
  return {
    model,
    analysis,
    title,
    description,
    runSlugs: uniqueSlugs(model.runs.map((r) => r.id)),
    studySlugs: uniqueSlugs(analysis.studies.map((s) => s.id)),
    colors: runColors(model.runs.map((r) => r.id)),
  };
}

export function makeLinks(ctx: SiteContext, ext: Ext, root: string): Links {
  return {
    run: (id) => `${root}runs/${ctx.runSlugs.get(id) ?? 'missing'}.${ext}`,
    study: (id) => `${root}studies/${ctx.studySlugs.get(id) ?? 'missing'}.${ext}`,
    chart: (file) => `${root}charts/${file}`,
  };
}

/** A chart in Markdown: an image link to its SVG file, alone in its paragraph. */
export function chartMarkdown(chart: ChartJob, links: Links): string {
  return `![${mdText(chart.alt)}](${links.chart(chart.file)})`;
}

export function modelWarningText(w: Warning): string {
  const where = w.file ? `${w.file}${w.line !== undefined ? `:${w.line}` : ''}${w.column !== undefined ? `:${w.column}` : ''}` : '';
  return where ? `\`${mdText(where).replace(/`/g, '')}\` ${mdText(w.message)}` : mdText(w.message);
}

export function analysisWarningText(w: AnalysisWarning, ctx: SiteContext): string {
  const who = w.runId ? `run ${w.runId}: ` : w.studyId ? `study ${w.studyId}: ` : '';
  void ctx;
  return mdText(who + w.message);
}

/** A run's name for the text of a page (its id when it has no name). */
export function runName(ctx: SiteContext, id: string): string {
  return ctx.model.runs.find((r) => r.id === id)?.name ?? id;
}

/** A run's time axis: seconds from its start to its end (or its Prometheus series' span when it has no timeline), with its phases. */
export function runTimeAxis(run: Run, ra: RunAnalysis | undefined, seriesRange: [number, number] | null): TimeAxis {
  const last = run.timeline.length > 0 ? (run.timeline[run.timeline.length - 1] as { t: number }).t + run.timelineIntervalS : 0;
  let end = Math.max(run.durationS ?? 0, last);
  let start = 0;
  if (end === 0 && seriesRange) {
    start = Math.min(0, seriesRange[0]);
    end = seriesRange[1];
  }
  if (end <= start) end = start + 1;
  return { domain: [start, end], phases: ra?.phases ?? [] };
}
