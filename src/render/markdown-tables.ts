// GFM tables for pages, report.md and `ce-report embed`. Every artifact string goes
// through mdCell; only figures we format ourselves and links we build are trusted.
import type { Model, Run, Stats } from '../model/types.js';
import type { Analysis, ExperimentStudy, PeakVsSustainedStudy, Percentiles, RunAnalysis, ScalingStudy } from '../analyze/types.js';
import type { FailureCategory, FailuresRun, FailuresStudy, LatencyGroup } from '../analyze/types.js';
import { mdCell, mdText } from './escape.js';
import { DASH, fmtBytes, fmtCount, fmtMs, fmtNum, fmtPct, fmtRate, fmtRps, fmtSeconds, precisionShort, toolName } from './format.js';

/** Markdown we wrote ourselves (a link, a badge, a formatted figure); inserted as is. */
export interface Md {
  md: string;
}

export type Cell = string | number | null | undefined | Md;

export interface Column {
  header: string;
  /** Numbers are right-aligned so digits line up. */
  align?: 'left' | 'right' | 'center';
}

export function md(text: string): Md {
  return { md: text };
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return DASH;
  if (typeof c === 'number') return fmtNum(c);
  if (typeof c === 'object') return c.md.replace(/\r?\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');
  return mdCell(c);
}

/** A GFM table; headers are our own words but escaped anyway. */
export function markdownTable(columns: Column[], rows: Cell[][]): string {
  const head = `| ${columns.map((c) => mdCell(c.header)).join(' | ')} |`;
  const rule = `| ${columns.map((c) => (c.align === 'right' ? '---:' : c.align === 'center' ? ':---:' : '---')).join(' | ')} |`;
  const body = rows.map((r) => `| ${columns.map((_, i) => cellText(r[i])).join(' | ')} |`);
  return [head, rule, ...body].join('\n') + '\n';
}

/** Where pages live, relative to the page that links to them. */
export interface Links {
  run(id: string): string;
  study(id: string): string;
  chart(file: string): string;
}

export function link(text: string, href: string): Md {
  return md(`[${mdText(text)}](${href})`);
}

export function verdictBadge(verdict: string): Md {
  return md(`**${mdText(verdict)}**`);
}

export function labelsText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(', ');
}

const R: Column['align'] = 'right';

export function runAnalysisFor(analysis: Analysis, runId: string): RunAnalysis | undefined {
  return analysis.runs.find((r) => r.runId === runId);
}

/** One row per run: the overview on the index page and the `runs` embed. */
/** Every run in one table: its state and full-load throughput, then whole-run figures, each named so. */
export function runsTable(model: Model, analysis: Analysis, links: Links): string {
  const cols: Column[] = [
    { header: 'Run' },
    { header: 'Tool' },
    { header: 'Labels' },
    { header: 'State' },
    { header: 'Full-load throughput', align: R },
    { header: 'Requests', align: R },
    { header: 'Failures', align: R },
    { header: 'Whole-run p50', align: R },
    { header: 'Whole-run p95', align: R },
    { header: 'Whole-run p99', align: R },
    { header: 'Precision' },
  ];
  const rows = model.runs.map((run): Cell[] => {
    const ra = runAnalysisFor(analysis, run.id);
    const s = run.summary;
    return [
      link(run.name || run.id, links.run(run.id)),
      toolName(run.tool),
      labelsText(run.labels) || null,
      ra?.state ?? 'no timeline',
      md(fmtRps(ra?.fullLoad?.rps ?? null)),
      md(fmtCount(s.requests)),
      md(failuresText(s.requests, s.failures)),
      md(fmtMs(s.latencyMs.p50)),
      md(fmtMs(s.latencyMs.p95)),
      md(fmtMs(s.latencyMs.p99)),
      precisionShort(s.precision),
    ];
  });
  return markdownTable(cols, rows);
}

export function failuresText(requests: number, failures: number): string {
  if (failures === 0) return '0';
  return requests > 0 ? `${fmtCount(failures)} (${fmtRate(failures / requests)})` : fmtCount(failures);
}

/** Per-endpoint statistics, with the run summary as the last row. */
export function endpointsTable(run: Run): string {
  const cols: Column[] = [
    { header: 'Endpoint' },
    { header: 'Method' },
    { header: 'Requests', align: R },
    { header: 'Failures', align: R },
    { header: 'req/s', align: R },
    { header: 'min (ms)', align: R },
    { header: 'mean (ms)', align: R },
    { header: 'p50 (ms)', align: R },
    { header: 'p90 (ms)', align: R },
    { header: 'p95 (ms)', align: R },
    { header: 'p99 (ms)', align: R },
    { header: 'max (ms)', align: R },
    { header: 'Precision' },
  ];
  const row = (s: Stats, name: Cell): Cell[] => [
    name,
    s.method,
    md(fmtCount(s.requests)),
    md(failuresText(s.requests, s.failures)),
    md(fmtNum(s.rps)),
    md(fmtNum(s.latencyMs.min)),
    md(fmtNum(s.latencyMs.mean)),
    md(fmtNum(s.latencyMs.p50)),
    md(fmtNum(s.latencyMs.p90)),
    md(fmtNum(s.latencyMs.p95)),
    md(fmtNum(s.latencyMs.p99)),
    md(fmtNum(s.latencyMs.max)),
    precisionShort(s.precision),
  ];
  const rows = run.endpoints.map((s) => row(s, s.name));
  rows.push(row(run.summary, md('**All requests**')));
  return markdownTable(cols, rows);
}

export function errorsTable(run: Run): string {
  const sorted = [...run.errors].sort((a, b) => b.count - a.count || cmp(a.endpoint, b.endpoint) || cmp(a.message, b.message));
  // k6 names endpoints "POST /predict": a Method column beside them would read "POST POST /predict".
  const methodInName = sorted.every((e) => !e.method || e.endpoint.startsWith(`${e.method} `));
  const cols: Column[] = [{ header: 'Kind' }, { header: 'Endpoint' }, ...(methodInName ? [] : [{ header: 'Method' }]), { header: 'Status' }, { header: 'Message' }, { header: 'Count', align: R }];
  return markdownTable(
    cols,
    sorted.map((e) => [e.kind, e.endpoint, ...(methodInName ? [] : [e.method]), e.status, e.message, md(fmtCount(e.count))]),
  );
}

export function sourcesTable(run: Run): string {
  const cols: Column[] = [{ header: 'File' }, { header: 'Format' }, { header: 'Tool version' }, { header: 'Provides' }];
  return markdownTable(
    cols,
    run.sources.map((s) => [s.path, s.format, s.toolVersion ?? run.toolVersion ?? null, s.provides && s.provides.length > 0 ? s.provides.join(', ') : null]),
  );
}

export function thresholdsTable(run: Run): string {
  const cols: Column[] = [{ header: 'Metric' }, { header: 'Threshold' }, { header: 'Result' }];
  return markdownTable(
    cols,
    run.thresholds.map((t) => [t.metric, t.expression, verdictBadge(t.ok ? 'PASS' : 'FAIL')]),
  );
}

/** Load-generator facts (iterations, checks, bytes) as a two-column table. */
export function runMetricsTable(run: Run, ra: RunAnalysis | undefined): string {
  const m = run.metrics;
  const rows: Cell[][] = [];
  const add = (k: string, v: string | null | undefined) => {
    if (v !== null && v !== undefined && v !== DASH) rows.push([k, md(v)]);
  };
  add('Start (UTC)', run.start ? mdText(run.start) : null);
  add('Duration', fmtSeconds(run.durationS));
  add('Requests', fmtCount(run.summary.requests));
  add('Failures', failuresText(run.summary.requests, run.summary.failures));
  add('Whole-run average throughput', fmtRps(run.summary.rps ?? ra?.averageRps ?? null));
  if (ra) {
    add('Full-load throughput', fmtRps(ra.fullLoad?.rps ?? null));
    add('Peak throughput (busiest window)', fmtRps(ra.peakRps));
  }
  if (m.iterations !== undefined) add('Iterations', fmtCount(m.iterations));
  if (m.droppedIterations !== undefined) add('Dropped iterations', fmtCount(m.droppedIterations));
  if (m.checks) add('Checks passed', `${fmtCount(m.checks.passes)} of ${fmtCount(m.checks.passes + m.checks.fails)}`);
  if (m.vusMax !== undefined) add('Max VUs / users', fmtCount(m.vusMax));
  if (m.dataSentBytes !== undefined) add('Data sent', fmtBytes(m.dataSentBytes));
  if (m.dataReceivedBytes !== undefined) add('Data received', fmtBytes(m.dataReceivedBytes));
  if (m.throughputBytesPerSec !== undefined) add('Transfer rate', `${fmtBytes(m.throughputBytesPerSec)}/s`);
  if (run.thinkTimeS !== undefined) add('Think time per user', fmtSeconds(run.thinkTimeS));
  return markdownTable([{ header: 'Figure' }, { header: 'Value', align: R }], rows);
}

export function customMetricsTable(run: Run): string | null {
  const custom = run.metrics.custom;
  if (!custom || Object.keys(custom).length === 0) return null;
  const rows: Cell[][] = [];
  for (const name of Object.keys(custom).sort()) {
    const values = custom[name] ?? {};
    const parts = Object.keys(values)
      .sort()
      .map((k) => `${k}=${fmtNum(values[k])}`)
      .join(', ');
    rows.push([name, parts]);
  }
  return markdownTable([{ header: 'Custom metric' }, { header: 'Values' }], rows);
}

/** The p50, p90, p95 and p99 cells of a set of percentiles (dashes for none). */
function percentileCells(p: Percentiles | null): Cell[] {
  return [md(fmtNum(p?.p50 ?? null)), md(fmtNum(p?.p90 ?? null)), md(fmtNum(p?.p95 ?? null)), md(fmtNum(p?.p99 ?? null))];
}

function runName(model: Model, id: string): string {
  return model.runs.find((r) => r.id === id)?.name ?? id;
}

/**
 * Peak against sustained latency, one row per run and side (the server's own figures on a
 * row under the client's): the label, the run and who measured first, so the two rows of a
 * run tell apart on a phone, then each percentile's peak beside its sustained figure.
 * `keys`: the percentiles shown (p95 and p99 on the page; all four in its folded table).
 */
export function peakVsSustainedTable(study: PeakVsSustainedStudy, model: Model, links: Links, keys: ReadonlyArray<keyof Percentiles> = ['p95', 'p99']): string {
  const cols: Column[] = [
    { header: study.label ?? 'Run' },
    { header: 'Run' },
    { header: 'Measured by' },
    ...keys.flatMap((k): Column[] => [
      { header: `Peak ${k} (ms)`, align: R },
      { header: `Sustained ${k} (ms)`, align: R },
    ]),
    { header: 'State' },
    { header: 'Precision' },
  ];
  const figures = (peak: Percentiles, sustained: Percentiles | null): Cell[] => keys.flatMap((k) => [md(fmtNum(peak[k] ?? null)), md(fmtNum(sustained?.[k] ?? null))]);
  const rows = study.rows.flatMap((r): Cell[][] => {
    const run = model.runs.find((x) => x.id === r.runId);
    const name = link(runName(model, r.runId), links.run(r.runId));
    // A run that is not steady has no sustained figures: its state says why, with its end-of-run p95.
    const state = `${r.state ?? 'no timeline'}${r.endOfRun?.p95 !== null && r.endOfRun?.p95 !== undefined ? `, end-of-run p95 ${fmtMs(r.endOfRun.p95)}` : ''}`;
    const client: Cell[] = [r.label, name, `client (${run ? toolName(run.tool) : 'load generator'})`, ...figures(r.peak, r.sustained), state, r.precision];
    if (!r.server) return [client];
    return [client, [r.label, name, 'server (Prometheus)', ...figures(r.server.peak, r.server.sustained), r.state ?? 'no timeline', r.server.precision]];
  });
  return markdownTable(cols, rows);
}

const BASIS_SHORT: Record<string, string> = { 'full-load': 'full load', 'end-of-run': 'end of run', 'load-level': 'load level', 'whole-run': 'whole run' };

/** The runs of a scaling study at full load; capacity studies add speed-up and efficiency. */
export function scalingPointsTable(study: ScalingStudy, model: Model, links: Links): string {
  const capacity = study.factorKind === 'capacity';
  const cols: Column[] = [
    { header: study.factor },
    { header: 'Run' },
    { header: 'State' },
    { header: 'Full-load throughput (req/s)', align: R },
    ...(capacity ? [{ header: 'Speed-up', align: R }, { header: 'Efficiency', align: R }] : []),
    { header: 'p50 (ms)', align: R },
    { header: 'p95 (ms)', align: R },
    { header: 'Latency basis' },
    { header: 'Error rate', align: R },
    { header: 'Whole-run average (req/s)', align: R },
  ];
  return markdownTable(
    cols,
    study.points.map((p) => [
      md(fmtNum(p.value)),
      link(runName(model, p.runId), links.run(p.runId)),
      p.state ?? 'no timeline',
      md(p.rps === null ? DASH : `${fmtNum(p.rps)}${p.rpsNoise !== null ? ` ± ${fmtNum(p.rpsNoise)}` : ''}${p.rpsBasis !== 'full-load' ? ` (${BASIS_SHORT[p.rpsBasis]})` : ''}`),
      ...(capacity ? [md(p.speedup === null ? DASH : `${fmtNum(p.speedup)}×`), md(fmtRate(p.efficiency))] : []),
      md(fmtNum(p.p50)),
      md(fmtNum(p.p95)),
      BASIS_SHORT[p.latencyBasis] ?? p.latencyBasis,
      md(fmtRate(p.errorRate)),
      md(fmtNum(p.averageRps)),
    ]),
  );
}

export function scalingStepsTable(study: ScalingStudy): string {
  const capacity = study.factorKind === 'capacity';
  const cols: Column[] = [
    { header: 'Step' },
    { header: 'Throughput change', align: R },
    { header: 'Noise (req/s)', align: R },
    { header: 'Verdict' },
    { header: 'p50 change', align: R },
    { header: 'p95 change', align: R },
    ...(capacity ? [{ header: 'Speed-up', align: R }, { header: 'Efficiency', align: R }] : []),
  ];
  return markdownTable(
    cols,
    study.steps.map((s) => [
      md(`${fmtNum(s.from)} → ${fmtNum(s.to)}`),
      md(fmtPct(s.rpsChangePct)),
      md(s.noiseRps === null ? DASH : `±${fmtNum(s.noiseRps)}`),
      s.verdict ?? DASH,
      md(fmtPct(s.p50ChangePct)),
      md(fmtPct(s.p95ChangePct)),
      ...(capacity ? [md(s.speedup === null ? DASH : `${fmtNum(s.speedup)}×`), md(fmtRate(s.efficiency))] : []),
    ]),
  );
}

/** A two-factor grid: full-load throughput (and p95) of each factor value × `by` value. */
export function scalingGridTable(study: ScalingStudy): string {
  if (!study.by || study.grid.length === 0) return '';
  const byValues = [...new Set(study.grid.map((c) => c.by))].sort((a, b) => a - b);
  const values = [...new Set(study.grid.map((c) => c.value))].sort((a, b) => a - b);
  const cols: Column[] = [{ header: `${study.factor} ↓ · ${study.by} →` }, ...byValues.map((b) => ({ header: `${study.by}=${fmtNum(b)}`, align: R }))];
  return markdownTable(
    cols,
    values.map((v) => [
      md(fmtNum(v)),
      ...byValues.map((b) => {
        const c = study.grid.find((x) => x.value === v && x.by === b);
        return md(c && c.rps !== null ? `${fmtNum(c.rps)} req/s${c.p95 !== null ? ` · p95 ${fmtNum(c.p95)} ms` : ''}` : DASH);
      }),
    ]),
  );
}

export function experimentTable(study: ExperimentStudy, model: Model, links: Links): string {
  const cols: Column[] = [
    { header: 'Metric' },
    { header: 'Baseline' },
    { header: 'Candidate' },
    { header: 'Baseline value', align: R },
    { header: 'Candidate value', align: R },
    { header: 'Change', align: R },
    { header: `${fmtNum(study.confidence * 100)}% CI`, align: R },
    { header: 'Criterion' },
    { header: 'Verdict' },
  ];
  const ci = study.ci ? `${fmtPct(study.ci[0])} … ${fmtPct(study.ci[1])}` : DASH;
  return markdownTable(cols, [
    [
      study.split ? `${study.metric} by ${study.split.label}: ${study.split.baseline} → ${study.split.candidate}` : study.metric,
      link(runName(model, study.baseline), links.run(study.baseline)),
      link(runName(model, study.candidate), links.run(study.candidate)),
      md(metricValue(study.metric, study.baselineValue, study.unit)),
      md(metricValue(study.metric, study.candidateValue, study.unit)),
      md(fmtPct(study.changePct)),
      md(ci),
      criterionText(study),
      verdictBadge(study.verdict),
    ],
  ]);
}

export function criterionText(study: ExperimentStudy): string {
  return `${study.criterion.direction} by at least ${fmtNum(study.criterion.minChangePct)}%`;
}

/** Units follow the metric name (latencies in ms, rates as %, throughput in req/s), or are given (a server-side series' own unit). */
export function metricValue(metric: string, v: number | null, unit?: string): string {
  if (unit !== undefined) return v === null || !Number.isFinite(v) ? DASH : `${fmtNum(v)}${unit ? ` ${mdText(unit)}` : ''}`;
  if (metric === 'error-rate') return fmtRate(v);
  if (metric === 'rps') return fmtRps(v);
  if (/p\d+/.test(metric)) return fmtMs(v);
  return fmtNum(v);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Failures study

const CATEGORY_TEXT: Record<FailureCategory, string> = {
  'server-error': 'server error (5xx)',
  'client-error': 'client error (4xx)',
  timeout: 'timeout',
  connection: 'connection',
  other: 'other (script check)',
};

/** One row per run: totals, the threshold verdict, the worst window and the server's 5xx share. */
export function failuresOverviewTable(study: FailuresStudy, model: Model, links: Links): string {
  const cols: Column[] = [
    { header: 'Run' },
    { header: 'Requests', align: R },
    { header: 'Failures', align: R },
    { header: 'Failure rate', align: R },
    { header: `Above ${fmtNum(study.thresholdPct)}%` },
    { header: 'Exceptions', align: R },
    { header: 'First failure', align: R },
    { header: 'Worst window', align: R },
    { header: 'Server 5xx', align: R },
  ];
  return markdownTable(
    cols,
    study.runs.map((r) => [
      link(runName(model, r.runId), links.run(r.runId)),
      md(fmtCount(r.requests)),
      md(fmtCount(r.failures)),
      md(fmtRate(r.failureRate)),
      r.aboveThreshold ? verdictBadge('yes') : 'no',
      md(fmtCount(r.exceptionCount)),
      md(r.firstFailureT === null ? DASH : `t=${fmtSeconds(r.firstFailureT)}`),
      md(r.worstWindow ? `${fmtRate(r.worstWindow.failureRate)} at t=${fmtNum(r.worstWindow.startT)}–${fmtNum(r.worstWindow.endT)} s` : DASH),
      md(r.server ? fmtRate(r.server.errorRate5xx) : DASH),
    ]),
  );
}

/** The tool's failures table: endpoint, method, kind, message, occurrences, share. */
export function failureGroupsTable(run: FailuresRun): string {
  const cols: Column[] = [{ header: 'Endpoint' }, { header: 'Method' }, { header: 'Kind' }, { header: 'Message' }, { header: 'Occurrences', align: R }, { header: 'Share', align: R }];
  const rows: Cell[][] = run.failureGroups.map((g) => [g.endpoint, g.method, CATEGORY_TEXT[g.category], g.message, md(fmtCount(g.count)), md(fmtRate(g.share))]);
  rows.push([md('**All failures**'), null, null, null, md(fmtCount(run.groupedFailures)), md(run.groupedFailures > 0 ? '100%' : DASH)]);
  return markdownTable(cols, rows);
}

/** Exceptions raised in the load script: count, message, where. */
export function exceptionsTable(run: FailuresRun): string {
  const cols: Column[] = [{ header: 'Count', align: R }, { header: 'Message' }, { header: 'Where (traceback)' }];
  return markdownTable(
    cols,
    run.exceptions.map((e) => [md(fmtCount(e.count)), e.message, e.where]),
  );
}

/** Requests and failures per endpoint, failing endpoints first. */
export function endpointFailuresTable(run: FailuresRun): string {
  const cols: Column[] = [{ header: 'Endpoint' }, { header: 'Method' }, { header: 'Requests', align: R }, { header: 'Failures', align: R }, { header: 'Failure rate', align: R }];
  const sorted = [...run.endpoints].sort((a, b) => (b.failureRate ?? -1) - (a.failureRate ?? -1) || cmp(a.name, b.name));
  const rows: Cell[][] = sorted.map((e) => [e.name, e.method, md(fmtCount(e.requests)), md(fmtCount(e.failures)), md(fmtRate(e.failureRate))]);
  rows.push([md('**All requests**'), null, md(fmtCount(run.requests)), md(fmtCount(run.failures)), md(fmtRate(run.failureRate))]);
  return markdownTable(cols, rows);
}

/** Latency in intervals with a high against a low failure rate (and against a failure-free run). */
export function failureLatencyTable(run: FailuresRun, model: Model): string | null {
  const l = run.latency;
  const rows: Cell[][] = [];
  const group = (name: string, g: LatencyGroup | null) => {
    if (g) rows.push([name, md(fmtCount(g.intervals)), md(fmtCount(g.requests)), md(fmtRate(g.failureRate)), ...percentileCells(g)]);
  };
  const split = l.splitRate === null ? '' : ` ${fmtRate(l.splitRate)}`;
  group(`Failure rate above the median${split}`, l.high);
  group(`At or below the median${split}`, l.low);
  if (l.baseline) {
    const b = l.baseline;
    rows.push(['This run, steady phase', null, null, md(fmtRate(run.failureRate)), ...percentileCells(b.run)]);
    rows.push([`Failure-free run ${runName(model, b.runId)}, steady phase`, null, null, null, ...percentileCells(b.baseline)]);
  }
  if (rows.length === 0) return null;
  const cols: Column[] = [
    { header: 'Intervals' },
    { header: 'Count', align: R },
    { header: 'Requests', align: R },
    { header: 'Failure rate', align: R },
    { header: 'p50 (ms)', align: R },
    { header: 'p90 (ms)', align: R },
    { header: 'p95 (ms)', align: R },
    { header: 'p99 (ms)', align: R },
  ];
  return markdownTable(cols, rows);
}

/** The server's estimated responses per status (Prometheus), 5xx and 499 marked. */
export function serverStatusTable(run: FailuresRun): string | null {
  const s = run.server;
  if (!s) return null;
  const statuses = Object.keys(s.byStatus).sort();
  const meaning = (st: string) => (st.startsWith('5') ? 'server error' : st === '499' ? 'client closed the connection (client timeout)' : st.startsWith('4') ? 'client error' : st.startsWith('2') ? 'success' : null);
  const rows: Cell[][] = statuses.map((st) => [st, meaning(st), md(`≈${fmtCount(s.byStatus[st])}`), md(fmtRate(s.requests > 0 ? s.byStatus[st]! / s.requests : null))]);
  rows.push([md('**All responses**'), null, md(`≈${fmtCount(s.requests)}`), md('100%')]);
  return markdownTable([{ header: 'Status' }, { header: 'Meaning' }, { header: 'Responses', align: R }, { header: 'Share', align: R }], rows);
}
