// The benchmark's child processes: each measurement is a fresh process, timed from spawn
// to exit (start-up counts for every tool), and the figures each one reports.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median as medianOf } from '../analyze/stats.js';

const MB = 1024 * 1024;
const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const DUCKDB_CHILD = fileURLToPath(new URL('./duckdb.js', import.meta.url));
const BASELINE_CHILD = fileURLToPath(new URL('./baseline.js', import.meta.url));
const RSS_PRELOAD = new URL('./rss-preload.js', import.meta.url).href;

export interface Timed {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `node ARGS` in a fresh process: wall time from spawn to exit. */
export function timeNode(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Timed {
  const t0 = performance.now();
  const res = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * MB });
  const ms = performance.now() - t0;
  return { ms, status: res.error ? null : res.status, stdout: res.stdout ?? '', stderr: (res.stderr ?? '').trim() || (res.error?.message ?? '') };
}

const lastLines = (s: string, n = 3) => s.trim().split('\n').slice(-n).join(' | ');

/** The median of timings (never empty here): the analysis's own median. */
export const median = (xs: readonly number[]): number => medianOf(xs) ?? NaN;

/** Per-endpoint figures keyed as the DuckDB query keys them: method + ' ' + name. */
export type Endpoints = Map<string, { n: number; p95: number | null }>;

export interface CliRun {
  ms: number;
  maxRssMiB: number | null;
  /** The run model's total request count. */
  requests: number;
  endpoints: Endpoints;
}

/**
 * `ce-report ingest --no-cache FILE -o OUT` (the real CLI, histograms and all). With
 * `rssFile`, under `node --import rss-preload.js`, which writes the process's peak RSS
 * at exit (the CLI is run unchanged; 14 interleaved ingests of 2 MiB with and without it
 * measured the same within noise).
 */
export function runCli(file: string, out: string, cwd: string, rssFile?: string): CliRun {
  rmSync(out, { force: true });
  const args = [...(rssFile ? ['--import', RSS_PRELOAD] : []), CLI, 'ingest', '--no-cache', file, '-o', out];
  const env = rssFile ? { ...process.env, CE_BENCH_RSS_FILE: rssFile } : process.env;
  const r = timeNode(args, cwd, env);
  if (r.status !== 0) throw new Error(`ce-report ingest ${file} failed (${r.status}): ${lastLines(r.stderr)}`);
  const model = JSON.parse(readFileSync(out, 'utf8')) as {
    runs: Array<{ summary: { requests: number }; endpoints: Array<{ name: string; method: string | null; requests: number; latencyMs: { p95: number | null } }> }>;
  };
  rmSync(out, { force: true });
  const run = model.runs[0]!;
  const endpoints: Endpoints = new Map(run.endpoints.map((e) => [`${e.method ?? ''} ${e.name}`, { n: e.requests, p95: e.latencyMs.p95 }]));
  let maxRssMiB: number | null = null;
  if (rssFile) {
    maxRssMiB = (JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRssMiB: number }).maxRssMiB;
    rmSync(rssFile, { force: true });
  }
  return { ms: r.ms, maxRssMiB, requests: run.summary.requests, endpoints };
}

export type DuckRun = { ms: number; maxRssMiB: number; endpoints: Endpoints } | { unavailable: string } | { error: string };

/** The DuckDB child (duckdb.js): 2 threads, the query of issue 21. Never throws. */
export function runDuckdb(file: string, cwd: string): DuckRun {
  const r = timeNode([DUCKDB_CHILD, file, '2'], cwd);
  if (r.status !== 0) return { error: `DuckDB failed (${r.status}): ${lastLines(r.stderr)}` };
  try {
    const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { unavailable?: string; rows?: Array<{ ep: string; n: number; p95: number | null }>; maxRssMiB?: number };
    if (o.unavailable) return { unavailable: o.unavailable };
    return { ms: r.ms, maxRssMiB: o.maxRssMiB!, endpoints: new Map(o.rows!.map((x) => [x.ep, { n: x.n, p95: x.p95 }])) };
  } catch (e) {
    return { error: `DuckDB printed no result: ${(e as Error).message}` };
  }
}

export interface BaselineRun {
  ms: number;
  maxRssMiB: number;
  requests: number;
  p95: number | null;
}

/** The baseline child (baseline.js): `baseline` (readline + JSON.parse + HDR) or `gunzip`. */
export function runBaseline(kind: 'baseline' | 'gunzip', file: string, cwd: string): BaselineRun {
  const r = timeNode([BASELINE_CHILD, kind, file], cwd);
  if (r.status !== 0) throw new Error(`${kind} ${file} failed (${r.status}): ${lastLines(r.stderr)}`);
  return { ms: r.ms, ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<BaselineRun, 'ms'>) };
}

/** `ce-report build` in a child process: wall time and whether it succeeded. */
export function runBuild(args: string[], cwd: string, cacheDir?: string): { ms: number; ok: boolean; stderr: string } {
  const env = cacheDir ? { ...process.env, CE_REPORT_CACHE_DIR: cacheDir } : process.env;
  const r = timeNode([CLI, 'build', ...args, ...(cacheDir ? [] : ['--no-cache'])], cwd, env);
  return { ms: r.ms, ok: r.status === 0, stderr: lastLines(r.stderr) };
}

/** Start-up: `node -e 0` and `ce-report ingest --no-cache FILE -o OUT`, interleaved, after one discarded pair. */
export function runStartup(file: string, out: string, cwd: string, runs: number): { nodeMs: number[]; cliMs: number[] } {
  const nodeMs: number[] = [];
  const cliMs: number[] = [];
  for (let i = -1; i < runs; i++) {
    const n = timeNode(['-e', '0'], cwd);
    const c = runCli(file, out, cwd);
    if (i >= 0) {
      nodeMs.push(n.ms);
      cliMs.push(c.ms);
    }
  }
  return { nodeMs, cliMs };
}

/** Wall time of `gzip -dc FILE > /dev/null`, or null when there is no gzip tool. */
export function gzipToolMs(file: string): number | null {
  const t0 = performance.now();
  const res = spawnSync('gzip', ['-dc', file], { stdio: ['ignore', 'ignore', 'ignore'] });
  return res.error || res.status !== 0 ? null : performance.now() - t0;
}

/**
 * DuckDB's rows against ce-report's endpoints: every endpoint's request count equal, and
 * the largest relative difference of p95 (HDR keeps 3 significant digits and ce-report
 * interpolates between its values as k6 does; DuckDB's quantile_cont is exact).
 */
export function compareEndpoints(duck: Endpoints, ours: Endpoints): { countsEqual: boolean; maxRelP95Diff: number; mismatches: string[] } {
  const mismatches: string[] = [];
  let maxRel = 0;
  for (const key of new Set([...duck.keys(), ...ours.keys()])) {
    const d = duck.get(key);
    const o = ours.get(key);
    if (!d || !o || d.n !== o.n) {
      mismatches.push(`${key}: DuckDB ${d?.n ?? 'none'}, ce-report ${o?.n ?? 'none'}`);
      continue;
    }
    if (d.p95 === null || o.p95 === null) {
      if (d.p95 !== o.p95) mismatches.push(`${key}: p95 DuckDB ${d.p95}, ce-report ${o.p95}`);
      continue;
    }
    maxRel = Math.max(maxRel, Math.abs(o.p95 - d.p95) / Math.abs(d.p95));
  }
  return { countsEqual: mismatches.length === 0, maxRelP95Diff: maxRel, mismatches };
}
