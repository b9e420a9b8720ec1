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

const SECTIONS = [
  { tool: 'k6', run: checkK6 },
];

for (const s of SECTIONS) {
  if (only && !only.includes(s.tool)) continue;
  console.log(`\n=== ${s.tool} ===`);
  await s.run(ctx);
}
console.log(`\n${results.passed} passed, ${results.failed} failed, ${results.warned} note(s)`);
process.exit(results.failed > 0 ? 1 : 0);
