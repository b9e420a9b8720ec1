// Failures under load: how many requests failed and why, when, how that moved with load
// and latency, and what the server saw (a Prometheus series by status) against the
// client's own count. Counts come straight from the tool (Locust's Aggregated row and
// failures table); time figures from its timeline.
import type { ErrorEntry, Run, TimelinePoint } from '../model/types.js';
import { pearson, spearman } from './correlation.js';
import { failureCategory, tracebackWhere } from './failure-kinds.js';
import { num, pct, sig3, changePct } from './format.js';
import { rangeBasis, type RunFacts } from './run-analysis.js';
import { serverErrors } from './server-errors.js';
import { median } from './stats.js';
import type {
  AnalyzeOptions,
  EndpointFailures,
  ExceptionGroup,
  FailureCategory,
  FailureGroup,
  FailureInterval,
  FailureLatencyEffect,
  FailuresRun,
  FailuresStudy,
  FailuresStudyConfig,
  FailureWindow,
  LatencyGroup,
} from './types.js';
import { emptyPercentiles, pointsIn, rangePercentiles, sortedTimeline, timelineSpan, type WindowValue } from './windows.js';

const CATEGORY_WORDS: Record<FailureCategory, [string, string]> = {
  timeout: ['timeout', 'timeouts'],
  'server-error': ['server error (5xx)', 'server errors (5xx)'],
  'client-error': ['client error (4xx)', 'client errors (4xx)'],
  connection: ['connection error', 'connection errors'],
  other: ['other failure (a check in the load script)', 'other failures (checks in the load script)'],
};

/** A failure message in a sentence: quoted, one line, at most 100 characters. */
export function quoteMessage(message: string): string {
  const one = message.replace(/\s+/g, ' ').trim();
  return `“${one.length > 100 ? one.slice(0, 99) + '…' : one}”`;
}

function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** 0.0912 → "9.12%" (3 significant digits). */
function share(x: number | null): string {
  return x === null ? 'n/a' : `${num(x * 100)}%`;
}

function count(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function endpointName(e: { name: string; method: string | null }): string {
  return e.method ? `${e.method} ${e.name}` : e.name;
}

function groupFailures(errors: ErrorEntry[]): FailureGroup[] {
  const byKey = new Map<string, FailureGroup>();
  for (const e of errors) {
    if (e.kind !== 'failure' || !(e.count > 0)) continue;
    const key = JSON.stringify([e.endpoint, e.method, e.message, e.status]);
    const g = byKey.get(key);
    if (g) g.count += e.count;
    else byKey.set(key, { endpoint: e.endpoint, method: e.method, message: e.message, status: e.status, category: failureCategory(e), count: e.count, share: 0 });
  }
  const groups = [...byKey.values()];
  const total = groups.reduce((a, g) => a + g.count, 0);
  for (const g of groups) g.share = total > 0 ? g.count / total : 0;
  return groups.sort((a, b) => b.count - a.count || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}

function groupExceptions(errors: ErrorEntry[]): ExceptionGroup[] {
  const byMessage = new Map<string, ExceptionGroup>();
  for (const e of errors) {
    if (e.kind !== 'exception' || !(e.count > 0)) continue;
    const g = byMessage.get(e.message);
    if (g) g.count += e.count;
    else byMessage.set(e.message, { message: e.message, count: e.count, where: tracebackWhere(e.detail) });
  }
  return [...byMessage.values()].sort((a, b) => b.count - a.count || (a.message < b.message ? -1 : 1));
}

function intervalsOf(pts: TimelinePoint[]): FailureInterval[] {
  return pts.map((p) => ({ t: p.t, requests: p.requests, failures: p.failures, failureRate: rate(p.failures, p.requests), users: p.users }));
}

/**
 * The window with the highest failure rate, earliest on ties, among the run's sliding
 * windows (the analysis's: `windowS` seconds starting at every interval, or the whole
 * run when it is shorter).
 */
function worstWindow(windows: WindowValue[]): FailureWindow | null {
  let best: FailureWindow | null = null;
  for (const w of windows) {
    if (w.requests === 0) continue;
    const r = w.failures / w.requests;
    if (!best || r > best.failureRate) best = { startT: w.startT, endT: w.endT, requests: w.requests, failures: w.failures, failureRate: r };
  }
  return best;
}

function latencyGroup(points: TimelinePoint[], precision: FailureLatencyEffect['precision']): LatencyGroup {
  const requests = points.reduce((a, p) => a + p.requests, 0);
  const failures = points.reduce((a, p) => a + p.failures, 0);
  return { intervals: points.length, requests, failures, failureRate: rate(failures, requests), ...rangePercentiles(points, precision) };
}

function latencyEffect(f: RunFacts, baseline: RunFacts | undefined): FailureLatencyEffect {
  const run = f.run;
  const precision = f.precision;
  const range = rangeBasis(f);
  const span = f.phase.steady ?? timelineSpan(run);
  const pts = span ? pointsIn(sortedTimeline(run), run.timelineIntervalS, span).filter((p) => p.requests > 0) : [];
  const base: FailureLatencyEffect = { high: null, low: null, splitRate: null, range, p95ChangePct: null, spearmanP95: null, precision, baseline: null, note: null };
  if (baseline) {
    const runP = f.analysis.sustained;
    const baseP = baseline.analysis.sustained;
    base.baseline = { runId: baseline.run.id, run: runP ?? emptyPercentiles(), baseline: baseP ?? emptyPercentiles(), p95ChangePct: changePct(baseP?.p95 ?? null, runP?.p95 ?? null) };
  }
  const windowable = run.timelineLatency !== 'none' && (precision === 'samples' || precision === 'window');
  if (!windowable) {
    base.note =
      precision === 'cumulative'
        ? 'The timeline latency is cumulative since the run start, so it cannot be split by interval.'
        : 'The run has no per-interval latency, so latency cannot be set against the failure rate.';
    return base;
  }
  if (pts.length < 4) {
    base.note = 'Too few timeline intervals with requests to compare.';
    return base;
  }
  const rates = pts.map((p) => p.failures / p.requests);
  const split = median(rates)!;
  const high = pts.filter((_, i) => rates[i]! > split);
  const low = pts.filter((_, i) => rates[i]! <= split);
  base.splitRate = split;
  if (high.length === 0 || low.length === 0) {
    base.note = 'The failure rate is the same in every interval, so there is nothing to split.';
    return base;
  }
  base.high = latencyGroup(high, precision);
  base.low = latencyGroup(low, precision);
  base.p95ChangePct = changePct(base.low.p95, base.high.p95);
  const paired = pts.map((p, i) => [rates[i]!, p.latencyMs.p95] as const).filter((x): x is readonly [number, number] => x[1] !== null);
  base.spearmanP95 = spearman(paired.map((x) => x[0]), paired.map((x) => x[1]));
  return base;
}

/** `withReq`: the intervals with requests. */
function correlations(withReq: TimelinePoint[], interval: number): FailuresRun['correlation'] {
  const withUsers = withReq.filter((p) => p.users !== null);
  return {
    users: pearson(withUsers.map((p) => p.failures / p.requests), withUsers.map((p) => p.users!)),
    rps: pearson(withReq.map((p) => p.failures / p.requests), withReq.map((p) => p.requests / interval)),
  };
}

function failuresRun(f: RunFacts, thresholdPct: number, windowS: number, baseline: RunFacts | undefined): FailuresRun {
  const facts = runFacts(f, thresholdPct, windowS, baseline);
  return { ...facts, conclusions: runConclusions(facts, f.run, thresholdPct) };
}

function runFacts(f: RunFacts, thresholdPct: number, windowS: number, baseline: RunFacts | undefined): Omit<FailuresRun, 'conclusions'> {
  const run = f.run;
  const pts = sortedTimeline(run);
  const interval = run.timelineIntervalS;
  const timelineRequests = pts.reduce((a, p) => a + p.requests, 0);
  const timelineFailures = pts.reduce((a, p) => a + p.failures, 0);
  const fromSummary = run.summary.requests > 0;
  const requests = fromSummary ? run.summary.requests : timelineRequests;
  const failures = fromSummary ? run.summary.failures : timelineFailures;
  const failureRate = rate(failures, requests);
  const groups = groupFailures(run.errors);
  const byCategory: Partial<Record<FailureCategory, number>> = {};
  for (const g of groups) byCategory[g.category] = (byCategory[g.category] ?? 0) + g.count;
  const exceptions = groupExceptions(run.errors);
  const threshold = thresholdPct / 100;
  const endpoints: EndpointFailures[] = run.endpoints.map((e) => ({ name: e.name, method: e.method, requests: e.requests, failures: e.failures, failureRate: rate(e.failures, e.requests) }));
  const withReq = pts.filter((p) => p.requests > 0);
  return {
    runId: run.id,
    requests,
    failures,
    failureRate,
    aboveThreshold: failureRate !== null && failureRate > threshold,
    endpoints,
    failureGroups: groups,
    byCategory,
    groupedFailures: groups.reduce((a, g) => a + g.count, 0),
    exceptions,
    exceptionCount: exceptions.reduce((a, e) => a + e.count, 0),
    timeline: intervalsOf(pts),
    intervalS: interval,
    timelineRequests,
    timelineFailures,
    firstFailureT: pts.find((p) => p.failures > 0)?.t ?? null,
    intervalsAboveThreshold: withReq.filter((p) => p.failures / p.requests > threshold).length,
    intervalsWithRequests: withReq.length,
    worstWindow: worstWindow(f.windows),
    correlation: correlations(withReq, interval),
    latency: latencyEffect(f, baseline),
    server: serverErrors(run, windowS),
  };
}

function corrWords(r: number): string {
  const a = Math.abs(r);
  const strength = a < 0.1 ? 'no' : a < 0.3 ? 'a weak' : a < 0.6 ? 'a moderate' : 'a strong';
  return a < 0.1 ? 'no correlation' : `${strength} ${r > 0 ? 'positive' : 'negative'} correlation`;
}

/** Sentences for one run, most important first (the first three make the page's summary). */
function runConclusions(r: Omit<FailuresRun, 'conclusions'>, run: Run, thresholdPct: number): string[] {
  const out: string[] = [];
  if (r.requests === 0) return [`${run.name || run.id}: no requests, so no failure rate.`];
  // 1. How many failed, where.
  const failing = r.endpoints.filter((e) => e.failures > 0).sort((a, b) => b.failures - a.failures);
  let where = '';
  if (failing.length === 1 && failing[0]!.failures === r.failures) {
    const e = failing[0]!;
    where = `; all of them on ${endpointName(e)} (${share(e.failureRate)} of its ${count(e.requests)} requests)`;
  } else if (failing.length > 1) {
    const worst = [...failing].sort((a, b) => (b.failureRate ?? 0) - (a.failureRate ?? 0))[0]!;
    where = `; ${failing.length} of ${r.endpoints.length} endpoints failed, the worst rate on ${endpointName(worst)} (${share(worst.failureRate)}, ${count(worst.failures)} of ${count(worst.requests)})`;
  }
  const verdict = r.failures === 0 ? '' : r.aboveThreshold ? `, above the ${num(thresholdPct)}% threshold` : `, within the ${num(thresholdPct)}% threshold`;
  out.push(`${count(r.failures)} of ${count(r.requests)} requests failed (${share(r.failureRate)})${verdict}${where}.`);
  // 2. Why.
  const g = r.failureGroups;
  if (g.length > 0) {
    // A message named twice (one failure on two endpoints) says where each time, or it reads as a repeat.
    const shown = g.slice(0, 3);
    const named = (x: FailureGroup) => quoteMessage(x.message) + (shown.filter((y) => y.message === x.message).length > 1 ? ` on ${endpointName({ name: x.endpoint, method: x.method })}` : '');
    const rest = g.slice(1, 3).map((x) => `${named(x)} ${share(x.share)} (${count(x.count)})`);
    const more = g.length > 3 ? `, and ${g.length - 3} more` : '';
    out.push(
      `The most common failure, ${named(g[0]!)}, was ${share(g[0]!.share)} of them (${count(g[0]!.count)})` +
        (rest.length > 0 ? `; then ${rest.join(' and ')}${more}.` : '.'),
    );
  }
  // 3. The server's view.
  const s = r.server;
  if (s && s.requests > 0) {
    const clientOnly: string[] = [];
    const timeouts = r.byCategory.timeout ?? 0;
    const other = r.byCategory.other ?? 0;
    if (timeouts > 0) clientOnly.push(`${count(timeouts)} timeouts${s.clientClosed > 0 ? ` (the server logged ≈${count(s.clientClosed)} responses as 499, client closed the connection)` : ''}`);
    if (other > 0) clientOnly.push(`${count(other)} failed checks in the load script on responses the server sent normally`);
    const why = clientOnly.length > 0 ? `: the client also counts ${clientOnly.join(' and ')}` : '';
    out.push(
      `The server answered ${share(s.errorRate5xx)} of its ≈${count(s.requests)} responses with a 5xx status (≈${count(s.errors5xx)}, Prometheus series "${s.series}"), against ${share(r.failureRate)} failures at the client${why}.`,
    );
  }
  // 4. Kinds.
  const kinds = (Object.keys(CATEGORY_WORDS) as FailureCategory[]).filter((k) => (r.byCategory[k] ?? 0) > 0);
  if (kinds.length > 0) {
    const parts = kinds.map((k) => ({ k, n: r.byCategory[k]! })).sort((a, b) => b.n - a.n).map(({ k, n }) => `${count(n)} ${CATEGORY_WORDS[k][n === 1 ? 0 : 1]}`);
    const mismatch = r.groupedFailures !== r.failures ? ` (the failures table lists ${count(r.groupedFailures)}, the summary ${count(r.failures)})` : '';
    out.push(`By kind: ${parts.join(', ')}${mismatch}.`);
  }
  // 5. When.
  if (r.timeline.length > 0) {
    const bits: string[] = [];
    if (r.firstFailureT !== null) bits.push(`the first failure came in the interval at t=${num(r.firstFailureT)} s`);
    bits.push(`${count(r.intervalsAboveThreshold)} of ${count(r.intervalsWithRequests)} intervals of ${num(r.intervalS)} s had more than ${num(thresholdPct)}% failures`);
    const w = r.worstWindow;
    if (w) bits.push(`the worst ${num(w.endT - w.startT)} s window (t=${num(w.startT)}–${num(w.endT)} s) had ${share(w.failureRate)} (${count(w.failures)} of ${count(w.requests)})`);
    let s5 = bits.join('; ');
    s5 = s5.charAt(0).toUpperCase() + s5.slice(1) + '.';
    if (r.timelineRequests < r.requests) {
      s5 += ` The timeline holds ${count(r.timelineRequests)} of the ${count(r.requests)} requests (the tool's history stops early), so these time figures cover that part.`;
    }
    out.push(s5);
  }
  // 6. Latency.
  const l = r.latency;
  if (l.high && l.low && l.high.p95 !== null && l.low.p95 !== null) {
    const approx = l.precision === 'window' ? " Both are the tool's own per-interval percentiles averaged by requests, an approximation." : '';
    const corr = l.spearmanP95 !== null ? `; per interval, failure rate and p95 show ${corrWords(l.spearmanP95)} (Spearman ${num(l.spearmanP95)})` : '';
    out.push(
      `Latency in the ${l.range === 'run' ? 'run' : `${l.range} phase`}: in the ${count(l.high.intervals)} intervals whose failure rate was above the median (${share(l.splitRate)}), p95 was ${sig3(l.high.p95)} ms against ${sig3(l.low.p95)} ms in the other ${count(l.low.intervals)}, ${pct(l.p95ChangePct ?? 0)}${corr}.${approx}`,
    );
  } else if (l.note) {
    out.push(l.note);
  }
  if (l.baseline && l.baseline.run.p95 !== null && l.baseline.baseline.p95 !== null) {
    out.push(`Steady-phase p95 ${sig3(l.baseline.run.p95)} ms against ${sig3(l.baseline.baseline.p95)} ms in the failure-free run ${l.baseline.runId} (${pct(l.baseline.p95ChangePct ?? 0)}).`);
  }
  // 7. Load.
  const c = r.correlation;
  const loadBits: string[] = [];
  if (c.users !== null) loadBits.push(`the user count: ${corrWords(c.users)} (r = ${num(c.users)})`);
  if (c.rps !== null) loadBits.push(`throughput: ${corrWords(c.rps)} (r = ${num(c.rps)})`);
  if (loadBits.length > 0) out.push(`Per-interval failure rate against ${loadBits.join('; against ')}.`);
  // 8. Exceptions.
  if (r.exceptionCount > 0) {
    const e = r.exceptions[0]!;
    out.push(
      `${count(r.exceptionCount)} exception${r.exceptionCount === 1 ? ' was' : 's were'} raised in the load script (not counted as failed requests); the most common, ${quoteMessage(e.message)} (${count(e.count)})${e.where ? `, at ${quoteMessage(e.where)}` : ''}.`,
    );
  }
  return out;
}

export function failuresDefinitions(thresholdPct: number, windowS: number): string[] {
  return [
    "Requests and failures: the tool's own totals (Locust's Aggregated row, k6's http_reqs and failed requests). Failure rows and their occurrences: the tool's failures table; share = occurrences / all occurrences.",
    'Kinds, from the status and message: server error (HTTP 5xx), client error (HTTP 4xx), timeout, connection error, and other: a failure the load script declared on a response the server sent normally (e.g. a content check).',
    "Exceptions: errors raised inside the load script (Locust's exceptions table). They are not failed requests; the place shown is the innermost traceback line outside the tool's own packages.",
    `Error rate over time: failures / requests in each timeline interval. Threshold: ${num(thresholdPct)}%. Worst window: the ${num(windowS)} s window, starting at any interval, with the highest failure rate.`,
    "Latency effect: the intervals of the steady phase (the full-load phase of a run that never settles, the whole run without one) are split at the median per-interval failure rate; each half's percentiles merge its intervals' HDR histograms (precision samples) or average the tool's per-interval percentiles weighted by requests (precision window). Failed requests count in latency too: a timed-out request is recorded at the timeout.",
    'Correlation: Pearson r of the per-interval failure rate against users and against throughput (intervals with requests); Spearman rank correlation against p95. |r| < 0.1 is none, < 0.3 weak, < 0.6 moderate, else strong.',
    `Server side: a Prometheus series with a status label (requests per second by status, or a raw _total counter), integrated from the run start to one rate window after its end (the query's range, ${num(windowS)} s when unknown): estimated responses per status (≈), 5xx share = 5xx / all. Status 499 means the client closed the connection (its timeout). The client's failures include timeouts and failed checks that the server answered normally.`,
  ];
}

export function failuresStudy(cfg: FailuresStudyConfig & { id: string }, facts: RunFacts[], opts: AnalyzeOptions): FailuresStudy {
  const thresholdPct = cfg.thresholdPct ?? opts.failureRateThreshold * 100;
  const chosen = cfg.runs
    ? cfg.runs.map((id) => facts.find((f) => f.run.id === id)).filter((f): f is RunFacts => f !== undefined)
    : facts.filter((f) => f.run.id !== cfg.baseline && (f.analysis.errorRate ?? 0) > thresholdPct / 100);
  const baseline = cfg.baseline ? facts.find((f) => f.run.id === cfg.baseline) : undefined;
  const runs = chosen.map((f) => failuresRun(f, thresholdPct, opts.windowS, baseline));
  const conclusions: string[] = [];
  runs.forEach((r, i) => {
    const name = chosen[i]!.run.name || chosen[i]!.run.id;
    for (const c of r.conclusions) conclusions.push(runs.length > 1 ? `${name}: ${c}` : c);
  });
  return {
    id: cfg.id,
    kind: 'failures',
    title: cfg.title ?? 'Failures under load',
    conclusions,
    definitions: failuresDefinitions(thresholdPct, opts.windowS),
    runIds: runs.map((r) => r.runId),
    thresholdPct,
    windowS: opts.windowS,
    baseline: cfg.baseline ?? null,
    runs,
  };
}
