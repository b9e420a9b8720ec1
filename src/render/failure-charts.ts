// Chart specs of the failures study: the error rate over a run's time axis (client
// failures with the server's 5xx overlaid, phases shaded) and latency against the
// per-interval failure rate. Built on the shared look of charts.ts.
import type { TopLevelSpec } from 'vega-lite';
import { base, headroom, MUTED, timelineSpec, WIDE, type ChartSize, type TimeAxis } from './charts.js';

export const CLIENT_SERIES = 'client failures';
export const SERVER_SERIES = 'server 5xx (Prometheus)';
const CLIENT_COLOR = '#D55E00';
const SERVER_COLOR = '#0072B2';

export interface RateRow {
  t: number;
  series: typeof CLIENT_SERIES | typeof SERVER_SERIES;
  value: number | null;
}

/** Lines of one unit over the run's time, client red and server blue, with an optional dashed threshold. */
function clientServerSpec(opts: { title: string; yTitle: string; axis: TimeAxis; rows: RateRow[]; thresholdY?: number; thresholdText?: string; size?: ChartSize }): TopLevelSpec {
  const series = [...new Set(opts.rows.map((r) => r.series))];
  const colors: Record<string, string> = {};
  if (series.includes(CLIENT_SERIES)) colors[CLIENT_SERIES] = CLIENT_COLOR;
  if (series.includes(SERVER_SERIES)) colors[SERVER_SERIES] = SERVER_COLOR;
  const spec = timelineSpec({
    title: opts.title,
    yTitle: opts.yTitle,
    axis: opts.axis,
    rows: opts.rows as unknown as Array<Record<string, string | number | null>>,
    colors,
    extraY: opts.thresholdY === undefined ? [] : [opts.thresholdY],
    size: opts.size,
  }) as unknown as { layer: object[] };
  if (opts.thresholdY !== undefined) {
    const rule = [{ y: opts.thresholdY, text: opts.thresholdText ?? '' }];
    spec.layer.push(
      { data: { values: rule }, mark: { type: 'rule', color: MUTED, strokeDash: [5, 3] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      {
        data: { values: rule },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, color: 'currentColor', opacity: 0.8 },
        encoding: { y: { field: 'y', type: 'quantitative' }, x: { value: 'width' }, text: { field: 'text' } },
      },
    );
  }
  return spec as unknown as TopLevelSpec;
}

/** Failed requests as % of requests per interval, the server's 5xx share on top, the threshold dashed. */
export function errorRateSpec(opts: { axis: TimeAxis; rows: RateRow[]; thresholdPct: number; size?: ChartSize }): TopLevelSpec {
  return clientServerSpec({ title: 'Error rate over time', yTitle: '% of requests', axis: opts.axis, rows: opts.rows, thresholdY: opts.thresholdPct, thresholdText: `threshold ${opts.thresholdPct}%`, size: opts.size });
}

/** Failures per second at the client against 5xx responses per second at the server. */
export function failuresPerSecondSpec(opts: { axis: TimeAxis; rows: RateRow[]; size?: ChartSize }): TopLevelSpec {
  return clientServerSpec({ title: 'Failures per second', yTitle: 'per second', axis: opts.axis, rows: opts.rows, size: opts.size });
}

export interface LatencyPointRow {
  /** Failure rate of the interval, %. */
  failurePct: number;
  p95: number;
  phase: string;
  t: number;
}

/** One point per timeline interval: its failure rate against its p95, coloured by phase. */
export function latencyVsFailureSpec(opts: { rows: LatencyPointRow[]; splitPct: number | null; size?: ChartSize }): TopLevelSpec {
  const colorOf: Record<string, string> = { 'ramp-up': '#CC79A7', steady: '#E69F00', 'full-load': '#E69F00', 'ramp-down': '#666666', run: '#E69F00' };
  const phases = Object.keys(colorOf).filter((p) => opts.rows.some((r) => r.phase === p));
  const layers: object[] = [
    {
      data: { values: opts.rows },
      mark: { type: 'point', filled: true, size: 36, opacity: 0.8 },
      encoding: {
        x: { field: 'failurePct', type: 'quantitative', title: 'failed requests in the interval (%)', scale: { padding: 8, nice: false, zero: true } },
        y: { field: 'p95', type: 'quantitative', title: 'p95 (ms)', scale: headroom(opts.rows.map((r) => r.p95)) },
        color: { field: 'phase', type: 'nominal', title: null, scale: { domain: phases, range: phases.map((p) => colorOf[p]!) }, legend: phases.length > 1 ? {} : null },
      },
    },
  ];
  if (opts.splitPct !== null) {
    layers.push({ data: { values: [{ x: opts.splitPct }] }, mark: { type: 'rule', color: MUTED, strokeDash: [4, 3] }, encoding: { x: { field: 'x', type: 'quantitative' } } });
  }
  return { ...base('p95 against the failure rate, per interval (dashed: the median split)', opts.size ?? WIDE), layer: layers } as unknown as TopLevelSpec;
}
