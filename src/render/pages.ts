// The pages of the site as data: for each page, its path, the view its Markdown
// template needs (built for .md or .html links), and the charts it shows.
import type { TopLevelSpec } from 'vega-lite';
import type { Model, Run, Warning } from '../model/types.js';
import type { Analysis, AnalysisWarning, ExperimentStudy, PeakVsSustainedStudy, RunAnalysis, ScalingStudy, Study } from '../analyze/types.js';
import { mdText, uniqueSlugs } from './escape.js';
import { fmtCount, fmtMs, fmtNum, fmtPct, fmtRate, fmtRps, fmtSeconds, precisionNote, toolName } from './format.js';
import { runColors, type RunColors, compareIds } from './colors.js';
import {
  criterionText,
  customMetricsTable,
  endpointsTable,
  errorsTable,
  experimentTable,
  labelsText,
  type Links,
  metricValue,
  peakVsSustainedTable,
  runAnalysisFor,
  runMetricsTable,
  runsTable,
  scalingPointsTable,
  scalingStepsTable,
  sourcesTable,
  studiesTable,
  studyHeadline,
  thresholdsTable,
} from './markdown-tables.js';
import { endpointFailuresTable, exceptionsTable, failureGroupsTable, failureLatencyTable, failuresOverviewTable, serverStatusTable } from './markdown-tables.js';
import { ciSpec, factorSpec, peakSustainedSpec, percentileColors, PERCENTILE_KEYS, seriesSpec, timelineSpec, type RunColorScale, type TimeAxis } from './charts.js';
import type { PageTemplate } from './templates.js';
import { errorRateSpec, failuresPerSecondSpec, latencyVsFailureSpec, CLIENT_SERIES, SERVER_SERIES, type LatencyPointRow, type RateRow } from './failure-charts.js';
import type { FailuresStudy } from '../analyze/types.js';
import { percentileOverTimeSpec, rampKneeSpec, SOURCE_CLIENT, SOURCE_SERVER, type PercentileRow, type RunPhaseBand } from './study-charts.js';
import { runStartS, serverQuantileSeries } from '../analyze/server-latency.js';

export type Ext = 'md' | 'html';

export interface ChartJob {
  /** File name under charts/, e.g. `run-a-latency.svg`. */
  file: string;
  alt: string;
  spec: TopLevelSpec;
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

function modelWarningText(w: Warning): string {
  const where = w.file ? `${w.file}${w.line !== undefined ? `:${w.line}` : ''}${w.column !== undefined ? `:${w.column}` : ''}` : '';
  return where ? `\`${mdText(where).replace(/`/g, '')}\` ${mdText(w.message)}` : mdText(w.message);
}

function analysisWarningText(w: AnalysisWarning, ctx: SiteContext): string {
  const who = w.runId ? `run ${w.runId}: ` : w.studyId ? `study ${w.studyId}: ` : '';
  void ctx;
  return mdText(who + w.message);
}

// ---------------------------------------------------------------------------
// Index

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

// ---------------------------------------------------------------------------
// Studies

function runName(ctx: SiteContext, id: string): string {
  return ctx.model.runs.find((r) => r.id === id)?.name ?? id;
}

/** A paragraph a reader can paste into a README: the result with its numbers. */
export function studySummary(study: Study, ctx: SiteContext): string {
  if (study.kind === 'experiment') {
    const ci = study.ci ? ` (${fmtNum(study.confidence * 100)}% CI ${fmtPct(study.ci[0])} … ${fmtPct(study.ci[1])})` : '';
    return (
      `${mdText(runName(ctx, study.candidate))} against ${mdText(runName(ctx, study.baseline))}: ${mdText(study.metric)} ` +
      `${metricValue(study.metric, study.baselineValue)} → ${metricValue(study.metric, study.candidateValue)}, ${fmtPct(study.changePct)}${ci}; ` +
      `required: ${mdText(criterionText(study))}. Verdict: **${study.verdict}**.`
    );
  }
  if (study.kind === 'failures' && study.runs.length > 0) {
    // Each run's three main sentences: how many failed, why, and what the server saw.
    return study.runs.map((r) => (study.runs.length > 1 ? `**${mdText(runName(ctx, r.runId))}**: ` : '') + r.conclusions.slice(0, 3).map(mdText).join(' ')).join(' ');
  }
  const sentences = study.conclusions.slice(0, 3).map(mdText);
  if (sentences.length > 0) return sentences.join(' ');
  return `${fmtCount(study.runIds.length)} runs compared; no conclusion could be drawn.`;
}

export function studyCharts(study: Study, ctx: SiteContext): ChartJob[] {
  const slug = ctx.studySlugs.get(study.id) ?? 'x';
  const runScale = { domain: ctx.colors.ids, range: ctx.colors.ids.map(ctx.colors.colorOf) };
  const charts: ChartJob[] = [];
  if (study.kind === 'experiment' && study.ci && study.changePct !== null) {
    const threshold = study.criterion.direction === 'decrease' ? -study.criterion.minChangePct : study.criterion.minChangePct;
    charts.push({
      file: `study-${slug}-ci.svg`,
      alt: `Change of ${study.metric} with its ${fmtNum(study.confidence * 100)}% confidence interval against the required ${fmtPct(threshold)}`,
      spec: ciSpec({ title: `${study.metric}: change and confidence interval`, metric: study.metric, changePct: study.changePct, ci: study.ci, thresholdPct: threshold, color: ctx.colors.colorOf(study.candidate) }),
    });
  }
  if (study.kind === 'experiment') charts.push(...experimentTimelineCharts(study, ctx, slug, runScale));
  if (study.kind === 'scaling' && study.points.length > 0) {
    const pts = study.points.filter((p) => p.rps !== null);
    charts.push({
      file: `study-${slug}-throughput.svg`,
      alt: `Throughput against ${study.factor}`,
      spec: factorSpec({ title: `Throughput against ${study.factor}`, factor: study.factor, yTitle: 'req/s', runScale, rows: pts.map((p) => ({ value: p.value, y: p.rps, runId: p.runId, measure: 'throughput' })) }),
    });
    const lat = study.points.flatMap((p) => [
      { value: p.value, y: p.p50, runId: p.runId, measure: 'p50' },
      { value: p.value, y: p.p95, runId: p.runId, measure: 'p95' },
    ]).filter((r) => r.y !== null);
    if (lat.length > 0) {
      charts.push({
        file: `study-${slug}-latency.svg`,
        alt: `Latency (p50 and p95) against ${study.factor}`,
        spec: factorSpec({ title: `Latency against ${study.factor}`, factor: study.factor, yTitle: 'ms', runScale, rows: lat }),
      });
    }
    const first = [...pts].sort((a, b) => a.value - b.value)[0];
    if (first && first.rps !== null && first.value > 0 && pts.length > 1) {
      const rps0 = first.rps;
      const v0 = first.value;
      charts.push({
        file: `study-${slug}-efficiency.svg`,
        alt: `Measured throughput against linear scaling from ${study.factor} = ${fmtNum(v0)} (dashed)`,
        spec: factorSpec({
          title: 'Throughput against linear scaling (dashed)',
          factor: study.factor,
          yTitle: 'req/s',
          runScale,
          rows: pts.map((p) => ({ value: p.value, y: p.rps, runId: p.runId, measure: 'measured' })),
          ideal: pts.map((p) => ({ value: p.value, y: (rps0 * p.value) / v0 })),
        }),
      });
    }
    charts.push(...rampKneeCharts(study, ctx, slug));
  }
  if (study.kind === 'peak-vs-sustained' && study.rows.length > 0) {
    const rows = study.rows.flatMap((r) => [
      { label: r.label, measure: 'sustained p95', ms: r.sustained.p95 },
      { label: r.label, measure: 'peak p95', ms: r.peak.p95 },
      { label: r.label, measure: 'sustained p99', ms: r.sustained.p99 },
      { label: r.label, measure: 'peak p99', ms: r.peak.p99 },
    ]).filter((r) => r.ms !== null);
    if (rows.length > 0) {
      charts.push({
        file: `study-${slug}-latency.svg`,
        alt: `Peak and sustained p95 and p99 latency${study.label ? ` by ${study.label}` : ''}`,
        spec: peakSustainedSpec({ title: 'Peak and sustained latency', labelTitle: study.label ?? 'run', rows, order: study.rows.map((r) => r.label) }),
      });
    }
  }
  if (study.kind === 'failures') charts.push(...failuresCharts(study, ctx, slug));
  return charts;
}

const OVER_TIME_PERCENTILES = ['p50', 'p90', 'p95'] as const;

/** The experiment's runs on one time axis: one chart per percentile, client lines and, where present, server (Prometheus) ones. */
function experimentTimelineCharts(study: ExperimentStudy, ctx: SiteContext, slug: string, runScale: RunColorScale): ChartJob[] {
  const runs = [study.baseline, study.candidate].map((id) => ctx.model.runs.find((r) => r.id === id)).filter((r): r is Run => r !== undefined);
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
    charts.push({
      file: `study-${slug}-${k}-over-time.svg`,
      // Alt texts carry no artifact strings (run names): they end up in figcaptions.
      alt: `${k} over time for the baseline and the candidate${hasServer ? ', client side (solid) and server side from Prometheus (dashed)' : ''}`,
      spec: percentileOverTimeSpec({ title: `${k} over time`, percentile: k, rows, runScale, domain: [0, end], bands }),
    });
  }
  return charts;
}

/** Throughput against users for each run of a scaling study whose user count ramps, its knee marked. */
function rampKneeCharts(study: ScalingStudy, ctx: SiteContext, slug: string): ChartJob[] {
  const charts: ChartJob[] = [];
  for (const p of study.points) {
    const run = ctx.model.runs.find((r) => r.id === p.runId);
    if (!run) continue;
    const dt = run.timelineIntervalS > 0 ? run.timelineIntervalS : 1;
    const points = run.timeline.filter((x) => x.users !== null && x.users > 0).map((x) => ({ users: x.users!, rps: x.requests / dt }));
    if (new Set(points.map((x) => x.users)).size < 3) continue;
    const k = p.knee ?? null;
    charts.push({
      file: `study-${slug}-ramp-${ctx.runSlugs.get(run.id) ?? 'x'}.svg`,
      alt: `Throughput against users during the run at ${study.factor} = ${fmtNum(p.value)}${k ? `: knee at ${fmtNum(k.users)} users (${fmtRps(k.rps)})` : ': no knee found'}`,
      spec: rampKneeSpec({
        title: `${run.name || run.id}: throughput against users`,
        color: ctx.colors.colorOf(run.id),
        points,
        knee: k ? { users: k.users, rps: k.rps, label: `knee: ${fmtNum(k.users)} users, ${fmtRps(k.rps)}` } : null,
        littleN: k?.littleN ?? null,
        saturationRps: k?.saturationRps ?? p.bestSustainedRps ?? null,
      }),
    });
  }
  return charts;
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

function experimentView(study: ExperimentStudy, ctx: SiteContext, links: Links, chartMd: string[], jobs: ChartJob[]) {
  const ciAt = jobs.findIndex((c) => c.file.endsWith('-ci.svg'));
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
    ciChart: ciAt >= 0 ? chartMd[ciAt] : undefined,
    timelineCharts: overTime,
    timelineNote:
      overTime.length > 0
        ? `Both runs on one time axis (seconds since each run's start), in their colours across the site; ramp phases shaded. Solid lines: the load generator's percentiles per ${fmtSeconds(Math.max(...[study.baseline, study.candidate].map((id) => ctx.model.runs.find((r) => r.id === id)?.timelineIntervalS ?? 1)))} interval.${serverNote}`
        : '',
    method: study.method,
    pValue: study.pValue === null ? null : study.pValue < 0.001 ? '< 0.001' : fmtNum(study.pValue),
    windows: { baseline: fmtCount(study.windows.baseline), candidate: fmtCount(study.windows.candidate) },
  };
}

function scalingView(study: ScalingStudy, ctx: SiteContext, links: Links, chartMd: string[]) {
  const k = study.knee;
  const perRun = study.points.filter((p) => p.knee);
  const knee =
    perRun.length > 0
      ? perRun
          .map((p) => {
            const pk = p.knee!;
            return (
              `- **${mdText(runName(ctx, p.runId))}**: throughput stops growing at ~${fmtNum(pk.users)} users (${fmtRps(pk.rps)} at ${fmtSeconds(pk.t)}; best sustained ${fmtRps(pk.saturationRps)})` +
              `${pk.littleN !== null ? `; Little's law N* ≈ ${fmtNum(pk.littleN)} users` : ''}. ${mdText(pk.reason)}`
            );
          })
          .join('\n')
      : k
        ? `In ${mdText(runName(ctx, k.runId))}, throughput stopped growing` +
          `${k.value !== null ? ` at ${mdText(study.factor)} = ${fmtNum(k.value)}` : k.t !== null ? ` at ${fmtSeconds(k.t)}` : ''}` +
          `${k.users !== null ? ` with ${fmtNum(k.users)} users` : ''}${k.rps !== null ? ` (${fmtRps(k.rps)})` : ''}.` +
          `${k.littleN !== null ? ` Little's law puts the saturation point at N* ≈ ${fmtNum(k.littleN)} users.` : ''} ${mdText(k.reason)}`
        : '';
  return {
    isScaling: true,
    factor: study.factor,
    pointsTable: scalingPointsTable(study, ctx.model, links),
    stepsTable: study.steps.length > 0 ? scalingStepsTable(study) : '',
    charts: chartMd,
    knee,
  };
}

function peakView(study: PeakVsSustainedStudy, ctx: SiteContext, links: Links, chartMd: string[]) {
  return { isPeakVsSustained: true, label: study.label, rowsTable: peakVsSustainedTable(study, ctx.model, links), chart: chartMd[0] };
}

/** The file of one of a failures study's per-run charts. */
function failuresChartFile(studySlug: string, ctx: SiteContext, runId: string, suffix: string): string {
  return `study-${studySlug}-${ctx.runSlugs.get(runId) ?? 'x'}-${suffix}.svg`;
}

/** Per run of a failures study: error rate and failures per second over time, and p95 against the failure rate. */
function failuresCharts(study: FailuresStudy, ctx: SiteContext, slug: string): ChartJob[] {
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

/** Extra `ce-report embed` blocks of a study, by name suffix: a failures study's failures tables. */
export function studyEmbedBlocks(study: Study, ctx: SiteContext, links: Links): Array<[string, string]> {
  if (study.kind !== 'failures') return [];
  const several = study.runs.length > 1;
  const parts = study.runs
    .filter((r) => r.failureGroups.length > 0)
    .map((r) => (several ? `**${mdText(runName(ctx, r.runId))}** ([run](${links.run(r.runId)}))\n\n` : '') + failureGroupsTable(r));
  return parts.length > 0 ? [['failures', parts.join('\n')]] : [];
}

function failuresView(study: FailuresStudy, ctx: SiteContext, links: Links, charts: ChartJob[]) {
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
          r.timelineRequests < r.requests
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

// ---------------------------------------------------------------------------
// Runs

function runTimeAxis(run: Run, ra: RunAnalysis | undefined, seriesRange: [number, number] | null): TimeAxis {
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

/** Unix seconds of the run start, the zero of every time axis on its page. */
interface SeriesGroup {
  name: string;
  unit: string;
  rows: Array<{ t: number; series: string; value: number | null }>;
  order: string[];
  /** Server-side percentiles (p50, p95, …) gathered from several series. */
  quantiles: boolean;
}

/**
 * The quantile a series stands for: its `histogram_quantile(q, …)` query, or a name
 * like p95. Server-side percentiles share one chart, as the client-side ones do.
 */
function seriesQuantile(s: Run['series'][number]): string | null {
  const q = s.query ? /histogram_quantile\s*\(\s*(0?\.\d+|1(?:\.0+)?)\s*,/.exec(s.query) : null;
  if (q) return `p${Number((Number(q[1]) * 100).toFixed(3))}`;
  const n = /^p(\d{1,2}(?:\.\d+)?)$/.exec(s.name);
  return n ? `p${n[1]}` : null;
}

function seriesGroups(run: Run, zero: number): SeriesGroup[] {
  const groups = new Map<string, SeriesGroup>();
  for (const s of run.series) {
    const quantile = seriesQuantile(s);
    // Server-side latency in seconds is drawn in ms, the unit of the client-side charts.
    const scale = quantile && s.unit === 's' ? 1000 : 1;
    const unit = scale === 1000 ? 'ms' : s.unit;
    const key = quantile ? `\u0001percentiles\u0000${unit}` : `${s.name}\u0000${unit}`;
    let g = groups.get(key);
    if (!g) {
      g = { name: quantile ? 'Server-side percentiles' : s.name, unit, rows: [], order: [], quantiles: quantile !== null };
      groups.set(key, g);
    }
    const base = quantile ? [quantile, labelsText(s.labels)].filter(Boolean).join(' ') : labelsText(s.labels) || s.name;
    let label = base;
    // Two series with the same labels (e.g. from two files) stay apart.
    for (let n = 2; g.order.includes(label); n++) label = `${base} (${n})`;
    g.order.push(label);
    for (const [ts, v] of s.points) g.rows.push({ t: ts - zero, series: label, value: v === null ? null : v * scale });
  }
  for (const g of groups.values()) {
    // Percentiles in rising order (p50, p90, p95, p99), whatever order the files came in.
    if (g.quantiles) g.order.sort((a, b) => parseFloat(a.slice(1)) - parseFloat(b.slice(1)) || compareIds(a, b));
  }
  return [...groups.values()].sort((a, b) => compareIds(a.name, b.name) || compareIds(a.unit, b.unit));
}

export function runCharts(run: Run, ctx: SiteContext): { charts: ChartJob[]; seriesCharts: ChartJob[]; seriesZeroKnown: boolean } {
  const slug = ctx.runSlugs.get(run.id) ?? 'x';
  const ra = runAnalysisFor(ctx.analysis, run.id);
  const zeroKnown = runStartS(run);
  const allPoints = run.series.flatMap((s) => s.points.map((p) => p[0]));
  const firstTs = allPoints.length > 0 ? Math.min(...allPoints) : 0;
  const zero = zeroKnown ?? firstTs;
  const groups = seriesGroups(run, zero);
  const rel = allPoints.map((t) => t - zero);
  const seriesRange: [number, number] | null = rel.length > 0 ? [Math.min(...rel), Math.max(...rel)] : null;
  const axis = runTimeAxis(run, ra, seriesRange);
  const dt = run.timelineIntervalS > 0 ? run.timelineIntervalS : 1;
  const color = ctx.colors.colorOf(run.id);
  const charts: ChartJob[] = [];
  const tl = run.timeline;
  if (tl.length > 0) {
    charts.push({
      file: `run-${slug}-throughput.svg`,
      alt: 'Throughput (requests per second) over time',
      spec: timelineSpec({ title: 'Throughput', yTitle: 'req/s', axis, colors: { 'req/s': color }, rows: tl.map((p) => ({ t: p.t, series: 'req/s', value: p.requests / dt })), area: true }),
    });
    if (tl.some((p) => p.failures > 0)) {
      charts.push({
        file: `run-${slug}-failures.svg`,
        alt: 'Failed requests per second over time',
        spec: timelineSpec({ title: 'Failures', yTitle: 'failures/s', axis, colors: { 'failures/s': '#e15759' }, rows: tl.map((p) => ({ t: p.t, series: 'failures/s', value: p.failures / dt })), area: true }),
      });
    }
    if (tl.some((p) => p.users !== null)) {
      charts.push({
        file: `run-${slug}-users.svg`,
        alt: 'Active users or VUs over time',
        spec: timelineSpec({ title: 'Users', yTitle: 'users', axis, colors: { users: '#8f8f8f' }, rows: tl.filter((p) => p.users !== null).map((p) => ({ t: p.t, series: 'users', value: p.users })) }),
      });
    }
    if (run.timelineLatency !== 'none' && tl.some((p) => p.latencyMs.p50 !== null || p.latencyMs.p95 !== null)) {
      const rows = tl.flatMap((p) => PERCENTILE_KEYS.filter((k) => p.latencyMs[k] !== null).map((k) => ({ t: p.t, series: k, value: p.latencyMs[k] })));
      charts.push({
        file: `run-${slug}-latency.svg`,
        alt: `Latency percentiles over time (${latencyKindText(run.timelineLatency)})`,
        spec: timelineSpec({ title: 'Latency', yTitle: 'ms', axis, colors: percentileColors(), rows }),
      });
    }
  }
  const percentileColor = percentileColors();
  const seriesCharts = groups.map((g, i) => ({
    file: `run-${slug}-series-${i + 1}.svg`,
    alt: `Prometheus series ${g.name}${g.unit ? ` (${g.unit})` : ''}`,
    // Server-side p50…p99 in the colours of the client-side latency chart above them.
    spec: g.order.every((k) => k in percentileColor)
      ? timelineSpec({ title: g.name, yTitle: g.unit || g.name, axis, rows: g.rows, colors: Object.fromEntries(g.order.map((k) => [k, percentileColor[k]!])) })
      : seriesSpec({ title: g.name, yTitle: g.unit || g.name, axis, rows: g.rows, seriesOrder: g.order }),
  }));
  return { charts, seriesCharts, seriesZeroKnown: zeroKnown !== null };
}

function latencyKindText(kind: Run['timelineLatency']): string {
  switch (kind) {
    case 'interval':
      return 'over the requests completed in each interval';
    case 'window':
      return "the tool's own recent-window figures";
    case 'cumulative':
      return 'cumulative since the run start, so late changes show only slowly';
    default:
      return 'no latency';
  }
}

function phasesText(run: Run, ra: RunAnalysis | undefined): string {
  const intervals = `One point per ${fmtSeconds(run.timelineIntervalS)}.`;
  if (!ra || ra.phases.length === 0) return `${intervals} No phases were found (no steady state).`;
  const basis = ra.phaseBasis === 'users' ? 'from the user count' : ra.phaseBasis === 'throughput' ? 'from throughput' : '';
  const list = ra.phases.map((p) => `${p.name} ${fmtNum(p.startT)}–${fmtNum(p.endT)} s`).join(', ');
  const steady = ra.steadyState ? '' : ' The run has no steady state.';
  return `${intervals} Phases${basis ? ` (${basis})` : ''}: ${list}; ramps are shaded on the charts.${steady}`;
}

export function runPage(run: Run, ctx: SiteContext): PageDraft {
  const ra = runAnalysisFor(ctx.analysis, run.id);
  const { charts, seriesCharts, seriesZeroKnown } = runCharts(run, ctx);
  const runFiles = new Set(run.sources.map((s) => s.path));
  return {
    path: `runs/${ctx.runSlugs.get(run.id)}`,
    title: run.name || run.id,
    template: 'run',
    charts: [...charts, ...seriesCharts],
    view: (ext, root) => {
      const links = makeLinks(ctx, ext, root);
      const s = run.summary;
      const introParts = [`**Tool:** ${mdText(toolName(run.tool))}${run.toolVersion ? ` ${mdText(run.toolVersion)}` : ''}`];
      const labels = labelsText(run.labels);
      if (labels) introParts.push(`**Labels:** ${mdText(labels)}`);
      if (run.id !== run.name) introParts.push(`**Id:** ${mdText(run.id)}`);
      introParts.push(`**p95:** ${fmtMs(s.latencyMs.p95)}`);
      if (ra?.errorRate !== null && ra?.errorRate !== undefined) introParts.push(`**Error rate:** ${fmtNum(ra.errorRate * 100)}%`);
      const warnings = [
        ...(ra?.warnings ?? []).map(mdText),
        ...ctx.model.warnings.filter((w) => w.file !== undefined && runFiles.has(w.file)).map(modelWarningText),
      ];
      return {
        name: run.name || run.id,
        siteTitle: ctx.title,
        homeHref: `${root}index.${ext}`,
        intro: introParts.join(' · '),
        metricsTable: runMetricsTable(run, ra),
        customTable: customMetricsTable(run),
        endpointsTable: endpointsTable(run),
        precisionNote: precisionNote(s.precision, run.tool),
        phasesText: phasesText(run, ra) + (run.timelineLatency === 'cumulative' ? ' Latency lines are cumulative since the run start (the tool gives no per-interval figures).' : ''),
        timelineCharts: charts.map((c) => chartMarkdown(c, links)),
        seriesCharts: seriesCharts.map((c) => chartMarkdown(c, links)),
        seriesText: seriesZeroKnown
          ? 'On the same time axis as the timeline (seconds since the run start).'
          : 'The run has no start time, so the series are drawn from their first sample (0 s) and may be offset from the timeline.',
        errorsTable: run.errors.length > 0 ? errorsTable(run) : '',
        thresholdsTable: run.thresholds.length > 0 ? thresholdsTable(run) : '',
        sourcesTable: sourcesTable(run),
        warnings,
      };
    },
  };
}
