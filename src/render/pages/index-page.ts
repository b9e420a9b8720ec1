// The index page: what was run, each study's headline and main chart, the runs, warnings and data files.
import { mdText } from '../escape.js';
import { fmtCount, toolName } from '../format.js';
import { runsTable } from '../markdown-tables.js';
import { analysisWarningText, chartMarkdown, type ChartJob, makeLinks, modelWarningText, type PageDraft, type SiteContext } from './site.js';
import { studyHeadline, studyMainChart } from './study.js';

/** `studyPages`: the drafts of the analysis' studies, in its order. */
export function indexPage(ctx: SiteContext, studyPages: PageDraft[]): PageDraft {
  const { model, analysis } = ctx;
  const mainCharts = studyPages.map(studyMainChart);
  return {
    path: 'index',
    title: ctx.title,
    template: 'index',
    charts: mainCharts.filter((c): c is ChartJob => c !== undefined),
    view: (ext, root) => {
      const links = makeLinks(ctx, ext, root);
      const warnings = [...model.warnings.map(modelWarningText), ...analysis.warnings.map((w) => analysisWarningText(w, ctx))];
      return {
        title: ctx.title,
        description: ctx.description,
        summary: indexSummary(ctx),
        studies: analysis.studies.map((s, i) => ({
          title: s.title || s.id,
          href: links.study(s.id),
          headline: studyHeadline(s, ctx),
          chart: mainCharts[i] ? chartMarkdown(mainCharts[i], links) : '',
        })),
        runsTable: runsTable(model, analysis, links),
        warnings,
        warningsSummary: `${fmtCount(warnings.length)} warning${warnings.length === 1 ? '' : 's'} from reading and analysing the runs`,
        reportHref: `${root}report.md`,
        analysisHref: `${root}data/analysis.json`,
        modelHref: `${root}data/model.json`,
        // Written by a build (src/continuous.ts), not by renderSite alone: linked only when the build says so.
        figuresHref: ctx.continuous ? `${root}data/figures.json` : '',
        baselineHref: ctx.continuous?.baseline ? `${root}baseline.${ext}` : '',
        historyHref: ctx.continuous?.history ? `${root}history.${ext}` : '',
        histogramsStripped: true,
      };
    },
  };
}

/** What was run: runs, tools, requests, studies. */
export function indexSummary(ctx: SiteContext): string {
  const runs = ctx.model.runs;
  const tools = [...new Set(runs.map((r) => toolName(r.tool)))].sort();
  const requests = runs.reduce((n, r) => n + r.summary.requests, 0);
  const parts = [`${fmtCount(runs.length)} run${runs.length === 1 ? '' : 's'} (${mdText(tools.join(', '))}), ${fmtCount(requests)} requests in total`];
  const studies = ctx.analysis.studies.length;
  if (studies > 0) parts.push(`${fmtCount(studies)} stud${studies === 1 ? 'y' : 'ies'}`);
  return `${parts.join('; ')}.`;
}
