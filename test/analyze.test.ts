import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyze, type ExperimentStudy, type ScalingStudy, type PeakVsSustainedStudy } from '../src/analyze/index.js';
import { createHistogram, mergeEncoded, percentileMs, recordMs } from '../src/model/histogram.js';
import { seededRng } from '../src/analyze/prng.js';
import { lognormal, summaryOnlyRun, syntheticRun } from './helpers/synthetic-run.js';
import type { Run } from '../src/model/types.js';

const constant = (ms: number) => () => ms;

describe('phases', () => {
  it('finds ramp-up, steady and ramp-down from the user count', () => {
    const run = syntheticRun({
      id: 'ramp',
      seconds: 70,
      users: (t) => (t < 20 ? Math.round((t + 1) * 2.5) : t < 60 ? 50 : Math.max(0, 50 - (t - 59) * 5)),
      rps: (t) => (t < 20 ? (t + 1) * 5 : t < 60 ? 100 : Math.max(0, 100 - (t - 59) * 10)),
      latency: lognormal(50, 0.2),
    });
    const a = analyze([run]).runs[0]!;
    expect(a.phaseBasis).toBe('users');
    expect(a.steadyState).toBe(true);
    expect(a.phases.map((p) => p.name)).toEqual(['ramp-up', 'steady', 'ramp-down']);
    const steady = a.phases.find((p) => p.name === 'steady')!;
    // users ≥ 95% of 50 from t=18 (47.5) — the plateau starts when the ramp reaches 47.5 users.
    expect(steady.startT).toBe(18);
    expect(steady.endT).toBe(60);
    expect(a.sustainedRps).toBeCloseTo((95 + 100 + 40 * 100) / 42, 6);
  });

  it('finds the steady phase from throughput when there is no user count', () => {
    const run = syntheticRun({ id: 'tp', seconds: 60, rps: (t) => (t < 15 ? (t + 1) * 6 : t < 50 ? 90 : 20), latency: lognormal(40, 0.2) });
    const a = analyze([run]).runs[0]!;
    expect(a.phaseBasis).toBe('throughput');
    expect(a.steadyState).toBe(true);
    const steady = a.phases.find((p) => p.name === 'steady')!;
    expect(steady.startT).toBeGreaterThanOrEqual(12);
    expect(steady.startT).toBeLessThanOrEqual(15);
    expect(steady.endT).toBe(50);
    expect(a.phases[0]!.name).toBe('ramp-up');
  });

  it('says there is no steady state for a run that only ramps, and warns', () => {
    const byUsers = syntheticRun({ id: 'u', seconds: 40, users: (t) => t + 1, rps: (t) => (t + 1) * 2, latency: lognormal(30, 0.2) });
    const byRate = syntheticRun({ id: 'r', seconds: 40, rps: (t) => (t + 1) * 3, latency: lognormal(30, 0.2) });
    const short = syntheticRun({ id: 's', seconds: 6, rps: () => 50, latency: lognormal(30, 0.2) });
    const res = analyze([byUsers, byRate, short]);
    for (const a of res.runs) {
      expect(a.steadyState).toBe(false);
      expect(a.sustained).toBeNull();
      expect(a.sustainedRps).toBeNull();
      expect(a.warnings.some((w) => /steady state/.test(w))).toBe(true);
    }
    expect(res.warnings.filter((w) => /steady state/.test(w.message)).map((w) => w.runId)).toEqual(['u', 'r', 's']);
  });
});

describe('peak vs sustained', () => {
  it('computes windowed peak and steady percentiles exactly from the histograms', () => {
    // 100 req/s; latency 400 ms for t in [5, 10) (before "autoscaling" caught up), 100 ms after.
    const run = syntheticRun({
      id: 'spike',
      seconds: 60,
      users: (t) => (t < 10 ? 5 * (t + 1) : 50),
      rps: () => 100,
      latency: (t) => (t >= 5 && t < 10 ? 400 : 100 + (t % 7)),
    });
    const a = analyze([run], { windowS: 10 }).runs[0]!;
    // Windows starting at t=0..5 hold all 500 slow samples out of 1000: p50 = 100-ish (the 500th value), p90 = 400.
    expect(a.peak!.p90).toBeCloseTo(400, 0);
    expect(a.peak!.p99).toBeCloseTo(400, 0);
    expect(a.peak!.windowStartT.p90).toBe(0);
    // Sustained: steady phase from t=9 (users 50 ≥ 47.5) to 60. Reference from the same samples.
    const h = mergeEncoded(run.timeline.filter((p) => p.t >= 9).map((p) => p.histogram!));
    const direct = createHistogram();
    for (let t = 9; t < 60; t++) for (let i = 0; i < 100; i++) recordMs(direct, t >= 5 && t < 10 ? 400 : 100 + (t % 7));
    expect(Math.abs(a.sustained!.p95! / percentileMs(direct, 95)! - 1)).toBeLessThan(0.001);
    expect(a.sustained!.p50).toBe(percentileMs(h, 50));
    expect(a.sustained!.p95).toBe(percentileMs(h, 95));
    expect(a.sustained!.p99).toBe(percentileMs(h, 99));
    expect(a.latencyPrecision).toBe('samples');
  });

  it('puts runs side by side keyed by a label, ordered numerically', () => {
    const runs = ['1', '0.5', '0', '0.75'].map((rate, i) =>
      syntheticRun({ id: `cache-${rate}`, seconds: 40, rps: () => 50, latency: lognormal(200 * (1 - Number(rate)) + 5, 0.2), labels: { cache_rate: rate }, seed: i + 1 }),
    );
    const res = analyze(runs);
    const s = res.studies.find((x) => x.kind === 'peak-vs-sustained') as PeakVsSustainedStudy;
    expect(s.id).toBe('peak-vs-sustained-cache-rate');
    expect(s.label).toBe('cache_rate');
    expect(s.rows.map((r) => r.label)).toEqual(['0', '0.5', '0.75', '1']);
    for (const r of s.rows) {
      expect(r.precision).toBe('samples');
      expect(r.peak.p95!).toBeGreaterThanOrEqual(r.sustained.p95! * 0.99);
    }
    expect(s.definitions.join(' ')).toMatch(/10 s/);
    expect(s.conclusions[0]).toMatch(/^cache_rate=0: peak p95 .* ms .* sustained p95 .* ms/);
  });

  it('approximates windows from per-point percentiles and says so', () => {
    const run = syntheticRun({ id: 'w', seconds: 40, rps: () => 20, latency: (t) => (t < 10 ? 300 : 100) });
    for (const p of run.timeline) delete p.histogram;
    run.timelineLatency = 'window';
    const a = analyze([run]).runs[0]!;
    expect(a.latencyPrecision).toBe('window');
    expect(a.peak!.p50).toBeCloseTo(300, 0);
    const cum = structuredClone(run);
    cum.timelineLatency = 'cumulative';
    const c = analyze([cum]).runs[0]!;
    expect(c.latencyPrecision).toBe('cumulative');
    expect(c.warnings.some((w) => /cumulative/.test(w))).toBe(true);
  });
});

describe('scaling', () => {
  const runAt = (replicas: number, rate: number, p95: number, seed: number) =>
    syntheticRun({ id: `r${replicas}`, seconds: 60, rps: () => rate, latency: lognormal(p95 / 1.4, 0.2), labels: { replicas: String(replicas) }, seed });

  it('titles a configured two-factor grid as an inferred one is titled ("Scaling with replicas × users")', () => {
    const cell = (replicas: number, users: number, seed: number) =>
      syntheticRun({ id: `r${replicas}u${users}`, seconds: 60, rps: () => 40 * replicas, latency: lognormal(50, 0.2), labels: { replicas: String(replicas), users: String(users) }, seed });
    const runs = [cell(1, 10, 1), cell(2, 10, 2), cell(1, 20, 3), cell(2, 20, 4)];
    const configured = analyze(runs, { studies: [{ kind: 'scaling', id: 'grid', factor: 'replicas', by: 'users', runs: runs.map((r) => r.id) }] });
    expect(configured.studies[0]!.title).toBe('Scaling with replicas × users');
  });

  it('reports throughput steps, noise, speed-up and efficiency, and where the bottleneck moved', () => {
    const res = analyze([runAt(5, 112, 100, 3), runAt(1, 60, 400, 1), runAt(3, 110, 150, 2)]);
    const s = res.studies.find((x) => x.kind === 'scaling') as ScalingStudy;
    expect(s.id).toBe('scaling-replicas');
    expect(s.factorKind).toBe('capacity');
    expect(s.points.map((p) => p.value)).toEqual([1, 3, 5]);
    // Constant rates: the full-load median of the per-second counts is the rate itself.
    expect(s.points.map((p) => [p.rps, p.rpsBasis])).toEqual([
      [60, 'full-load'],
      [110, 'full-load'],
      [112, 'full-load'],
    ]);
    expect(s.points[1]!.speedup).toBeCloseTo(110 / 60, 9);
    expect(s.points[1]!.efficiency).toBeCloseTo(110 / 60 / 3, 9);
    expect(s.steps[0]!.rpsChangePct).toBeCloseTo(((110 - 60) / 60) * 100, 9);
    expect(s.steps[0]!.verdict).toBe('gain');
    expect(s.steps[1]!.rpsChangePct).toBeCloseTo((2 / 110) * 100, 9);
    expect(s.steps[1]!.verdict).toBe('no-effect');
    // Noise: each run's 95% half-width, at least the Poisson noise of ~110 requests a second over 60 s.
    const poisson = (1.96 * 1.2533 * Math.sqrt(110)) / Math.sqrt(60);
    expect(s.steps[1]!.noiseRps!).toBeGreaterThan(poisson);
    expect(s.steps[1]!.noiseRps!).toBeLessThan(2 * poisson);
    expect(s.conclusions[0]).toBe('The bottleneck moved: replicas 1 → 3 raised throughput, 3 → 5 did not; something other than replicas limits it from 3 replicas.');
    expect(s.conclusions[1]).toMatch(/^replicas 1 → 3: full-load throughput rose 60 → 110 req\/s \(\+83\.3%, noise ±[\d.]+ req\/s; 61\.1% of linear\), and the full-load p50 fell/);
    expect(s.conclusions[2]).toMatch(/^replicas 3 → 5: no change in full-load throughput beyond noise \(110 → 112 req\/s, \+1\.82%/);
    expect(s.knee).toBeNull();
  });

  it('never says the bottleneck moved for load or setting factors, and reads a users sweep as saturation', () => {
    // A closed loop at capacity 50 req/s, think time 1 s: X = min(N / (R0 + Z), 50).
    const sweep = [5, 20, 80, 160].map((n) =>
      syntheticRun({ id: `u${n}`, seconds: 60, rps: () => Math.min(n / 1.02, 50), latency: constant(Math.max(20, (n / 50 - 1) * 1000)), users: () => n, labels: { users: String(n) }, thinkTimeS: 1, seed: n }),
    );
    const s = analyze(sweep).studies.find((x) => x.kind === 'scaling') as ScalingStudy;
    expect(s.factorKind).toBe('load');
    expect(s.saturation).not.toBeNull();
    expect(s.saturation!.from).toBe(80);
    expect(s.saturation!.rps).toBeCloseTo(50, 0);
    expect(s.saturation!.msPerUser).toBeCloseTo(20, 0);
    // One figure at every saturated load reads as one, not as a range "50–50".
    expect(s.conclusions[0]).toMatch(/^Throughput saturates at ≈50 req\/s from 80 users \(full-load throughput 50 req\/s at every load from there on\)/);
    expect(s.conclusions.join(' ')).not.toMatch(/bottleneck/);
    expect(s.points.every((p) => p.speedup === null && p.efficiency === null)).toBe(true);
    // A setting: compared, never scaled.
    const cache = [0, 0.5, 1].map((c, i) => syntheticRun({ id: `c${i}`, seconds: 60, rps: () => 50 + 30 * c, latency: constant(100 - 50 * c), labels: { cache_rate: String(c) }, seed: i + 1 }));
    const c = analyze(cache).studies.find((x) => x.kind === 'scaling') as ScalingStudy;
    expect(c.factorKind).toBe('setting');
    expect(c.steps.map((x) => x.verdict)).toEqual(['gain', 'gain']);
    expect(c.conclusions.join(' ')).not.toMatch(/bottleneck|linear/);
    expect(c.points.every((p) => p.speedup === null)).toBe(true);
  });

  it('uses the reported rps of runs without a timeline', () => {
    const runs = [1, 2, 4].map((w) => summaryOnlyRun(`b${w}`, { requests: 300 * w, durationS: 15, p50: 900 / w, p90: 1000 / w, p95: 1100 / w, p99: 1200 / w, min: 5, max: 2000 / w }, { workers: String(w) }));
    const s = analyze(runs).studies.find((x) => x.kind === 'scaling') as ScalingStudy;
    expect(s.points.map((p) => [p.rps, p.rpsBasis, p.latencyBasis])).toEqual([
      [20, 'whole-run', 'whole-run'],
      [40, 'whole-run', 'whole-run'],
      [80, 'whole-run', 'whole-run'],
    ]);
    expect(s.points.map((p) => p.state)).toEqual([null, null, null]);
    expect(s.points.map((p) => p.p95)).toEqual([1100, 550, 275]);
  });

  it("finds the saturation knee of a user ramp and applies Little's law", () => {
    // Closed system: R0 = 0.1 s service time, Z = 0.4 s think time, capacity 100 req/s → N* = 100 × 0.5 = 50.
    const users = (t: number) => 10 * (Math.floor(t / 10) + 1);
    const x = (n: number) => Math.min(n / 0.5, 100);
    const r = (n: number) => Math.max(0.1, n / 100 - 0.4) * 1000;
    const run = syntheticRun({ id: 'knee', seconds: 100, users, rps: (t) => x(users(t)), latency: (t) => r(users(t)), thinkTimeS: 0.4, labels: { replicas: '1' } });
    const other = syntheticRun({ id: 'knee2', seconds: 30, rps: () => 100, latency: constant(100), labels: { replicas: '2' } });
    const s = analyze([run, other]).studies.find((x) => x.kind === 'scaling') as ScalingStudy;
    expect(s.knee).not.toBeNull();
    expect(s.knee!.runId).toBe('knee');
    // Throughput reaches its 100 req/s plateau at 50 users (t = 40 s) and stays there.
    expect(s.knee!.users).toBe(50);
    expect(s.knee!.t).toBe(40);
    expect(s.knee!.rps).toBeCloseTo(100, 6);
    expect(s.knee!.littleN).toBeCloseTo(50, 1);
    expect(s.conclusions.some((c) => /Little's law/.test(c))).toBe(true);
  });

  it('finds a knee across runs of a connection sweep', () => {
    const runs = [1, 2, 4, 8, 16].map((c) =>
      syntheticRun({ id: `c${c}`, seconds: 30, rps: () => Math.min(c * 20, 80), latency: constant(c <= 4 ? 50 : (c / 80) * 1000), labels: { connections: String(c) } }),
    );
    const s = analyze(runs).studies.find((x) => x.kind === 'scaling') as ScalingStudy;
    expect(s.knee!.value).toBe(8);
    expect(s.knee!.littleN).toBeCloseTo(80 * 0.05, 6);
  });
});

function abRuns(opts: { baseMs: number; candMs: number; sigma?: number; seconds?: number; rate?: number; seed?: number }) {
  const sigma = opts.sigma ?? 0.25;
  const common = { seconds: opts.seconds ?? 60, rps: () => opts.rate ?? 50, users: () => 10 };
  return [
    syntheticRun({ ...common, id: 'stable', labels: { variant: 'stable' }, latency: lognormal(opts.baseMs, sigma), seed: (opts.seed ?? 1) * 2 }),
    syntheticRun({ ...common, id: 'canary', labels: { variant: 'canary' }, latency: lognormal(opts.candMs, sigma), seed: (opts.seed ?? 1) * 2 + 1 }),
  ];
}

function experimentOf(runs: ReturnType<typeof abRuns>): ExperimentStudy {
  const s = analyze(runs).studies.find((x) => x.kind === 'experiment');
  expect(s).toBeDefined();
  return s as ExperimentStudy;
}

describe('experiments', () => {
  it('passes a clearly better candidate', () => {
    const e = experimentOf(abRuns({ baseMs: 100, candMs: 75 }));
    expect(e.id).toBe('experiment-canary');
    expect(e.baseline).toBe('stable');
    expect(e.candidate).toBe('canary');
    expect(e.metric).toBe('max-p95');
    expect(e.criterion).toEqual({ direction: 'decrease', minChangePct: 5 });
    expect(e.changePct!).toBeLessThan(-15);
    expect(e.ci![1]).toBeLessThan(-5);
    expect(e.pValue!).toBeLessThan(0.001);
    expect(e.verdict).toBe('PASS');
    expect(e.method).toMatch(/Mann-Whitney/);
    expect(e.conclusions[0]).toMatch(/→ PASS\.$/);
  });

  it('fails a worse candidate', () => {
    const e = experimentOf(abRuns({ baseMs: 100, candMs: 115 }));
    expect(e.changePct!).toBeGreaterThan(0);
    expect(e.verdict).toBe('FAIL');
  });

  it('is inconclusive when the change is near the threshold and the data is noisy or short', () => {
    // True change −4% against a required −5%: the CI straddles the threshold.
    const e = experimentOf(abRuns({ baseMs: 100, candMs: 96, sigma: 0.3, seconds: 40, rate: 30, seed: 2 }));
    expect(e.verdict).toBe('INCONCLUSIVE');
    expect(e.ci![0]).toBeLessThan(-5);
    expect(e.ci![1]).toBeGreaterThan(-5);
    // Too short for three windows: never a PASS, however large the change.
    const short = experimentOf(abRuns({ baseMs: 100, candMs: 60, seconds: 11, rate: 30 }));
    expect(short.verdict).toBe('INCONCLUSIVE');
    expect(short.conclusions.join(' ')).toMatch(/Too few 10 s windows/);
  });

  it('never passes equal distributions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(5, 20, 50), (seed, rate) => {
        const e = experimentOf(abRuns({ baseMs: 100, candMs: 100, seconds: 40, rate, seed }));
        return e.verdict !== 'PASS';
      }),
      { numRuns: 12, seed: 42 },
    );
  });

  it('supports other metrics and the increase direction', () => {
    const runs = abRuns({ baseMs: 100, candMs: 100 });
    const faster = syntheticRun({ id: 'fast', seconds: 60, rps: (t) => 80 + (t % 5), users: () => 10, latency: lognormal(100, 0.2) });
    const res = analyze([...runs, faster], {
      studies: [
        { kind: 'experiment', baseline: 'stable', candidate: 'fast', metric: 'rps', criterion: { direction: 'increase', minChangePct: 10 } },
        { kind: 'experiment', id: 'p50', baseline: 'stable', candidate: 'canary', metric: 'sustained-p50' },
        { kind: 'experiment', id: 'bad', baseline: 'stable', candidate: 'canary', metric: 'median' },
      ],
    });
    const [rps, p50, bad] = res.studies as ExperimentStudy[];
    expect(rps!.id).toBe('experiment-fast-vs-stable');
    expect(rps!.changePct!).toBeCloseTo(((82 - 50) / 50) * 100, 0);
    expect(rps!.verdict).toBe('PASS');
    expect(p50!.verdict).toBe('FAIL');
    expect(bad!.verdict).toBe('INCONCLUSIVE');
    expect(bad!.conclusions[0]).toMatch(/unknown metric/);
  });

  it('judges summary-only runs from the sampling error of the reported percentiles', () => {
    const stable = summaryOnlyRun('b-stable', { requests: 1278, durationS: 15, min: 10, p50: 112, p90: 168, p95: 186, p99: 235, max: 296 }, { variant: 'stable' });
    const canary = summaryOnlyRun('b-canary', { requests: 1438, durationS: 15, min: 10, p50: 99, p90: 140, p95: 150, p99: 220, max: 315 }, { variant: 'canary' });
    const e = analyze([stable, canary]).studies[0] as ExperimentStudy;
    expect(e.kind).toBe('experiment');
    expect(e.baselineValue).toBe(186);
    expect(e.candidateValue).toBe(150);
    expect(e.pValue).toBeNull();
    expect(e.method).toMatch(/No rank test/);
    expect(e.verdict).toBe('PASS');
    // Same figures on both sides: the CI sits around 0, short of a 5% decrease.
    const same = analyze([stable, { ...stable, id: 'b-same', labels: { variant: 'canary' } }]).studies[0] as ExperimentStudy;
    expect(same.verdict).not.toBe('PASS');
    expect(same.ci![0]).toBeLessThan(0);
    expect(same.ci![1]).toBeGreaterThan(0);
  });
});

describe('warnings', () => {
  it('raises what a careful engineer would', () => {
    const run = syntheticRun({ id: 'w', seconds: 40, rps: () => 50, latency: lognormal(50, 0.2), failRate: 0.05 });
    run.metrics.droppedIterations = 12;
    run.timeline = run.timeline.filter((p) => p.t < 20 || p.t >= 25);
    run.series.push({ name: 'p95', unit: 's', source: 'prom.json', labels: {}, points: Array.from({ length: 21 }, (_, i): [number, number] => [Date.parse('2024-01-01T00:00:20Z') / 1000 + i, 0.1]), precision: 'buckets' });
    const bomb = summaryOnlyRun('b', { requests: 100, durationS: 10, min: 1, p50: 2, p90: 3, p95: 4, p99: 5, max: 6 });
    bomb.summary.statuses = { '2xx': 90, others: 10 };
    const res = analyze([run, bomb], { failureRateThreshold: 0.01 });
    const w = res.runs[0]!.warnings.join('\n');
    expect(w).toMatch(/% of requests failed .* above the 1% threshold/);
    expect(w).toMatch(/dropped 12 iterations/);
    expect(w).toMatch(/1 gap \(5 s without data\)/);
    expect(w).toMatch(/histogram buckets/);
    expect(w).toMatch(/Series "p95" covers only part of the run \(20 s/);
    expect(res.runs[1]!.warnings.join('\n')).toMatch(/10 requests ended without an HTTP status/);
    expect(res.warnings.filter((x) => x.runId === 'w').length).toBe(res.runs[0]!.warnings.length);
  });

  it('stays quiet on a clean run', () => {
    const run = syntheticRun({ id: 'ok', seconds: 40, rps: () => 50, latency: lognormal(50, 0.2) });
    expect(analyze([run]).warnings).toEqual([]);
  });
});

describe('determinism and inference', () => {
  it('gives byte-identical output for the same input', () => {
    const make = () => [...abRuns({ baseMs: 100, candMs: 90 }), syntheticRun({ id: 'x', seconds: 30, rps: () => 20, latency: lognormal(10, 0.3), labels: { workers: '2' } }), syntheticRun({ id: 'y', seconds: 30, rps: () => 40, latency: lognormal(10, 0.3), labels: { workers: '4' } })];
    expect(JSON.stringify(analyze(make()))).toBe(JSON.stringify(analyze(make())));
  });

  it('infers scaling, peak-vs-sustained and experiments from labels, per tool', () => {
    const k6 = [1, 2].map((w) => syntheticRun({ id: `k6-${w}`, seconds: 20, rps: () => 10 * w, latency: constant(10), labels: { workers: String(w) } }));
    const bomb = [1, 2].map((w) => summaryOnlyRun(`bomb-${w}`, { requests: 100 * w, durationS: 10, min: 1, p50: 2, p90: 3, p95: 4, p99: 5, max: 6 }, { workers: String(w) }));
    const single = syntheticRun({ id: 'one', seconds: 20, rps: () => 10, latency: constant(10), labels: { region: 'eu', threads: '4' } });
    const res = analyze([...k6, ...bomb, single]);
    expect(res.studies.map((s) => s.id)).toEqual(['scaling-workers-bombardier', 'peak-vs-sustained-workers-bombardier', 'scaling-workers-k6', 'peak-vs-sustained-workers-k6']);
    expect(res.studies[2]!.runIds).toEqual(['k6-1', 'k6-2']);
    const configured = analyze([...k6, ...bomb], { studies: [{ kind: 'scaling', factor: 'workers', runs: ['k6-1', 'k6-2'] }] });
    expect(configured.studies.map((s) => s.id)).toEqual(['scaling-workers']);
    const both = analyze([...k6, ...bomb], { studies: [{ kind: 'scaling', factor: 'workers', runs: ['k6-1', 'k6-2'] }], inferStudies: true });
    expect(both.studies.length).toBe(5);
    // A numeric run id (k6 run --tag testid=17) names a run; it is no scaling factor.
    const ids = [1, 2, 3].map((i) => syntheticRun({ id: `r${i}`, seconds: 20, rps: () => 10, latency: constant(10), labels: { testid: String(17 + i), run: String(i) } }));
    expect(analyze(ids).studies).toEqual([]);
  });

  it('reads a design with several factors as one study per factor over runs that hold the others equal', () => {
    // The seed study's layout: a users sweep at workers=1 services=1, workers 1/2/4 at 1500 users, services 1/2 at 1500 users.
    const design = [
      [10, 1, 1],
      [50, 1, 1],
      [200, 1, 1],
      [1500, 1, 1],
      [1500, 2, 1],
      [1500, 4, 1],
      [1500, 1, 2],
    ];
    const runs = design.map(([u, w, sv]) =>
      syntheticRun({ id: `u${u}-w${w}-s${sv}`, seconds: 30, users: () => u!, rps: () => Math.min(u! / 3, 7 * sv!), latency: constant(100), labels: { users: String(u), workers: String(w), services: String(sv) } }),
    );
    const scaling = analyze(runs).studies.filter((s) => s.kind === 'scaling') as ScalingStudy[];
    expect(scaling.map((s) => [s.factor, s.factorKind, s.runIds])).toEqual([
      ['services', 'capacity', ['u1500-w1-s1', 'u1500-w1-s2']],
      ['users', 'load', ['u10-w1-s1', 'u50-w1-s1', 'u200-w1-s1', 'u1500-w1-s1']],
      ['workers', 'capacity', ['u1500-w1-s1', 'u1500-w2-s1', 'u1500-w4-s1']],
    ]);
    expect(scaling[1]!.title).toBe('Load sweep: users (services=1, workers=1)');
  });

  it('compares runs that step their load on the highest level every run reached, not on whole-run averages', () => {
    // Users 1, 2, 5, 10, 20 for 20 s each; 1 replica serves 6 req/s, 3 replicas 11 (an API cap); 2 req/s per user offered.
    const steps = [1, 2, 5, 10, 20];
    const users = (t: number) => steps[Math.min(4, Math.floor(t / 20))]!;
    const runs = [
      [1, 6],
      [3, 11],
    ].map(([r, cap]) => syntheticRun({ id: `r${r}`, seconds: 100, users, rps: (t) => Math.min(users(t) * 2, cap!), latency: constant(100), labels: { replicas: String(r) }, seed: r }));
    const s = analyze(runs).studies.find((x) => x.kind === 'scaling') as ScalingStudy;
    expect(s.points.map((p) => [p.rps, p.rpsBasis])).toEqual([
      [6, 'load-level'],
      [11, 'load-level'],
    ]);
    expect(s.steps[0]!.rpsChangePct).toBeCloseTo((11 / 6 - 1) * 100, 9);
    // The whole-run averages (ramp levels included) would have said far less.
    expect((s.points[1]!.averageRps! / s.points[0]!.averageRps! - 1) * 100).toBeLessThan(60);
    expect(s.conclusions.join(' ')).toMatch(/compared on the 20-user level, the highest every run reached/);
  });

  it('reads two labels that move in step (replicas=N beside a workers=N tag) as one factor', () => {
    const runs = [1, 2, 4].map((n) => syntheticRun({ id: `r${n}`, seconds: 30, users: () => 20, rps: () => 10 * n, latency: constant(100), labels: { replicas: String(n), workers: String(n * 2) } }));
    const scaling = analyze(runs).studies.filter((s) => s.kind === 'scaling') as ScalingStudy[];
    expect(scaling.map((s) => [s.factor, s.runIds])).toEqual([['replicas', ['r1', 'r2', 'r4']]]);
  });

  it('reads two crossed factors as one grid study, compared at the highest load every value reached', () => {
    // replicas 1/3/5 × users 1/5/20: a capacity of 6 req/s per replica up to an API cap of 11 req/s.
    const runs: Run[] = [];
    for (const r of [1, 3, 5]) for (const u of [1, 5, 20]) runs.push(syntheticRun({ id: `r${r}-u${u}`, seconds: 40, users: () => u, rps: () => Math.min(u * 2, 6 * r, 11), latency: constant(100), labels: { replicas: String(r), users: String(u) }, seed: r * 100 + u }));
    const studies = analyze(runs).studies.filter((s) => s.kind === 'scaling') as ScalingStudy[];
    expect(studies).toHaveLength(1);
    const g = studies[0]!;
    expect([g.factor, g.by, g.byValue, g.factorKind]).toEqual(['replicas', 'users', 20, 'capacity']);
    expect(g.grid).toHaveLength(9);
    expect(g.points.map((p) => [p.value, p.rps])).toEqual([
      [1, 6],
      [3, 11],
      [5, 11],
    ]);
    expect(g.steps.map((x) => x.verdict)).toEqual(['gain', 'no-effect']);
    expect(g.conclusions[0]).toMatch(/^The bottleneck moved: replicas 1 → 3 raised throughput, 3 → 5 did not/);
  });

  it('pairs stable and canary runs by what else differs, not by their run ids (k6 testid tags)', () => {
    const run = (id: string, variant: string, replicas: string) => syntheticRun({ id, seconds: 20, rps: () => 10, latency: constant(variant === 'canary' ? 8 : 10), labels: { variant, replicas, testid: id } });
    const res = analyze([run('s1', 'stable', '1'), run('s3', 'stable', '3'), run('c3', 'canary', '3'), run('c1', 'canary', '1')]);
    const pairs = res.studies.filter((s) => s.kind === 'experiment').map((s) => [(s as ExperimentStudy).baseline, (s as ExperimentStudy).candidate]);
    expect(pairs).toEqual([
      ['s1', 'c1'],
      ['s3', 'c3'],
    ]);
  });

  it('pairs baseline/candidate variants', () => {
    const runs = abRuns({ baseMs: 100, candMs: 80 });
    runs[0]!.labels.variant = 'baseline';
    runs[1]!.labels.variant = 'candidate';
    const e = analyze(runs).studies[0] as ExperimentStudy;
    expect([e.id, e.baseline, e.candidate]).toEqual(['experiment-candidate', 'stable', 'canary']);
  });

  it('pairs each baseline with the candidate written the same way when a variant folder holds several runs', () => {
    // bombardier's text report and its JSON report of each side, in variant=… folders.
    const stats = { requests: 1000, durationS: 15, min: 10, p50: 100, p90: 150, p95: 180, p99: 230, max: 300 };
    const run = (id: string, variant: string, file: string, format: string) => {
      const r = summaryOnlyRun(id, stats, { variant, connections: '10' });
      r.sources = [{ path: `results/variant=${variant}/${file}`, format }];
      return r;
    };
    const res = analyze([
      run('c-json', 'canary', 'c10_result.json', 'bombardier-json'),
      run('c-text', 'canary', 'c10.txt', 'bombardier-text'),
      run('s-json', 'stable', 'c10_result.json', 'bombardier-json'),
      run('s-text', 'stable', 'c10.txt', 'bombardier-text'),
    ]);
    const pairs = res.studies.filter((s) => s.kind === 'experiment').map((s) => [(s as ExperimentStudy).baseline, (s as ExperimentStudy).candidate, s.title]);
    expect(pairs).toEqual([
      ['s-json', 'c-json', 'canary vs stable (bombardier, c10_result.json)'],
      ['s-text', 'c-text', 'canary vs stable (bombardier, c10.txt)'],
    ]);
  });
});

it('the seeded PRNG is deterministic', () => {
  const a = seededRng(7);
  const b = seededRng(7);
  expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
});
