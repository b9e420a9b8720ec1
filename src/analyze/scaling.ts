// Scaling studies: throughput and latency against a numeric factor (replicas, workers,
// threads, users, connections), speed-up and efficiency against linear, noise-aware steps
// and the saturation knee.
import type { Run } from '../model/types.js';
import { changePct, num, pct, sig3 } from './format.js';
import { findKnee, rampKnee, type Knee, type LoadLevel } from './knee.js';
import type { RunFacts } from './run-analysis.js';
import type { RampKnee, ScalingKnee, ScalingPoint, ScalingStep, ScalingStudy, ScalingStudyConfig } from './types.js';

/** The smallest change we ever call real, in %. */
const MIN_NOISE_PCT = 3;
/** Factors that are a concurrency: a sweep over them can show a knee across runs. */
const CONCURRENCY_FACTOR = /^(users?|vus?|connections?|conns?|concurrency|clients?|c)$/i;

export function factorValue(run: Run, factor: string): number | null {
  const raw = run.labels[factor];
  if (raw === undefined || raw.trim() === '') return null;
  const v = Number(raw);
  return Number.isFinite(v) ? v : null;
}

/** The highest rps of any full sliding window lying inside the steady phase. */
export function bestSustainedRps(f: RunFacts, windowS: number): number | null {
  const steady = f.phase.steady;
  if (!steady) return null;
  let best: number | null = null;
  for (const w of f.windows) {
    const dur = w.endT - w.startT;
    if (w.startT < steady.startT - 1e-6 || w.endT > steady.endT + 1e-6 || dur < windowS - 1e-6) continue;
    const r = w.requests / dur;
    if (best === null || r > best) best = r;
  }
  return best;
}

function point(f: RunFacts, value: number, windowS: number): ScalingPoint {
  const a = f.analysis;
  const lat = a.sustained ?? (f.run.timeline.length === 0 ? f.run.summary.latencyMs : null);
  const best = bestSustainedRps(f, windowS);
  return {
    value,
    runId: f.run.id,
    rps: a.averageRps,
    rpsBasis: 'average',
    sustainedRps: a.sustainedRps,
    bestSustainedRps: best,
    knee: rampKnee(f.run, f.phase.steady, best),
    p50: lat?.p50 ?? null,
    p95: lat?.p95 ?? null,
    p99: lat?.p99 ?? null,
    errorRate: a.errorRate,
    speedup: null,
    efficiency: null,
  };
}

function toScalingKnee(k: Knee, across: boolean): ScalingKnee {
  return {
    runId: k.level.runId,
    value: across ? (k.level.value ?? null) : null,
    t: across ? null : k.level.t,
    users: k.level.users,
    rps: k.level.rps,
    littleN: k.littleN,
    reason: k.reason,
  };
}

function fromRampKnee(runId: string, k: RampKnee): ScalingKnee {
  return { runId, value: null, t: k.t, users: k.users, rps: k.rps, littleN: k.littleN, reason: k.reason };
}

/** "1 → 2 workers: +91% rps; 2 → 4: +97%": the steps in one line. */
function stepsLine(steps: ScalingStep[], unit: string): string | null {
  const parts = steps.filter((s) => s.rpsChangePct !== null).map((s, i) => `${num(s.from)} → ${num(s.to)}${i === 0 ? ` ${unit}` : ''}: ${pct(s.rpsChangePct!)}${i === 0 ? ' rps' : ''}`);
  return parts.length > 0 ? parts.join('; ') + '.' : null;
}

function kneeSentence(p: ScalingPoint, unit: string): string {
  const k = p.knee!;
  const noun = p.value === 1 ? unit.replace(/s$/, '') : unit;
  const where = `With ${num(p.value)} ${noun}, throughput stops growing at ~${num(k.users)} users (${sig3(k.rps)} req/s at t=${num(k.t)} s; best sustained ${sig3(k.saturationRps)} req/s)`;
  const little =
    k.littleN !== null && k.rMinMs !== null
      ? `; Little's law predicts N* = X_max × (R_min + Z) = ${sig3(k.saturationRps)} × (${num(k.rMinMs / 1000)} + ${num(k.thinkTimeS ?? 0)}) ≈ ${num(k.littleN)} users`
      : '';
  return `${where}${little}.`;
}

export function scalingStudy(cfg: ScalingStudyConfig & { id: string }, facts: RunFacts[], windowS: number): ScalingStudy {
  const factor = cfg.factor;
  const chosen = facts
    .filter((f) => (cfg.runs ? cfg.runs.includes(f.run.id) : true))
    .map((f) => ({ f, value: factorValue(f.run, factor) }))
    .filter((x): x is { f: RunFacts; value: number } => x.value !== null)
    .sort((a, b) => a.value - b.value || (a.f.run.id < b.f.run.id ? -1 : a.f.run.id > b.f.run.id ? 1 : 0));
  const points = chosen.map(({ f, value }) => point(f, value, windowS));
  const base = points[0];
  for (const p of points) {
    if (base && base.rps && p.rps !== null && base.value > 0) {
      p.speedup = p.rps / base.rps;
      p.efficiency = p.speedup / (p.value / base.value);
    }
  }
  const cvOf = new Map(chosen.map(({ f }) => [f.run.id, f.analysis.rpsCv]));
  const steps: ScalingStep[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const rpsChange = changePct(a.rps, b.rps);
    const cv = Math.max(cvOf.get(a.runId) ?? 0, cvOf.get(b.runId) ?? 0);
    const noisePct = Math.max(MIN_NOISE_PCT, 2 * cv * 100);
    const speedup = a.rps && b.rps !== null ? b.rps / a.rps : null;
    steps.push({
      from: a.value,
      to: b.value,
      fromRunId: a.runId,
      toRunId: b.runId,
      rpsChangePct: rpsChange,
      p95ChangePct: changePct(a.p95, b.p95),
      speedup,
      efficiency: speedup !== null && a.value > 0 ? speedup / (b.value / a.value) : null,
      withinNoise: rpsChange === null || Math.abs(rpsChange) < noisePct,
      noisePct,
    });
  }

  // Knee: across runs when the factor is a concurrency, else within any run whose users grow.
  let knee: ScalingKnee | null = null;
  if (CONCURRENCY_FACTOR.test(factor)) {
    const levels: LoadLevel[] = points
      .filter((p) => p.rps !== null && (p.p50 ?? p.p95) !== null)
      .map((p) => ({ users: p.value, rps: p.rps!, latencyMs: (p.p50 ?? p.p95)!, t: null, runId: p.runId, value: p.value }));
    const think = chosen.find((c) => c.f.run.thinkTimeS !== undefined)?.f.run.thinkTimeS;
    const k = findKnee(levels, think);
    if (k) knee = toScalingKnee(k, true);
  }
  if (!knee) {
    // Within-run ramps: the knee of the smallest factor that has one (the tightest system).
    const p = points.find((x) => x.knee);
    if (p && p.knee) knee = fromRampKnee(p.runId, p.knee);
  }

  const conclusions: string[] = [];
  const unit = factor;
  for (const s of steps) {
    const a = points.find((p) => p.runId === s.fromRunId)!;
    const b = points.find((p) => p.runId === s.toRunId)!;
    if (s.rpsChangePct === null || a.rps === null || b.rps === null) {
      conclusions.push(`From ${num(s.from)} to ${num(s.to)} ${unit} the throughput change is unknown (no request rate).`);
      continue;
    }
    const head = `Scaling from ${num(s.from)} to ${num(s.to)} ${unit}`;
    if (s.withinNoise) {
      conclusions.push(
        `${head} did not change throughput beyond run-to-run noise (${sig3(a.rps)} → ${sig3(b.rps)} req/s, ${pct(s.rpsChangePct)}, noise ±${num(s.noisePct)}%)` +
          (s.to > s.from ? ': the bottleneck has moved elsewhere.' : '.'),
      );
    } else {
      const verb = s.rpsChangePct > 0 ? 'raised' : 'lowered';
      const eff = s.efficiency !== null ? `; ${num(s.efficiency * 100)}% of linear scaling` : '';
      conclusions.push(`${head} ${verb} throughput from ${sig3(a.rps)} to ${sig3(b.rps)} req/s (${pct(s.rpsChangePct)}${eff}).`);
    }
    if (s.p95ChangePct !== null && a.p95 !== null && b.p95 !== null) {
      const dir = Math.abs(s.p95ChangePct) < MIN_NOISE_PCT ? 'stayed about the same' : s.p95ChangePct < 0 ? 'fell' : 'rose';
      conclusions.push(`Over the same step p95 latency ${dir}: ${sig3(a.p95)} → ${sig3(b.p95)} ms (${pct(s.p95ChangePct)}).`);
    }
  }
  const last = points[points.length - 1];
  if (base && last && last !== base && last.speedup !== null && last.efficiency !== null) {
    conclusions.push(
      `Overall, ${num(last.value / base.value)}× the ${unit} gave ${num(last.speedup)}× the throughput (efficiency ${num(last.efficiency * 100)}% of linear).`,
    );
  }
  // The steps in one line first: it is the study's headline on the index page.
  const line = stepsLine(steps, unit);
  if (line && steps.length > 1) conclusions.unshift(line);
  for (const p of points) if (p.knee) conclusions.push(kneeSentence(p, unit));
  if (knee && knee.value !== null) conclusions.push(`Saturation knee: ${knee.reason}`);

  const definitions = [
    "Throughput per run: the run's average request rate as the tool itself reports it (k6 http_reqs rate, Locust Aggregated Requests/s, bombardier Reqs/sec), or requests / duration when it reports none; one rule for every run, so ratios match the tools' own figures. The steady-phase rate is given alongside as sustainedRps.",
    'Latency per run: percentiles over the steady phase; for runs without a timeline, the whole-run summary percentiles.',
    `Speed-up = rps / rps at the smallest ${factor}; efficiency = speed-up / (${factor} / smallest ${factor}); 100% is linear scaling.`,
    `A step is within run-to-run noise when |rps change| < max(${MIN_NOISE_PCT}%, 2 × CV), CV being the larger coefficient of variation of per-window throughput in the steady phases of the two runs.`,
    `Best sustained throughput: the highest request rate of any full ${num(windowS)} s window inside the run's steady phase (timeline counts), next to the tool's own average over the whole run (ramp included).`,
    CONCURRENCY_FACTOR.test(factor)
      ? "Knee across runs: the first load level where throughput grows by less than a quarter of the linear expectation while latency (p50) grows by more than 10%; Little's law N* = X_max × (R_min + Z), with X_max the best throughput, R_min the lowest latency and Z the think time per request."
      : `Knee per run (from its own user ramp): the first ramp level whose throughput, and the next level's, reaches 90% of the run's best sustained throughput, when throughput then grows by less than a quarter of the linear expectation up to the top of the ramp and the plateau's p50 is more than 10% above the run's lowest p50. Little's law cross-check: N* = X_max × (R_min + Z), X_max the best sustained throughput, R_min the lowest p50 of the run, Z the think time per request (run config thinkTimeS).`,
  ];
  return {
    id: cfg.id,
    kind: 'scaling',
    title: cfg.title ?? `Scaling with ${factor}`,
    conclusions,
    definitions,
    runIds: points.map((p) => p.runId),
    factor,
    points,
    steps,
    knee,
  };
}
