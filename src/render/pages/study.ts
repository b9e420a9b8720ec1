// A study's page, whatever its kind: the parts every kind shares, and each kind's charts,
// summary, tables and view from its own module.
import type { Study } from '../../analyze/types.js';
import { mdText } from '../escape.js';
import { fmtCount } from '../format.js';
import { experimentTable, failuresOverviewTable, type Links, peakVsSustainedTable, scalingPointsTable, scalingStepsTable } from '../markdown-tables.js';
import { experimentCharts, experimentSummary, experimentView } from './experiment.js';
import { failuresCharts, failuresEmbedBlocks, failuresSummary, failuresView } from './failures.js';
import { peakView, peakVsSustainedCharts } from './peak-vs-sustained.js';
import { scalingCharts, scalingView } from './scaling.js';
import { chartMarkdown, type ChartJob, makeLinks, type PageDraft, runName, type SiteContext } from './site.js';

/** A paragraph a reader can paste into a README: the result with its numbers. */
export function studySummary(study: Study, ctx: SiteContext): string {
  if (study.kind === 'experiment') return experimentSummary(study, ctx);
  if (study.kind === 'failures' && study.runs.length > 0) return failuresSummary(study, ctx);
  const sentences = study.conclusions.slice(0, 3).map(mdText);
  if (sentences.length > 0) return sentences.join(' ');
  return `${fmtCount(study.runIds.length)} runs compared; no conclusion could be drawn.`;
}

export function studyCharts(study: Study, ctx: SiteContext): ChartJob[] {
  const slug = ctx.studySlugs.get(study.id) ?? 'x';
  const runScale = { domain: ctx.colors.ids, range: ctx.colors.ids.map(ctx.colors.colorOf) };
  if (study.kind === 'experiment') return experimentCharts(study, ctx, slug, runScale);
  if (study.kind === 'scaling') return scalingCharts(study, ctx, slug, runScale);
  if (study.kind === 'peak-vs-sustained') return peakVsSustainedCharts(study, slug);
  return failuresCharts(study, ctx, slug);
}

export function studyMainTables(study: Study, ctx: SiteContext, links: Links): string {
  if (study.kind === 'experiment') return experimentTable(study, ctx.model, links);
  if (study.kind === 'scaling') return scalingPointsTable(study, ctx.model, links) + (study.steps.length > 0 ? '\n' + scalingStepsTable(study) : '');
  if (study.kind === 'failures') return failuresOverviewTable(study, ctx.model, links);
  return peakVsSustainedTable(study, ctx.model, links);
}

export function studyPage(study: Study, ctx: SiteContext): PageDraft {
  const charts = studyCharts(study, ctx);
  return {
    path: `studies/${ctx.studySlugs.get(study.id)}`,
    title: study.title || study.id,
    template: 'study',
    charts,
    view: (ext, root) => {
      const links = makeLinks(ctx, ext, root);
      const chartMd = charts.map((c) => chartMarkdown(c, links));
      const common = {
        title: study.title || study.id,
        siteTitle: ctx.title,
        homeHref: `${root}index.${ext}`,
        summary: studySummary(study, ctx),
        conclusions: study.conclusions,
        definitions: study.definitions,
        runs: study.runIds.map((id) => ({ name: runName(ctx, id), href: links.run(id) })),
      };
      if (study.kind === 'experiment') return { ...common, ...experimentView(study, ctx, links, chartMd, charts) };
      if (study.kind === 'scaling') return { ...common, ...scalingView(study, ctx, links, chartMd) };
      if (study.kind === 'failures') return { ...common, ...failuresView(study, ctx, links, charts) };
      return { ...common, ...peakView(study, ctx, links, chartMd) };
    },
  };
}

/** Extra `ce-report embed` blocks of a study, by name suffix: a failures study's failures tables. */
export function studyEmbedBlocks(study: Study, ctx: SiteContext, links: Links): Array<[string, string]> {
  return study.kind === 'failures' ? failuresEmbedBlocks(study, ctx, links) : [];
}
