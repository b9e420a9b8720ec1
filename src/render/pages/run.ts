// A run's page: its summary, endpoints, timeline charts, Prometheus series, errors and sources.
import { runReadingTable, runStateText } from '../run-reading.js';
import type { Run } from '../../model/types.js';
import type { RunAnalysis } from '../../analyze/types.js';
import { mdText } from '../escape.js';
import { fmtCount, fmtMs, fmtNum, fmtSeconds, precisionNote, toolName } from '../format.js';
import { compareIds } from '../colors.js';
import { customMetricsTable, endpointsTable, errorsTable, labelsText, runAnalysisFor, runMetricsTable, sourcesTable, thresholdsTable } from '../markdown-tables.js';
import { percentileColors, PERCENTILE_KEYS, seriesSpec, timelineSpec } from '../charts.js';
import { runStartS } from '../../analyze/server-latency.js';
import { chartJob, chartMarkdown, type ChartJob, makeLinks, modelWarningText, type PageDraft, runTimeAxis, type SiteContext } from './site.js';

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
    charts.push(chartJob(`run-${slug}-throughput.svg`, 'Throughput (requests per second) over time', (size) =>
      timelineSpec({ title: 'Throughput', yTitle: 'req/s', axis, colors: { 'req/s': color }, rows: tl.map((p) => ({ t: p.t, series: 'req/s', value: p.requests / dt })), area: true, size })));
    if (tl.some((p) => p.failures > 0)) {
      charts.push(chartJob(`run-${slug}-failures.svg`, 'Failed requests per second over time', (size) =>
        timelineSpec({ title: 'Failures', yTitle: 'failures/s', axis, colors: { 'failures/s': '#D55E00' }, rows: tl.map((p) => ({ t: p.t, series: 'failures/s', value: p.failures / dt })), area: true, size })));
    }
    // A user count that never changes is a flat line: the timeline's text gives it instead (constantUsers).
    if (tl.some((p) => p.users !== null) && constantUsers(run) === null) {
      charts.push(chartJob(`run-${slug}-users.svg`, 'Active users or VUs over time', (size) =>
        timelineSpec({ title: 'Users', yTitle: 'users', axis, colors: { users: '#999999' }, rows: tl.filter((p) => p.users !== null).map((p) => ({ t: p.t, series: 'users', value: p.users })), size })));
    }
    if (run.timelineLatency !== 'none' && tl.some((p) => p.latencyMs.p50 !== null || p.latencyMs.p95 !== null)) {
      const rows = tl.flatMap((p) => PERCENTILE_KEYS.filter((k) => p.latencyMs[k] !== null).map((k) => ({ t: p.t, series: k, value: p.latencyMs[k] })));
      charts.push(chartJob(`run-${slug}-latency.svg`, `Latency percentiles over time (${latencyKindText(run.timelineLatency)})`, (size) =>
        timelineSpec({ title: 'Latency', yTitle: 'ms', axis, colors: percentileColors(), rows, size })));
    }
  }
  const percentileColor = percentileColors();
  const seriesCharts = groups.map((g, i) =>
    chartJob(`run-${slug}-series-${i + 1}.svg`, `Prometheus series ${g.name}${g.unit ? ` (${g.unit})` : ''}`, (size) =>
      // Server-side p50…p99 in the colours of the client-side latency chart above them.
      g.order.every((k) => k in percentileColor)
        ? timelineSpec({ title: g.name, yTitle: g.unit || g.name, axis, rows: g.rows, colors: Object.fromEntries(g.order.map((k) => [k, percentileColor[k]!])), size })
        : seriesSpec({ title: g.name, yTitle: g.unit || g.name, axis, rows: g.rows, seriesOrder: g.order, size }),
    ),
  );
  return { charts, seriesCharts, seriesZeroKnown: zeroKnown !== null };
}

/** The user or VU count when every timeline point that has one has the same (a constant-VUs run), else null. */
export function constantUsers(run: Run): number | null {
  let users: number | null = null;
  for (const p of run.timeline) {
    if (p.users === null) continue;
    if (users === null) users = p.users;
    else if (p.users !== users) return null;
  }
  return users;
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
  const users = constantUsers(run);
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
      introParts.push(`**Whole-run p95:** ${fmtMs(s.latencyMs.p95)}`);
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
        stateText: runStateText(ra),
        readingTable: runReadingTable(ra),
        metricsTable: runMetricsTable(run, ra),
        customTable: customMetricsTable(run),
        endpointsTable: endpointsTable(run),
        precisionNote: precisionNote(s.precision, run.tool),
        phasesText:
          phasesText(run, ra) +
          (users !== null ? ` ${fmtCount(users)} ${run.tool === 'k6' ? 'VUs' : 'users'} at every point of the timeline.` : '') +
          (run.timelineLatency === 'cumulative' ? ' Latency lines are cumulative since the run start (the tool gives no per-interval figures).' : ''),
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
