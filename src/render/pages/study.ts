// A study's page, whatever its kind: the parts every kind shares, and each kind's charts,
// summary, tables and view from its own module.
import type { Study } from '../../analyze/types.js';
import { experimentTable, failuresOverviewTable, type Links, peakVsSustainedTable, scalingPointsTable, scalingStepsTable } from '../markdown-tables.js';
import { experimentCharts, experimentHeadline, experimentView } from './experiment.js';
import { failuresCharts, failuresEmbedBlocks, failuresHeadline, failuresView } from './failures.js';
import { peakView, peakVsSustainedCharts, peakVsSustainedHeadline } from './peak-vs-sustained.js';
import { scalingCharts, scalingHeadline, scalingView } from './scaling.js';
import { chartMarkdown, type ChartJob, makeLinks, type PageDraft, runName, type SiteContext } from './site.js';

/** The few numbers that matter, first on the study's page and under its heading on the index. */
export function studyHeadline(study: Study, ctx: SiteContext): string {
  if (study.kind === 'experiment') return experimentHeadline(study);
  if (study.kind === 'scaling') return scalingHeadline(study);
  if (study.kind === 'failures') return failuresHeadline(study, ctx);
  return peakVsSustainedHeadline(study);
}

/** The chart that shows a study's headline: the first of its charts. */
export function studyMainChart(draft: PageDraft): ChartJob | undefined {
  return draft.charts[0];
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
      // The main chart opens the page under the headline; the others follow in their sections.
      const main = charts[0];
      const rest = charts.slice(1);
      const restMd = rest.map((c) => chartMarkdown(c, links));
      const common = {
        title: study.title || study.id,
        siteTitle: ctx.title,
        homeHref: `${root}index.${ext}`,
        headline: studyHeadline(study, ctx),
        mainChart: main ? chartMarkdown(main, links) : '',
        conclusions: study.conclusions,
        definitions: study.definitions,
        runs: study.runIds.map((id) => ({ name: runName(ctx, id), href: links.run(id) })),
      };
      if (study.kind === 'experiment') return { ...common, ...experimentView(study, ctx, links, restMd, rest) };
      if (study.kind === 'scaling') return { ...common, ...scalingView(study, ctx, links, restMd) };
      if (study.kind === 'failures') return { ...common, ...failuresView(study, ctx, links, charts, main) };
      return { ...common, ...peakView(study, ctx, links, restMd) };
    },
  };
}

/** Extra `ce-report embed` blocks of a study, by name suffix: a failures study's failures tables. */
export function studyEmbedBlocks(study: Study, ctx: SiteContext, links: Links): Array<[string, string]> {
  return study.kind === 'failures' ? failuresEmbedBlocks(study, ctx, links) : [];
}
