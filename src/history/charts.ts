// The history page's charts: one per metric, each run a line over the builds, a triangle
// where a shift starts. Latency and throughput on a log scale (runs of very different
// levels share a chart and a 20% shift looks the same at any level); the error rate in %.
import type { TopLevelSpec } from 'vega-lite';
import type { Metric } from '../baseline/types.js';
import { base, encodingTitle, NARROW, WIDE, type ChartSize } from '../render/charts.js';
import { RUN_PALETTE } from '../render/colors.js';
import type { HistoryFile } from './types.js';

export const CHART_METRICS: ReadonlyArray<{ metric: Metric; title: string; unit: string }> = [
  { metric: 'rps', title: 'Full-load throughput over the builds', unit: 'req/s' },
  { metric: 'p50', title: 'p50 over the builds (full load if steady, else end of run)', unit: 'ms' },
  { metric: 'p95', title: 'p95 over the builds (full load if steady, else end of run)', unit: 'ms' },
  { metric: 'p99', title: 'p99 over the builds (full load if steady, else end of run)', unit: 'ms' },
  { metric: 'errorRate', title: 'Error rate over the builds (full load)', unit: '%' },
];

interface Row {
  build: number;
  run: string;
  y: number;
  shift: boolean;
}

function rowsOf(h: HistoryFile, metric: Metric): Row[] {
  const names = new Map<string, string>();
  const rows: Row[] = [];
  for (const [i, b] of h.builds.entries()) {
    for (const r of b.runs) {
      const v = r[metric];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const y = metric === 'errorRate' ? v * 100 : v;
      if (metric !== 'errorRate' && y <= 0) continue; // a log scale has no zero
      if (!names.has(r.key)) names.set(r.key, encodingTitle(r.name));
      rows.push({ build: i + 1, run: names.get(r.key)!, y, shift: h.shifts.some((s) => s.key === r.key && s.metric === metric && s.buildIndex === i) });
    }
  }
  return rows;
}

export function historySpec(h: HistoryFile, metric: Metric, size: ChartSize = WIDE): TopLevelSpec | null {
  const m = CHART_METRICS.find((c) => c.metric === metric)!;
  const rows = rowsOf(h, metric);
  if (rows.length === 0) return null;
  const x = { field: 'build', type: 'quantitative', title: 'build', scale: { nice: false, padding: 12 }, axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'y', type: 'quantitative', title: m.unit, scale: metric === 'errorRate' ? { zero: true } : { type: 'log', nice: true } };
  const color = { field: 'run', type: 'nominal', title: 'run', scale: { range: [...RUN_PALETTE] }, legend: { orient: size.narrow ? 'bottom' : 'right', columns: size.narrow ? 1 : undefined, labelLimit: size.narrow ? 300 : 220 } };
  return {
    ...base(m.title, size),
    data: { values: rows },
    layer: [
      { mark: { type: 'line', point: { filled: true, size: 30 } }, encoding: { x, y, color } },
      { transform: [{ filter: 'datum.shift' }], mark: { type: 'point', shape: 'triangle-up', size: 160, filled: true, color: '#D55E00' }, encoding: { x, y } },
    ],
  } as unknown as TopLevelSpec;
}

export { NARROW, WIDE };
