// The sentences of a scaling study, by factor kind: a load sweep says where throughput
// saturates and what each added user costs; a capacity study says what each step gained
// and whether the bottleneck moved; a setting study compares values. Every figure is
// named by its basis (full load, end of run, whole run) exactly as the tables name it.
import { num, pct, sig3 } from './format.js';
import { median } from './stats.js';
import type { FigureBasis, ScalingPoint, ScalingStep, ScalingStudy } from './types.js';

/** The name of a latency figure, as tables and sentences both say it. */
export function latencyName(basis: FigureBasis, key: 'p50' | 'p95'): string {
  if (basis === 'full-load') return `full-load ${key}`;
  if (basis === 'end-of-run') return `end-of-run ${key}`;
  if (basis === 'load-level') return `${key} on the compared load level`;
  return `whole-run ${key}`;
}

/** The name of a throughput figure. */
export function rpsName(basis: FigureBasis): string {
  if (basis === 'full-load') return 'full-load throughput';
  if (basis === 'load-level') return 'throughput on the compared load level';
  return 'whole-run average throughput';
}

/** Milliseconds as a reader says them: seconds from 10 s up. */
export function duration(msValue: number): string {
  return msValue >= 10000 ? `${sig3(msValue / 1000)} s` : `${sig3(msValue)} ms`;
}

function pointOf(study: ScalingStudy, runId: string): ScalingPoint {
  return study.points.find((p) => p.runId === runId)!;
}

/** "the end-of-run p50 fell 213 s → 106 s (−50%, halved)": the latency clause of a step, p50 first. */
function latencyClause(study: ScalingStudy, s: ScalingStep): string | null {
  const a = pointOf(study, s.fromRunId);
  const b = pointOf(study, s.toRunId);
  const key = a.p50 !== null && b.p50 !== null ? 'p50' : a.p95 !== null && b.p95 !== null ? 'p95' : null;
  if (!key) return null;
  const va = a[key]!;
  const vb = b[key]!;
  const change = key === 'p50' ? s.p50ChangePct : s.p95ChangePct;
  if (change === null) return null;
  const name = a.latencyBasis === b.latencyBasis ? latencyName(a.latencyBasis, key) : `${key} (${latencyName(a.latencyBasis, key)} → ${latencyName(b.latencyBasis, key)})`;
  const ratio = vb / va;
  const word = ratio <= 0.55 && ratio >= 0.45 ? ', halved' : ratio >= 1.8 && ratio <= 2.2 ? ', doubled' : '';
  const dir = Math.abs(change) < 5 ? 'stayed about the same' : change < 0 ? 'fell' : 'rose';
  return `the ${name} ${dir}: ${duration(va)} → ${duration(vb)} (${pct(change)}${word})`;
}

function noiseText(s: ScalingStep): string {
  return s.noiseRps !== null ? `noise ±${sig3(s.noiseRps)} req/s` : 'no noise estimate';
}

function throughputStep(study: ScalingStudy, s: ScalingStep): string {
  const a = pointOf(study, s.fromRunId);
  const b = pointOf(study, s.toRunId);
  const f = study.factor;
  const head = `${f} ${num(s.from)} → ${num(s.to)}`;
  const name = rpsName(a.rpsBasis === b.rpsBasis ? a.rpsBasis : 'whole-run');
  let out: string;
  if (s.verdict === 'no-effect') {
    out = `${head}: no change in ${name} beyond noise (${sig3(a.rps!)} → ${sig3(b.rps!)} req/s, ${pct(s.rpsChangePct ?? 0)}, ${noiseText(s)})`;
  } else {
    const verb = s.verdict === 'gain' ? 'rose' : 'fell';
    const eff = study.factorKind === 'capacity' && s.efficiency !== null && s.verdict === 'gain' ? `; ${num(s.efficiency * 100)}% of linear` : '';
    out = `${head}: ${name} ${verb} ${sig3(a.rps!)} → ${sig3(b.rps!)} req/s (${pct(s.rpsChangePct ?? 0)}, ${noiseText(s)}${eff})`;
  }
  const lat = latencyClause(study, s);
  return `${out}${lat ? `, and ${lat}` : ''}.`;
}

function loadConclusions(study: ScalingStudy, think: ThinkLike | null): string[] {
  const out: string[] = [];
  const f = study.factor;
  const sat = study.saturation;
  const pts = study.points.filter((p) => p.rps !== null);
  if (pts.length < 2) return out;
  const first = pts[0]!;
  const last = pts[pts.length - 1]!;
  if (sat) {
    const at = pts.filter((p) => p.value >= sat.from && !sat.excluded.includes(p.runId)).map((p) => p.rps!);
    const [lo, hi] = [sig3(Math.min(...at)), sig3(Math.max(...at))];
    const range = lo === hi ? `${lo} req/s at every load from there on` : `${lo}–${hi} req/s from there on`;
    out.push(
      `Throughput saturates at ≈${sig3(sat.rps)} req/s from ${num(sat.from)} ${f} (${rpsName(first.rpsBasis)} ${range}); ` +
        `beyond that each added user only adds queueing: ≈ 1/X = ${sig3(sat.msPerUser)} ms of waiting per user (Little's law).`,
    );
    for (const s of study.steps.filter((x) => x.to <= sat.from && x.verdict === 'gain')) out.push(throughputStep(study, s));
    for (const id of sat.excluded) {
      const p = pointOf(study, id);
      out.push(`At ${num(p.value)} ${f}, ${num((p.errorRate ?? 0) * 100)}% of requests failed: its ${sig3(p.rps ?? 0)} req/s counts fast failures and is left out of the saturation level.`);
    }
  } else {
    const grew = study.steps.filter((s) => s.verdict === 'gain').length;
    out.push(
      grew === study.steps.length
        ? `Throughput grows with ${f} over the whole sweep (${sig3(first.rps!)} → ${sig3(last.rps!)} req/s from ${num(first.value)} to ${num(last.value)} ${f}): no saturation within it.`
        : `Throughput does not settle at one level over the sweep (${study.points.map((p) => `${num(p.value)}: ${p.rps === null ? 'n/a' : sig3(p.rps)}`).join(', ')} req/s): no saturation point can be read.`,
    );
  }
  if (first.p50 !== null && last.p50 !== null) {
    out.push(`Latency: ${latencyName(first.latencyBasis, 'p50')} ${duration(first.p50)} at ${num(first.value)} ${f}, ${latencyName(last.latencyBasis, 'p50')} ${duration(last.p50)} at ${num(last.value)} ${f}.`);
  }
  if (think) {
    const how =
      think.basis === 'config'
        ? 'from the config'
        : think.basis === 'back-to-back'
          ? 'connections send their next request as soon as an answer arrives'
          : `estimated by Little's law (Z = N/X − R) from the steady run ${think.runId}`;
    const lowest = Math.min(...pts.map((p) => p.p50 ?? Infinity));
    if (sat && Number.isFinite(lowest)) {
      const nStar = sat.rps * (lowest / 1000 + think.value);
      out.push(`With a think time Z = ${sig3(think.value)} s (${how}), Little's law puts saturation at N* = X × (R_min + Z) = ${sig3(sat.rps)} × (${sig3(lowest / 1000)} + ${sig3(think.value)}) ≈ ${num(nStar)} ${f}.`);
    }
    const over = pts.filter((p) => p.state === 'overloaded' && p.p50 !== null && p.rps !== null && !(sat?.excluded ?? []).includes(p.runId));
    const top = over[over.length - 1];
    if (top) {
      const bound = Math.max(0, (top.value / top.rps! - think.value) * 1000);
      out.push(`At ${num(top.value)} ${f} Little's law R = N/X − Z = ${num(top.value)}/${sig3(top.rps!)} − ${sig3(think.value)} gives ${duration(bound)}; the ${latencyName(top.latencyBasis, 'p50')} measured ${duration(top.p50!)}.`);
    }
  }
  return out;
}

function capacityConclusions(study: ScalingStudy): string[] {
  const out: string[] = [];
  const f = study.factor;
  const st = study.steps.filter((s) => s.verdict !== null);
  if (st.length === 0) return out;
  const gains = st.filter((s) => s.verdict === 'gain');
  const firstGain = st.findIndex((s) => s.verdict === 'gain');
  const stalledAfter = firstGain >= 0 ? st.slice(firstGain + 1).find((s) => s.verdict === 'no-effect' || s.verdict === 'loss') : undefined;
  const rates = study.points.filter((p) => p.rps !== null).map((p) => p.rps!);
  if (gains.length === 0 && st.every((s) => s.verdict === 'no-effect')) {
    out.push(`More ${f} did not raise throughput: ${rpsName(study.points[0]!.rpsBasis)} stays at ≈${sig3(median(rates)!)} req/s from ${num(study.points[0]!.value)} to ${num(study.points[study.points.length - 1]!.value)} ${f}, every step within noise; ${f} is not what limits this service.`);
  } else if (stalledAfter) {
    out.push(`The bottleneck moved: ${f} ${num(st[firstGain]!.from)} → ${num(st[firstGain]!.to)} raised throughput, ${num(stalledAfter.from)} → ${num(stalledAfter.to)} did not; something other than ${f} limits it from ${num(stalledAfter.from)} ${f}.`);
  }
  for (const s of st) out.push(throughputStep(study, s));
  const last = study.points[study.points.length - 1];
  const base = study.points[0];
  if (gains.length > 0 && base && last && last !== base && last.speedup !== null && last.efficiency !== null) {
    out.push(`Overall, ${num(last.value / base.value)}× the ${f} gave ${num(last.speedup)}× the throughput (${num(last.efficiency * 100)}% of linear).`);
  }
  return out;
}

function settingConclusions(study: ScalingStudy): string[] {
  return study.steps.filter((s) => s.verdict !== null).map((s) => throughputStep(study, s));
}

interface ThinkLike {
  value: number;
  basis: 'config' | 'estimated' | 'back-to-back';
  runId: string;
}

export function scalingConclusions(study: ScalingStudy, think: ThinkLike | null, level: number | null): string[] {
  const out = study.factorKind === 'load' ? loadConclusions(study, think) : study.factorKind === 'capacity' ? capacityConclusions(study) : settingConclusions(study);
  if (study.by !== null && study.byValue !== null) out.push(`Compared at ${study.by} = ${num(study.byValue)}, the highest ${study.by} every ${study.factor} value was run at; the grid shows the rest.`);
  if (level !== null) out.push(`The runs step their load; they are compared on the ${num(level)}-user level, the highest every run reached.`);
  for (const p of study.points.filter((x) => x.knee)) {
    const k = p.knee!;
    out.push(`At ${study.factor} = ${num(p.value)}, throughput stops growing at ≈${num(k.users)} users during the run's own ramp (${sig3(k.rps)} req/s at t=${num(k.t)} s)${k.littleN !== null ? `; Little's law N* ≈ ${num(k.littleN)} users` : ''}.`);
  }
  return out;
}

export function scalingDefinitions(study: ScalingStudy, windowS: number): string[] {
  const f = study.factor;
  const defs = [
    `Kind of factor: ${study.factorKind} (${study.factorKind === 'load' ? 'more of it is more work: the study reads the capacity curve' : study.factorKind === 'capacity' ? 'more of it should serve more: the study reads speed-up and efficiency' : 'its values are compared, never scaled'}); a config sets it with "factorKind".`,
    "Full-load throughput: the mean of the per-interval request rate over the run's full-load phase (after the ramp, after start-up bursts, after the last capacity change), burst intervals left out (Hampel's rule); the tool's whole-run average is shown only under that name.",
    "Latency: full-load percentiles for a steady run; for an overloaded run (latency still rising, or settled at its queue's bound) the end-of-run percentiles over the last window, since no sustained latency exists; whole-run percentiles for runs without a timeline.",
    `A step's noise: the two runs' 95% half-widths of their full-load throughput combined (√(a² + b²)), each 1.96 × σ / √n over the run's n full-load intervals (σ = 1.4826 × the MAD of the per-interval rates, at least their Poisson noise √count / interval); a change within it is "no-effect".`,
  ];
  if (study.factorKind === 'capacity') defs.push(`Speed-up = full-load throughput / that at the smallest ${f}; efficiency = speed-up / (${f} / smallest ${f}); 100% is linear. "The bottleneck moved" is said only when a step stops helping after an earlier step helped.`);
  if (study.factorKind === 'load') {
    defs.push(
      "Saturation: the smallest load from which every run's full-load throughput stays within its noise of the median of those runs; runs whose failures are above the threshold are left out (fast failures inflate throughput). Beyond it, Little's law N = X·(R + Z) says each added user adds 1/X of waiting.",
    );
  }
  defs.push(`Bursts and peaks: windows of ${num(windowS)} s are used for peaks only; a burst is never read as a capacity.`);
  return defs;
}
