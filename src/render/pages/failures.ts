// A failures study's page: per run, the error rate over time, what failed and why, the server's view.
import type { FailuresStudy } from '../../analyze/types.js';
import { mdText } from '../escape.js';
import { fmtCount, fmtNum, fmtRate, fmtSeconds } from '../format.js';
import { endpointFailuresTable, exceptionsTable, failureGroupsTable, failureLatencyTable, failuresOverviewTable, type Links, runAnalysisFor, serverStatusTable } from '../markdown-tables.js';
import { errorRateSpec, failuresPerSecondSpec, latencyVsFailureSpec, CLIENT_SERIES, SERVER_SERIES, type LatencyPointRow, type RateRow } from '../failure-charts.js';
import { chartMarkdown, type ChartJob, runName, runTimeAxis, type SiteContext } from './site.js';

/** A paragraph a reader can paste into a README: each run's three main sentences (how many failed, why, what the server saw). */
export function failuresSummary(study: FailuresStudy, ctx: SiteContext): string {
  return study.runs.map((r) => (study.runs.length > 1 ? `**${mdText(runName(ctx, r.runId))}**: ` : '') + r.conclusions.slice(0, 3).map(mdText).join(' ')).join(' ');
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
    charts.push({
      file: failuresChartFile(slug, ctx, run.id, 'error-rate'),
      alt: `Failed requests as % of requests per ${fmtSeconds(dt)}${r.server ? ", with the server's 5xx share (Prometheus)" : ''}, against the ${fmtNum(study.thresholdPct)}% threshold`,
      spec: errorRateSpec({ axis, rows: rateRows, thresholdPct: study.thresholdPct }),
    });
    const perSecond: RateRow[] = [
      ...r.timeline.map((p) => ({ t: p.t, series: CLIENT_SERIES, value: p.failures / dt }) as RateRow),
      ...server.filter((p) => p.errorsPerS !== null).map((p) => ({ t: p.t, series: SERVER_SERIES, value: p.errorsPerS }) as RateRow),
    ];
    charts.push({
      file: failuresChartFile(slug, ctx, run.id, 'failures-per-s'),
      alt: `Failures per second at the client${r.server ? ' and 5xx responses per second at the server' : ''}`,
      spec: failuresPerSecondSpec({ axis, rows: perSecond }),
    });
    const phaseAt = (t: number) => ra?.phases.find((ph) => t >= ph.startT && t < ph.endT)?.name ?? 'run';
    const points: LatencyPointRow[] = run.timeline
      .filter((p) => p.requests > 0 && p.latencyMs.p95 !== null)
      .map((p) => ({ failurePct: (p.failures / p.requests) * 100, p95: p.latencyMs.p95!, phase: phaseAt(p.t), t: p.t }));
    if (points.length >= 4 && r.latency.precision !== 'cumulative') {
      charts.push({
        file: failuresChartFile(slug, ctx, run.id, 'latency'),
        alt: `p95 latency against the failure rate, one point per interval`,
        spec: latencyVsFailureSpec({ rows: points, splitPct: r.latency.splitRate === null ? null : r.latency.splitRate * 100 }),
      });
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

export function failuresView(study: FailuresStudy, ctx: SiteContext, links: Links, charts: ChartJob[]) {
  const several = study.runs.length > 1;
  const studySlug = ctx.studySlugs.get(study.id) ?? 'x';
  return {
    isFailures: true,
    overviewTable: failuresOverviewTable(study, ctx.model, links),
    failureRuns: study.runs.map((r) => {
      const chart = (suffix: string) => {
        const c = charts.find((x) => x.file === failuresChartFile(studySlug, ctx, r.runId, suffix));
        return c ? chartMarkdown(c, links) : '';
      };
      const l = r.latency;
      return {
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
          ? `Estimated from the Prometheus series ${mdText(`"${r.server.series}"`)} (${r.server.basis === 'rate' ? 'rates' : 'a counter'}) from the run start to ${fmtNum(r.server.toT)} s. The server's 5xx share is ${fmtRate(r.server.errorRate5xx)}, the client's failure rate ${fmtRate(r.failureRate)}.`
          : '',
        latencyTable: failureLatencyTable(r, ctx.model) ?? '',
        latencyNote: l.note ? mdText(l.note) : l.precision === 'window' ? "Per-interval percentiles are the tool's own (recent-window) figures, averaged by requests: an approximation." : '',
      };
    }),
  };
}
