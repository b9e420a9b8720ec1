// The index page: what was run, each study's headline, the runs, warnings and data files.
import type { ExperimentStudy } from '../../analyze/types.js';
import { mdText } from '../escape.js';
import { fmtCount, toolName } from '../format.js';
import { runsTable, studiesTable, studyHeadline } from '../markdown-tables.js';
import { analysisWarningText, makeLinks, modelWarningText, type PageDraft, type SiteContext } from './site.js';

export function indexPage(ctx: SiteContext): PageDraft {
  const { model, analysis } = ctx;
  return {
    path: 'index',
    title: ctx.title,
    template: 'index',
    charts: [],
    view: (ext, root) => {
      const links = makeLinks(ctx, ext, root);
      return {
        title: ctx.title,
        description: ctx.description,
        summary: indexSummary(ctx),
        studies: analysis.studies.map((s) => ({
          title: s.title || s.id,
          href: links.study(s.id),
          headline: s.kind === 'experiment' ? (studyHeadline(s) as { md: string }).md : '',
          conclusions: s.conclusions,
        })),
        studiesTable: analysis.studies.length > 0 ? studiesTable(analysis.studies, links) : '',
        runsTable: runsTable(model, analysis, links),
        warnings: [...model.warnings.map(modelWarningText), ...analysis.warnings.map((w) => analysisWarningText(w, ctx))],
        reportHref: `${root}report.md`,
        analysisHref: `${root}data/analysis.json`,
        modelHref: `${root}data/model.json`,
        histogramsStripped: true,
      };
    },
  };
}

function indexSummary(ctx: SiteContext): string {
  const runs = ctx.model.runs;
  const tools = [...new Set(runs.map((r) => toolName(r.tool)))].sort();
  const requests = runs.reduce((n, r) => n + r.summary.requests, 0);
  const parts = [`${fmtCount(runs.length)} run${runs.length === 1 ? '' : 's'} (${mdText(tools.join(', '))}), ${fmtCount(requests)} requests in total`];
  const studies = ctx.analysis.studies.length;
  if (studies > 0) parts.push(`${fmtCount(studies)} stud${studies === 1 ? 'y' : 'ies'}`);
  const verdicts = ctx.analysis.studies.filter((s): s is ExperimentStudy => s.kind === 'experiment').map((s) => `${mdText(s.title || s.id)}: **${s.verdict}**`);
  return `${parts.join('; ')}.${verdicts.length > 0 ? ` Experiments: ${verdicts.join('; ')}.` : ''}`;
}
