#!/usr/bin/env node
// Checks the bombardier and Prometheus ingesters against real artifacts, outside the
// test suite (the artifacts are not part of the project):
//   npm run build && node scripts/check-artifacts-bombardier-prometheus.mjs <artifacts-dir> [--only=bombardier,prometheus]
// (or CE_ARTIFACTS=<artifacts-dir>). <artifacts-dir> holds bombardier/, prometheus/ (our
// own runs) and public/bombardier, public/prometheus (other people's files: only read
// here, never copied into the project).
//
// Expected figures are read from the tools' own output with small independent regexes
// and JSON reads (bombardier's printed report and JSON values, Prometheus' JSON sample
// strings), never from ce-report. The two sections follow scripts/check-artifacts.mjs'
// section style (checkBombardier(ctx), checkPrometheus(ctx)) and are exported so they
// can join its SECTIONS list. Exit code: 0 all passed, 1 a check failed, 2 bad usage.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist');

function walk(dir, keep, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, keep, out);
    else if (keep(e.name)) out.push(p);
  }
  return out;
}

const near = (a, b, tol = 1e-9) => typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

// ---------------------------------------------------------------------------
// bombardier: the printed report and the JSON, read independently.

const TIME_MS = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
function printedMs(text) {
  const m = /^([\d.]+)(ns|us|µs|ms|s|m|h)$/.exec(text);
  return m ? Number(m[1]) * TIME_MS[m[2]] : null;
}

/** The figures of each report in a bombardier text file, as printed. */
function printedReports(text) {
  const reports = [];
  for (const chunk of text.split(/^Statistics\s+Avg\s+Stdev\s+Max\s*$/m).slice(1)) {
    const codes = /1xx - (\d+), 2xx - (\d+), 3xx - (\d+), 4xx - (\d+), 5xx - (\d+)\s+others - (\d+)/.exec(chunk);
    const reqs = /Reqs\/sec\s+([\d.]+)/.exec(chunk);
    const lat = /^\s*Latency\s+(\S+)\s+\S+\s+(\S+)\s*$/m.exec(chunk);
    const p99 = /^\s*99%\s+(\S+)/m.exec(chunk);
    reports.push({
      requests: codes ? codes.slice(1).reduce((a, b) => a + Number(b), 0) : null,
      failures: codes ? Number(codes[4]) + Number(codes[5]) + Number(codes[6]) : null,
      rps: reqs ? Number(reqs[1]) : null,
      mean: lat ? printedMs(lat[1]) : null,
      max: lat ? printedMs(lat[2]) : null,
      p99: p99 ? printedMs(p99[1]) : null,
    });
  }
  return reports;
}

/** The figures of a bombardier JSON report (maybe after intro/progress text). */
function jsonReport(text) {
  const start = text.search(/\{\s*"(spec|result)"/);
  const doc = JSON.parse(text.slice(start >= 0 ? start : text.indexOf('{')));
  const r = doc.result;
  return {
    requests: r.req1xx + r.req2xx + r.req3xx + r.req4xx + r.req5xx + r.others,
    failures: r.req4xx + r.req5xx + r.others,
    rps: r.rps?.mean ?? null,
    mean: r.latency?.mean !== undefined ? r.latency.mean / 1000 : null,
    max: r.latency?.max !== undefined ? r.latency.max / 1000 : null,
    p99: r.latency?.percentiles?.['99'] !== undefined ? r.latency.percentiles['99'] / 1000 : null,
    method: doc.spec?.method ?? null,
    connections: doc.spec?.numberOfConnections,
  };
}

function compareBombardier(ctx, label, run, ref) {
  const s = run.summary;
  const bad = [];
  if (s.requests !== ref.requests) bad.push(`requests ${s.requests} ≠ ${ref.requests}`);
  if (s.failures !== ref.failures) bad.push(`failures ${s.failures} ≠ ${ref.failures}`);
  for (const [k, got] of [['rps', s.rps], ['mean', s.latencyMs.mean], ['max', s.latencyMs.max], ['p99', s.latencyMs.p99]]) {
    if (ref[k] === null || ref[k] === undefined) continue;
    if (!near(got, ref[k])) bad.push(`${k} ${got} ≠ ${ref[k]}`);
  }
  if (ref.method !== undefined && run.endpoints[0]?.method !== ref.method) bad.push(`method ${run.endpoints[0]?.method} ≠ ${ref.method}`);
  if (ref.connections !== undefined && run.labels.connections !== String(ref.connections)) bad.push(`connections label ${run.labels.connections}`);
  if (s.precision !== 'reported') bad.push(`precision ${s.precision}`);
  return ctx.check(`${label}: ${ref.requests} requests, p99 ${ctx.fmt(ref.p99)} ms, rps ${ctx.fmt(ref.rps)}`, bad.length === 0, bad.join('; '));
}

async function checkBombardierFile(ctx, file, rel) {
  const text = readFileSync(file, 'utf8');
  const isJson = /"numberOfConnections"/.test(text);
  const refs = isJson ? [jsonReport(text)] : printedReports(text);
  const res = await ctx.ingestFile(file);
  if (res.error) return ctx.check(`${rel} ingests`, false, ctx.errorText(res.error));
  const expectFormat = isJson ? 'bombardier-json' : 'bombardier-text';
  ctx.check(`${rel} detected as ${expectFormat}`, res.format === expectFormat, `got ${res.format}`);
  ctx.check(`${rel}: ${refs.length} run(s), one per report`, res.runs.length === refs.length, `got ${res.runs.length}`);
  // Runs come back sorted by id; a multi-report file numbers its runs in file order.
  const runs = [...res.runs].sort((a, b) => Number(/-(\d+)$/.exec(a.id)?.[1] ?? 0) - Number(/-(\d+)$/.exec(b.id)?.[1] ?? 0));
  refs.forEach((ref, i) => runs[i] && compareBombardier(ctx, refs.length > 1 ? `${rel} #${i + 1}` : rel, runs[i], ref));
  if (res.warnings.length > 0) ctx.note(`${rel} warnings`, res.warnings.map((w) => w.message).join('; '));
}

export async function checkBombardier(ctx) {
  for (const sub of ['bombardier', path.join('public', 'bombardier')]) {
    const dir = path.join(ctx.root, sub);
    if (!existsSync(dir)) continue;
    console.log(`\n${sub}`);
    for (const file of walk(dir, (n) => /\.(txt|json)$/.test(n))) await checkBombardierFile(ctx, file, path.relative(ctx.root, file));
  }
}

// ---------------------------------------------------------------------------
// Prometheus: every sample string of the saved bodies must come through.

function expectedSeries(doc) {
  const d = doc.data;
  if (!d) return [];
  if (d.resultType === 'matrix') return d.result.map((r) => r.values);
  if (d.resultType === 'vector') return d.result.map((r) => [r.value]);
  if (d.resultType === 'scalar') return [[d.result]];
  return [];
}

const sampleValue = (v) => (/^[+-]?(NaN|Inf)$/.test(v) ? null : Number(v));

async function checkPrometheusFolder(ctx, dir) {
  const rel = path.relative(ctx.root, dir);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json' && !f.endsWith('.query.json')).sort();
  if (files.length === 0) return;
  for (const f of files) {
    const file = path.join(dir, f);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const res = await ctx.ingestFile(file);
    if (doc.status === 'error') {
      ctx.check(`${rel}/${f}: error body → clear error with Prometheus' text`, !!res.error && ctx.errorText(res.error).includes(doc.error) && !/\n\s+at /.test(String(res.error.message)), res.error ? ctx.errorText(res.error) : 'no error');
      continue;
    }
    if (res.error) {
      ctx.check(`${rel}/${f} ingests`, false, ctx.errorText(res.error));
      continue;
    }
    ctx.check(`${rel}/${f} detected as prometheus-json`, res.format === 'prometheus-json', `got ${res.format}`);
    const want = expectedSeries(doc);
    const got = res.runs.flatMap((r) => r.series);
    const bad = [];
    if (got.length !== want.length) bad.push(`${got.length} series, want ${want.length}`);
    want.forEach((values, i) => {
      const pts = got[i]?.points ?? [];
      if (pts.length !== values.length) bad.push(`series ${i}: ${pts.length} points, want ${values.length}`);
      values.forEach(([t, v], j) => {
        const e = sampleValue(v);
        const p = pts[j];
        if (!p || p[0] !== t || (e === null ? p[1] !== null : !near(p[1], e, 0))) bad.push(`series ${i} point ${j}: ${JSON.stringify(p)} ≠ [${t}, ${v}]`);
      });
    });
    ctx.check(`${rel}/${f}: ${want.length} series, ${want.reduce((a, v) => a + v.length, 0)} samples exact (NaN/Inf → null)`, bad.length === 0, bad.slice(0, 3).join('; '));
  }
  // The folder together: one Prometheus run (or series attached to nothing else here).
  const all = await ctx.ingestDir(dir);
  if (all.error) ctx.check(`${rel}: folder ingests`, !!files.some((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')).status === 'error'), ctx.errorText(all.error));
  else {
    const withQuery = all.runs.flatMap((r) => r.series).filter((s) => s.query).length;
    const total = all.runs.flatMap((r) => r.series).length;
    ctx.note(`${rel}: ${all.runs.length} run(s), ${total} series, ${withQuery} with their PromQL from a README/index beside them`);
  }
}

export async function checkPrometheus(ctx) {
  for (const sub of ['prometheus', path.join('public', 'prometheus')]) {
    const dir = path.join(ctx.root, sub);
    if (!existsSync(dir)) continue;
    console.log(`\n${sub}`);
    const dirs = [dir, ...readdirSync(dir).map((d) => path.join(dir, d)).filter((d) => statSync(d).isDirectory())].sort();
    for (const d of dirs) await checkPrometheusFolder(ctx, d);
  }
}

// ---------------------------------------------------------------------------
// Standalone use.

async function main() {
  if (!existsSync(path.join(dist, 'ingest', 'pipeline.js'))) {
    console.error('dist/ is missing: run `npm run build` first');
    process.exit(2);
  }
  const { ingestRuns } = await import(pathToFileURL(path.join(dist, 'ingest', 'pipeline.js')).href);
  const args = process.argv.slice(2);
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const root = args.find((a) => !a.startsWith('--')) ?? process.env.CE_ARTIFACTS;
  if (!root || !existsSync(root) || !statSync(root).isDirectory()) {
    console.error('usage: node scripts/check-artifacts-bombardier-prometheus.mjs <artifacts-dir> [--only=bombardier,prometheus]   (or CE_ARTIFACTS=<artifacts-dir>)');
    process.exit(2);
  }
  const results = { passed: 0, failed: 0, notes: 0 };
  const ctx = {
    root,
    check(what, ok, detail = '') {
      if (ok) results.passed++;
      else results.failed++;
      console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${detail && !ok ? `  (${detail})` : ''}`);
      return ok;
    },
    note(what, detail = '') {
      results.notes++;
      console.log(`  note ${what}${detail ? `  (${detail})` : ''}`);
    },
    async ingestFile(file) {
      let format = null;
      try {
        const res = await ingestRuns([{ inputs: [path.basename(file)] }], { cwd: path.dirname(file), onFile: (_p, f) => (format = f) });
        return { ...res, format };
      } catch (e) {
        return { error: e, format };
      }
    },
    async ingestDir(dir) {
      try {
        return await ingestRuns([{ inputs: ['.'] }], { cwd: dir });
      } catch (e) {
        return { error: e };
      }
    },
    fmt: (x, digits = 3) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toFixed(digits)) : String(x)),
    errorText: (e) => (e && typeof e === 'object' && 'message' in e ? String(e.message).split('\n')[0] : String(e)),
  };
  for (const [tool, fn] of [['bombardier', checkBombardier], ['prometheus', checkPrometheus]]) {
    if (only && !only.includes(tool)) continue;
    console.log(`\n=== ${tool} ===`);
    await fn(ctx);
  }
  console.log(`\n${results.passed} passed, ${results.failed} failed, ${results.notes} note(s)`);
  process.exit(results.failed > 0 ? 1 : 0);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) await main();
