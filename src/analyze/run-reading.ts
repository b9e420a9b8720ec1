// The reading of one run as a performance engineer reads its charts: after the ramp, is
// the service steady (latency settles, throughput follows the load), overloaded (the
// offered load exceeds capacity: throughput flat at capacity while latency is queueing,
// still rising or settled at the bound Little's law puts on it), unsteady, or is the run
// too short to tell? Start-up bursts are found and left out of the full-load figures,
// capacity changes (replicas added mid-run) move the full-load phase after the last one,
// and stepped loads get one figure per load level.
import type { Run, TimelinePoint } from '../model/types.js';
import { num, sig3 } from './format.js';
import { minSteadyS, type PhaseResult } from './phases.js';
import { median } from './stats.js';
import { blockMeans, trendOf, type Trend } from './trend.js';
import { findBursts, rateOf, robustSd } from './bursts.js';
import { capacityChangesOf, latencyAroundChanges, latencyLagS } from './capacity-changes.js';
import { loadLevelsOf } from './load-levels.js';
import type { Burst, CapacityChange, EndOfRun, FullLoad, LatencyPrecision, LatencyTrend, LittleBound, LoadLevel, Percentiles, RunState, ThinkTime } from './types.js';
import { pointsIn, rangePercentiles, sortedTimeline, type Range } from './windows.js';

export interface RunReading {
  state: RunState | null;
  /** One plain sentence: why the state is what it is. */
  stateReason: string;
  fullLoad: FullLoad | null;
  endOfRun: EndOfRun | null;
  latencyTrend: LatencyTrend | null;
  thinkTime: ThinkTime | null;
  bursts: Burst[];
  /** Undefined when the run has no series counting capacity. */
  capacityChanges?: CapacityChange[];
  loadLevels: LoadLevel[];
  littleBound: LittleBound | null;
  /** The full-load range, for later stages (null without one). */
  range: Range | null;
  /** Percentiles over every interval of the full-load phase; only for a steady run. */
  sustained: Percentiles | null;
  /** The run's own lowest p50 (ms): its unloaded response time when it ramps from few users. */
  ownMinMs: number | null;
}

/** Significance level of the Mann-Kendall test for a latency trend. */
export const TREND_ALPHA = 0.05;
/**
 * A latency trend counts when, over the full-load phase, it moves latency by at least half
 * of its median level: smaller drifts are what any real service shows over minutes, and a
 * queue that grows without bound doubles latency many times over (1 s per second at 1500
 * users in the seed study).
 */
export const MIN_TREND_SHARE = 0.5;
/** Most blocks the trend test averages the full-load latency into (see trend.ts). */
const TREND_BLOCKS = 40;
/** Failures above this share of the full-load requests dominate the run: it is unsteady. */
const FAILURES_DOMINATE = 0.5;
/** Most users waiting in a queue (Little's law on the queue, L_q = X·(R − R_min)): overloaded. */
const QUEUED_SHARE = 0.5;

/** Latency per point for the trend: p50, else p95 (whichever the timeline has). */
function latencySeries(pts: TimelinePoint[]): { key: 'p50' | 'p95'; ts: number[]; ys: number[] } | null {
  for (const key of ['p50', 'p95'] as const) {
    const with_ = pts.filter((p) => p.requests > 0 && p.latencyMs[key] !== null);
    if (with_.length >= Math.max(4, pts.length / 2)) return { key, ts: with_.map((p) => p.t), ys: with_.map((p) => p.latencyMs[key]!) };
  }
  return null;
}

/** The lowest per-interval p50 of the run: the unloaded response time R_min. */
function rMinMs(pts: TimelinePoint[]): number | null {
  let best: number | null = null;
  for (const p of pts) {
    const v = p.latencyMs.p50;
    // Locust gives a recent-window p50 even for an interval whose own request count is 0.
    if (v !== null && v > 0 && (best === null || v < best)) best = v;
  }
  return best;
}

/** Share of failed requests among the points' requests (0 without requests). */
function failureShare(points: readonly TimelinePoint[]): number {
  let req = 0;
  let fail = 0;
  for (const p of points) {
    req += p.requests;
    fail += p.failures;
  }
  return req > 0 ? fail / req : 0;
}

/**
 * The trend of a latency series over `spanS` seconds, averaged into blocks first, and how far it
 * moves latency as a share of the series' median level.
 */
function trendOver(ts: readonly number[], ys: readonly number[], spanS: number): { trend: Trend; share: number | null } | null {
  const blocks = blockMeans(ts, ys, TREND_BLOCKS);
  const trend = trendOf(blocks.ts, blocks.ys);
  if (!trend) return null;
  const level = median(ys) ?? 0;
  return { trend, share: level > 0 ? (trend.slope * spanS) / level : null };
}

function none(state: RunState | null, reason: string, extra: Partial<RunReading> = {}): RunReading {
  return { state, stateReason: reason, fullLoad: null, endOfRun: null, latencyTrend: null, thinkTime: null, bursts: [], loadLevels: [], littleBound: null, range: null, sustained: null, ownMinMs: null, ...extra };
}

/** The unloaded response time of a run's sweep (its lowest-load run's p50), for a run that starts loaded. */
export interface UnloadedHint {
  ms: number;
  runId: string;
}

export function readRun(run: Run, phase: PhaseResult, precision: LatencyPrecision, windowS: number, unloaded?: UnloadedHint): RunReading {
  const interval = run.timelineIntervalS;
  const all = sortedTimeline(run);
  const configThink: ThinkTime | null = run.thinkTimeS !== undefined ? { value: run.thinkTimeS, basis: 'config', inputs: null } : null;
  const capacityChanges = capacityChangesOf(run);
  const lagS = latencyLagS(run);
  const extra: Partial<RunReading> = { thinkTime: configThink, ...(capacityChanges ? { capacityChanges } : {}) };
  if (all.length < 2) return none(null, 'The run has no timeline, so there is no reading over time: its figures are whole-run figures.', extra);
  if (!phase.steady) return none('too-short', `No full-load phase long enough to read: ${phase.noSteadyReason ?? 'no plateau'}.`, extra);

  const minS = minSteadyS(windowS, interval);
  let range: Range = { ...phase.steady };
  const notes: string[] = [];
  // Latency figures start here: after a capacity change, a latency that lags it (Locust's
  // percentiles over its last 10 s) still holds requests served before the change for that long.
  let latencyFromT = -Infinity;
  // Capacity added or removed inside the plateau: full load is read after the last change.
  const inside = (capacityChanges ?? []).filter((c) => c.t > range.startT && c.t < range.endT);
  if (inside.length > 0) {
    const last = inside[inside.length - 1]!;
    const from = Math.ceil((last.t - range.startT) / interval - 1e-9) * interval + range.startT;
    if (range.endT - from >= minS - 1e-9) {
      range = { startT: from, endT: range.endT };
      notes.push(`after the last capacity change at t=${num(last.t)} s`);
      if (lagS > 0 && range.endT - (from + lagS) >= minS - 1e-9) {
        latencyFromT = from + lagS;
        notes.push(`latency from t=${num(latencyFromT)} s (Locust's percentiles cover its last ${num(lagS)} s)`);
      }
    } else {
      return none('too-short', `Capacity changed at t=${num(last.t)} s, leaving less than ${num(minS)} s of full load after it.`, extra);
    }
  }
  let pts = pointsIn(all, interval, range);
  const { level, sd } = robustSd(pts.map((p) => rateOf(p, interval)), interval);
  // Bursts anywhere in the run, against the full-load level.
  const bursts = findBursts(all, interval, level, sd);
  // Start-up bursts (ending in the first quarter of the full-load phase, mostly successes:
  // a spike of fast failures later on is a failure event, not start-up) move its start past them.
  const quarter = range.startT + (range.endT - range.startT) / 4;
  const failing = (b: { from: number; to: number }) => failureShare(all.slice(b.from, b.to + 1)) > FAILURES_DOMINATE;
  const early = bursts.filter((b) => b.endT > range.startT && b.endT <= quarter && !failing(b));
  if (early.length > 0) {
    const from = early[early.length - 1]!.endT;
    if (range.endT - from >= minS - 1e-9) {
      range = { startT: from, endT: range.endT };
      notes.push(`after the start-up burst${early.length > 1 ? 's' : ''}`);
      pts = pointsIn(all, interval, range);
    }
  }
  const burstPoint = new Set<TimelinePoint>();
  for (const b of bursts) for (let i = b.from; i <= b.to; i++) burstPoint.add(all[i]!);
  const calm = pts.filter((p) => !burstPoint.has(p));
  const calmLatency = calm.filter((p) => p.t >= latencyFromT - 1e-9);
  const rates = calm.map((p) => rateOf(p, interval));
  // The mean of the intervals once bursts are out (Hampel's rule already removed what a mean is fragile
  // to): a median of whole counts is biased when users move in step (Locust or k6 users with a constant
  // wait alternate 2, 4, 2, 4 requests a second: median 4, mean 3).
  const fullRps = rates.length > 0 ? rates.reduce((a, b) => a + b, 0) / rates.length : null;
  // 95% half-width of the mean: 1.96 × σ / √n, σ the robust spread of bursts.ts (MAD, IQR, Poisson noise).
  const rpsNoise = rates.length >= 3 ? (1.96 * robustSd(rates, interval).sd) / Math.sqrt(rates.length) : null;
  const users = pts.length > 0 && pts.every((p) => p.users !== null) ? median(pts.map((p) => p.users!)) : null;
  const left = pts.length - calm.length;
  const basis =
    `mean of ${calm.length} intervals of ${num(interval)} s from t=${num(range.startT)} to ${num(range.endT)} s` +
    (users !== null ? ` at ${num(users)} users` : '') +
    (notes.length > 0 ? `, ${notes.join(' and ')}` : '') +
    (left > 0 ? `; ${left} burst interval${left === 1 ? '' : 's'} left out` : '');

  const lat = latencySeries(calmLatency);
  // End of run: the last window of the phase. A tool's own recent-window percentiles (Locust's history
  // covers its last 10 s) already are such a window, so its last row is read as it is, not averaged again.
  const lastRow = precision === 'window' ? [...pts].reverse().find((p) => p.requests > 0 && (p.latencyMs.p50 !== null || p.latencyMs.p95 !== null)) : undefined;
  const endRange: Range = lastRow ? { startT: lastRow.t, endT: lastRow.t + interval } : { startT: Math.max(range.startT, range.endT - Math.max(windowS, interval)), endT: range.endT };
  const endPts = lastRow ? [lastRow] : pointsIn(all, interval, endRange).filter((p) => !burstPoint.has(p));
  const endLat = rangePercentiles(endPts.length > 0 ? endPts : pts.slice(-1), precision);
  const endOfRun: EndOfRun = { p50: endLat.p50, p95: endLat.p95, fromT: endRange.startT, toT: endRange.endT };

  const whole = lat ? trendOver(lat.ts, lat.ys, range.endT - Math.max(range.startT, latencyFromT)) : null;
  const latencyTrend: LatencyTrend | null =
    lat && whole
      ? {
          series: lat.key,
          msPerS: whole.trend.slope,
          ci: whole.trend.ci,
          confidence: whole.trend.confidence,
          p: whole.trend.p,
          n: whole.trend.n,
          changeShare: whole.share,
          method: `Mann-Kendall test and Theil-Sen slope (Sen's ${num(whole.trend.confidence * 100)}% interval) of the per-interval ${lat.key} over the full-load phase, averaged into ${whole.trend.n} blocks`,
        }
      : null;

  // A rise that stops: over the last half of the phase latency has no trend that counts (it settled at the queue's bound).
  let settledFrom: number | null = null;
  let settledMs: number | null = null;
  if (lat && latencyTrend) {
    const mid = range.startT + (range.endT - range.startT) / 2;
    const idx = lat.ts.findIndex((t) => t >= mid);
    const late = idx >= 0 && lat.ts.length - idx >= 4 ? trendOver(lat.ts.slice(idx), lat.ys.slice(idx), range.endT - mid) : null;
    if (late && !(late.trend.p < TREND_ALPHA && late.trend.slope > 0 && (late.share ?? 0) >= MIN_TREND_SHARE / 2)) {
      settledFrom = mid;
      settledMs = median(lat.ys.slice(idx));
    }
  }

  const failShare = failureShare(pts);

  // Classification.
  const rising = latencyTrend !== null && latencyTrend.p < TREND_ALPHA && latencyTrend.msPerS > 0 && (latencyTrend.changeShare ?? 0) >= MIN_TREND_SHARE;
  const falling = latencyTrend !== null && latencyTrend.p < TREND_ALPHA && latencyTrend.msPerS < 0 && (latencyTrend.changeShare ?? 0) <= -MIN_TREND_SHARE;
  const closedLoop = users !== null && users > 0 && (run.tool === 'locust' || run.tool === 'k6');
  // A run whose users all start at once never shows its unloaded latency: its sweep's lowest p50 stands in.
  const ownMin = rMinMs(all);
  const fromSweep = unloaded !== undefined && (ownMin === null || unloaded.ms < ownMin);
  const rMin = fromSweep ? unloaded!.ms : ownMin;
  // Little's law on the queue alone: L_q = X · (R − R_min) requests wait at any moment (R the full-load
  // p50 level, R_min the unloaded response time). In a closed loop each waiting request is a user, so
  // L_q / N is the share of the users that wait; it needs no think time.
  const rLevel = lat ? median(lat.ys) : null;
  const waiting = closedLoop && fullRps !== null && rMin !== null && rLevel !== null ? Math.max(0, (fullRps * (rLevel - rMin)) / 1000) : null;
  const queued = waiting !== null ? waiting / users! : null;
  let state: RunState;
  let reason: string;
  const trendText = latencyTrend ? `${lat!.key} ${latencyTrend.msPerS >= 0 ? 'rises' : 'falls'} ${sig3(Math.abs(latencyTrend.msPerS))} ms per second (${num(latencyTrend.confidence * 100)}% CI ${sig3(latencyTrend.ci[0])} to ${sig3(latencyTrend.ci[1])}; Mann-Kendall p ${latencyTrend.p < 0.0001 ? '< 0.0001' : '= ' + sig3(latencyTrend.p)})` : '';
  if (range.endT - range.startT < minS - 1e-9 || calm.length < 3) {
    state = 'too-short';
    reason = `The full-load phase holds fewer than 3 intervals without bursts.`;
  } else if (failShare > FAILURES_DOMINATE) {
    state = 'unsteady';
    reason = `Failures dominate the full-load phase: ${num(failShare * 100)}% of its requests failed.`;
  } else if (rising && settledFrom !== null) {
    state = 'overloaded';
    reason =
      `Latency climbs at full load (${trendText}), then holds at ≈${sig3(settledMs!)} ms from t=${num(settledFrom)} s: a queue that filled up to its bound. ` +
      `Throughput stays at ${sig3(fullRps ?? 0)} req/s; the offered load exceeds capacity.`;
  } else if (rising) {
    state = 'overloaded';
    reason = `Latency never settles: from t=${num(range.startT)} s to the end of the full-load phase the ${trendText}; throughput stays at ${sig3(fullRps ?? 0)} req/s. The offered load exceeds capacity and requests queue.`;
  } else if (falling) {
    state = 'unsteady';
    reason = `Latency keeps falling at full load: the ${trendText}.`;
  } else if (queued !== null && queued > QUEUED_SHARE) {
    state = 'overloaded';
    reason =
      `Latency settles, but at the queue's bound: by Little's law X × (R − R_min) = ${sig3(fullRps!)} × (${sig3(rLevel! / 1000)} − ${sig3(rMin! / 1000)} s) ≈ ${num(waiting!)} of the ${num(users!)} users (${num(Math.min(1, queued) * 100)}%) are waiting in a queue at any moment ` +
      `(R the full-load ${lat!.key}, R_min the lowest ${lat!.key} ${fromSweep ? `of its sweep, in run ${unloaded!.runId}: this run's users all started at once, so it never shows an unloaded latency` : 'of the run'}). Throughput is at capacity.`;
  } else {
    state = 'steady';
    reason = latencyTrend ? `Latency settles at full load (no trend of more than half its level: ${trendText}).` : 'Throughput holds its level at full load.';
  }

  // Think time: config, else Little's law Z = N/X − R over a steady closed-loop phase.
  let thinkTime = configThink;
  if (!thinkTime && state === 'steady' && closedLoop && fullRps && lat) {
    const rMs = median(lat.ys)!;
    const z = users! / fullRps - rMs / 1000;
    if (z >= 0) thinkTime = { value: z, basis: 'estimated', inputs: { users: users!, rps: fullRps, rMs, latency: lat.key } };
  }
  const littleBound: LittleBound | null =
    closedLoop && configThink && fullRps
      ? { users: users!, rps: fullRps, thinkTimeS: configThink.value, boundMs: Math.max(0, (users! / fullRps - configThink.value) * 1000), measuredMs: endOfRun.p50 }
      : null;

  // Latency over every interval of the phase: a burst later on (a retry storm, a failure event) is part of how
  // the service behaved at full load, unlike for throughput, where it would pass for capacity.
  const steadyLat = state === 'steady' ? rangePercentiles(pts.filter((p) => p.t >= latencyFromT - 1e-9), precision) : null;
  // Capacity changes in one sentence: "replicas 2 → 5 between 40 and 56 s; p95 820 → 140 ms".
  const changes = capacityChanges ?? [];
  if (changes.length > 0) {
    latencyAroundChanges(changes, all, interval, precision, lagS);
    const first = changes[0]!;
    const last = changes[changes.length - 1]!;
    const when = first === last ? `at t=${num(first.t)} s` : `between t=${num(first.t)} and ${num(last.t)} s`;
    const lat = first.p95Before !== null && last.p95After !== null ? `; p95 ${sig3(first.p95Before)} → ${sig3(last.p95After)} ms` : '';
    reason += ` Capacity changed: ${first.series} ${num(first.from)} → ${num(last.to)} ${when}${lat}; full load is read from t=${num(range.startT)} s.`;
  }
  const fullLoad: FullLoad = {
    rps: fullRps,
    rpsNoise,
    p50: steadyLat?.p50 ?? null,
    p95: steadyLat?.p95 ?? null,
    fromT: range.startT,
    toT: range.endT,
    users,
    basis,
  };
  return {
    state,
    stateReason: reason,
    fullLoad,
    endOfRun,
    latencyTrend,
    thinkTime,
    bursts: bursts.map((b) => ({ t: b.t, fromT: b.fromT, endT: b.endT, rps: b.rps })),
    ...(capacityChanges ? { capacityChanges } : {}),
    loadLevels: loadLevelsOf(all, interval, precision, lagS),
    littleBound,
    range,
    sustained: steadyLat,
    ownMinMs: ownMin,
  };
}
