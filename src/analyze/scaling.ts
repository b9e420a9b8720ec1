// Scaling studies: throughput and latency at full load against a numeric factor. What
// the study concludes depends on the factor's kind (factor-kind.ts): a load sweep gives
// the capacity curve and where it saturates, a capacity study gives speed-up and
// efficiency, a setting study compares values. Every step is judged against the noise
// of the runs' own full-load figures.
import type { Run } from '../model/types.js';
import { changePct } from './format.js';
import { factorKindOf, scalingTitle } from './factor-kind.js';
import { findKnee, rampKnee, type LoadLevel } from './knee.js';
import type { RunFacts } from './run-analysis.js';
import { scalingConclusions, scalingDefinitions } from './scaling-text.js';
import { median } from './stats.js';
import type { FactorKind, FigureBasis, Saturation, ScalingGridCell, ScalingKnee, ScalingPoint, ScalingStep, ScalingStudy, ScalingStudyConfig } from './types.js';

export function factorValue(run: Run, factor: string): number | null {
  const raw = run.labels[factor];
  if (raw === undefined || raw.trim() === '') return null;
  const v = Number(raw);
  return Number.isFinite(v) ? v : null;
}

/** A run's throughput and latency as the study compares them, with the names of their bases. */
interface Reading {
  rps: number | null;
  rpsBasis: FigureBasis;
  rpsNoise: number | null;
  latencyBasis: FigureBasis;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

function readingOf(f: RunFacts, level: number | null): Reading {
  const a = f.analysis;
  // A run that steps its load is compared on the level every run of the study reached.
  if (level !== null) {
    const l = a.loadLevels.filter((x) => x.users <= level).sort((x, y) => y.users - x.users || y.fromT - x.fromT)[0];
    if (l) return { rps: l.rps, rpsBasis: 'load-level', rpsNoise: null, latencyBasis: 'load-level', p50: l.p50, p95: l.p95, p99: null };
  }
  if (a.fullLoad && a.fullLoad.rps !== null) {
    const steady = a.state === 'steady';
    const lat = steady ? a.sustained : a.endOfRun;
    return {
      rps: a.fullLoad.rps,
      rpsBasis: 'full-load',
      rpsNoise: a.fullLoad.rpsNoise,
      latencyBasis: steady ? 'full-load' : 'end-of-run',
      p50: lat?.p50 ?? null,
      p95: lat?.p95 ?? null,
      p99: steady ? (a.sustained?.p99 ?? null) : null,
    };
  }
  const s = f.run.summary.latencyMs;
  return { rps: a.averageRps, rpsBasis: 'whole-run', rpsNoise: null, latencyBasis: 'whole-run', p50: s.p50, p95: s.p95, p99: s.p99 };
}

function point(f: RunFacts, value: number, level: number | null, by: number | null): ScalingPoint {
  const a = f.analysis;
  const r = readingOf(f, level);
  return {
    value,
    runId: f.run.id,
    rps: r.rps,
    rpsBasis: r.rpsBasis,
    rpsNoise: r.rpsNoise,
    averageRps: a.averageRps,
    state: a.state,
    knee: rampKnee(f.run, f.phase.steady, a.fullLoad?.rps ?? null, a.thinkTimeS?.value ?? null, a.bursts),
    latencyBasis: r.latencyBasis,
    p50: r.p50,
    p95: r.p95,
    p99: r.p99,
    errorRate: a.errorRate,
    ...(by !== null ? { by } : {}),
    speedup: null,
    efficiency: null,
  };
}

/** Noise of a change between two throughputs: their 95% half-widths combined, never wider than the smaller value. */
function stepNoise(a: ScalingPoint, b: ScalingPoint): number | null {
  if (a.rpsNoise === null && b.rpsNoise === null) return null;
  const n = Math.hypot(a.rpsNoise ?? 0, b.rpsNoise ?? 0);
  return Math.min(n, Math.min(a.rps ?? n, b.rps ?? n));
}

function steps(points: ScalingPoint[], kind: FactorKind): ScalingStep[] {
  const out: ScalingStep[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (a.value === b.value) continue;
    const rpsChange = changePct(a.rps, b.rps);
    const noiseRps = stepNoise(a, b);
    const diff = a.rps !== null && b.rps !== null ? b.rps - a.rps : null;
    const within = diff === null || (noiseRps !== null && Math.abs(diff) <= noiseRps);
    const speedup = kind === 'capacity' && a.rps && b.rps !== null ? b.rps / a.rps : null;
    out.push({
      from: a.value,
      to: b.value,
      fromRunId: a.runId,
      toRunId: b.runId,
      rpsChangePct: rpsChange,
      p50ChangePct: changePct(a.p50, b.p50),
      p95ChangePct: changePct(a.p95, b.p95),
      speedup,
      efficiency: speedup !== null && a.value > 0 ? speedup / (b.value / a.value) : null,
      verdict: diff === null ? null : noiseRps === null ? (diff > 0 ? 'gain' : diff < 0 ? 'loss' : 'no-effect') : within ? 'no-effect' : diff > 0 ? 'gain' : 'loss',
      withinNoise: diff !== null && noiseRps !== null && within,
      noiseRps,
      noisePct: noiseRps !== null && a.rps !== null && b.rps !== null && Math.min(a.rps, b.rps) > 0 ? (noiseRps / Math.min(a.rps, b.rps)) * 100 : 0,
    });
  }
  return out;
}

/**
 * Load studies: the smallest load from which every later run's full-load throughput stays
 * within noise of the median of those runs (at least two loads). Runs whose failures are
 * above the threshold are left out: fast failures inflate a throughput figure.
 */
function saturationOf(points: ScalingPoint[], failureRateThreshold: number): Saturation | null {
  const excluded = points.filter((p) => (p.errorRate ?? 0) > failureRateThreshold).map((p) => p.runId);
  const pts = points.filter((p) => p.rps !== null && !excluded.includes(p.runId));
  const values = [...new Set(pts.map((p) => p.value))];
  for (let k = 0; k + 1 < values.length; k++) {
    const tail = pts.filter((p) => p.value >= values[k]!);
    const level = median(tail.map((p) => p.rps!))!;
    const ok = tail.every((p) => Math.abs(p.rps! - level) <= Math.min(p.rps!, Math.hypot(p.rpsNoise ?? 0, (p.rpsNoise ?? 0) / Math.sqrt(tail.length))) + 1e-9 && p.rpsNoise !== null);
    if (ok && level > 0) return { rps: level, from: values[k]!, msPerUser: 1000 / level, excluded };
  }
  return null;
}

/**
 * One point per factor value: repeated runs of one configuration give the run with the
 * median throughput, its noise widened to half the repeats' range when that is larger.
 */
function representatives(points: ScalingPoint[]): ScalingPoint[] {
  const out: ScalingPoint[] = [];
  for (const value of [...new Set(points.map((p) => p.value))]) {
    const same = points.filter((p) => p.value === value);
    if (same.length === 1) {
      out.push(same[0]!);
      continue;
    }
    const known = same.filter((p) => p.rps !== null).sort((a, b) => a.rps! - b.rps!);
    const rep = known.length > 0 ? known[Math.floor((known.length - 1) / 2)]! : same[0]!;
    const halfRange = known.length > 1 ? (known[known.length - 1]!.rps! - known[0]!.rps!) / 2 : 0;
    out.push({ ...rep, rpsNoise: Math.max(rep.rpsNoise ?? 0, halfRange), repeats: same.map((p) => p.runId) });
  }
  return out;
}

/** The highest `by` value that every factor value has a run at. */
function commonBy(facts: Array<{ value: number; by: number | null }>): number | null {
  const byValues = new Map<number, Set<number>>();
  for (const x of facts) if (x.by !== null) byValues.set(x.value, new Set([...(byValues.get(x.value) ?? []), x.by]));
  if (byValues.size === 0) return null;
  const sets = [...byValues.values()];
  const common = [...sets[0]!].filter((b) => sets.every((s) => s.has(b)));
  return common.length > 0 ? Math.max(...common) : null;
}

export function scalingStudy(cfg: ScalingStudyConfig & { id: string }, facts: RunFacts[], windowS: number, failureRateThreshold = 0.01): ScalingStudy {
  const factor = cfg.factor;
  const kind = cfg.factorKind ?? factorKindOf(factor);
  const by = cfg.by ?? null;
  const chosen = facts
    .filter((f) => (cfg.runs ? cfg.runs.includes(f.run.id) : true))
    .map((f) => ({ f, value: factorValue(f.run, factor), by: by !== null ? factorValue(f.run, by) : null }))
    .filter((x): x is { f: RunFacts; value: number; by: number | null } => x.value !== null)
    .sort((a, b) => a.value - b.value || (a.by ?? 0) - (b.by ?? 0) || (a.f.run.id < b.f.run.id ? -1 : a.f.run.id > b.f.run.id ? 1 : 0));
  const byValue = by !== null ? commonBy(chosen) : null;
  const compared = by !== null && byValue !== null ? chosen.filter((c) => c.by === byValue) : chosen;
  // Runs that step their load are compared at the highest level all of them reached.
  const stepped = compared.length > 0 && compared.every((c) => c.f.analysis.loadLevels.length > 0);
  const level = stepped ? Math.min(...compared.map((c) => Math.max(...c.f.analysis.loadLevels.map((l) => l.users)))) : null;
  const points = representatives(compared.map(({ f, value, by: b }) => point(f, value, level, b)));

  const base = points.find((p) => p.rps !== null && p.rps > 0);
  if (kind === 'capacity' && base) {
    for (const p of points) {
      if (p.rps !== null && base.value > 0) {
        p.speedup = p.rps / base.rps!;
        p.efficiency = p.speedup / (p.value / base.value);
      }
    }
  }
  const st = steps(points, kind);
  const noises = points.map((p) => p.rpsNoise).filter((x): x is number => x !== null);
  const noise = noises.length > 0 ? { rps: median(noises)!, basis: "the median of the runs' 95% half-widths of their full-load throughput (1.96 σ/√n of the per-interval rates, σ robust and at least the counts' Poisson noise)" } : null;
  const saturation = kind === 'load' ? saturationOf(points, failureRateThreshold) : null;

  const think = thinkTimeOf(compared.map((c) => c.f), factor);
  // Knee: across runs of a load sweep, else within a run whose own users ramp.
  let knee: ScalingKnee | null = null;
  if (kind === 'load') {
    const levels: LoadLevel[] = points
      .filter((p) => p.rps !== null && (p.p50 ?? p.p95) !== null)
      .map((p) => ({ users: p.value, rps: p.rps!, latencyMs: (p.p50 ?? p.p95)!, t: null, runId: p.runId, value: p.value }));
    const k = findKnee(levels, think?.value ?? null);
    if (k) knee = { runId: k.level.runId, value: k.level.value ?? null, t: null, users: k.level.users, rps: k.level.rps, littleN: k.littleN, reason: k.reason };
  }
  if (!knee) {
    const p = points.find((x) => x.knee);
    if (p && p.knee) knee = { runId: p.runId, value: null, t: p.knee.t, users: p.knee.users, rps: p.knee.rps, littleN: p.knee.littleN, reason: p.knee.reason };
  }

  const grid: ScalingGridCell[] =
    by !== null
      ? chosen
          .filter((c) => c.by !== null)
          .map(({ f, value, by: b }) => {
            const r = readingOf(f, null);
            return { value, by: b!, runId: f.run.id, rps: r.rps, rpsBasis: r.rpsBasis, p95: r.p95, latencyBasis: r.latencyBasis, state: f.analysis.state };
          })
      : [];
  const study: ScalingStudy = {
    id: cfg.id,
    kind: 'scaling',
    title: cfg.title ?? scalingTitle(factor, kind, by),
    conclusions: [],
    definitions: [],
    runIds: (by !== null ? chosen : compared).map((c) => c.f.run.id),
    factor,
    factorKind: kind,
    by,
    byValue,
    points,
    steps: st,
    noise,
    saturation,
    knee,
    grid,
  };
  study.conclusions = scalingConclusions(study, think, level);
  study.definitions = scalingDefinitions(study, windowS);
  return study;
}

/** Load generators that hold connections and send the next request as soon as an answer arrives: no think time. */
const BACK_TO_BACK = /^(connections?|conns?|concurrency|c)$/i;

/**
 * The study's think time: from a run's config, else estimated from a steady run (the same
 * load script), else 0 when the load is connections sending back to back (bombardier, wrk).
 */
export function thinkTimeOf(facts: RunFacts[], factor = ''): { value: number; basis: 'config' | 'estimated' | 'back-to-back'; runId: string } | null {
  const config = facts.find((f) => f.analysis.thinkTimeS?.basis === 'config');
  if (config) return { value: config.analysis.thinkTimeS!.value, basis: 'config', runId: config.run.id };
  const est = facts.find((f) => f.analysis.thinkTimeS?.basis === 'estimated');
  if (est) return { value: est.analysis.thinkTimeS!.value, basis: 'estimated', runId: est.run.id };
  if (facts.length > 0 && (facts.every((f) => f.run.tool === 'bombardier') || BACK_TO_BACK.test(factor))) return { value: 0, basis: 'back-to-back', runId: facts[0]!.run.id };
  return null;
}
