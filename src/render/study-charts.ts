// Chart specs of the study pages that compare runs over time or along a user ramp:
// an experiment's percentiles over time for both runs, and a scaling run's throughput
// against its user count with the saturation knee marked.
import type { TopLevelSpec } from 'vega-lite';
import { base, headroom, keepRuns, MUTED, WIDE, type ChartSize, type RunColorScale } from './charts.js';

export const SOURCE_CLIENT = 'client';
export const SOURCE_SERVER = 'server (Prometheus)';

export interface PercentileRow {
  /** Seconds since the start of the row's own run. */
  t: number;
  runId: string;
  source: typeof SOURCE_CLIENT | typeof SOURCE_SERVER;
  ms: number | null;
}

/** A ramp (non-steady) phase of one run, shaded behind the lines. */
export interface RunPhaseBand {
  runId: string;
  phase: string;
  startT: number;
  endT: number;
}

/**
 * One percentile over time for several runs on one axis (seconds since each run's
 * start): a line per run in its site-wide colour, solid for the load generator's
 * figures, dashed for the server's own (Prometheus) ones. Ramp phases are shaded.
 */
export function percentileOverTimeSpec(opts: {
  title: string;
  percentile: string;
  rows: PercentileRow[];
  runScale: RunColorScale;
  domain: [number, number];
  bands: RunPhaseBand[];
  size?: ChartSize;
}): TopLevelSpec {
  const rows = opts.rows.filter((r) => r.ms !== null);
  const runScale = keepRuns(opts.runScale, new Set(rows.map((r) => r.runId)));
  const sources = [SOURCE_CLIENT, SOURCE_SERVER].filter((s) => rows.some((r) => r.source === s));
  const x = { field: 't', type: 'quantitative', title: 'seconds since run start', scale: { domain: opts.domain, nice: false, zero: false } };
  const layers: object[] = [];
  const bands = opts.bands.filter((b) => b.endT > b.startT);
  if (bands.length > 0) {
    layers.push({
      data: { values: bands },
      mark: { type: 'rect', color: MUTED, opacity: 0.12, clip: true },
      encoding: { x: { field: 'startT', type: 'quantitative', scale: { domain: opts.domain, nice: false } }, x2: { field: 'endT' } },
    });
  }
  layers.push({
    data: { values: rows },
    mark: { type: 'line', clip: true, interpolate: 'linear' },
    encoding: {
      x,
      y: { field: 'ms', type: 'quantitative', title: `${opts.percentile} (ms)`, scale: headroom(rows.map((r) => r.ms)) },
      color: { field: 'runId', type: 'nominal', title: 'run', scale: runScale },
      strokeDash: {
        field: 'source',
        type: 'nominal',
        title: null,
        scale: { domain: [SOURCE_CLIENT, SOURCE_SERVER], range: [[1, 0], [5, 3]] },
        legend: sources.length > 1 ? {} : null,
      },
      detail: { field: 'source', type: 'nominal' },
    },
  });
  return { ...base(opts.title, opts.size ?? WIDE), layer: layers } as unknown as TopLevelSpec;
}

export interface RampPoint {
  users: number;
  rps: number;
}

/**
 * Throughput against the user count during one run: a dot per timeline point, a line
 * through the mean of each user count, the knee marked and labelled, and Little's
 * law's N* as a dashed rule.
 */
export function rampKneeSpec(opts: {
  title: string;
  color: string;
  points: RampPoint[];
  knee: { users: number; rps: number; label: string } | null;
  littleN: number | null;
  /** The best sustained rps the knee is measured against, drawn as a dashed level. */
  saturationRps: number | null;
  size?: ChartSize;
}): TopLevelSpec {
  const means = new Map<number, { sum: number; n: number }>();
  for (const p of opts.points) {
    const m = means.get(p.users) ?? { sum: 0, n: 0 };
    m.sum += p.rps;
    m.n += 1;
    means.set(p.users, m);
  }
  const line = [...means.entries()].sort((a, b) => a[0] - b[0]).map(([users, m]) => ({ users, rps: m.sum / m.n }));
  const maxUsers = Math.max(1, ...opts.points.map((p) => p.users), opts.littleN ?? 0);
  // Padding keeps the points at the highest user count off the plot's right edge.
  const x = { field: 'users', type: 'quantitative', title: 'users', scale: { domain: [0, maxUsers], nice: false, padding: 8 } };
  const y = { field: 'rps', type: 'quantitative', title: 'req/s', scale: headroom([...opts.points.map((p) => p.rps), opts.saturationRps]) };
  const layers: object[] = [
    { data: { values: opts.points }, mark: { type: 'point', filled: true, size: 22, opacity: 0.45, color: opts.color }, encoding: { x, y } },
    { data: { values: line }, mark: { type: 'line', color: opts.color }, encoding: { x, y } },
  ];
  // What the marks are, said under the title: labels inside the plot would cross each other
  // when the knee, N* and the best sustained level lie close together.
  const notes: string[] = [];
  if (opts.knee) {
    const k = [opts.knee];
    notes.push(`◆ ${opts.knee.label}`);
    layers.push(
      { data: { values: k }, mark: { type: 'rule', color: '#D55E00', strokeDash: [2, 2] }, encoding: { x } },
      { data: { values: k }, mark: { type: 'point', shape: 'diamond', filled: true, size: 120, color: '#D55E00' }, encoding: { x, y } },
    );
  }
  if (opts.saturationRps !== null) {
    notes.push(`dashed level: best sustained ${Number(opts.saturationRps.toPrecision(3))} req/s`);
    layers.push({ data: { values: [{ rps: opts.saturationRps }] }, mark: { type: 'rule', color: MUTED, strokeDash: [4, 3] }, encoding: { y } });
  }
  if (opts.littleN !== null) {
    notes.push(`dashed vertical: Little's law N* ≈ ${Number(opts.littleN.toPrecision(3))} users`);
    layers.push({ data: { values: [{ users: opts.littleN }] }, mark: { type: 'rule', color: MUTED, strokeDash: [4, 3] }, encoding: { x } });
  }
  return { ...base(opts.title, opts.size ?? WIDE, notes.length > 0 ? notes.join(' · ') : undefined), layer: layers } as unknown as TopLevelSpec;
}
