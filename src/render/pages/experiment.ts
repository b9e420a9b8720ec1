// An experiment's page: the verdict, its confidence-interval chart and both runs' percentiles over time.
import type { Run } from '../../model/types.js';
import type { ExperimentStudy } from '../../analyze/types.js';
import { mdText } from '../escape.js';
import { fmtCount, fmtNum, fmtPct, fmtSeconds } from '../format.js';
import { criterionText, experimentTable, type Links, metricValue, runAnalysisFor } from '../markdown-tables.js';
import { ciSpec, type RunColorScale } from '../charts.js';
import { percentileOverTimeSpec, SOURCE_CLIENT, SOURCE_SERVER, type PercentileRow, type RunPhaseBand } from '../study-charts.js';
import { runStartS, serverQuantileSeries } from '../../analyze/server-latency.js';
import { chartJob, type ChartJob, runName, type SiteContext } from './site.js';
import { serverMetricChart } from '../server-metric-chart.js';

/** The few numbers that matter, first on the page: the verdict, the change with its interval, the criterion. */
export function experimentHeadline(study: ExperimentStudy): string {
  const values = `${metricValue(study.metric, study.baselineValue, study.unit)} → ${metricValue(study.metric, study.candidateValue, study.unit)}`;
  const ci = study.ci ? `; ${fmtNum(study.confidence * 100)}% CI ${fmtPct(study.ci[0])} … ${fmtPct(study.ci[1])}` : '';
  return `**${study.verdict}** ${mdText(study.metric)} ${values} (**${fmtPct(study.changePct)}**${ci}); required: ${mdText(criterionText(study))}.`;
}

/** The change with its confidence interval against the criterion, then the runs' percentiles over time. */
export function experimentCharts(study: ExperimentStudy, ctx: SiteContext, slug: string, runScale: RunColorScale): ChartJob[] {
  const charts: ChartJob[] = [];
  const { ci, changePct } = study;
  if (ci && changePct !== null) {
    const threshold = study.criterion.direction === 'decrease' ? -study.criterion.minChangePct : study.criterion.minChangePct;
    charts.push(chartJob(`study-${slug}-ci.svg`, `Change of ${study.metric} with its ${fmtNum(study.confidence * 100)}% confidence interval against the required ${fmtPct(threshold)}`, (size) =>
      ciSpec({ title: `${study.metric}: change and confidence interval`, metric: study.metric, changePct, ci, thresholdPct: threshold, color: ctx.colors.colorOf(study.candidate), size })));
  }
  // A server-side metric: the judged series itself, before the percentiles.
  const judged = serverMetricChart(study, ctx.model.runs, (id) => ctx.colors.colorOf(id), slug);
  if (judged) charts.push(judged);
  charts.push(...experimentTimelineCharts(study, ctx, slug, runScale));
  return charts;
}

const OVER_TIME_PERCENTILES = ['p50', 'p90', 'p95'] as const;

/** The experiment's runs on one time axis: one chart per percentile, client lines and, where present, server (Prometheus) ones. */
function experimentTimelineCharts(study: ExperimentStudy, ctx: SiteContext, slug: string, runScale: RunColorScale): ChartJob[] {
  // A split experiment's variants share one run: draw it once.
  const runs = [...new Set([study.baseline, study.candidate])].map((id) => ctx.model.runs.find((r) => r.id === id)).filter((r): r is Run => r !== undefined);
  if (runs.length === 0) return [];
  const server = new Map(runs.map((r) => [r.id, serverQuantileSeries(r)]));
  let end = 0;
  for (const r of runs) end = Math.max(end, r.durationS ?? 0, r.timeline.length > 0 ? Math.max(...r.timeline.map((p) => p.t)) + r.timelineIntervalS : 0);
  if (end <= 0) return [];
  const bands: RunPhaseBand[] = runs.flatMap((r) =>
    (runAnalysisFor(ctx.analysis, r.id)?.phases ?? []).filter((ph) => ph.name !== 'steady').map((ph) => ({ runId: r.id, phase: ph.name, startT: ph.startT, endT: ph.endT })),
  );
  const charts: ChartJob[] = [];
  for (const k of OVER_TIME_PERCENTILES) {
    const rows: PercentileRow[] = [];
    for (const r of runs) {
      if (r.timelineLatency !== 'none') for (const p of r.timeline) if (p.requests > 0) rows.push({ t: p.t, runId: r.id, source: SOURCE_CLIENT, ms: p.latencyMs[k] });
      const zero = runStartS(r);
      const q = server.get(r.id)?.find((x) => x.key === k);
      if (q && zero !== null) {
        for (const [ts, v] of q.series.points) {
          const t = ts - zero;
          if (t >= 0 && t <= end) rows.push({ t, runId: r.id, source: SOURCE_SERVER, ms: v === null ? null : v * q.toMs });
        }
      }
    }
    if (!rows.some((r) => r.ms !== null)) continue;
    const hasServer = rows.some((r) => r.source === SOURCE_SERVER && r.ms !== null);
    // Alt texts carry no artifact strings (run names): they end up in figcaptions.
    const alt = `${k} over time for the baseline and the candidate${hasServer ? ', client side (solid) and server side from Prometheus (dashed)' : ''}`;
    charts.push(chartJob(`study-${slug}-${k}-over-time.svg`, alt, (size) => percentileOverTimeSpec({ title: `${k} over time`, percentile: k, rows, runScale, domain: [0, end], bands, size })));
  }
  return charts;
}

export function experimentView(study: ExperimentStudy, ctx: SiteContext, links: Links, chartMd: string[], jobs: ChartJob[]) {
  const overTime = chartMd.filter((_, i) => jobs[i]!.file.endsWith('-over-time.svg'));
  const withServer = [study.baseline, study.candidate].filter((id) => {
    const run = ctx.model.runs.find((r) => r.id === id);
    return run !== undefined && serverQuantileSeries(run).length > 0;
  });
  const serverNote =
    withServer.length > 0
      ? ` Dashed lines: the server's own percentiles from Prometheus (histogram_quantile over the query's rate window, interpolated inside buckets) for ${withServer.map((id) => mdText(runName(ctx, id))).join(' and ')}.`
      : ' Neither run has server-side (Prometheus) percentile series, so only client-side lines are drawn.';
  return {
    isExperiment: true,
    experimentTable: experimentTable(study, ctx.model, links),
    timelineCharts: overTime,
    timelineNote:
      overTime.length > 0
        ? `Both runs on one time axis (seconds since each run's start), in their colours across the site; ramp phases shaded. ${clientNote(study, ctx)}${serverNote}`
        : '',
    method: study.method,
    // Written as the conclusions write it (p < 0.0001).
    pValue: study.pValue === null ? null : study.pValue < 0.0001 ? '< 0.0001' : `= ${fmtNum(study.pValue)}`,
    windows: { baseline: fmtCount(study.windows.baseline), candidate: fmtCount(study.windows.candidate) },
    windowsAreBlocks: study.server !== undefined,
  };
}

/** What the solid lines are: the load generator's per-interval percentiles, where a run has a timeline (bombardier has none). */
function clientNote(study: ExperimentStudy, ctx: SiteContext): string {
  const runs = [study.baseline, study.candidate].map((id) => ctx.model.runs.find((r) => r.id === id));
  const timed = runs.filter((r): r is Run => r !== undefined && r.timeline.length > 0);
  if (timed.length === 0) return 'The load generator recorded no timeline (only whole-run figures), so there are no client-side lines.';
  return `Solid lines: the load generator's percentiles per ${fmtSeconds(Math.max(...timed.map((r) => r.timelineIntervalS)))} interval.`;
}
