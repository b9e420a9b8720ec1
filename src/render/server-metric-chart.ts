// The Prometheus series a server-side experiment (`STAT(SERIES)`) was judged on, both
// sides over time, with each side's value of the statistic as a dashed rule: where the
// maximum sits, and whether one spike makes it.
import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentStudy } from '../analyze/types.js';
import { seriesNameMatches } from '../analyze/server-metric.js';
import type { Run } from '../model/types.js';
import { base, encodingTitle, headroom, WIDE, type ChartSize } from './charts.js';
import { RUN_PALETTE } from './colors.js';
import { chartJob, type ChartJob } from './pages/site.js';

export interface ServerMetricRow {
  side: string;
  /** Seconds since the side's run start. */
  t: number;
  value: number;
}

export function serverMetricSpec(opts: { title: string; yTitle: string; rows: ServerMetricRow[]; levels: Array<{ side: string; value: number }>; sides: string[]; colors: string[]; size?: ChartSize }): TopLevelSpec {
  const color = { field: 'side', type: 'nominal', title: null, scale: { domain: opts.sides, range: opts.colors } };
  const layers = [
    {
      data: { values: opts.rows },
      mark: { type: 'line', clip: true, interpolate: 'step-after' },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'seconds since run start', scale: { nice: false, zero: false } },
        y: { field: 'value', type: 'quantitative', title: encodingTitle(opts.yTitle), scale: headroom([...opts.rows.map((r) => r.value), ...opts.levels.map((l) => l.value)]) },
        color,
      },
    },
    { data: { values: opts.levels }, mark: { type: 'rule', strokeDash: [5, 3], opacity: 0.8 }, encoding: { y: { field: 'value', type: 'quantitative' }, color } },
  ];
  return { ...base(opts.title, opts.size ?? WIDE), layer: layers } as unknown as TopLevelSpec;
}

/** Rows and levels for a study's server metric; null when the study has none or its series are gone. */
export function serverMetricChartData(study: ExperimentStudy, runs: Run[]): { rows: ServerMetricRow[]; levels: Array<{ side: string; value: number }>; sides: string[]; colors: string[]; unit: string } | null {
  const server = study.server;
  if (!server) return null;
  const sides: Array<{ which: 'baseline' | 'candidate'; name: string; value: number | null }> = [
    { which: 'baseline', name: study.split ? `${study.split.label}=${study.split.baseline}` : study.baseline, value: study.baselineValue },
    { which: 'candidate', name: study.split ? `${study.split.label}=${study.split.candidate}` : study.candidate, value: study.candidateValue },
  ];
  const rows: ServerMetricRow[] = [];
  for (const side of sides) {
    const run = runs.find((r) => r.id === study[side.which]);
    const start = run?.start ? Date.parse(run.start) / 1000 : NaN;
    const series = run?.series.find((s) => seriesNameMatches(s, server.series) && (!study.split || s.labels[study.split.label] === study.split[side.which]));
    if (!series || !Number.isFinite(start)) return null;
    for (const [t, v] of series.points) if (v !== null) rows.push({ side: side.name, t: t - start, value: v });
  }
  const levels = sides.filter((s) => s.value !== null).map((s) => ({ side: s.name, value: s.value! }));
  return { rows, levels, sides: sides.map((s) => s.name), colors: [RUN_PALETTE[0], RUN_PALETTE[1]], unit: study.unit ?? '' };
}

/** The chart job for an experiment page (runs keep their site colours; the two halves of a split run take the palette's first two). */
export function serverMetricChart(study: ExperimentStudy, runs: Run[], colorOf: (runId: string) => string, slug: string): ChartJob | null {
  const d = serverMetricChartData(study, runs);
  if (!d || !study.server) return null;
  const colors = study.split ? d.colors : [colorOf(study.baseline), colorOf(study.candidate)];
  // Alt texts carry no artifact strings: they end up in figcaptions.
  const alt = `The Prometheus series the verdict was judged on, over time for the baseline and the candidate, each side's ${study.server.stat} as a dashed rule`;
  return chartJob(`study-${slug}-server-metric-over-time.svg`, alt, (size) =>
    serverMetricSpec({ title: `${study.metric} over time`, yTitle: `${study.server!.series}${d.unit ? ` (${d.unit})` : ''}`, rows: d.rows, levels: d.levels, sides: d.sides, colors, size }),
  );
}
