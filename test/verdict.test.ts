import { describe, expect, it } from 'vitest';
import { analyze, type ExperimentStudy } from '../src/analyze/index.js';
import type { StudyConfig } from '../src/analyze/types.js';
import { decideVerdict, percentileCi, resampleChangePct } from '../src/analyze/verdict.js';
import { lognormal, summaryOnlyRun, syntheticRun } from './helpers/synthetic-run.js';
import type { Run } from '../src/model/types.js';

function verdictOf(runs: Run[], study: Partial<StudyConfig> = {}): ExperimentStudy {
  const cfg = { kind: 'experiment', id: 'gate', baseline: 'stable', candidate: 'canary', ...study } as StudyConfig;
  const s = analyze(runs, { studies: [cfg] }).studies.find((x) => x.id === 'gate');
  expect(s).toBeDefined();
  return s as ExperimentStudy;
}

const pair = (base: { failRate?: number; ms?: number }, cand: { failRate?: number; ms?: number }, seconds = 60, rate = 50) => [
  syntheticRun({ id: 'stable', seconds, rps: () => rate, users: () => 10, latency: lognormal(base.ms ?? 100, 0.2), failRate: base.failRate ?? 0, seed: 3 }),
  syntheticRun({ id: 'canary', seconds, rps: () => rate, users: () => 10, latency: lognormal(cand.ms ?? 100, 0.2), failRate: cand.failRate ?? 0, seed: 4 }),
];

describe('experiment gates (issue 20)', () => {
  it('fails an error rate that rose from 0% to 10% against "decrease by at least 5%"', () => {
    const e = verdictOf(pair({ failRate: 0 }, { failRate: 0.1 }), { metric: 'error-rate', criterion: { direction: 'decrease', minChangePct: 5 } });
    expect(e.baselineValue).toBe(0);
    expect(e.candidateValue!).toBeGreaterThan(0.05);
    expect(e.verdict).toBe('FAIL');
    // A change from zero has no finite percentage: the model holds no fake numbers.
    expect(e.changePct).toBeNull();
    expect(e.ci).toBeNull();
    expect(e.conclusions[0]).toMatch(/change from zero.*→ FAIL\.$/);
  });

  it('passes the same move against "increase by at least 5%", and leaves 0% → 0% inconclusive', () => {
    const up = verdictOf(pair({ failRate: 0 }, { failRate: 0.1 }), { metric: 'error-rate', criterion: { direction: 'increase', minChangePct: 5 } });
    expect(up.verdict).toBe('PASS');
    const none = verdictOf(pair({ failRate: 0 }, { failRate: 0 }), { metric: 'error-rate', criterion: { direction: 'decrease', minChangePct: 5 } });
    expect(none.verdict).toBe('INCONCLUSIVE');
    expect(none.conclusions[0]).toMatch(/no change \(both zero\)/);
  });

  it('is inconclusive for one request against one request (timeline and summary-only runs)', () => {
    const one = [
      syntheticRun({ id: 'stable', seconds: 1, rps: () => 1, latency: () => 100, seed: 1 }),
      syntheticRun({ id: 'canary', seconds: 1, rps: () => 1, latency: () => 200, seed: 2 }),
    ];
    const e = verdictOf(one, { metric: 'max-p95' });
    expect(e.verdict).toBe('INCONCLUSIVE');
    const s = (id: string, v: number) => summaryOnlyRun(id, { requests: 1, durationS: 1, p50: v, p90: v, p95: v, p99: v, min: v, max: v });
    const summaryOnly = verdictOf([s('stable', 100), s('canary', 200)], { metric: 'max-p95' });
    expect(summaryOnly.verdict).toBe('INCONCLUSIVE');
  });

  it('still fails a clear regression with enough data', () => {
    expect(verdictOf(pair({ ms: 100 }, { ms: 130 })).verdict).toBe('FAIL');
  });
});

describe('verdict helpers', () => {
  it('makes a change from zero explicit', () => {
    expect(resampleChangePct(0, 0)).toBe(0);
    expect(resampleChangePct(0, 0.1)).toBe(Infinity);
    expect(resampleChangePct(10, 5)).toBe(-50);
    expect(resampleChangePct(null, 5)).toBeNull();
  });

  it('widens a CI bound next to an infinite change to the infinite one', () => {
    const changes = [...Array.from({ length: 90 }, (_, i) => i), ...Array.from({ length: 10 }, () => Infinity)];
    const ci = percentileCi(changes, 0.95)!;
    expect(ci[0]).toBeGreaterThan(0);
    expect(ci[1]).toBe(Infinity);
  });

  it('decides nothing from a zero-width finite CI or too little data', () => {
    expect(decideVerdict({ ci: [100, 100], sign: -1, minChangePct: 5, rankOk: false, rankSignificant: false, enoughData: true })).toBe('INCONCLUSIVE');
    expect(decideVerdict({ ci: [20, 30], sign: -1, minChangePct: 5, rankOk: null, rankSignificant: null, enoughData: false })).toBe('INCONCLUSIVE');
    expect(decideVerdict({ ci: [20, 30], sign: -1, minChangePct: 5, rankOk: null, rankSignificant: null, enoughData: true })).toBe('FAIL');
    expect(decideVerdict({ ci: [Infinity, Infinity], sign: -1, minChangePct: 5, rankOk: null, rankSignificant: null, enoughData: true })).toBe('FAIL');
    expect(decideVerdict({ ci: [64, 64], sign: 1, minChangePct: 10, rankOk: true, rankSignificant: true, enoughData: true })).toBe('PASS');
    expect(decideVerdict({ ci: [-30, -20], sign: -1, minChangePct: 5, rankOk: true, rankSignificant: true, enoughData: true })).toBe('PASS');
  });
});
