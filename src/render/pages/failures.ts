// A failures study's page: per run, the error rate over time, what failed and why, the server's view.
import type { FailuresStudy } from '../../analyze/types.js';
import { mdText } from '../escape.js';
import { fmtCount, fmtNum, fmtRate, fmtSeconds } from '../format.js';
import { endpointFailuresTable, exceptionsTable, failureGroupsTable, failureLatencyTable, failuresOverviewTable, type Links, runAnalysisFor, serverStatusTable } from '../markdown-tables.js';
import { errorRateSpec, failuresPerSecondSpec, latencyVsFailureSpec, CLIENT_SERIES, SERVER_SERIES, type LatencyPointRow, type RateRow } from '../failure-charts.js';
import { chartJob, chartMarkdown, type ChartJob, runName, runTimeAxis, type SiteContext } from './site.js';

/** The few numbers that matter, per run: the failure rate against the threshold and the worst window. */
export function failuresHeadline(study: FailuresStudy, ctx: SiteContext): string {
  if (study.runs.length === 0) return 'No run with requests to count failures in.';
  return study.runs
    .map((r) => {
      const who = study.runs.length > 1 ? `${mdText(runName(ctx, r.runId))}: ` : '';
      const side = r.aboveThreshold ? 'above' : 'within';
      const worst = r.worstWindow ? `; worst window **${fmtRate(r.worstWindow.failureRate)}** at t=${fmtNum(r.worstWindow.startT)}–${fmtNum(r.worstWindow.endT)} s` : '';
      return `${who}failure rate **${fmtRate(r.failureRate)}** (${fmtCount(r.failures)} of ${fmtCount(r.requests)} requests), ${side} the ${fmtNum(study.thresholdPct)}% threshold${worst}.`;
    })
    .join(' ');
}

/** The file of one of a failures study's per-run charts. */
function failuresChartFile(studySlug: string, ctx: SiteContext, runId: string, suffix: string): string {
  return `study-${studySlug}-${ctx.runSlugs.get(runId) ?? 'x'}-${suffix}.svg`;
}

/** Per run of a failures study: error rate and failures per second over time, and p95 against the failure rate. */
export function failuresCharts(study: FailuresStudy, ctx: SiteContext, slug: string): ChartJob[] {
  const charts: ChartJob[] = [];
  for (const r of study.runs) {
    const run = ctx.model.runs.find((x) => x.id === r.runId);
    if (!run || r.timeline.length === 0) continue;
    const ra = runAnalysisFor(ctx.analysis, run.id);
    const axis = runTimeAxis(run, ra, null);
    const dt = r.intervalS > 0 ? r.intervalS : 1;
    const server = r.server?.timeline ?? [];
    const rateRows: RateRow[] = [
      ...r.timeline.filter((p) => p.failureRate !== null).map((p) => ({ t: p.t, series: CLIENT_SERIES, value: p.failureRate! * 100 }) as RateRow),
      ...server.filter((p) => p.totalPerS !== null && p.totalPerS > 0 && p.errorsPerS !== null).map((p) => ({ t: p.t, series: SERVER_SERIES, value: (p.errorsPerS! / p.totalPerS!) * 100 }) as RateRow),
    ];
    charts.push(chartJob(failuresChartFile(slug, ctx, run.id, 'error-rate'), `Failed requests as % of requests per ${fmtSeconds(dt)}${r.server ? ", with the server's 5xx share (Prometheus)" : ''}, against the ${fmtNum(study.thresholdPct)}% threshold`, (size) =>
      errorRateSpec({ axis, rows: rateRows, thresholdPct: study.thresholdPct, size })));
    const perSecond: RateRow[] = [
      ...r.timeline.map((p) => ({ t: p.t, series: CLIENT_SERIES, value: p.failures / dt }) as RateRow),
      ...server.filter((p) => p.errorsPerS !== null).map((p) => ({ t: p.t, series: SERVER_SERIES, value: p.errorsPerS }) as RateRow),
    ];
    charts.push(chartJob(failuresChartFile(slug, ctx, run.id, 'failures-per-s'), `Failures per second at the client${r.server ? ' and 5xx responses per second at the server' : ''}`, (size) =>
      failuresPerSecondSpec({ axis, rows: perSecond, size })));
    const phaseAt = (t: number) => ra?.phases.find((ph) => t >= ph.startT && t < ph.endT)?.name ?? 'run';
    const points: LatencyPointRow[] = run.timeline
      .filter((p) => p.requests > 0 && p.latencyMs.p95 !== null)
      .map((p) => ({ failurePct: (p.failures / p.requests) * 100, p95: p.latencyMs.p95!, phase: phaseAt(p.t), t: p.t }));
    if (points.length >= 4 && r.latency.precision !== 'cumulative') {
      charts.push(chartJob(failuresChartFile(slug, ctx, run.id, 'latency'), `p95 latency against the failure rate, one point per interval`, (size) =>
        latencyVsFailureSpec({ rows: points, splitPct: r.latency.splitRate === null ? null : r.latency.splitRate * 100, size })));
    }
  }
  return charts;
}

/** The `ce-report embed` block of a failures study's failures tables. */
export function failuresEmbedBlocks(study: FailuresStudy, ctx: SiteContext, links: Links): Array<[string, string]> {
  const several = study.runs.length > 1;
  const parts = study.runs
    .filter((r) => r.failureGroups.length > 0)
    .map((r) => (several ? `**${mdText(runName(ctx, r.runId))}** ([run](${links.run(r.runId)}))\n\n` : '') + failureGroupsTable(r));
  return parts.length > 0 ? [['failures', parts.join('\n')]] : [];
}

/** `main`: the chart already shown at the top of the page, left out below. */
export function failuresView(study: FailuresStudy, ctx: SiteContext, links: Links, charts: ChartJob[], main: ChartJob | undefined) {
  const several = study.runs.length > 1;
  const studySlug = ctx.studySlugs.get(study.id) ?? 'x';
  return {
    isFailures: true,
    overviewTable: failuresOverviewTable(study, ctx.model, links),
    failureRuns: study.runs.map((r) => {
      const chart = (suffix: string) => {
        const c = charts.find((x) => x.file === failuresChartFile(studySlug, ctx, r.runId, suffix));
        return c && c !== main ? chartMarkdown(c, links) : '';
      };
      const l = r.latency;
      const view = {
        heading: several ? `${mdText(runName(ctx, r.runId))}: ` : '',
        errorRateChart: chart('error-rate'),
        perSecondChart: chart('failures-per-s'),
        latencyChart: chart('latency'),
        timelineNote:
          r.timelineRequests === 0 && r.requests > 0
            ? 'The tool keeps no timeline (only whole-run totals), so there are no charts over time.'
            : r.timelineRequests < r.requests
            ? `The timeline holds ${fmtCount(r.timelineRequests)} of the ${fmtCount(r.requests)} requests (${fmtCount(r.timelineFailures)} of ${fmtCount(r.failures)} failures): the tool's history stops early, so the charts cover that part.`
            : '',
        failuresTable: r.failureGroups.length > 0 ? failureGroupsTable(r) : '',
        exceptionsTable: r.exceptions.length > 0 ? exceptionsTable(r) : '',
        endpointsTable: r.endpoints.length > 0 ? endpointFailuresTable(r) : '',
        serverTable: serverStatusTable(r) ?? '',
        serverText: r.server
          ? `Estimated from the Prometheus series ${mdText(`"${r.server.series}"`)} (${r.server.basis === 'rate' ? 'rates' : 'a counter'}) from the run start to ${fmtNum(r.server.toT)} s.`
          : '',
        latencyTable: failureLatencyTable(r, ctx.model) ?? '',
        latencyNote: l.note ? mdText(l.note) : l.precision === 'window' ? "Per-interval percentiles are the tool's own (recent-window) figures, averaged by requests: an approximation." : '',
      };
      return { ...view, hasNotes: !!(view.timelineNote || view.serverText || view.latencyNote) };
    }),
  };
}
