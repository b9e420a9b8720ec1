// Stage 4: the static site and Markdown tables.
//
// Every page is written twice: as Markdown (`.md`, charts linked as SVG files) and as
// HTML (the same Markdown through remark, charts inlined as SVG). Links are relative,
// nothing is fetched from another host and no JavaScript is needed, so the site works
// offline and from any sub-path (GitHub Pages project sites). Output is deterministic:
// the same model gives byte-identical files unless options.timestamp is set.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Model } from '../model/types.js';
import type { Analysis } from '../analyze/index.js';
import { labelledSvg, standaloneSvg } from './charts.js';
import { startChartRenderer, type ChartRenderer } from './chart-pool.js';
import { inlineCharts, markdownToHtmlBody } from './markdown-html.js';
import { indexPage, makeLinks, runPage, siteContext, studyPage, chartMarkdown, type PageDraft, type SiteContext, studyMainTables, studyEmbedBlocks } from './pages.js';
import { readStyleSheet, renderLayout, renderMarkdown } from './templates.js';
import { reportMarkdown } from './report.js';
import { siteUrlBase } from './site-url.js';
import { endpointsTable, runsTable } from './markdown-tables.js';
import { mdText } from './escape.js';

export interface RenderOptions {
  /** Site title; shown as text (escaped). */
  title: string;
  /** From the user's own config, not an artifact: rendered as Markdown (HTML still sanitized). */
  description?: string;
  /**
   * Where the site is published (https://…): report.md then links its studies, runs and
   * charts there. Without it, report.md has no links to the site (they would break in a
   * pull-request comment).
   */
  siteUrl?: string;
  /** ISO time written into the page footers; off by default so builds are byte-identical. */
  timestamp?: string;
  /**
   * Keep the HDR `histogram` strings in data/model.json. Off by default: they are
   * bulky, and the site's readers want numbers; `ce-report ingest` gives the full model.
   */
  includeHistograms?: boolean;
  /**
   * Draws the charts. A build passes the one it started before reading the inputs (so
   * the workers load vega meanwhile) and closes it; by default one is started here and
   * closed at the end.
   */
  charts?: ChartRenderer;
  /** Which pages of continuous experimentation the build adds (baseline.html, history.html): the index links them. */
  continuous?: { baseline: boolean; history: boolean };
}

export interface RenderResult {
  /** Files written, relative to the output folder, sorted. */
  files: string[];
}

export async function renderSite(model: Model, analysis: Analysis, outDir: string, options: RenderOptions): Promise<RenderResult> {
  const renderer = options.charts ?? startChartRenderer();
  try {
    return await renderSiteWith(renderer, model, analysis, outDir, options);
  } finally {
    if (!options.charts) await renderer.close();
  }
}

async function renderSiteWith(renderer: ChartRenderer, model: Model, analysis: Analysis, outDir: string, options: RenderOptions): Promise<RenderResult> {
  const ctx = { ...siteContext(model, analysis, options.title, options.description), continuous: options.continuous };
  const studyPages = analysis.studies.map((s) => studyPage(s, ctx));
  const pages: PageDraft[] = [indexPage(ctx, studyPages), ...studyPages, ...model.runs.map((r) => runPage(r, ctx))];
  const out = new Map<string, string>();
  const generator = `${model.generator.name} ${model.generator.version}`;

  // Every chart is queued first; the pages' Markdown and HTML are made while they are drawn.
  const svgOf = new Map<string, { wide: Promise<string>; narrow: Promise<string> }>();
  for (const page of pages) {
    for (const c of page.charts) {
      // The index shows each study's main chart again: drawn once.
      if (svgOf.has(c.file)) continue;
      const id = c.file.replace(/\.svg$/, '');
      const wide = renderer.render(c.spec, id);
      const narrow = renderer.render(c.narrow, `${id}-narrow`);
      // Awaited below; until then a failure must not count as an unhandled rejection.
      wide.catch(() => undefined);
      narrow.catch(() => undefined);
      svgOf.set(c.file, { wide, narrow });
    }
  }

  const bodies: string[] = [];
  for (const page of pages) {
    const root = '../'.repeat(page.path.split('/').length - 1);
    out.set(`${page.path}.md`, renderMarkdown(page.template, page.view('md', root)));
    bodies.push(markdownToHtmlBody(renderMarkdown(page.template, page.view('html', root))));
    // Lets the chart workers' answers in, so they are handed their next charts.
    await new Promise((resolve) => setImmediate(resolve));
  }
  out.set('report.md', reportMarkdown(ctx, studyPages, options.siteUrl === undefined ? undefined : siteUrlBase(options.siteUrl)));
  for (const [name, text] of embedFiles(ctx, studyPages)) out.set(`embed/${name}.md`, text);
  out.set('assets/style.css', readStyleSheet());
  out.set('data/analysis.json', JSON.stringify(analysis, null, 2) + '\n');
  out.set('data/model.json', JSON.stringify(siteModel(model, !!options.includeHistograms), null, 2) + '\n');
  out.set('.nojekyll', '');
  // Nothing is left to do here but wait for charts: draw some of them on this thread too.
  await renderer.assist?.();

  for (const [i, page] of pages.entries()) {
    const root = '../'.repeat(page.path.split('/').length - 1);
    const links = makeLinks(ctx, 'html', root);
    const inline = [];
    for (const c of page.charts) {
      const drawn = svgOf.get(c.file)!;
      const id = c.file.replace(/\.svg$/, '');
      const svg = labelledSvg(await drawn.wide, id, c.title, c.alt);
      out.set(`charts/${c.file}`, standaloneSvg(svg));
      inline.push({ src: links.chart(c.file), svg, narrow: labelledSvg(await drawn.narrow, `${id}-narrow`, c.title, c.alt) });
    }
    out.set(
      `${page.path}.html`,
      renderLayout({
        pageTitle: page.path === 'index' ? options.title : `${page.title} · ${options.title}`,
        siteTitle: options.title,
        root,
        body: inlineCharts(bodies[i] as string, inline),
        markdownHref: `${path.posix.basename(page.path)}.md`,
        generator,
        timestamp: options.timestamp,
      }),
    );
  }

  const files = [...out.keys()].sort();
  for (const rel of files) {
    const target = path.join(outDir, ...rel.split('/'));
    // Page paths come from slugs, but never trust a path to stay inside outDir.
    if (!target.startsWith(path.resolve(outDir) + path.sep)) throw new Error(`internal: refusing to write outside the site folder: ${rel}`);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, out.get(rel) as string);
  }
  return { files };
}

/**
 * The blocks `ce-report embed` can put into a README, with links relative to the site
 * root (loadEmbeds adds the caller's prefix): `runs`, `run-<id>`, `study-<id>`,
 * `study-<id>-chart`, and `study-<id>-failures` for a failures study. `studyPages`: the
 * drafts of the analysis' studies, in its order (their first chart is the study's chart).
 */
function embedFiles(ctx: SiteContext, studyPages: PageDraft[]): Array<[string, string]> {
  const links = makeLinks(ctx, 'html', '');
  const files: Array<[string, string]> = [['runs', runsTable(ctx.model, ctx.analysis, links)]];
  for (const run of ctx.model.runs) files.push([`run-${ctx.runSlugs.get(run.id)}`, endpointsTable(run)]);
  for (const [i, study] of ctx.analysis.studies.entries()) {
    const slug = ctx.studySlugs.get(study.id) as string;
    const conclusions = study.conclusions.map((c) => `- ${mdText(c)}`).join('\n');
    files.push([`study-${slug}`, studyMainTables(study, ctx, links) + (conclusions ? `\n${conclusions}\n` : '')]);
    const main = studyPages[i]!.charts[0];
    if (main) files.push([`study-${slug}-chart`, chartMarkdown(main, links) + '\n']);
    for (const [suffix, text] of studyEmbedBlocks(study, ctx, links)) files.push([`study-${slug}-${suffix}`, text]);
  }
  return files;
}

/** The model as published in data/model.json. */
export function siteModel(model: Model, includeHistograms: boolean): Omit<Model, 'analysis'> {
  const { analysis: _analysis, ...rest } = model;
  void _analysis;
  if (includeHistograms) return rest;
  return {
    ...rest,
    runs: model.runs.map((r) => ({
      ...r,
      summary: withoutHistogram(r.summary),
      endpoints: r.endpoints.map(withoutHistogram),
      timeline: r.timeline.map(withoutHistogram),
    })),
  };
}

function withoutHistogram<T extends { histogram?: string }>(x: T): T {
  if (x.histogram === undefined) return x;
  const { histogram: _h, ...rest } = x;
  void _h;
  return rest as T;
}
