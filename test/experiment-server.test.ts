// Experiments judged on a server-side metric STAT(SERIES), on real saved Prometheus
// answers beside real bombardier output (fixtures/experiments/canary-threads, whose
// README has the truth: the campaign's own figures, not ours), plus the block bootstrap
// and the fragility of a maximum on small made-up series.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, type ExperimentStudy, type StudyConfig } from '../src/analyze/index.js';
import { autocorrelation, blockMeans, chooseBlockLength, movingBlockResample } from '../src/analyze/block-bootstrap.js';
import { seededRng } from '../src/analyze/prng.js';
import { parseServerMetric, rangeSelectorS, seriesStat } from '../src/analyze/server-metric.js';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { emptyStats, type Run } from '../src/model/types.js';
import { lognormal, summaryOnlyRun, syntheticRun } from './helpers/synthetic-run.js';
import { k6Ndjson, prometheusMatrix, removeScratch, scratch } from './helpers/bad-inputs.js';

const ROOT = path.resolve(__dirname, '..');
const FIX = 'fixtures/experiments/canary-threads';

async function runsOf(...inputs: string[]): Promise<Run[]> {
  return (await ingestRuns([{ inputs: inputs.map((i) => path.join(ROOT, i)) }], { cwd: ROOT })).runs;
}

function experiments(runs: Run[], studies: StudyConfig[]): ExperimentStudy[] {
  return analyze(runs, { studies }).studies.filter((s): s is ExperimentStudy => s.kind === 'experiment');
}

function one(runs: Run[], study: Omit<Extract<StudyConfig, { kind: 'experiment' }>, 'kind'>): ExperimentStudy {
  return experiments(runs, [{ kind: 'experiment', ...study }])[0]!;
}

// Run ids from the folders below the input: variant=stable/text/bombardier.txt.
const STABLE = 'variant-stable-text-bombardier';
const CANARY = 'variant-canary-text-bombardier';

describe('STAT(SERIES) parsing and statistics', () => {
  it('parses the six statistics and nothing else', () => {
    expect(parseServerMetric('max(processing_max_5s)')).toEqual({ stat: 'max', series: 'processing_max_5s' });
    expect(parseServerMetric('p95( server p95 )')).toEqual({ stat: 'p95', series: 'server p95' });
    for (const s of ['mean', 'median', 'p90', 'p99']) expect(parseServerMetric(`${s}(x)`)?.stat).toBe(s);
    for (const bad of ['max-p95', 'p50(x)', 'max()', 'max(a(b))', 'sum(x)']) expect(parseServerMetric(bad)).toBeNull();
  });

  it('computes each statistic over plain values', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(seriesStat('max', xs)).toBe(5);
    expect(seriesStat('mean', xs)).toBe(3);
    expect(seriesStat('median', xs)).toBe(3);
    expect(seriesStat('p90', xs)).toBeCloseTo(4.6, 12);
    expect(seriesStat('p99', [])).toBeNull();
  });

  it('reads the longest range selector of a query', () => {
    expect(rangeSelectorS('max_over_time(x{a="[9s]"}[5s])')).toBe(5);
    expect(rangeSelectorS('histogram_quantile(0.95, sum by (le) (rate(b[10s])))')).toBe(10);
    expect(rangeSelectorS('rate(x[1m30s]) / rate(y[2m:10s])')).toBe(120);
    expect(rangeSelectorS('up')).toBe(0);
  });
});

describe('block bootstrap', () => {
  it('white noise needs short blocks, a slow random walk long ones', () => {
    const rng = seededRng(7);
    const noise = Array.from({ length: 300 }, () => rng());
    let w = 0;
    const walk = Array.from({ length: 300 }, () => (w += rng() - 0.5));
    expect(chooseBlockLength(noise, 1).length).toBeLessThanOrEqual(2);
    const b = chooseBlockLength(walk, 1);
    expect(b.length).toBe(50); // capped at n / 6
    expect(b.capped).toBe(true);
    // The query's own range window is a floor.
    expect(chooseBlockLength(noise, 10).length).toBe(10);
    expect(autocorrelation(walk, 1)!).toBeGreaterThan(0.9);
  });

  it('resamples keep the length, use whole blocks and are seeded', () => {
    const xs = Array.from({ length: 23 }, (_, i) => i);
    const a = movingBlockResample(xs, 5, seededRng(3));
    expect(a).toHaveLength(23);
    for (let i = 0; i < 20; i += 5) for (let j = 1; j < 5; j++) expect(a[i + j]).toBe(a[i]! + j);
    expect(movingBlockResample(xs, 5, seededRng(3))).toEqual(a);
    expect(blockMeans([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([2, 5]);
  });
});

describe('a bombardier pair with saved Prometheus answers in each run folder', () => {
  it('makes two runs, no Prometheus-only ones, each with the answers\u2019 time range as its window', async () => {
    const runs = await runsOf(`${FIX}/pair=threads`);
    expect(runs.map((r) => [r.id, r.tool])).toEqual([
      [CANARY, 'bombardier'],
      [STABLE, 'bombardier'],
    ]);
    for (const r of runs) {
      // query_range start=1796467778, first point 3 s later (the README's quirk), end=1796467845.
      expect(r.start).toBe(new Date(1796467781 * 1000).toISOString());
      expect(r.end).toBe(new Date(1796467845 * 1000).toISOString());
      expect(r.durationS).toBe(60); // bombardier's own figure stays
      expect(r.series.map((s) => s.name).sort()).toEqual(['processing_max_5s', 'processing_p95']);
      expect(r.sources.find((s) => s.path.endsWith('processing_max_5s.json'))!.provides).toEqual(['series', 'window']);
    }
  });

  it('max(processing_max_5s): the README\u2019s 3.6471 → 0.5601 s, −84.6%, PASS with a block-bootstrap method', async () => {
    const runs = await runsOf(`${FIX}/pair=threads`);
    const s = one(runs, { id: 'e', baseline: STABLE, candidate: CANARY, metric: 'max(processing_max_5s)', criterion: { direction: 'decrease', minChangePct: 5 } });
    expect(s.verdict).toBe('PASS');
    expect(s.unit).toBe('s');
    expect(s.baselineValue).toBeCloseTo(3.6471, 4);
    expect(s.candidateValue).toBeCloseTo(0.5601, 4);
    expect(s.changePct!).toBeCloseTo(-84.6, 1);
    expect(s.ci![0]).toBeLessThanOrEqual(s.changePct!);
    expect(s.ci![1]).toBeLessThan(-5);
    expect(s.server!.blockLength.baseline).toBeGreaterThanOrEqual(5); // [5s] range window at a 1 s step
    expect(s.method).toContain('moving-block bootstrap');
    expect(s.method).toContain('A maximum is a fragile statistic');
    expect(s.conclusions[0]).toMatch(/^variant-canary-text-bombardier vs variant-stable-text-bombardier: maximum of processing_max_5s \(Prometheus, per 1 s step, whole run\) 3\.65 → 0\.560? s \(−84\.6%; 95% CI −8\d\.\d% to −8\d\.\d%, Mann-Whitney p = 0\.000\d+\): it meets the criterion \(decrease by at least 5%\) → PASS\.$/);
    expect(s.conclusions[1]).toMatch(/^Without either side's single highest value the conclusion holds/);
    expect(s.server!.maxSupport!.decidedByOnePoint).toBe(false);
  });

  it('p95(processing_p95) passes too; the same criterion on the A/A pair does not', async () => {
    const threads = await runsOf(`${FIX}/pair=threads`);
    expect(one(threads, { id: 'e', baseline: STABLE, candidate: CANARY, metric: 'p95(processing_p95)' }).verdict).toBe('PASS');
    const aa = await runsOf(`${FIX}/pair=aa`);
    const ids = { baseline: STABLE, candidate: CANARY };
    const max = one(aa, { id: 'aa', ...ids, metric: 'max(processing_max_5s)' });
    expect(max.baselineValue).toBeCloseTo(3.8669, 4);
    expect(max.candidateValue).toBeCloseTo(3.9964, 4);
    expect(max.verdict).toBe('FAIL');
    expect(one(aa, { id: 'aa', ...ids, metric: 'p95(processing_p95)' }).verdict).not.toBe('PASS');
    // Whether the canary is lower at all: the A/A evidence cannot tell.
    expect(one(aa, { id: 'aa', ...ids, metric: 'max(processing_max_5s)', criterion: { direction: 'decrease', minChangePct: 0 } }).verdict).toBe('INCONCLUSIVE');
  });

  it('a client metric on bombardier says "whole run", not "10 s windows"', async () => {
    const runs = await runsOf(`${FIX}/pair=threads`);
    const s = one(runs, { id: 'e', baseline: STABLE, candidate: CANARY, metric: 'max-p95' });
    expect(s.conclusions[0]).toMatch(/p95 \(whole run\) 3,?500 → 555 ms/);
    expect(JSON.stringify([s.conclusions, s.definitions])).not.toContain('10 s windows');
    expect(s.definitions[0]).toBe('Metric max-p95: p95 (whole run): the run\'s own whole-run figure, since a run has no timeline to cut into windows.');
    expect(s.verdict).toBe('PASS');
  });

  it('names what is missing: an unknown series, a split value, a client metric with a split', async () => {
    const runs = await runsOf(`${FIX}/pair=threads`);
    const missing = one(runs, { id: 'e', baseline: STABLE, candidate: CANARY, metric: 'max(nope)' });
    expect(missing.verdict).toBe('INCONCLUSIVE');
    expect(missing.conclusions[0]).toBe(`The experiment cannot be evaluated: run ${STABLE} has no Prometheus series "nope" (it has: processing_max_5s, processing_p95); run ${CANARY} has no Prometheus series "nope" (it has: processing_max_5s, processing_p95).`);
    const split = one(runs, { id: 'e', baseline: STABLE, candidate: STABLE, metric: 'max(processing_max_5s)', split: { label: 'version', baseline: 'stable', candidate: 'canary' } });
    expect(split.conclusions[0]).toContain(`no series "processing_max_5s" of run ${STABLE} has version="canary" (values: stable)`);
    const client = one(runs, { id: 'e', baseline: STABLE, candidate: CANARY, metric: 'max-p95', split: { label: 'version', baseline: 'stable', candidate: 'canary' } });
    expect(client.conclusions[0]).toContain('"split" divides a Prometheus series by a label');
  });
});

describe('one query answering for both versions, split by its version label', () => {
  const split = { label: 'version', baseline: 'stable', candidate: 'canary' };

  it('a folder of Prometheus files alone is a run; split, it gives the per-version figures', async () => {
    const runs = await runsOf(`${FIX}/combined`);
    expect(runs.map((r) => r.id)).toEqual(['prometheus']);
    const s = one(runs, { id: 'e', baseline: runs[0]!.id, candidate: runs[0]!.id, metric: 'max(processing_max_5s_by_version)', split });
    expect(s.baselineValue).toBeCloseTo(3.6471, 4);
    expect(s.candidateValue).toBeCloseTo(0.5601, 4);
    expect(s.verdict).toBe('PASS');
    expect(s.split).toEqual(split);
    expect(s.method).toContain('split by its version label (stable = baseline, canary = candidate; same time window)');
    expect(s.conclusions[0]).toMatch(/^canary vs stable: maximum of processing_max_5s_by_version/);
  });

  it('zero-config: the version label makes the experiment, beside the per-folder pairs, with no extra runs', async () => {
    const runs = await runsOf(FIX);
    expect(runs.map((r) => r.tool)).toEqual(['prometheus', 'bombardier', 'bombardier', 'bombardier', 'bombardier']);
    const studies = analyze(runs).studies.filter((s): s is ExperimentStudy => s.kind === 'experiment');
    const inferred = studies.find((s) => s.split)!;
    expect(inferred.metric).toBe('max(processing_max_5s_by_version)');
    expect(inferred.verdict).toBe('PASS');
    expect(studies.filter((s) => !s.split).map((s) => [s.title, s.verdict])).toEqual([
      ['canary vs stable (bombardier, pair=aa)', 'FAIL'],
      ['canary vs stable (bombardier, pair=threads)', 'PASS'],
    ]);
  });
});

describe('a maximum decided by one value', () => {
  function promRun(id: string, values: number[]): Run {
    const t0 = 1_800_000_000;
    return {
      id,
      name: id,
      tool: 'prometheus',
      sources: [],
      labels: {},
      start: new Date(t0 * 1000).toISOString(),
      end: new Date((t0 + values.length - 1) * 1000).toISOString(),
      durationS: values.length - 1,
      summary: emptyStats('all', null, 'reported'),
      endpoints: [],
      timelineIntervalS: 1,
      timelineLatency: 'none',
      timeline: [],
      errors: [],
      series: [{ name: 'proc_max', unit: 's', source: 'x', labels: {}, points: values.map((v, i) => [t0 + i, v]) }],
      thresholds: [],
      metrics: {},
    };
  }
  const wave = (i: number, seed: number) => 1 + 0.05 * Math.sin(i * 0.7 + seed);

  it('one high value, held over 20 steps by a [20s] range window, cannot carry a PASS', () => {
    // The baseline is 2% above the candidate throughout (the rank test sees that), and one
    // sample of 1.5 s, seen through a 20 s max_over_time window, makes its maximum: with it
    // the change is about −30%, without it about −2%. Most block resamples keep it, so the
    // CI alone would pass; one value deciding the verdict makes it INCONCLUSIVE.
    const base = Array.from({ length: 60 }, (_, i) => 1.02 + 0.005 * Math.sin(i * 0.7));
    for (let i = 20; i < 40; i++) base[i] = 1.5;
    const cand = Array.from({ length: 60 }, (_, i) => 1 + 0.005 * Math.sin(i * 0.7 + 2));
    const runs = [promRun('b', base), promRun('c', cand)];
    for (const r of runs) r.series[0]!.query = 'max_over_time(proc_max_seconds[20s])';
    const s = one(runs, { id: 'e', baseline: 'b', candidate: 'c', metric: 'max(proc_max)' });
    expect(s.changePct!).toBeLessThan(-25);
    expect(s.ci![1]).toBeLessThan(-5); // the bootstrap alone is fooled
    expect(s.pValue!).toBeLessThan(0.05);
    expect(s.server!.maxSupport!.decidedByOnePoint).toBe(true);
    expect(s.verdict).toBe('INCONCLUSIVE');
    expect(s.conclusions[1]).toMatch(/^One value decides this maximum: b's highest value 1\.50? s \(20 steps\) gives way to 1\.02 s without it, a change of −1\.96%; .*, which changes whether the criterion is met, so the verdict is INCONCLUSIVE\.$/);
  });

  it('equal series never pass', () => {
    const xs = Array.from({ length: 60 }, (_, i) => wave(i, 1));
    for (const metric of ['max(proc_max)', 'p95(proc_max)', 'mean(proc_max)']) {
      expect(one([promRun('b', xs), promRun('c', xs)], { id: 'e', baseline: 'b', candidate: 'c', metric }).verdict).not.toBe('PASS');
    }
  });
});

describe('the analysed range', () => {
  it('is the steady phase of a run that has one: a start-up spike before it does not count', () => {
    const t0 = Date.UTC(2024, 0, 1) / 1000;
    const make = (id: string, level: number) => {
      // 20 users ramped in over 10 s, then held: the steady phase starts after the ramp.
      const run = syntheticRun({ id, seconds: 60, rps: (t) => (t < 10 ? 2 * (t + 1) : 20), users: (t) => Math.min(20, 2 * (t + 1)), latency: lognormal(50, 0.2), seed: id.length });
      const points: Array<[number, number | null]> = Array.from({ length: 60 }, (_, i) => [t0 + i, i < 5 ? 9 : level + 0.01 * Math.sin(i)]);
      run.series.push({ name: 'proc', unit: 's', source: 'x', labels: {}, points });
      return run;
    };
    const s = one([make('base', 2), make('cand', 1)], { id: 'e', baseline: 'base', candidate: 'cand', metric: 'max(proc)' });
    expect(s.server!.range).toEqual({ baseline: 'steady', candidate: 'steady' });
    expect(s.baselineValue!).toBeCloseTo(2.01, 2);
    expect(s.candidateValue!).toBeCloseTo(1.01, 2);
    expect(s.server!.steps.baseline).toBeLessThan(55);
    expect(s.conclusions[0]).toContain('steady phase');
    expect(s.verdict).toBe('PASS');
  });
});

describe('a bombardier run read from its Prometheus series', () => {
  // bombardier records no timeline, but the server's request rate and histogram_quantile
  // series do: the run is read from them (steady or overloaded), and a server-side
  // experiment takes each run's full-load phase, named for what it is.
  const t0 = Date.UTC(2024, 0, 1) / 1000;
  const bombardierRun = (id: string, p50At: (i: number) => number) => {
    const stats = { requests: 600, durationS: 60, min: 300, p50: 430, p90: 540, p95: 550, p99: 560, max: 600 };
    const run = summaryOnlyRun(id, stats, { version: id });
    run.start = new Date(t0 * 1000).toISOString();
    run.end = new Date((t0 + 60) * 1000).toISOString();
    const points = (f: (i: number) => number): Array<[number, number | null]> => Array.from({ length: 60 }, (_, i) => [t0 + i, f(i)]);
    run.series = [
      { name: 'rps', unit: 'req/s', query: 'sum(rate(http_requests_total[5s]))', source: 'rps.json', labels: {}, points: points((i) => 10 + (i % 3) * 0.1) },
      { name: 'p50', unit: 's', query: 'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5s])))', source: 'p50.json', labels: {}, points: points(p50At) },
    ];
    return run;
  };

  it('says whether it settled, and the experiment reads over each full-load phase', () => {
    // The stable version queues (its p50 climbs 50 ms a second); the canary's stays flat.
    const runs = [bombardierRun('stable', (i) => 0.4 + 0.05 * i), bombardierRun('canary', (i) => 0.43 + 0.002 * Math.sin(i))];
    const a = analyze(runs, { studies: [{ kind: 'experiment', id: 'e', baseline: 'stable', candidate: 'canary', metric: 'max(p50)', criterion: { direction: 'decrease', minChangePct: 5 } }] });
    expect(a.runs.find((r) => r.runId === 'stable')!.state).toBe('overloaded');
    expect(a.runs.find((r) => r.runId === 'canary')!.state).toBe('steady');
    const s = a.studies[0] as ExperimentStudy;
    expect(s.server!.range).toEqual({ baseline: 'full-load', candidate: 'steady' });
    expect(s.conclusions[0]).toContain('(Prometheus, per 1 s step, full-load phase)');
    expect(s.verdict).toBe('PASS');
  });
  it('is not read from throughput alone: without server-side latency it has no state', () => {
    // bombardier --rate holds the request rate while a queue grows behind it, so a rate
    // series alone would read an overloaded service as steady.
    const run = bombardierRun('stable', (i) => 0.4 + 0.05 * i);
    run.series = run.series.filter((x) => x.name === 'rps');
    expect(analyze([run]).runs[0]!.state).toBeNull();
  });
});

describe('inferred experiments of one tool and variant', () => {
  it('are told apart by the labels that differ, then the file name, then the run id', () => {
    const stats = { requests: 600, durationS: 60, min: 300, p50: 430, p90: 540, p95: 550, p99: 560, max: 600 };
    const run = (id: string, labels: Record<string, string>, file: string) => {
      const r = summaryOnlyRun(id, stats, labels);
      r.sources = [{ path: `x/${id}/${file}`, format: 'bombardier-text' }];
      return r;
    };
    const runs = [];
    for (const pair of ['aa', 'threads']) {
      for (const variant of ['stable', 'canary']) {
        runs.push(run(`${pair}-${variant}-json`, { pair, variant, rate: '10' }, 'bombardier.json'));
        runs.push(run(`${pair}-${variant}-text`, { pair, variant }, 'bombardier.txt'));
      }
    }
    runs.push(run('extra-stable', { variant: 'stable', pair: 'aa', rate: '10' }, 'bombardier.json'));
    runs.push(run('extra-canary', { variant: 'canary', pair: 'aa', rate: '10' }, 'bombardier.json'));
    const titles = analyze(runs).studies.filter((s) => s.kind === 'experiment').map((s) => s.title).sort();
    expect(titles).toEqual([
      'canary vs stable (bombardier, aa-canary-json)',
      'canary vs stable (bombardier, extra-canary)',
      'canary vs stable (bombardier, pair=aa)',
      'canary vs stable (bombardier, pair=threads)',
      'canary vs stable (bombardier, pair=threads, rate=10)',
    ]);
  });
});

describe('saved answers in a run folder that do not cover its time', () => {
  afterAll(removeScratch);

  it('stay with the run of their folder, with a warning naming the folder and both times', async () => {
    const s = await scratch();
    await s.write('results/stable/k6.json', k6Ndjson(30)); // 2026-01-01T00:00:00Z, 30 s
    const dayLater = Date.UTC(2026, 0, 2) / 1000;
    await s.write('results/stable/prometheus/p95.json', prometheusMatrix([[dayLater, '0.1'], [dayLater + 1, '0.2']]));
    const { runs, warnings } = await s.ingest(['results']);
    expect(runs.map((r) => [r.id, r.series.length])).toEqual([['stable', 1]]);
    expect(warnings).toContainEqual({
      file: 'results/stable/prometheus',
      message:
        "the saved Prometheus answers here cover 2026-01-02T00:00:00Z to 2026-01-02T00:00:01Z, outside run stable's time (2026-01-01T00:00:00Z to 2026-01-01T00:00:29Z); they stay with the run of their folder, but none of their points falls inside it (saved over another test?)",
    });
  });
});

