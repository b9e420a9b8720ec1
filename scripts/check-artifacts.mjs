#!/usr/bin/env node
// Conformance check of the ingesters against real tool output, run outside the test
// suite (the artifacts are not part of the project):
//   npm run check-artifacts -- <artifacts-dir>        (or CE_ARTIFACTS=<artifacts-dir>)
// It builds first (see package.json) and imports the compiled pipeline from dist/.
// Expected figures always come from the tools' own reports next to the raw output
// (k6's --summary-export / handleSummary JSON, ...), never from ce-report itself.
// Files under <artifacts-dir>/public/ are other people's: they are only read here.
//
// Adding a tool: write `async function checkTool(ctx)` below, using ctx.check() for
// pass/fail lines, ctx.table() for tables and ctx.ingestFile()/ctx.ingestDir() to run
// the pipeline, and add it to SECTIONS. Select sections with --only=k6,locust.
// Exit code: 0 when every check passed, 1 when one failed, 2 on bad usage.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist');
if (!existsSync(path.join(dist, 'ingest', 'pipeline.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run check-artifacts does)');
  process.exit(2);
}
const { ingestRuns } = await import(path.join(dist, 'ingest', 'pipeline.js'));

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const root = args.find((a) => !a.startsWith('--')) ?? process.env.CE_ARTIFACTS;
if (!root || !existsSync(root) || !statSync(root).isDirectory()) {
  console.error('usage: npm run check-artifacts -- <artifacts-dir> [--only=k6,...]   (or CE_ARTIFACTS=<artifacts-dir>)');
  process.exit(2);
}

// ---------------------------------------------------------------------------
// Shared helpers for every section.

const results = { passed: 0, failed: 0, warned: 0 };

function check(what, ok, detail = '') {
  if (ok) results.passed++;
  else results.failed++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `  (${detail})` : ''}`);
  return ok;
}

/** A difference worth showing that is not a failure (e.g. a known definitional gap). */
function note(what, detail = '') {
  results.warned++;
  console.log(`  note ${what}${detail ? `  (${detail})` : ''}`);
}

function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => '  ' + r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(all[0]));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of all.slice(1)) console.log(line(r));
}

/** Ingests one file (format detected as a user would get it); returns {runs, warnings, format} or {error}. */
async function ingestFile(file) {
  let format = null;
  try {
    const res = await ingestRuns([{ inputs: [path.basename(file)] }], { cwd: path.dirname(file), onFile: (_p, f) => (format = f) });
    return { ...res, format };
  } catch (e) {
    return { error: e, format };
  }
}

/** Ingests every file of a folder together (parts of one run merge). */
async function ingestDir(dir) {
  try {
    return await ingestRuns([{ inputs: ['.'] }], { cwd: dir });
  } catch (e) {
    return { error: e };
  }
}

function relDiff(a, b) {
  if (a === b) return 0;
  if (typeof a !== 'number' || typeof b !== 'number') return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

function fmt(x, digits = 3) {
  return typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toFixed(digits)) : String(x);
}

function errorText(e) {
  return e && typeof e === 'object' && 'message' in e ? String(e.message).split('\n')[0] : String(e);
}

const ctx = { root, check, note, table, ingestFile, ingestDir, relDiff, fmt, errorText };

// ---------------------------------------------------------------------------
// k6

/** k6's summary JSON in either shape → flat {metricKey: {stat: number}} (the tool's own numbers). */
function k6Reference(file) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const metrics = {};
  for (const [k, v] of Object.entries(doc.metrics ?? {})) metrics[k] = v && typeof v === 'object' && v.values ? v.values : v;
  return metrics;
}

const K6_LATENCY = [
  ['min', 'min'],
  ['mean', 'avg'],
  ['p50', 'med'],
  ['p90', 'p(90)'],
  ['p95', 'p(95)'],
  ['p99', 'p(99)'],
  ['max', 'max'],
];

/**
 * Compares one sample-based ingest with k6's summary: counts exactly, latency within 1%.
 * p99 of a submetric is only noted: on a sparse tail k6 interpolates between two
 * samples far apart while the histogram gives the nearest-rank sample.
 */
function compareK6(label, stats, ref, { rpsTolerance, soft = [] }) {
  const pct = (x) => `${+(x * 100).toFixed(2)}%`;
  const dur = ref.http_req_duration ?? {};
  if (ref.http_reqs) check(`${label} requests = ${ref.http_reqs.count}`, stats.requests === ref.http_reqs.count, `got ${stats.requests}`);
  if (ref.http_req_failed) check(`${label} failures = ${ref.http_req_failed.passes}`, stats.failures === ref.http_req_failed.passes, `got ${stats.failures}`);
  if (ref.http_reqs && rpsTolerance !== undefined) {
    const d = relDiff(stats.rps, ref.http_reqs.rate);
    const text = `${label} rps ≈ ${fmt(ref.http_reqs.rate)} (±${pct(rpsTolerance)})`;
    // k6 divides by its whole test run (setup, start-up, graceful stop included); we divide
    // by first to last sample. On short runs the two differ by design: only a note.
    if (d <= rpsTolerance || !soft.includes('rps')) check(text, d <= rpsTolerance, `got ${fmt(stats.rps)}, ${pct(d)}`);
    else note(text, `got ${fmt(stats.rps)}, ${pct(d)}: k6 divides by the whole test run, we by first to last sample`);
  }
  for (const [ours, k6] of K6_LATENCY) {
    if (typeof dur[k6] !== 'number') continue;
    const got = stats.latencyMs[ours];
    const d = relDiff(got, dur[k6]);
    const text = `${label} ${ours} ≈ ${fmt(dur[k6])} ms (±1%)`;
    if (d <= 0.01 || !soft.includes(ours)) check(text, d <= 0.01, `got ${fmt(got)}, ${pct(d)}`);
    else note(text, `got ${fmt(got)}, ${pct(d)}: nearest-rank vs k6's interpolation on a sparse tail`);
  }
}

function findK6RunDirs(dir, out = []) {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && /^(summary-export|handle-summary)\.json$/.test(e.name))) out.push(dir);
  for (const e of entries) if (e.isDirectory()) findK6RunDirs(path.join(dir, e.name), out);
  return out.sort();
}

async function checkK6() {
  const own = path.join(root, 'k6');
  if (existsSync(own)) {
    for (const dir of findK6RunDirs(own)) {
      const rel = path.relative(root, dir);
      console.log(`\n${rel}`);
      const exportFile = path.join(dir, 'summary-export.json');
      const handleFile = path.join(dir, 'handle-summary.json');
      const refFile = existsSync(exportFile) ? exportFile : handleFile;
      const ref = k6Reference(refFile);
      const raw = readdirSync(dir).filter((f) => /^k6-out\.(ndjson|csv)(\.gz)?$/.test(f)).sort();
      for (const f of raw) {
        const res = await ingestFile(path.join(dir, f));
        if (res.error) {
          check(`${f} ingests`, false, errorText(res.error));
          continue;
        }
        const run = res.runs[0];
        const csv = res.format === 'k6-csv';
        // k6's CSV clock has whole seconds, so its run duration (and rps) is known to about 1 s.
        const label = `${f} [${res.format}]`;
        compareK6(label, run.summary, ref, { rpsTolerance: csv ? 0.035 : 0.01 });
        if (ref.iterations) check(`${label} iterations = ${ref.iterations.count}`, run.metrics.iterations === ref.iterations.count, `got ${run.metrics.iterations}`);
        if (ref.checks) check(`${label} checks = ${ref.checks.passes}/${ref.checks.fails}`, run.metrics.checks?.passes === ref.checks.passes && run.metrics.checks?.fails === ref.checks.fails, `got ${JSON.stringify(run.metrics.checks)}`);
        // Submetrics by a custom endpoint tag, e.g. {endpoint:predict} ↔ our "POST /predict".
        for (const [key, values] of Object.entries(ref)) {
          const m = /^http_req_duration\{endpoint:(.+)\}$/.exec(key);
          if (!m) continue;
          const ep = run.endpoints.find((e) => e.name === m[1] || e.name.endsWith('/' + m[1]));
          if (!ep) {
            note(`${label} no endpoint matches ${key}`);
            continue;
          }
          compareK6(`${label} ${ep.name}`, ep, { http_req_duration: values, http_reqs: { count: values.count } }, { soft: ['p99'] });
        }
        if (res.warnings.length > 0) note(`${label} warnings`, res.warnings.map((w) => w.message).join('; '));
      }
      // The summary files on their own: k6's numbers must come through unchanged.
      for (const f of [exportFile, handleFile].filter(existsSync)) {
        const res = await ingestFile(f);
        const name = path.basename(f);
        if (res.error) {
          check(`${name} ingests`, false, errorText(res.error));
          continue;
        }
        const s = res.runs[0].summary;
        const r = k6Reference(f);
        check(`${name} [${res.format}] reported figures unchanged`, s.requests === r.http_reqs?.count && s.failures === r.http_req_failed?.passes && s.latencyMs.p95 === r.http_req_duration?.['p(95)'] && s.precision === 'reported');
      }
      // Everything in the folder together: one run, samples win, thresholds from the summary.
      const all = await ingestDir(dir);
      if (all.error) check('folder ingests as one run', false, errorText(all.error));
      else {
        const runs = all.runs.filter((r) => r.tool === 'k6');
        const thresholds = Object.values(ref).reduce((n, v) => n + Object.keys(v?.thresholds ?? {}).length, 0);
        check('folder ingests as one run', runs.length === 1, `${runs.length} runs`);
        if (runs.length === 1) {
          check('merged run: summary from samples', runs[0].summary.precision === 'samples');
          check(`merged run: ${thresholds} threshold(s) from the summary`, runs[0].thresholds.length === thresholds, `got ${runs[0].thresholds.length}`);
        }
      }
    }
  }

  // Other people's files: every one must ingest; cross-check the pairs from one run.
  const pub = path.join(root, 'public');
  const dirs = existsSync(pub) ? readdirSync(pub).filter((d) => d.startsWith('k6-')).sort() : [];
  if (dirs.length > 0) {
    console.log('\npublic k6 files');
    const rows = [];
    const byFile = new Map();
    for (const d of dirs) {
      for (const f of readdirSync(path.join(pub, d)).sort()) {
        const file = path.join(pub, d, f);
        const res = await ingestFile(file);
        const rel = `${d}/${f}`;
        byFile.set(rel, res);
        const run = res.runs?.[0];
        const ok = !res.error && !!run && res.format !== null;
        if (ok) results.passed++;
        else results.failed++;
        rows.push([rel, res.format ?? '-', run ? run.summary.requests : '-', run ? fmt(run.summary.latencyMs.p95) : '-', res.warnings?.length ?? '-', ok ? 'OK' : `FAIL ${res.error ? errorText(res.error) : 'not detected'}`]);
      }
    }
    table(['file', 'format', 'requests', 'p95 ms', 'warnings', 'result'], rows);
    console.log('\npublic k6 pairs (raw output vs the summary of the same run)');
    for (const [rawFile, summaryFile] of K6_PUBLIC_PAIRS) {
      const res = byFile.get(rawFile);
      if (!res || !existsSync(path.join(pub, summaryFile))) continue;
      if (res.error || !res.runs?.[0]) {
        check(`${rawFile} ingests`, false);
        continue;
      }
      compareK6(`${rawFile} vs ${path.basename(summaryFile)}`, res.runs[0].summary, k6Reference(path.join(pub, summaryFile)), { rpsTolerance: 0.035, soft: ['p99', 'rps'] });
    }
  }
}

/** Files of public/ that SOURCES.md lists as coming from one run. */
const K6_PUBLIC_PAIRS = [
  ['k6-ndjson/ticket-reserve_out.ndjson', 'k6-summary/ticket-reserve_summary-export_legacy.json'],
  ['k6-csv/json-vs-protobuf_json_get_user_id_r1_data.csv', 'k6-summary/json-vs-protobuf_json_get_user_id_r1_handleSummary.json'],
  ['k6-ndjson/json-vs-protobuf_json_get_user_id_r1_data.ndjson.gz', 'k6-summary/json-vs-protobuf_json_get_user_id_r1_handleSummary.json'],
  ['k6-csv/json-vs-protobuf_protobuf_get_user_id_r1_data.csv', 'k6-summary/json-vs-protobuf_protobuf_get_user_id_r1_handleSummary.json'],
  ['k6-ndjson/json-vs-protobuf_protobuf_get_user_id_r1_data.ndjson.gz', 'k6-summary/json-vs-protobuf_protobuf_get_user_id_r1_handleSummary.json'],
];

// ---------------------------------------------------------------------------
// Sections. Each tool adds one entry (Locust, bombardier, Prometheus: add yours here).

// ---------------------------------------------------------------------------
// Locust

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
  // Locust rounds percentiles to 2 significant digits, so one can exceed the row's exact Max Response Time
  // (smoke-8s: 99% "300" over a max of 296.7); ce-report caps a percentile at the max (README, robustness).
  const max = get('Max Response Time');
  const capped = (v) => Math.min(v, max);
  return { requests: get('Request Count'), failures: get('Failure Count'), p50: capped(get('50%')), p95: capped(get('95%')), p99: capped(get('99%')) };
}

/** Several files of one folder as one ingest (a run's CSV files, a 0.x requests + distribution pair). */
async function ingestLocustFiles(inputs, cwd) {
  return ingestRuns([{ inputs }], { cwd });
}

/**
 * Locust: our own 2.12 runs (locust/<run>/, checked against console_summary.txt and the
 * Aggregated row of _stats.csv) and every public Locust file (public/locust/, checked
 * against the facts public/SOURCES-locust-prom.md states about it).
 */
async function checkLocust({ root, check }) {
  // 1. Our own Locust 2.12 runs: every file of a run folder together, and the CSV files alone.
  const ownRoot = path.join(root, 'locust');
  for (const run of readdirSync(ownRoot).filter((d) => existsSync(path.join(ownRoot, d, 'console_summary.txt'))).sort()) {
    const dir = path.join(ownRoot, run);
    const final = consoleAggregated(readFileSync(path.join(dir, 'console_summary.txt'), 'utf8'));
    const csvAgg = statsCsvAggregated(readFileSync(path.join(dir, `${run}_stats.csv`), 'utf8'));
    const all = await ingestLocustFiles(['.'], dir);
    const r = all.runs.find((x) => x.tool === 'locust');
    check(`${run}: one Locust run from CSV + HTML`, all.runs.length === 1 && !!r, `${all.runs.length} runs`);
    if (!r || !final || !csvAgg) continue;
    check(`${run}: requests = console's final count`, r.summary.requests === final.requests, `${r.summary.requests} vs ${final.requests}`);
    check(`${run}: failures = console's final count`, r.summary.failures === final.failures, `${r.summary.failures} vs ${final.failures}`);
    check(`${run}: timeline present`, r.timeline.length > 0 || run === 'smoke-8s', `${r.timeline.length} points, ${r.timelineLatency}`);
    const csvOnly = await ingestLocustFiles(readdirSync(dir).filter((f) => f.endsWith('.csv')), dir);
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
        res = await ingestLocustFiles(inputs, pub);
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
}

const { checkBombardier, checkPrometheus } = await import('./check-artifacts-bombardier-prometheus.mjs');
const SECTIONS = [
  { tool: 'k6', run: checkK6 },
  { tool: 'locust', run: checkLocust },
  { tool: 'bombardier', run: checkBombardier },
  { tool: 'prometheus', run: checkPrometheus },
];

for (const s of SECTIONS) {
  if (only && !only.includes(s.tool)) continue;
  console.log(`\n=== ${s.tool} ===`);
  await s.run(ctx);
}
console.log(`\n${results.passed} passed, ${results.failed} failed, ${results.warned} note(s)`);
process.exit(results.failed > 0 ? 1 : 0);
