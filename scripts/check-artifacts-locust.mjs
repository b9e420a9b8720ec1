#!/usr/bin/env node
// Checks the Locust ingesters against real artifacts outside the test suite:
//   npm run build && node scripts/check-artifacts-locust.mjs <artifacts-dir>
// (or CE_ARTIFACTS=<artifacts-dir>). <artifacts-dir> holds locust/<run>/ (our own
// runs, with console_summary.txt) and public/locust/ (other people's files, which
// are only read here, never copied into the project). Expected figures come from
// the tools' own output (console summaries, Aggregated rows, HTML tables) and from
// the facts listed in public/SOURCES-locust-prom.md. Exit code 1 when a check fails.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist');
if (!existsSync(path.join(dist, 'ingest', 'pipeline.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { ingestRuns } = await import(path.join(dist, 'ingest', 'pipeline.js'));

const root = process.argv[2] ?? process.env.CE_ARTIFACTS;
if (!root || !existsSync(path.join(root, 'locust'))) {
  console.error('usage: node scripts/check-artifacts-locust.mjs <artifacts-dir>   (a folder with locust/ and public/locust/)');
  process.exit(2);
}

let failed = 0;
let passed = 0;
function check(what, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
}

async function ingest(inputs, cwd) {
  return ingestRuns([{ inputs }], { cwd });
}

/** Final Aggregated request and failure counts from Locust's --only-summary console output. */
function consoleAggregated(text) {
  const m = /^\s+Aggregated\s+(\d+)\s+(\d+)\(/m.exec(text);
  return m ? { requests: Number(m[1]), failures: Number(m[2]) } : null;
}

/** The Aggregated row of a 2.x _stats.csv, read by column name. */
function statsCsvAggregated(text) {
  const [head, ...rows] = text.trim().split('\n');
  const cols = head.split(',');
  const row = rows.find((r) => r.split(',')[1] === 'Aggregated')?.split(',');
  if (!row) return null;
  const get = (name) => Number(row[cols.indexOf(name)]);
  return { requests: get('Request Count'), failures: get('Failure Count'), p50: get('50%'), p95: get('95%'), p99: get('99%') };
}

// 1. Our own Locust 2.12 runs: every file of a run folder together, and the CSV files alone.
const ownRoot = path.join(root, 'locust');
for (const run of readdirSync(ownRoot).filter((d) => existsSync(path.join(ownRoot, d, 'console_summary.txt'))).sort()) {
  const dir = path.join(ownRoot, run);
  const final = consoleAggregated(readFileSync(path.join(dir, 'console_summary.txt'), 'utf8'));
  const csvAgg = statsCsvAggregated(readFileSync(path.join(dir, `${run}_stats.csv`), 'utf8'));
  const all = await ingest(['.'], dir);
  const r = all.runs.find((x) => x.tool === 'locust');
  check(`${run}: one Locust run from CSV + HTML`, all.runs.length === 1 && !!r, `${all.runs.length} runs`);
  if (!r || !final || !csvAgg) continue;
  check(`${run}: requests = console's final count`, r.summary.requests === final.requests, `${r.summary.requests} vs ${final.requests}`);
  check(`${run}: failures = console's final count`, r.summary.failures === final.failures, `${r.summary.failures} vs ${final.failures}`);
  check(`${run}: timeline present`, r.timeline.length > 0 || run === 'smoke-8s', `${r.timeline.length} points, ${r.timelineLatency}`);
  const csvOnly = await ingest(readdirSync(dir).filter((f) => f.endsWith('.csv')), dir);
  const c = csvOnly.runs[0];
  check(`${run}: CSV alone = _stats.csv Aggregated row`, !!c && c.summary.requests === csvAgg.requests && c.summary.latencyMs.p50 === csvAgg.p50 && c.summary.latencyMs.p95 === csvAgg.p95 && c.summary.latencyMs.p99 === csvAgg.p99,
    c ? `${c.summary.requests} p50 ${c.summary.latencyMs.p50} p95 ${c.summary.latencyMs.p95} p99 ${c.summary.latencyMs.p99}` : 'no run');
  if (run === 'failures-n4') {
    const byMsg = Object.fromEntries(r.errors.filter((e) => e.kind === 'failure').map((e) => [e.message.slice(0, 20), e.count]));
    check('failures-n4: 97 timeouts, 47 HTTP 500, 30 low confidence', r.errors.some((e) => e.count === 97) && r.errors.some((e) => e.count === 47 && e.status === '500') && r.errors.some((e) => e.count === 30), JSON.stringify(byMsg));
    check('failures-n4: one exception, 21 times, with traceback', r.errors.some((e) => e.kind === 'exception' && e.count === 21 && (e.detail ?? '').includes('resp.json()')));
  }
}

// 2. Public files: each alone, with the facts SOURCES-locust-prom.md states about it.
const pub = path.join(root, 'public', 'locust');
const expectations = {
  'ons-eq_v0x-2019_baseline_requests.csv': (r) => [['0.x requests + distribution: Total 1800, p50 34, 100% 430', r.summary.requests === 1800 && r.summary.latencyMs.p50 === 34 && r.summary.extraPercentiles?.p100 === 430]],
  'ons-eq_v0.14-2020_baseline-performance_stats.csv': (r) => [['0.14 stats: Aggregated 5488 / 288, 99.999 column', r.summary.requests === 5488 && r.summary.failures === 288 && r.summary.extraPercentiles?.['p99.999'] === 5200]],
  'ons-eq_v0.14-2020_baseline-performance_stats_history.csv': (r) => [['0.14 history: 900 rows every 2 s, window percentiles', r.timeline.length === 900 && r.timelineIntervalS === 2 && r.timelineLatency === 'window']],
  'ons-eq_v1.1-2020_uwsgi-threads-50_output_stats.csv': (r) => [['1.1 stats: 141 endpoints', r.endpoints.length === 141]],
  'ons-eq_v2.5-2022_output_exceptions.csv': (r) => [['2.5 exceptions: multi-line tracebacks', r.errors.length > 0 && r.errors.every((e) => (e.detail ?? '').includes('\n'))]],
  'k8sdr_v2-2023_results_stats.csv': (r) => [['very long names: 145 endpoints + Aggregated', r.endpoints.length === 145 && r.summary.requests > 0]],
  'k8sdr_v2-2023_results_exceptions.csv': (r) => [["one KeyError 'details', 134 times", r.errors.length === 1 && r.errors[0].count === 134]],
  'wetter_v2-2024-all-failed_example_stats.csv': (r) => [['every request failed (178 / 178)', r.summary.requests === 178 && r.summary.failures === 178]],
  'wetter_v2-2024-all-failed_example_stats_history.csv': (r) => [['short history: 11 rows', r.timeline.length === 11]],
  'xfj_v1.0-2020-gbk_example_stats.csv': (r, w) => [['GBK names: read, with a warning', r.summary.requests > 0 && w.length > 0]],
  'odoo_v2-2025_results_stats_history.csv.gz': (r) => [['--csv-full-history (gzip): window percentiles', r.timelineLatency === 'window' && r.timeline.length > 0]],
  'shortist_v2-2026_locust_results_stats.csv': (r) => [['CSV snapshot: 318 + 113 = 431', r.summary.requests === 431]],
  'shortist_v2-2026_locust_report-react.html': (r) => [['React report: 324 + 115 = 439 (the CSV trails)', r.summary.requests === 439 && r.endpoints.length === 2]],
  'kong-grupo10_v2-2024-09_locust_report-react_failures.html': (r) => [
    ['React report: 198 failure entries, 357 request names (356 + Aggregated)', r.errors.filter((e) => e.kind === 'failure').length === 198 && r.endpoints.length === 356],
    ['entity-escaped error strings are unescaped', r.errors.every((e) => !/&#x27;|&amp;/.test(e.message))],
  ],
  'ocp11-mamath79_v2.32.8-2025_locust_report-react.html': (r) => [['React 2.32.8: start/end, history', r.start === '2025-02-04T12:40:00.000Z' && r.end === '2025-02-04T12:50:00.000Z' && r.timeline.length > 0]],
  'ghibli_v1-2020_locust_report-jinja.html': (r) => [['1.x Jinja: 6324 requests, 129 failures, chart literals as history', r.summary.requests === 6324 && r.summary.failures === 129 && r.timeline.length === 20]],
  'ocp11-ajurquet_v2.2.3-2021_locust_report-jinja.html': (r, w) => [['2.2.3 Jinja: local "During" converted to UTC (warned)', r.start === '2021-10-07T10:01:32.000Z' && w.some((x) => /local time/.test(x.message))]],
  'k8sdr_v2-2024_output_report-jinja.html': (r) => [['late 2.x Jinja: percentile_1/_2 → p50/p95, &amp; names unescaped', r.timeline.some((p) => p.latencyMs.p95 !== null) && r.endpoints.every((e) => !e.name.includes('&amp;'))]],
};
if (existsSync(pub)) {
  for (const f of readdirSync(pub).sort()) {
    if (!/\.(csv|csv\.gz|html)$/.test(f)) continue;
    // The 0.x distribution file is read through its _requests.csv.
    const inputs = f.endsWith('_requests.csv') ? [f, f.replace('_requests', '_distribution')] : [f];
    let res;
    try {
      res = await ingest(inputs, pub);
    } catch (e) {
      check(`${f}: ingests`, false, e.message);
      continue;
    }
    const r = res.runs[0];
    const isErrors = /_(failures|exceptions)\.csv$/.test(f);
    const isHistory = /_stats_history\.csv/.test(f);
    if (f.endsWith('_distribution.csv')) continue;
    check(`${f}: one Locust run`, res.runs.length === 1 && r.tool === 'locust');
    if (!r) continue;
    if (!isErrors && !isHistory) check(`${f}: has an Aggregated summary`, r.summary.requests > 0, `${r.summary.requests} requests`);
    if (isHistory) check(`${f}: has a timeline`, r.timeline.length > 0, `${r.timeline.length} points, ${r.timelineLatency}`);
    for (const [what, ok] of expectations[f]?.(r, res.warnings) ?? []) check(`${f}: ${what}`, ok);
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
