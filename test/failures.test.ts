// The failures study: synthetic runs with known answers, and the bundled example
// (examples/data/failures) against the numbers Locust and Prometheus wrote themselves.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyze, type FailuresStudy } from '../src/analyze/index.js';
import { failureCategory, tracebackWhere } from '../src/analyze/failure-kinds.js';
import { pearson, spearman } from '../src/analyze/correlation.js';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { renderSite } from '../src/render/index.js';
import { validateConfig } from '../src/config.js';
import type { Model, Run, Series } from '../src/model/types.js';
import { syntheticRun } from './helpers/synthetic-run.js';
import { PIPE_NAME, XSS_LINK, XSS_SCRIPT } from './helpers/sample-model.js';

const START_S = Date.UTC(2024, 0, 1) / 1000;

/**
 * 60 s at 100 req/s (150 req/s in t=20–30 s), 20 users throughout; 30% of requests fail
 * in t=20–30 s and none elsewhere; latency 400 ms while failing, 100 ms otherwise.
 */
function failingRun(): Run {
  const bad = (t: number) => t >= 20 && t < 30;
  const run = syntheticRun({ id: 'fail', seconds: 60, rps: (t) => (bad(t) ? 150 : 100), users: () => 20, latency: (t) => (bad(t) ? 400 : 100) });
  for (const p of run.timeline) p.failures = bad(p.t) ? 45 : 0;
  run.summary.failures = 450;
  run.endpoints = [
    { ...run.summary, name: '/api', method: 'POST', failures: 450, requests: run.summary.requests - 100 },
    { ...run.summary, name: '/health', method: 'GET', failures: 0, requests: 100 },
  ];
  run.errors = [
    { endpoint: '/api', method: 'POST', message: "HTTPError('503 Server Error: Service Unavailable for url: http://x/api')", status: null, count: 300, kind: 'failure' },
    { endpoint: '/api', method: 'POST', message: "ReadTimeout(ReadTimeoutError(\"Read timed out. (read timeout=2.0)\"))", status: null, count: 100, kind: 'failure' },
    { endpoint: '/api', method: 'POST', message: 'wrong answer', status: null, count: 50, kind: 'failure' },
    { endpoint: '', method: null, message: 'KeyError: x', status: null, count: 7, kind: 'exception', detail: '  File "/usr/lib/python3/dist-packages/locust/user/task.py", line 1, in run\n    x()\n  File "locustfile.py", line 9, in task\n    d["x"]\n' },
  ];
  return run;
}

function statusSeries(values: Record<string, number>, counter = false): Series[] {
  return Object.entries(values).map(([status, perS]) => ({
    name: 'rps_by_status',
    unit: '',
    source: 'rps.json',
    query: counter ? undefined : 'sum by (status) (rate(http_requests_total[10s]))',
    labels: counter ? { __name__: 'http_requests_total', status } : { status },
    points: Array.from({ length: 61 }, (_, t) => [START_S + t, counter ? perS * t : perS] as [number, number | null]),
  }));
}

function cleanRun(): Run {
  return syntheticRun({ id: 'clean', seconds: 60, rps: () => 100, users: () => 20, latency: () => 100 });
}

function study(runs: Run[], cfg: Record<string, unknown> = {}): FailuresStudy {
  const a = analyze(runs, { studies: [{ kind: 'failures', id: 'f', runs: ['fail'], ...cfg }] });
  return a.studies[0] as FailuresStudy;
}

describe('failures study on a synthetic run', () => {
  it('counts failures, groups them by message with shares and kinds', () => {
    const r = study([failingRun()]).runs[0]!;
    expect(r.requests).toBe(6500);
    expect(r.failures).toBe(450);
    expect(r.failureRate).toBeCloseTo(450 / 6500, 12);
    expect(r.aboveThreshold).toBe(true);
    expect(r.failureGroups.map((g) => [g.count, g.category])).toEqual([
      [300, 'server-error'],
      [100, 'timeout'],
      [50, 'other'],
    ]);
    expect(r.failureGroups[0]!.share).toBeCloseTo(300 / 450, 12);
    expect(r.byCategory).toEqual({ 'server-error': 300, timeout: 100, other: 50 });
    expect(r.exceptions).toEqual([{ message: 'KeyError: x', count: 7, where: 'File "locustfile.py", line 9, in task' }]);
    expect(r.endpoints.find((e) => e.name === '/api')!.failureRate).toBeCloseTo(450 / 6400, 12);
  });

  it('finds when failures happened: first failure, intervals above the threshold, worst window', () => {
    const r = study([failingRun()]).runs[0]!;
    expect(r.firstFailureT).toBe(20);
    expect(r.intervalsAboveThreshold).toBe(10);
    expect(r.intervalsWithRequests).toBe(60);
    expect(r.worstWindow).toEqual({ startT: 20, endT: 30, requests: 1500, failures: 450, failureRate: 0.3 });
    expect(r.timeline).toHaveLength(60);
    expect(r.timeline[25]!.failureRate).toBeCloseTo(0.3, 12);
    // Users never change: no correlation can be given; throughput rises exactly with the failures.
    expect(r.correlation.users).toBeNull();
    expect(r.correlation.rps).toBeCloseTo(1, 9);
  });

  it('sets latency in failing intervals against the others, exactly from the histograms', () => {
    const r = study([failingRun()]).runs[0]!;
    const l = r.latency;
    expect(l.range).toBe('steady');
    expect(l.precision).toBe('samples');
    expect(l.splitRate).toBe(0);
    expect(l.high!.intervals).toBe(10);
    expect(l.low!.intervals).toBe(50);
    // HDR with 3 significant digits: within 0.1% of the recorded constant.
    expect(Math.abs(l.high!.p95! - 400) / 400).toBeLessThan(0.001);
    expect(Math.abs(l.low!.p95! - 100) / 100).toBeLessThan(0.001);
    expect(l.p95ChangePct).toBeGreaterThan(299);
    expect(l.p95ChangePct).toBeLessThan(301);
    expect(l.spearmanP95).toBeCloseTo(1, 9);
  });

  it('compares steady-phase latency with a failure-free run the config names', () => {
    const s = study([failingRun(), cleanRun()], { baseline: 'clean' });
    const b = s.runs[0]!.latency.baseline!;
    expect(b.runId).toBe('clean');
    expect(Math.abs(b.baseline.p95! - 100) / 100).toBeLessThan(0.001);
    // 1,500 of 6,500 requests at 400 ms: the p95 is 400 ms.
    expect(Math.abs(b.run.p95! - 400) / 400).toBeLessThan(0.001);
    expect(s.conclusions.some((c) => /failure-free run clean/.test(c))).toBe(true);
  });

  it("reads the server's 5xx share from a Prometheus rate series by status", () => {
    const run = failingRun();
    run.series = statusSeries({ '200': 95, '503': 5 });
    const s = study([run]).runs[0]!.server!;
    expect(s.basis).toBe('rate');
    // 61 points a second apart, each standing for 1 s.
    expect(s.byStatus).toEqual({ '200': 95 * 61, '503': 5 * 61 });
    expect(s.errorRate5xx).toBeCloseTo(0.05, 12);
    expect(s.timeline[10]).toEqual({ t: 10, totalPerS: 100, errorsPerS: 5 });
  });

  it('reads a raw _total counter by its increase', () => {
    const run = failingRun();
    run.series = statusSeries({ '200': 95, '500': 5 }, true);
    const s = study([run]).runs[0]!.server!;
    expect(s.basis).toBe('counter');
    expect(s.byStatus['200']).toBeCloseTo(95 * 60, 9);
    expect(s.errorRate5xx).toBeCloseTo(0.05, 12);
  });

  it('writes sentences with the numbers, most important first', () => {
    const run = failingRun();
    run.series = statusSeries({ '200': 95, '503': 5 });
    const c = study([run]).conclusions;
    expect(c[0]).toBe('450 of 6,500 requests failed (6.92%), above the 1% threshold; all of them on POST /api (7.03% of its 6,400 requests).');
    expect(c[1]).toMatch(/^The most common failure, “HTTPError\('503 Server Error: Service Unavailable for url: http:\/\/x\/api'\)”, was 66.7% of them \(300\)/);
    expect(c[2]).toMatch(/^The server answered 5% of its ≈6,100 responses with a 5xx status/);
    expect(c[2]).toMatch(/the client also counts 100 timeouts and 50 failed checks/);
  });

  it('names the endpoint of a message that failed on two of them, so it does not read as a repeat', () => {
    // Seen on a real 3000-user Locust run: "[Errno 104] Connection reset by peer" twice in one sentence.
    const run = failingRun();
    run.errors = [
      { endpoint: '/api', method: 'POST', message: 'ConnectionResetError(104)', status: null, count: 300, kind: 'failure' },
      { endpoint: '/health', method: 'GET', message: 'ConnectionResetError(104)', status: null, count: 100, kind: 'failure' },
      { endpoint: '/api', method: 'POST', message: 'wrong answer', status: null, count: 50, kind: 'failure' },
    ];
    const c = study([run]).conclusions;
    expect(c[1]).toBe('The most common failure, “ConnectionResetError(104)” on POST /api, was 66.7% of them (300); then “ConnectionResetError(104)” on GET /health 22.2% (100) and “wrong answer” 11.1% (50).');
  });

  it('reads latency over the full-load phase of a run that never settles, not a "steady phase"', () => {
    // Latency rising through the whole run: overloaded, so its plateau is full load.
    const run = failingRun();
    const slow = syntheticRun({ id: 'fail', seconds: 60, rps: () => 100, users: () => 20, latency: (t) => 100 + 20 * t });
    run.timeline = slow.timeline.map((p, i) => ({ ...p, failures: run.timeline[i]!.failures }));
    const s = study([run]);
    expect(s.runs[0]!.latency.range).toBe('full-load');
    expect(s.conclusions.find((x) => x.startsWith('Latency in the'))).toMatch(/^Latency in the full-load phase: /);
  });

  it('is inferred for runs above the failure-rate threshold only', () => {
    const a = analyze([failingRun(), cleanRun()]);
    const f = a.studies.filter((s) => s.kind === 'failures');
    expect(f.map((s) => [s.id, s.runIds])).toEqual([['failures', ['fail']]]);
    expect(analyze([cleanRun()]).studies.filter((s) => s.kind === 'failures')).toEqual([]);
  });
});

describe('failure kinds and correlation helpers', () => {
  it('classifies by status and message', () => {
    expect(failureCategory({ status: '502', message: 'x' })).toBe('server-error');
    expect(failureCategory({ status: null, message: 'HTTP 404' })).toBe('client-error');
    expect(failureCategory({ status: null, message: 'ConnectionRefusedError(111, "Connection refused")' })).toBe('connection');
    expect(failureCategory({ status: null, message: 'request timeout' })).toBe('timeout');
    expect(failureCategory({ status: null, message: 'low confidence' })).toBe('other');
    expect(tracebackWhere(undefined)).toBeNull();
    expect(tracebackWhere('Traceback:\n  boom')).toBe('Traceback:');
  });

  it('gives Pearson and Spearman coefficients, null when undefined', () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNull();
    expect(pearson([1, 2], [1, 2])).toBeNull();
    // Monotone but not linear: Spearman 1, Pearson below 1.
    expect(spearman([1, 2, 3, 4], [1, 10, 100, 1000])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [1, 10, 100, 1000])!).toBeLessThan(0.95);
  });
});

describe('failures study on the bundled example (Locust 2.12.1 + Prometheus)', async () => {
  const root = path.resolve(__dirname, '..');
  const { runs } = await ingestRuns([{ id: 'failures', name: 'Failure injection', inputs: ['examples/data/failures/'] }], { cwd: root });
  const analysis = analyze(runs, { studies: [{ kind: 'failures', id: 'failures', runs: ['failures'] }] });
  const s = analysis.studies[0] as FailuresStudy;
  const r = s.runs[0]!;

  it("matches Locust's own totals and failures table", () => {
    // failures-n4_report.html: Aggregated row "1913 requests, 174 fails"; POST /predict 1717 / 174.
    expect(r.requests).toBe(1913);
    expect(r.failures).toBe(174);
    expect(r.endpoints.find((e) => e.name === '/predict')).toMatchObject({ method: 'POST', requests: 1717, failures: 174 });
    expect(r.endpoints.find((e) => e.name === '/feedback')).toMatchObject({ requests: 166, failures: 0 });
    // failures-n4_failures.csv, column Occurrences.
    expect(r.failureGroups.map((g) => [g.count, g.category, g.message.slice(0, 12)])).toEqual([
      [97, 'timeout', 'ReadTimeout('],
      [47, 'server-error', "HTTPError('5"],
      [30, 'other', 'CatchRespons'],
    ]);
    expect(r.groupedFailures).toBe(174);
    // failures-n4_exceptions.csv: Count 21, raised at locustfile.py line 30.
    expect(r.exceptionCount).toBe(21);
    expect(r.exceptions[0]!.where).toBe('File "locustfile.py", line 30, in predict');
    // failures-n4_stats_history.csv: the row 1 s after the start already has Total Failure Count 2.
    expect(r.firstFailureT).toBe(1);
    expect(s.conclusions[0]).toBe('174 of 1,913 requests failed (9.1%), above the 1% threshold; all of them on POST /predict (10.1% of its 1,717 requests).');
  });

  it("matches the server's own counts in rps_by_status.json", () => {
    // Sum of the values from the run start (1795376252) to the end of the file, one point per second.
    const s5 = r.server!;
    expect(s5.series).toBe('rps_by_status');
    expect(s5.byStatus['200']).toBeCloseTo(1580.145, 2);
    expect(s5.byStatus['204']).toBeCloseTo(164.168, 2);
    expect(s5.byStatus['499']).toBeCloseTo(108.756, 2);
    expect(s5.byStatus['500']).toBeCloseTo(46.235, 2);
    expect(s5.errorRate5xx).toBeCloseTo(0.024343, 5);
  });

  it('renders the study page with its tables and charts, and the failures embed block', async () => {
    // A second run whose failure text is hostile: it must stay text.
    const hostile = failingRun();
    hostile.errors.push({ endpoint: PIPE_NAME, method: 'GET', message: `${XSS_SCRIPT} ${XSS_LINK}`, status: null, count: 1, kind: 'failure' });
    const both = [runs[0]!, hostile];
    const model: Model = { schemaVersion: 1, generator: { name: 'ce-report', version: 'test' }, runs: both, warnings: [] };
    const a = analyze(both, { studies: [{ kind: 'failures', id: 'failures', runs: ['failures', 'fail'] }] });
    const out = await mkdtemp(path.join(tmpdir(), 'ce-failures-'));
    try {
      await renderSite(model, a, out, { title: 'failures' });
      const mdPage = await readFile(path.join(out, 'studies/failures.md'), 'utf8');
      const html = await readFile(path.join(out, 'studies/failures.html'), 'utf8');
      expect(mdPage).toMatch(/^> Failure injection: failure rate \*\*9\.1%\*\* \(174 of 1,913 requests\), above the 1% threshold; worst window \*\*17\.8%\*\* at t=8–18 s\./m);
      expect(mdPage).toContain('| Endpoint | Method | Kind | Message | Occurrences | Share |');
      expect(mdPage).toMatch(/\| \/predict \| POST \| timeout \| ReadTimeout\(ReadTimeoutError\(.*\| 97 \| 55\.7% \|/);
      expect(mdPage).toContain('| Count | Message | Where (traceback) |');
      expect(mdPage).toMatch(/\| 21 \| Expecting ',' delimiter/);
      expect(mdPage).toContain('| Status | Meaning | Responses | Share |');
      expect(mdPage).toContain('a\\|b');
      expect(html).not.toContain('<script>window.__xss');
      expect(html).not.toMatch(/href="javascript:/);
      expect((html.match(/<table>/g) ?? []).length).toBeGreaterThanOrEqual(5);
      for (const chart of ['error-rate', 'failures-per-s', 'latency']) {
        const svg = await readFile(path.join(out, `charts/study-failures-failures-${chart}.svg`), 'utf8');
        expect(svg).toMatch(/class="mark-(line|symbol) role-mark/);
      }
      const embed = await readFile(path.join(out, 'embed/study-failures-failures.md'), 'utf8');
      expect(embed).toContain('| 97 | 55.7% |');
      const index = await readFile(path.join(out, 'index.md'), 'utf8');
      expect(index).toContain('failure rate **9.1%** (174 of 1,913 requests)');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('is accepted by the config schema, unknown keys are not', () => {
    expect(() => validateConfig({ studies: [{ kind: 'failures', runs: ['a'], thresholdPct: 2, baseline: 'b' }] }, 'c.json')).not.toThrow();
    expect(() => validateConfig({ studies: [{ kind: 'failures', treshold: 2 }] }, 'c.json')).toThrow(/unknown key "treshold"/);
  });
});
