// Charts: Vega-Lite specs rendered to SVG at build time, so pages need no JavaScript,
// no network and no fonts from elsewhere. Axis and text colours use currentColor so
// an inline chart follows the page's light or dark scheme. This module only builds the
// specs; svg.ts draws them (in worker threads, see chart-pool.ts).
import type { TopLevelSpec } from 'vega-lite';

import { PERCENTILE_COLORS, RUN_PALETTE } from './colors.js';

export const CHART_FONT = 'Helvetica, Arial, sans-serif';
export const MUTED = '#888888';

/**
 * The size a chart is drawn at. Each chart is drawn twice: at the page's content width
 * (72rem less its padding, 1112 px) and at a phone's (390 px less the padding), and the
 * page shows the one that fits, so chart text keeps its size instead of shrinking with
 * the picture. `width` is the whole SVG's, axes and padding included (the plot gets what
 * the fixed-width y axis leaves); `height` the plot's.
 */
export interface ChartSize {
  width: number;
  height: number;
  narrow: boolean;
}
export const WIDE: ChartSize = { width: 1112, height: 230, narrow: false };
export const NARROW: ChartSize = { width: 350, height: 200, narrow: true };
/** Smallest text on a chart, in px at its drawn size. */
export const TEXT_PX = 11;
/** The y axis' fixed width (labels and title), so plots of one size line up and keep their width. */
const Y_AXIS_PX = 58;
/** What vega draws left of the axis and right of the plot (title offset, flush labels, strokes), measured. */
const EDGES_PX = 12;
/** vega's padding around the whole chart. */
const PADDING_PX = 5;

/** The plot's width at a size: the whole width less the y axis, the edges and the padding. */
export function plotWidth(size: ChartSize): number {
  return size.width - Y_AXIS_PX - EDGES_PX - 2 * PADDING_PX;
}

/** Shared look: transparent background, neutral grid, text in the page's colour, no text under TEXT_PX. */
function config(size: ChartSize): object {
  // Legend entries in as many columns of this width as fit; a single column may take the plot's width.
  const columnPx = size.narrow ? 180 : 260;
  const columns = Math.max(1, Math.floor(plotWidth(size) / columnPx));
  const labelLimit = (columns === 1 ? plotWidth(size) : columnPx) - 30;
  return {
    font: CHART_FONT,
    background: 'transparent',
    padding: PADDING_PX,
    view: { stroke: null },
    axis: {
      labelColor: 'currentColor',
      titleColor: 'currentColor',
      domainColor: MUTED,
      tickColor: MUTED,
      gridColor: MUTED,
      gridOpacity: 0.25,
      labelFontSize: TEXT_PX,
      titleFontSize: TEXT_PX + 1,
      titleFontWeight: 'normal',
      labelOverlap: 'greedy',
      labelFlush: true,
    },
    // Fixed y-axis width so the time axes of a run's charts line up one under another.
    axisY: { minExtent: Y_AXIS_PX - 16, maxExtent: Y_AXIS_PX - 16, titleLimit: size.height },
    // Axis titles stay within the plot (a long one would be cut off at the chart's edge).
    axisX: { titleLimit: plotWidth(size) },
    // Legends go below the plot in as many columns as fit its width, so they never widen the chart.
    legend: {
      labelColor: 'currentColor',
      titleColor: 'currentColor',
      titleFontWeight: 'normal',
      orient: 'bottom',
      direction: 'horizontal',
      columns,
      labelLimit,
      labelFontSize: TEXT_PX,
      titleFontSize: TEXT_PX,
      symbolFillColor: MUTED,
      symbolStrokeColor: MUTED,
    },
    title: { color: 'currentColor', subtitleColor: 'currentColor', anchor: 'start', fontSize: TEXT_PX + 3, subtitleFontSize: TEXT_PX, fontWeight: 'bold' },
    text: { fontSize: TEXT_PX },
    line: { strokeWidth: 1.8 },
    point: { size: 40, filled: true },
  };
}
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

/**
 * A text's width in px as vega reckons it when it lays out a chart without a canvas (as
 * svg.ts draws): 0.8 em a character. Wider than most drawn text, so what fits by it fits.
 */
export function textWidthPx(text: string, fontPx = TEXT_PX): number {
  return Math.ceil(0.8 * text.length * fontPx);
}

/** A title in lines that fit the plot's width (vega-lite cuts a longer one off with an ellipsis). */
function titleLines(title: string, size: ChartSize, fontPx = TEXT_PX + 3): string | string[] {
  const max = plotWidth(size);
  if (textWidthPx(title, fontPx) <= max) return title;
  const lines: string[] = [];
  let line = '';
  for (const word of title.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidthPx(next, fontPx) > max) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The spec's frame: title (and a subtitle under it, for what the marks' labels would say), size, look. */
export function base(title: string, size: ChartSize = WIDE, subtitle?: string): Record<string, unknown> {
  const lines = titleLines(title, size);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: subtitle ? { text: lines, subtitle: titleLines(subtitle, size, TEXT_PX) } : typeof lines === 'string' ? lines : { text: lines },
    // The plot's own size, the same for every chart of a size whatever its legend or labels.
    width: plotWidth(size),
    height: size.height,
    config: config(size) as TopLevelSpec['config'],
  };
}

/**
 * A y scale with headroom: the top of the domain is at least 8% above the highest value,
 * so no line or point lies on the plot's upper edge (a constant user count, a timeout
 * ceiling); vega then rounds it up to a tick.
 */
export function headroom(values: Array<number | null | undefined>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return { ...extra };
  const lo = Math.min(0, ...xs);
  const hi = Math.max(...xs);
  const top = hi > 0 ? hi * 1.08 : hi < 0 ? 0 : 1;
  return { domain: [lo, top === lo ? lo + 1 : top], nice: true, ...extra };
}

/** Phase bands drawn behind the lines: ramps shaded grey, steady state left clear, each named at the top when its name fits inside the band. */
function phaseLayers(axis: TimeAxis, size: ChartSize): object[] {
  const bands = axis.phases.filter((p) => p.endT > p.startT).map((p) => ({ phase: p.name, startT: p.startT, endT: p.endT }));
  if (bands.length === 0) return [];
  const span = axis.domain[1] - axis.domain[0];
  const pxPerS = span > 0 ? plotWidth(size) / span : 0;
  // A name is shown only inside its own band, so two names never overlap.
  const named = bands.filter((b) => (Math.min(b.endT, axis.domain[1]) - Math.max(b.startT, axis.domain[0])) * pxPerS >= textWidthPx(b.phase) + 8 && b.startT >= axis.domain[0]);
  const layers: object[] = [
    {
      data: { values: bands },
      mark: { type: 'rect', color: MUTED, clip: true },
      encoding: {
        x: { field: 'startT', type: 'quantitative', scale: { domain: axis.domain, nice: false } },
        x2: { field: 'endT' },
        opacity: { condition: { test: "datum.phase === 'steady' || datum.phase === 'full-load'", value: 0.04 }, value: 0.18 },
      },
    },
  ];
  if (named.length > 0) {
    layers.push({
      data: { values: named },
      mark: { type: 'text', baseline: 'top', align: 'left', dx: 3, dy: 2, fontSize: TEXT_PX, color: 'currentColor', opacity: 0.75 },
      encoding: { x: { field: 'startT', type: 'quantitative' }, y: { value: 0 }, text: { field: 'phase' } },
    });
  }
  return layers;
}

/** Large values (bytes, counters) get SI suffixes so labels fit the fixed axis width. */
function yAxis(rows: Row[]): object {
  const max = Math.max(0, ...rows.map((r) => (typeof r.value === 'number' ? Math.abs(r.value) : 0)));
  return max >= 10000 ? { format: '~s' } : {};
}

function timeX(axis: TimeAxis) {
  return { field: 't', type: 'quantitative', title: 'seconds since run start', scale: { domain: axis.domain, nice: false, zero: false } };
}

const numbers = (rows: Row[], field: string) => rows.map((r) => r[field]).filter((v): v is number => typeof v === 'number');
/** The rows inside the time axis: a line drawn from points outside it would be cut at the plot's edge, and set the y scale. */
const shown = (rows: Row[], axis: TimeAxis) => rows.filter((r) => typeof r.t === 'number' && r.t >= axis.domain[0] && r.t <= axis.domain[1]);

/** Lines over the run's time axis, one per `series` value, with fixed colours. */
export function timelineSpec(opts: { title: string; yTitle: string; axis: TimeAxis; rows: Row[]; colors: Record<string, string>; area?: boolean; extraY?: number[]; size?: ChartSize }): TopLevelSpec {
  const size = opts.size ?? WIDE;
  const domain = Object.keys(opts.colors);
  const layer = {
    data: { values: shown(opts.rows, opts.axis) },
    mark: opts.area ? { type: 'area', line: true, opacity: 0.35, clip: true } : { type: 'line', interpolate: 'linear', clip: true },
    encoding: {
      x: timeX(opts.axis),
      y: { field: 'value', type: 'quantitative', title: encodingTitle(opts.yTitle), axis: yAxis(opts.rows), scale: headroom([...numbers(shown(opts.rows, opts.axis), 'value'), ...(opts.extraY ?? [])]) },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain, range: domain.map((d) => opts.colors[d]) }, legend: domain.length > 1 ? {} : null },
    },
  };
  return { ...base(opts.title, size), layer: [...phaseLayers(opts.axis, size), layer] } as unknown as TopLevelSpec;
}

export const PERCENTILE_KEYS = ['p50', 'p90', 'p95', 'p99'] as const;

export function percentileColors(): Record<string, string> {
  return Object.fromEntries(PERCENTILE_KEYS.map((k) => [k, PERCENTILE_COLORS[k] as string]));
}

/** Prometheus series: one line per label set, in the colour-blind-safe run palette. */
export function seriesSpec(opts: { title: string; yTitle: string; axis: TimeAxis; rows: Row[]; seriesOrder: string[]; size?: ChartSize }): TopLevelSpec {
  const size = opts.size ?? WIDE;
  const range = opts.seriesOrder.map((_, i) => RUN_PALETTE[i % RUN_PALETTE.length]);
  const layer = {
    data: { values: shown(opts.rows, opts.axis) },
    mark: { type: 'line', clip: true },
    encoding: {
      x: timeX(opts.axis),
      y: { field: 'value', type: 'quantitative', title: encodingTitle(opts.yTitle), axis: yAxis(opts.rows), scale: headroom(numbers(shown(opts.rows, opts.axis), 'value')) },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: opts.seriesOrder, range }, legend: opts.seriesOrder.length > 1 ? {} : null },
    },
  };
  return { ...base(opts.title, size), layer: [...phaseLayers(opts.axis, size), layer] } as unknown as TopLevelSpec;
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

/**
 * Factor values that double (1, 2, 4, 8 …; every value a power-of-two multiple of the
 * smallest, at least three of them): drawn on a log-2 axis, where each doubling is one
 * step and a sweep 1…64 does not crowd its first points into the left edge.
 */
export function doublingValues(values: number[]): boolean {
  const xs = [...new Set(values)].sort((a, b) => a - b);
  if (xs.length < 3 || xs[0]! <= 0) return false;
  return xs.every((x) => {
    const l = Math.log2(x / xs[0]!);
    return Math.abs(l - Math.round(l)) < 1e-9;
  });
}

/**
 * A reference line (linear scaling) cut where it leaves the data's range: at most 15%
 * above the highest measured value, so a line that runs far above the data does not
 * flatten it. `ideal` rises with x; the cut point is interpolated on the line.
 */
export function boundedReference(ideal: Array<{ value: number; y: number }>, measuredMax: number): Array<{ value: number; y: number }> {
  const top = measuredMax * 1.15;
  const out: Array<{ value: number; y: number }> = [];
  for (const p of [...ideal].sort((a, b) => a.value - b.value)) {
    const prev = out[out.length - 1];
    if (p.y <= top) {
      out.push(p);
      continue;
    }
    if (prev && p.y > prev.y) out.push({ value: prev.value + ((top - prev.y) / (p.y - prev.y)) * (p.value - prev.value), y: top });
    break;
  }
  return out;
}

/** A measure against the study factor: a grey line through points coloured per run; an optional dashed reference line. */
export function factorSpec(opts: { title: string; factor: string; yTitle: string; rows: Row[]; runScale: RunColorScale; ideal?: Array<{ value: number; y: number }>; size?: ChartSize }): TopLevelSpec {
  const size = opts.size ?? WIDE;
  const runScale = keepRuns(opts.runScale, new Set(opts.rows.map((r) => r.runId)));
  const values = [...new Set(numbers(opts.rows, 'value'))];
  const log2 = doublingValues(values);
  // Padding keeps the first and last points off the plot's edges.
  const xScale = log2 ? { type: 'log', base: 2, nice: false, padding: 18 } : { zero: false, nice: false, padding: 18 };
  const x = { field: 'value', type: 'quantitative', title: encodingTitle(opts.factor) + (log2 ? ' (log scale)' : ''), scale: xScale, axis: { values, format: ',~r' } };
  const ys = numbers(opts.rows, 'y');
  const ideal = opts.ideal ? boundedReference(opts.ideal, Math.max(0, ...ys)) : [];
  const y = { field: 'y', type: 'quantitative', title: encodingTitle(opts.yTitle), scale: headroom([...ys, ...ideal.map((p) => p.y)]) };
  const layers: object[] = [];
  if (ideal.length > 1) {
    layers.push({ data: { values: ideal }, mark: { type: 'line', strokeDash: [4, 3], color: MUTED }, encoding: { x, y } });
  }
  const measures = new Set(opts.rows.map((r) => r.measure));
  layers.push(
    { data: { values: opts.rows }, mark: { type: 'line', color: MUTED }, encoding: { x, y, detail: { field: 'measure', type: 'nominal' } } },
    {
      data: { values: opts.rows },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        x,
        y,
        color: { field: 'runId', type: 'nominal', title: 'run', scale: runScale },
        shape: { field: 'measure', type: 'nominal', title: null, legend: measures.size > 1 ? {} : null },
      },
    },
  );
  return { ...base(opts.title, size), layer: layers } as unknown as TopLevelSpec;
}

/**
 * The experiment's change with its confidence interval, against 0 and the required
 * change: the verdict can be read off where the interval sits.
 */
export function ciSpec(opts: { title: string; metric: string; changePct: number; ci: [number, number]; thresholdPct: number; color: string; size?: ChartSize }): TopLevelSpec {
  const size = opts.size ?? WIDE;
  const lo = Math.min(opts.ci[0], opts.changePct, 0, opts.thresholdPct);
  const hi = Math.max(opts.ci[1], opts.changePct, 0, opts.thresholdPct);
  const pad = Math.max(1, (hi - lo) * 0.1);
  const x = { type: 'quantitative', title: encodingTitle(`change of ${opts.metric}, candidate vs baseline (%)`), scale: { domain: [lo - pad, hi + pad], nice: false } };
  const est = [{ label: 'candidate', low: opts.ci[0], high: opts.ci[1], change: opts.changePct }];
  const required = [{ x: opts.thresholdPct, text: `required ${opts.thresholdPct > 0 ? '+' : ''}${opts.thresholdPct}%` }];
  // The label goes on the side of the rule away from zero, where the interval of a pass lies less often.
  const away = opts.thresholdPct < 0 ? { align: 'right', dx: -4 } : { align: 'left', dx: 4 };
  return {
    ...base(opts.title, size),
    height: 70,
    layer: [
      { data: { values: [{ x: 0 }] }, mark: { type: 'rule', color: MUTED }, encoding: { x: { ...x, field: 'x' } } },
      { data: { values: required }, mark: { type: 'rule', color: '#D55E00', strokeDash: [5, 3] }, encoding: { x: { ...x, field: 'x' } } },
      { data: { values: required }, mark: { type: 'text', color: 'currentColor', baseline: 'top', dy: 2, ...away }, encoding: { x: { ...x, field: 'x' }, y: { value: 0 }, text: { field: 'text' } } },
      { data: { values: est }, mark: { type: 'rule', color: opts.color, strokeWidth: 3 }, encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' }, y: { value: 45 } } },
      { data: { values: est }, mark: { type: 'point', filled: true, size: 90, color: opts.color, opacity: 1 }, encoding: { x: { ...x, field: 'change' }, y: { value: 45 } } },
    ],
  } as unknown as TopLevelSpec;
}

/** Peak and sustained p95/p99 side by side for each row of a peak-vs-sustained study. */
export function peakSustainedSpec(opts: { title: string; labelTitle: string; rows: Row[]; order: string[]; size?: ChartSize }): TopLevelSpec {
  const size = opts.size ?? WIDE;
  const measures = ['sustained p95', 'peak p95', 'sustained p99', 'peak p99'];
  // Light and dark of two colour-blind-safe hues: sustained light, peak dark.
  const colors = ['#56B4E9', '#0072B2', '#E69F00', '#D55E00'];
  return {
    ...base(opts.title, size),
    data: { values: opts.rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'label', type: 'nominal', title: encodingTitle(opts.labelTitle), sort: opts.order, axis: { labelAngle: 0, labelLimit: Math.floor(plotWidth(size) / Math.max(1, opts.order.length)) - 8 } },
      xOffset: { field: 'measure', type: 'nominal', sort: measures },
      y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: headroom(numbers(opts.rows, 'ms')) },
      color: { field: 'measure', type: 'nominal', title: null, scale: { domain: measures, range: colors } },
    },
  } as unknown as TopLevelSpec;
}

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The chart's text alternative inside its SVG: its title and one line saying what it
 * shows, as the SVG's <title> and <desc>, named by role="img" and aria-labelledby
 * (screen readers, and the tooltip of a linked .svg file). `id` must be unique on a page.
 */
export function labelledSvg(svg: string, id: string, title: string, description: string): string {
  return svg.replace(
    /^<svg([^>]*)>/,
    (_, attrs: string) => `<svg${attrs} role="img" aria-labelledby="${id}-title ${id}-desc"><title id="${id}-title">${xmlText(title)}</title><desc id="${id}-desc">${xmlText(description)}</desc>`,
  );
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
