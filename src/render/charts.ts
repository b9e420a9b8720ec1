// Charts: Vega-Lite specs rendered to SVG at build time, so pages need no JavaScript,
// no network and no fonts from elsewhere. Axis and text colours use currentColor so
// an inline chart follows the page's light or dark scheme. This module only builds the
// specs; svg.ts draws them (in worker threads, see chart-pool.ts).
import type { TopLevelSpec } from 'vega-lite';

import { PERCENTILE_COLORS } from './colors.js';

export const CHART_FONT = 'Helvetica, Arial, sans-serif';
export const WIDTH = 620;
export const HEIGHT = 190;
export const MUTED = '#888888';

/** Shared look: transparent background, neutral grid, text in the page's colour. */
const CONFIG = {
  font: CHART_FONT,
  background: 'transparent',
  view: { stroke: null },
  axis: {
    labelColor: 'currentColor',
    titleColor: 'currentColor',
    domainColor: MUTED,
    tickColor: MUTED,
    gridColor: MUTED,
    gridOpacity: 0.25,
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'normal',
  },
  // Fixed y-axis width so the time axes of a run's charts line up one under another.
  axisY: { minExtent: 44, maxExtent: 44 },
  legend: { labelColor: 'currentColor', titleColor: 'currentColor', titleFontWeight: 'normal', orient: 'bottom', labelLimit: 260, symbolFillColor: MUTED, symbolStrokeColor: MUTED },
  title: { color: 'currentColor', anchor: 'start', fontSize: 13, fontWeight: 'bold' },
  line: { strokeWidth: 1.6 },
  point: { size: 40, filled: true },
};

type Row = Record<string, string | number | null>;

export interface PhaseBand {
  name: string;
  startT: number;
  endT: number;
}

export interface TimeAxis {
  /** x-axis domain in seconds since run start; every chart of a run shares it. */
  domain: [number, number];
  phases: PhaseBand[];
}

/**
 * An axis or legend title made of outside text (a label key, a series or metric name).
 * vega-lite copies such titles into the marks' ARIA description expressions escaping
 * only double quotes, so a backslash or a line break there broke the whole chart
 * ("Expression parse error"). Backslashes are shown as U+29F5 (⧵, a look-alike) and
 * control or line-separator characters as spaces.
 */
export function encodingTitle(text: string): string {
  return text.replace(/\\/g, '\u29f5').replace(/[\u0000-\u001f\u2028\u2029]/g, ' ');
}

export function base(title: string): Record<string, unknown> {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, width: WIDTH, height: HEIGHT, config: CONFIG as TopLevelSpec['config'] };
}

/** Phase bands drawn behind the lines: ramps shaded grey, steady state left clear, each named at the top. */
function phaseLayers(axis: TimeAxis): object[] {
  const bands = axis.phases.filter((p) => p.endT > p.startT).map((p) => ({ phase: p.name, startT: p.startT, endT: p.endT }));
  if (bands.length === 0) return [];
  return [
    {
      data: { values: bands },
      mark: { type: 'rect', color: MUTED, clip: true },
      encoding: {
        x: { field: 'startT', type: 'quantitative', scale: { domain: axis.domain, nice: false } },
        x2: { field: 'endT' },
        opacity: { condition: { test: "datum.phase === 'steady'", value: 0.04 }, value: 0.18 },
      },
    },
    {
      data: { values: bands },
      mark: { type: 'text', baseline: 'top', align: 'left', dx: 3, dy: 2, fontSize: 10, color: 'currentColor', opacity: 0.7 },
      encoding: { x: { field: 'startT', type: 'quantitative' }, y: { value: 0 }, text: { field: 'phase' } },
    },
  ];
}

/** Large values (bytes, counters) get SI suffixes so labels fit the fixed axis width. */
function yAxis(rows: Row[]): object {
  const max = Math.max(0, ...rows.map((r) => (typeof r.value === 'number' ? Math.abs(r.value) : 0)));
  return max >= 10000 ? { format: '~s' } : {};
}

function timeX(axis: TimeAxis) {
  return { field: 't', type: 'quantitative', title: 'seconds since run start', scale: { domain: axis.domain, nice: false, zero: false } };
}

/** Lines over the run's time axis, one per `series` value, with fixed colours. */
export function timelineSpec(opts: { title: string; yTitle: string; axis: TimeAxis; rows: Row[]; colors: Record<string, string>; area?: boolean }): TopLevelSpec {
  const domain = Object.keys(opts.colors);
  const layer = {
    data: { values: opts.rows },
    mark: opts.area ? { type: 'area', line: true, opacity: 0.35, clip: true } : { type: 'line', interpolate: 'linear', clip: true },
    encoding: {
      x: timeX(opts.axis),
      y: { field: 'value', type: 'quantitative', title: encodingTitle(opts.yTitle), axis: yAxis(opts.rows) },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain, range: domain.map((d) => opts.colors[d]) }, legend: domain.length > 1 ? {} : null },
    },
  };
  return { ...base(opts.title), layer: [...phaseLayers(opts.axis), layer] } as unknown as TopLevelSpec;
}

export const PERCENTILE_KEYS = ['p50', 'p90', 'p95', 'p99'] as const;

export function percentileColors(): Record<string, string> {
  return Object.fromEntries(PERCENTILE_KEYS.map((k) => [k, PERCENTILE_COLORS[k] as string]));
}

/** Prometheus series: one line per label set, default categorical colours. */
export function seriesSpec(opts: { title: string; yTitle: string; axis: TimeAxis; rows: Row[]; seriesOrder: string[] }): TopLevelSpec {
  const layer = {
    data: { values: opts.rows },
    mark: { type: 'line', clip: true },
    encoding: {
      x: timeX(opts.axis),
      y: { field: 'value', type: 'quantitative', title: encodingTitle(opts.yTitle), axis: yAxis(opts.rows) },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: opts.seriesOrder, scheme: 'tableau10' }, legend: opts.seriesOrder.length > 1 ? {} : null },
    },
  };
  return { ...base(opts.title), layer: [...phaseLayers(opts.axis), layer] } as unknown as TopLevelSpec;
}

export interface RunColorScale {
  domain: string[];
  range: string[];
}

/** Only the runs on a chart in its legend, each keeping its site-wide colour. */
export function keepRuns(scale: RunColorScale, present: Set<unknown>): RunColorScale {
  const keep = scale.domain.map((id, i) => [id, scale.range[i]!] as const).filter(([id]) => present.has(id));
  return { domain: keep.map((k) => k[0]), range: keep.map((k) => k[1]) };
}

/** A measure against the study factor: a grey line through points coloured per run. */
export function factorSpec(opts: { title: string; factor: string; yTitle: string; rows: Row[]; runScale: RunColorScale; ideal?: Row[] }): TopLevelSpec {
  const runScale = keepRuns(opts.runScale, new Set(opts.rows.map((r) => r.runId)));
  const x = { field: 'value', type: 'quantitative', title: encodingTitle(opts.factor), scale: { zero: false, nice: false }, axis: { values: [...new Set(opts.rows.map((r) => r.value))] } };
  const layers: object[] = [];
  if (opts.ideal) {
    layers.push({
      data: { values: opts.ideal },
      mark: { type: 'line', strokeDash: [4, 3], color: MUTED },
      encoding: { x, y: { field: 'y', type: 'quantitative' } },
    });
  }
  layers.push(
    {
      data: { values: opts.rows },
      mark: { type: 'line', color: MUTED },
      encoding: { x, y: { field: 'y', type: 'quantitative', title: encodingTitle(opts.yTitle) }, detail: { field: 'measure', type: 'nominal' } },
    },
    {
      data: { values: opts.rows },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        x,
        y: { field: 'y', type: 'quantitative' },
        color: { field: 'runId', type: 'nominal', title: 'run', scale: runScale },
        shape: { field: 'measure', type: 'nominal', title: null, legend: new Set(opts.rows.map((r) => r.measure)).size > 1 ? {} : null },
      },
    },
  );
  return { ...base(opts.title), layer: layers } as unknown as TopLevelSpec;
}

/**
 * The experiment's change with its confidence interval, against 0 and the required
 * change: the verdict can be read off where the interval sits.
 */
export function ciSpec(opts: { title: string; metric: string; changePct: number; ci: [number, number]; thresholdPct: number; color: string }): TopLevelSpec {
  const lo = Math.min(opts.ci[0], opts.changePct, 0, opts.thresholdPct);
  const hi = Math.max(opts.ci[1], opts.changePct, 0, opts.thresholdPct);
  const pad = Math.max(1, (hi - lo) * 0.1);
  const x = { type: 'quantitative', title: encodingTitle(`change of ${opts.metric}, candidate vs baseline (%)`), scale: { domain: [lo - pad, hi + pad], nice: false } };
  const est = [{ label: 'candidate', low: opts.ci[0], high: opts.ci[1], change: opts.changePct }];
  return {
    ...base(opts.title),
    height: 70,
    layer: [
      { data: { values: [{ x: 0 }] }, mark: { type: 'rule', color: MUTED }, encoding: { x: { ...x, field: 'x' } } },
      {
        data: { values: [{ x: opts.thresholdPct, text: `required ${opts.thresholdPct > 0 ? '+' : ''}${opts.thresholdPct}%` }] },
        mark: { type: 'rule', color: '#e15759', strokeDash: [5, 3] },
        encoding: { x: { ...x, field: 'x' } },
      },
      {
        data: { values: [{ x: opts.thresholdPct, text: `required ${opts.thresholdPct > 0 ? '+' : ''}${opts.thresholdPct}%` }] },
        mark: { type: 'text', color: 'currentColor', baseline: 'top', dx: 4, align: 'left', fontSize: 10 },
        encoding: { x: { ...x, field: 'x' }, y: { value: 0 }, text: { field: 'text' } },
      },
      { data: { values: est }, mark: { type: 'rule', color: opts.color, strokeWidth: 3 }, encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' }, y: { value: 40 } } },
      { data: { values: est }, mark: { type: 'point', filled: true, size: 90, color: opts.color, opacity: 1 }, encoding: { x: { ...x, field: 'change' }, y: { value: 40 } } },
    ],
  } as unknown as TopLevelSpec;
}

/** Peak and sustained p95/p99 side by side for each row of a peak-vs-sustained study. */
export function peakSustainedSpec(opts: { title: string; labelTitle: string; rows: Row[]; order: string[] }): TopLevelSpec {
  const measures = ['sustained p95', 'peak p95', 'sustained p99', 'peak p99'];
  const colors = ['#f7c08a', '#f28e2b', '#f0a8a9', '#e15759'];
  return {
    ...base(opts.title),
    data: { values: opts.rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'label', type: 'nominal', title: encodingTitle(opts.labelTitle), sort: opts.order, axis: { labelAngle: 0 } },
      xOffset: { field: 'measure', type: 'nominal', sort: measures },
      y: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
      color: { field: 'measure', type: 'nominal', title: null, scale: { domain: measures, range: colors } },
    },
  } as unknown as TopLevelSpec;
}

/**
 * A chart as a standalone .svg file (linked from the .md pages). Without a page
 * around it, currentColor would be black on GitHub's dark theme, so the file sets
 * its own text colour for both schemes.
 */
export function standaloneSvg(svg: string): string {
  const style = '<style>svg{color:#24292f}@media (prefers-color-scheme:dark){svg{color:#d0d7de}}</style>';
  return svg.replace(/^(<svg[^>]*>)/, `$1${style}`) + '\n';
}
