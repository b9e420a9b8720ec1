// A scaling study's page: throughput, latency and efficiency against the factor, and each ramping run's knee.
import type { ScalingStudy } from '../../analyze/types.js';
import { mdText } from '../escape.js';
import { fmtCount, fmtNum, fmtRate, fmtRps, fmtSeconds } from '../format.js';
import { type Links, scalingGridTable, scalingPointsTable, scalingStepsTable } from '../markdown-tables.js';
import { factorSpec, type RunColorScale } from '../charts.js';
import { rampKneeSpec } from '../study-charts.js';
import { chartJob, type ChartJob, runName, type SiteContext } from './site.js';

/** The few numbers that matter: throughput from the smallest to the largest factor value, its speed-up and efficiency. */
export function scalingHeadline(study: ScalingStudy): string {
  const pts = study.points.filter((p) => p.rps !== null).sort((a, b) => a.value - b.value);
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (!first || !last || first === last) return `${fmtCount(study.points.length)} run${study.points.length === 1 ? '' : 's'} along ${mdText(study.factor)}: too few with a throughput to compare.`;
  const f = mdText(study.factor);
  // A load sweep's number is where it saturates; a capacity study's whether more of it helped.
  const sat = study.saturation;
  if (study.factorKind === 'load' && sat) {
    return `Throughput saturates at **≈${fmtRps(sat.rps)}** from **${fmtNum(sat.from)} ${f}**; beyond that each added user adds ≈${fmtNum(sat.msPerUser)} ms of waiting (Little's law).`;
  }
  const verdicts = study.steps.map((s) => s.verdict);
  if (study.factorKind === 'capacity' && verdicts.length > 0 && verdicts.every((v) => v === 'no-effect')) {
    return `${f} ${fmtNum(first.value)} → ${fmtNum(last.value)}: **no effect** on full-load throughput (${fmtRps(first.rps)} → ${fmtRps(last.rps)}, every step within noise).`;
  }
  const moved = study.factorKind === 'capacity' ? study.steps.findIndex((s, i) => (s.verdict === 'no-effect' || s.verdict === 'loss') && study.steps.slice(0, i).some((x) => x.verdict === 'gain')) : -1;
  const eff = last.efficiency !== null ? `, ${fmtRate(last.efficiency)} of linear` : '';
  const speedup = last.speedup !== null ? ` (**${fmtNum(last.speedup)}×**${eff})` : '';
  const movedText = moved >= 0 ? `; **the bottleneck moved** from ${fmtNum(study.steps[moved]!.from)} ${f} on` : '';
  return `${f} ${fmtNum(first.value)} → ${fmtNum(last.value)}: full-load throughput **${fmtRps(first.rps)} → ${fmtRps(last.rps)}**${speedup}${movedText}.`;
}

/** Throughput, latency and throughput against linear scaling, each against the factor; then each ramping run's knee. */
export function scalingCharts(study: ScalingStudy, ctx: SiteContext, slug: string, runScale: RunColorScale): ChartJob[] {
  const charts: ChartJob[] = [];
  if (study.points.length === 0) return charts;
  const pts = study.points.filter((p) => p.rps !== null);
  charts.push(chartJob(`study-${slug}-throughput.svg`, `Throughput against ${study.factor}`, (size) =>
    factorSpec({ title: `Throughput against ${study.factor}`, factor: study.factor, yTitle: 'req/s', runScale, rows: pts.map((p) => ({ value: p.value, y: p.rps, runId: p.runId, measure: 'throughput' })), size })));
  const lat = study.points.flatMap((p) => [
    { value: p.value, y: p.p50, runId: p.runId, measure: 'p50' },
    { value: p.value, y: p.p95, runId: p.runId, measure: 'p95' },
  ]).filter((r) => r.y !== null);
  if (lat.length > 0) {
    charts.push(chartJob(`study-${slug}-latency.svg`, `Latency (p50 and p95) against ${study.factor}`, (size) =>
      factorSpec({ title: `Latency against ${study.factor}`, factor: study.factor, yTitle: 'ms', runScale, rows: lat, size })));
  }
  const first = [...pts].sort((a, b) => a.value - b.value)[0];
  // Linear scaling is a capacity idea: a load sweep or a setting has no linear expectation to draw.
  if (study.factorKind === 'capacity' && first && first.rps !== null && first.value > 0 && pts.length > 1) {
    const rps0 = first.rps;
    const v0 = first.value;
    charts.push(chartJob(`study-${slug}-efficiency.svg`, `Measured throughput against linear scaling from ${study.factor} = ${fmtNum(v0)} (dashed)`, (size) =>
      factorSpec({
        title: 'Throughput against linear scaling (dashed)',
        factor: study.factor,
        yTitle: 'req/s',
        runScale,
        rows: pts.map((p) => ({ value: p.value, y: p.rps, runId: p.runId, measure: 'measured' })),
        ideal: pts.map((p) => ({ value: p.value, y: (rps0 * p.value) / v0 })),
        size,
      })));
  }
  charts.push(...rampKneeCharts(study, ctx, slug));
  return charts;
}

/** Throughput against users for each run of a scaling study whose user count ramps, its knee marked. */
function rampKneeCharts(study: ScalingStudy, ctx: SiteContext, slug: string): ChartJob[] {
  const charts: ChartJob[] = [];
  for (const p of study.points) {
    const run = ctx.model.runs.find((r) => r.id === p.runId);
    if (!run) continue;
    const dt = run.timelineIntervalS > 0 ? run.timelineIntervalS : 1;
    const points = run.timeline.filter((x) => x.users !== null && x.users > 0).map((x) => ({ users: x.users!, rps: x.requests / dt }));
    if (new Set(points.map((x) => x.users)).size < 3) continue;
    const k = p.knee ?? null;
    charts.push(chartJob(`study-${slug}-ramp-${ctx.runSlugs.get(run.id) ?? 'x'}.svg`, `Throughput against users during the run at ${study.factor} = ${fmtNum(p.value)}${k ? `: knee at ${fmtNum(k.users)} users (${fmtRps(k.rps)})` : ': no knee found'}`, (size) =>
      rampKneeSpec({
        title: `${run.name || run.id}: throughput against users`,
        color: ctx.colors.colorOf(run.id),
        points,
        knee: k ? { users: k.users, rps: k.rps, label: `knee: ${fmtNum(k.users)} users, ${fmtRps(k.rps)}` } : null,
        littleN: k?.littleN ?? null,
        saturationRps: k?.saturationRps ?? p.rps ?? null,
        size,
      })));
  }
  return charts;
}

/** `chartMd`: the study's charts after its main one (shown at the top of the page). */
export function scalingView(study: ScalingStudy, ctx: SiteContext, links: Links, chartMd: string[]) {
  const k = study.knee;
  const perRun = study.points.filter((p) => p.knee);
  const knee =
    perRun.length > 0
      ? perRun
          .map((p) => {
            const pk = p.knee!;
            return (
              `- **${mdText(runName(ctx, p.runId))}**: throughput stops growing at ~${fmtNum(pk.users)} users (${fmtRps(pk.rps)} at ${fmtSeconds(pk.t)}; full load ${fmtRps(pk.saturationRps)})` +
              `${pk.littleN !== null ? `; Little's law N* ≈ ${fmtNum(pk.littleN)} users` : ''}. ${mdText(pk.reason)}`
            );
          })
          .join('\n')
      : k
        ? `In ${mdText(runName(ctx, k.runId))}, throughput stopped growing` +
          `${k.value !== null ? ` at ${mdText(study.factor)} = ${fmtNum(k.value)}` : k.t !== null ? ` at ${fmtSeconds(k.t)}` : ''}` +
          `${k.users !== null ? ` with ${fmtNum(k.users)} users` : ''}${k.rps !== null ? ` (${fmtRps(k.rps)})` : ''}.` +
          `${k.littleN !== null ? ` Little's law puts the saturation point at N* ≈ ${fmtNum(k.littleN)} users.` : ''} ${mdText(k.reason)}`
        : '';
  return {
    isScaling: true,
    factor: study.factor,
    pointsTable: scalingPointsTable(study, ctx.model, links),
    stepsTable: study.steps.length > 0 ? scalingStepsTable(study) : '',
    gridTable: scalingGridTable(study),
    charts: chartMd,
    knee,
  };
}
