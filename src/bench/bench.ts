// `npm run bench`: the k6 NDJSON benchmark, every target of issue 21 in one run, against
// DuckDB and a plain Node baseline on the same machine in the same run. It generates k6
// `--out json` output in a temp folder (deleted afterwards, even on failure) and times
// every measurement as a fresh child process from spawn to exit, so start-up counts for
// every tool:
//   example    `ce-report build` of the bundled example (--no-cache, median of 3), first,
//              before the big files are written; then a rebuild with warm caches
//   start-up   `ce-report ingest --no-cache` of a 2 MiB k6 file against `node -e 0`, 7
//              interleaved runs each, medians
//   per shape of generate-k6.ts (k6's own 6-decimal values, 16-17-digit custom Trend
//   values, 20 tags per sample), on a --size file, --repeat times interleaved, medians:
//     ce-report  `node dist/cli.js ingest --no-cache FILE -o OUT.json`: the real CLI,
//                histograms included
//     DuckDB     duckdb.js: @duckdb/node-api, 2 threads, read_json_auto with per-endpoint
//                count and quantile_cont(0.95) of http_req_duration
//     baseline   baseline.js: readline + JSON.parse + HDR histograms, once (it is slow)
//     and DuckDB's per-endpoint counts and p95 against ce-report's output model
//   gzip       on a gzip copy (level 1) of the k6 shape: ce-report ingest against Node's
//              bare gunzip (baseline.js gunzip), interleaved --repeat times; the gzip tool
//              once, for scale
//   4 GiB      ce-report ingest of a --rss-size k6 file: throughput and peak RSS
//   study      `ce-report build --no-cache` of 10 runs, --study-size in all
// Peak RSS of a ce-report run is its own process's resourceUsage().maxRSS, written at exit
// by rss-preload.js (`node --import`) around the unchanged CLI; the start-up runs go
// without it. The same for the children of DuckDB and the baseline, from inside.
// Options: --size 1GB, --shapes k6,long,tags, --repeat 3, --rss-size 4GB, --study-size 2GB,
// and --no-gzip, --no-rss, --no-study, --no-example to skip steps. Sizes are binary (1GB =
// 1 GiB). It prints a table and, last, one JSON line with the machine, every figure and
// every target { value, target, met }, and allMet.
import { createReadStream, createWriteStream, closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { generateK6Ndjson, K6_SHAPES, type K6Shape } from './generate-k6.js';
import { compareEndpoints, gzipToolMs, median, runBaseline, runBuild, runCli, runDuckdb, runStartup, type BaselineRun, type CliRun, type DuckRun } from './children.js';

const MiB = 1024 * 1024;
const STARTUP_RUNS = 7;
/** Largest relative p95 difference from DuckDB that counts as agreeing. */
const P95_TOLERANCE = 0.001;

type Target = { value: number | boolean | null; target: string; met: boolean; reason?: string };

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g)?i?b?$/i.exec(s.trim());
  if (!m) throw new Error(`cannot read the size "${s}" (try 512MB, 1GB, 4GB)`);
  const unit = (m[2] ?? '').toLowerCase();
  return Math.round(Number(m[1]) * (unit === 'g' ? 1024 ** 3 : unit === 'm' ? MiB : unit === 'k' ? 1024 : 1));
}

const argValue = (argv: string[], name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : dflt;
};

function cpuModel(): string {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? '?';
  } catch {
    return cpus()[0]?.model ?? '?';
  }
}

/** Writes the generated file to disk before it is measured: the kernel writing it back during a measurement slowed it. */
function flushToDisk(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const s2 = (ms: number) => (ms / 1000).toFixed(2);
/** Figures of repeated runs: median and range in seconds, MiB/s of the median. */
const figures = (ms: number[], bytes: number) => ({ s: round3(median(ms) / 1000), runsS: ms.map((x) => round3(x / 1000)), MiBps: Math.round(bytes / MiB / (median(ms) / 1000)) });
/** MiB as reported by maxRSS to MB (10^6 bytes), the unit of the RSS targets. */
const toMB = (mib: number) => (mib * MiB) / 1e6;

interface ShapeResult {
  shape: K6Shape;
  bytes: number;
  lines: number;
  requests: number;
  ours: CliRun[];
  duck: DuckRun[];
  base: BaselineRun | null;
}

async function main(argv: string[]): Promise<void> {
  const size = parseSize(argValue(argv, '--size', '1GB'));
  const rssSize = parseSize(argValue(argv, '--rss-size', '4GB'));
  const studySize = parseSize(argValue(argv, '--study-size', '2GB'));
  const repeat = Number(argValue(argv, '--repeat', '3'));
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat: expected a whole number of 1 or more`);
  const shapes = argValue(argv, '--shapes', K6_SHAPES.join(',')).split(',').map((s) => s.trim()) as K6Shape[];
  for (const s of shapes) if (!K6_SHAPES.includes(s)) throw new Error(`--shapes: unknown shape "${s}" (${K6_SHAPES.join(', ')})`);
  const withGzip = !argv.includes('--no-gzip');
  const withRss = !argv.includes('--no-rss');
  const withStudy = !argv.includes('--no-study');
  const withExample = !argv.includes('--no-example');
  const dir = mkdtempSync(path.join(tmpdir(), 'ce-report-bench-'));
  const outJson = path.join(dir, 'model.json');
  const rssFile = path.join(dir, 'rss.json');
  const loads: number[] = [];
  const noteLoad = () => loads.push(loadavg()[0]!);
  const secs = (ms: number) => (ms / 1000).toFixed(1);
  try {
    let example: { ms: number; ok: boolean; stderr: string } | null = null;
    let exampleRebuild: { ms: number; ok: boolean; stderr: string } | null = null;
    if (withExample) {
      const root = fileURLToPath(new URL('../../', import.meta.url));
      noteLoad();
      // First, before gigabytes are written: the kernel writing back and freeing the
      // generated files slowed later builds by ~0.3-0.5 s here. The median of three: a
      // single few-second build is at the mercy of the moment.
      const tries = [0, 1, 2].map(() => runBuild(['--out', path.join(dir, 'example-site')], root));
      example = [...tries].sort((a, b) => a.ms - b.ms)[1]!;
      if (!tries.every((t) => t.ok)) example = tries.find((t) => !t.ok)!;
      noteLoad();
      // A rebuild with the default caches (charts and big inputs reused): the first build fills them.
      const cacheDir = path.join(dir, 'cache');
      runBuild(['--out', path.join(dir, 'example-site')], root, cacheDir);
      exampleRebuild = runBuild(['--out', path.join(dir, 'example-site')], root, cacheDir);
    }

    // Start-up, also before the big files: a 2 MiB k6 file.
    const small = path.join(dir, 'k6-2mib.ndjson');
    generateK6Ndjson(small, 2 * MiB, 3, 'k6');
    flushToDisk(small);
    noteLoad();
    const startup = runStartup(small, outJson, dir, STARTUP_RUNS);
    noteLoad();
    rmSync(small, { force: true });

    const results: ShapeResult[] = [];
    let duckUnavailable: string | null = null;
    let gzip: { bytes: number; gzBytes: number; ours: CliRun[]; gunzip: BaselineRun[]; tool: number | null } | null = null;
    const gzipShape: K6Shape = shapes.includes('k6') ? 'k6' : shapes[0]!;
    for (const shape of shapes) {
      const file = path.join(dir, `k6-${shape}.ndjson`);
      const g0 = performance.now();
      const gen = generateK6Ndjson(file, size, 1, shape);
      flushToDisk(file);
      console.log(`${shape}: generated ${(gen.bytes / MiB).toFixed(0)} MiB, ${gen.lines} lines, ${gen.requests} requests in ${secs(performance.now() - g0)} s`);
      const r: ShapeResult = { shape, ...gen, ours: [], duck: [], base: null };
      // Interleaved, the order alternating, so neither tool always runs on a cooler machine.
      for (let i = 0; i < repeat; i++) {
        for (const tool of i % 2 === 0 ? ['ours', 'duckdb'] : ['duckdb', 'ours']) {
          if (tool === 'ours') r.ours.push(runCli(file, outJson, dir, rssFile));
          else if (!duckUnavailable) {
            const d = runDuckdb(file, dir);
            if ('unavailable' in d) duckUnavailable = d.unavailable;
            r.duck.push(d);
          }
          noteLoad();
        }
      }
      r.base = runBaseline('baseline', file, dir);
      noteLoad();
      results.push(r);
      if (withGzip && shape === gzipShape) {
        const gz = file + '.gz';
        const z0 = performance.now();
        await pipeline(createReadStream(file), createGzip({ level: 1 }), createWriteStream(gz));
        flushToDisk(gz);
        const gzBytes = statSync(gz).size;
        console.log(`${shape}: gzipped (level 1) to ${(gzBytes / MiB).toFixed(0)} MiB in ${secs(performance.now() - z0)} s`);
        gzip = { bytes: gen.bytes, gzBytes, ours: [], gunzip: [], tool: null };
        for (let i = 0; i < repeat; i++) {
          for (const tool of i % 2 === 0 ? ['ours', 'gunzip'] : ['gunzip', 'ours']) {
            if (tool === 'ours') gzip.ours.push(runCli(gz, outJson, dir, rssFile));
            else gzip.gunzip.push(runBaseline('gunzip', gz, dir));
            noteLoad();
          }
        }
        // For scale, not a target: the gzip tool itself (GNU gzip, zlib without Node's speedups).
        gzip.tool = gzipToolMs(gz);
        noteLoad();
        rmSync(gz, { force: true });
      }
      rmSync(file, { force: true });
    }

    let big: { bytes: number; requests: number; run: CliRun } | null = null;
    if (withRss) {
      const bigFile = path.join(dir, 'k6-big.ndjson');
      const b0 = performance.now();
      const g = generateK6Ndjson(bigFile, rssSize, 2);
      flushToDisk(bigFile);
      console.log(`generated ${(g.bytes / MiB).toFixed(0)} MiB (throughput and peak RSS) in ${secs(performance.now() - b0)} s`);
      noteLoad();
      big = { bytes: g.bytes, requests: g.requests, run: runCli(bigFile, outJson, dir, rssFile) };
      noteLoad();
      rmSync(bigFile, { force: true });
    }

    let study: { ms: number; ok: boolean; stderr: string; bytes: number; runs: number } | null = null;
    if (withStudy) {
      const studyDir = path.join(dir, 'study');
      const runs = 10;
      let bytes = 0;
      const s0 = performance.now();
      for (let r = 1; r <= runs; r++) {
        const runDir = path.join(studyDir, `replicas=${r}`);
        mkdirSync(runDir, { recursive: true });
        const f = path.join(runDir, 'k6-out.ndjson');
        bytes += generateK6Ndjson(f, Math.floor(studySize / runs), 10 + r).bytes;
        flushToDisk(f);
      }
      console.log(`generated a study of ${runs} runs, ${(bytes / MiB).toFixed(0)} MiB, in ${secs(performance.now() - s0)} s`);
      noteLoad();
      study = { ...runBuild([studyDir, '--out', path.join(dir, 'study-site')], dir), bytes, runs };
      noteLoad();
      rmSync(studyDir, { recursive: true, force: true });
    }

    // ---- Figures and targets ----
    const targets: Record<string, Target> = {};
    const shapesOut: Record<string, unknown> = {};
    let requestsOk = true;
    let agreeMet = !duckUnavailable;
    let agreeWorst = 0;
    const agreeReasons: string[] = [];
    const lines: string[] = [];
    const row = (shape: string, tool: string, mib: number, ms: number[] | null, rssMiB: number | null, requests: number | null, note = '') => {
      const med = ms ? median(ms) : null;
      const range = ms && ms.length > 1 ? `${s2(Math.min(...ms))}-${s2(Math.max(...ms))}` : '';
      lines.push(
        `${shape.padEnd(7)} ${tool.padEnd(10)} ${mib.toFixed(0).padStart(6)} ${(med === null ? '-' : s2(med)).padStart(8)} ${range.padStart(11)} ${(med === null ? '-' : (mib / (med / 1000)).toFixed(0)).padStart(6)} ${(rssMiB === null ? '' : rssMiB.toFixed(0)).padStart(8)} ${(requests === null ? '' : String(requests)).padStart(9)}${note ? '  ' + note : ''}`,
      );
    };
    for (const r of results) {
      const mib = r.bytes / MiB;
      const oursMs = r.ours.map((x) => x.ms);
      const oursMed = median(oursMs);
      const oursRss = Math.max(...r.ours.map((x) => x.maxRssMiB ?? 0));
      requestsOk &&= r.ours.every((x) => x.requests === r.requests) && r.base!.requests === r.requests;
      row(r.shape, 'ce-report', mib, oursMs, oursRss, r.ours.at(-1)!.requests);
      const duckRuns = r.duck.filter((d): d is Extract<DuckRun, { ms: number }> => 'ms' in d);
      const duckErr = r.duck.find((d): d is { error: string } => 'error' in d)?.error ?? null;
      const duckReason = duckUnavailable ?? duckErr ?? (duckRuns.length === 0 ? 'DuckDB was not run' : null);
      let duckOut: unknown;
      if (duckReason) {
        lines.push(`${r.shape.padEnd(7)} DuckDB     not measured: ${duckReason}`);
        targets[`vsDuckdb_${r.shape}`] = { value: null, target: '>= 1.5', met: false, reason: duckReason };
        agreeMet = false;
        if (!agreeReasons.includes(duckReason)) agreeReasons.push(duckReason);
        duckOut = { error: duckReason };
      } else {
        const duckMs = duckRuns.map((x) => x.ms);
        const last = duckRuns.at(-1)!;
        const total = [...last.endpoints.values()].reduce((a, e) => a + e.n, 0);
        row(r.shape, 'DuckDB', mib, duckMs, Math.max(...duckRuns.map((x) => x.maxRssMiB)), total);
        const ratio = median(duckMs) / oursMed;
        targets[`vsDuckdb_${r.shape}`] = { value: round2(ratio), target: '>= 1.5', met: ratio >= 1.5 };
        const cmp = compareEndpoints(last.endpoints, r.ours.at(-1)!.endpoints);
        agreeWorst = Math.max(agreeWorst, cmp.maxRelP95Diff);
        if (!cmp.countsEqual || cmp.maxRelP95Diff > P95_TOLERANCE) agreeMet = false;
        if (!cmp.countsEqual) agreeReasons.push(`${r.shape}: ${cmp.mismatches.join('; ')}`);
        duckOut = { ...figures(duckMs, r.bytes), peakRssMiB: Math.round(Math.max(...duckRuns.map((x) => x.maxRssMiB))), countsEqual: cmp.countsEqual, maxRelP95DiffPct: round3(cmp.maxRelP95Diff * 100) };
        lines.push(`${' '.repeat(8)}DuckDB / ce-report ${ratio.toFixed(2)}x (target >= 1.5); per-endpoint counts ${cmp.countsEqual ? 'equal' : 'DIFFER'}, p95 differs by at most ${(cmp.maxRelP95Diff * 100).toFixed(3)} %`);
      }
      const b = r.base!;
      row(r.shape, 'baseline', mib, [b.ms], b.maxRssMiB, b.requests, '(once)');
      lines.push(`${' '.repeat(8)}baseline / ce-report ${(b.ms / oursMed).toFixed(1)}x`);
      shapesOut[r.shape] = {
        inputMiB: Math.round(mib),
        lines: r.lines,
        requests: r.requests,
        ceReport: { ...figures(oursMs, r.bytes), peakRssMiB: Math.round(oursRss) },
        duckdb: duckOut,
        baseline: { ...figures([b.ms], r.bytes), peakRssMiB: Math.round(b.maxRssMiB) },
      };
    }
    targets.agreesWithDuckdb = {
      value: agreeMet || agreeReasons.length === 0 ? round3(agreeWorst * 100) : null,
      target: `per-endpoint counts equal and p95 within ${P95_TOLERANCE * 100} % (value: largest difference, %)`,
      met: agreeMet,
      ...(agreeReasons.length ? { reason: agreeReasons.join(' | ') } : {}),
    };

    let gzipOut: unknown = null;
    if (gzip) {
      const oursMs = gzip.ours.map((x) => x.ms);
      const gunMs = gzip.gunzip.map((x) => x.ms);
      const mib = gzip.bytes / MiB;
      const rss = Math.max(...gzip.ours.map((x) => x.maxRssMiB ?? 0));
      row(`${gzipShape}.gz`, 'ce-report', mib, oursMs, rss, gzip.ours.at(-1)!.requests);
      row(`${gzipShape}.gz`, 'gunzip', mib, gunMs, Math.max(...gzip.gunzip.map((x) => x.maxRssMiB)), null, "(Node's bare gunzip to nowhere)");
      if (gzip.tool !== null) row(`${gzipShape}.gz`, 'gzip -dc', mib, [gzip.tool], null, null, '(the gzip tool, for scale)');
      const ratio = median(oursMs) / median(gunMs);
      lines.push(`${' '.repeat(8)}ce-report / gunzip ${ratio.toFixed(2)}x (target <= 1.2)`);
      targets.gzipVsGunzip = { value: round2(ratio), target: '<= 1.2', met: ratio <= 1.2 };
      targets.gzipPeakRssMB = { value: Math.round(toMB(rss)), target: '< 200 (MB, 10^6 bytes)', met: toMB(rss) < 200 };
      requestsOk &&= gzip.ours.every((x) => x.requests === results.find((r) => r.shape === gzipShape)!.requests);
      gzipOut = { gzMiB: Math.round(gzip.gzBytes / MiB), ceReport: { ...figures(oursMs, gzip.bytes), peakRssMiB: Math.round(rss) }, gunzip: figures(gunMs, gzip.bytes), ...(gzip.tool !== null ? { gzipTool: figures([gzip.tool], gzip.bytes) } : {}) };
    }
    let bigOut: unknown = null;
    if (big) {
      const rss = big.run.maxRssMiB ?? 0;
      requestsOk &&= big.run.requests === big.requests;
      const gbps = big.bytes / 1e9 / (big.run.ms / 1000);
      row('big', 'ce-report', big.bytes / MiB, [big.run.ms], rss, big.run.requests, `${gbps.toFixed(2)} GB/s (10^9 bytes/s), peak RSS ${toMB(rss).toFixed(0)} MB`);
      targets.bigGBps = { value: round2(gbps), target: `>= 1 (GB/s, 10^9 bytes/s, ${(big.bytes / 1024 ** 3).toFixed(1)} GiB k6 file)`, met: gbps >= 1 && big.run.requests === big.requests };
      targets.bigPeakRssMB = { value: Math.round(toMB(rss)), target: '< 200 (MB, 10^6 bytes)', met: toMB(rss) < 200 };
      bigOut = { inputMiB: Math.round(big.bytes / MiB), requests: big.requests, s: round3(big.run.ms / 1000), GBps: round2(gbps), peakRssMB: Math.round(toMB(rss)), countsAll: big.run.requests === big.requests };
    }
    targets.sameRequestCount = { value: requestsOk, target: 'ce-report and the baseline count every generated request, every file', met: requestsOk };
    const nodeMed = median(startup.nodeMs);
    const cliMed = median(startup.cliMs);
    const over = (cliMed - nodeMed) / 1000;
    targets.startupOverNodeS = { value: round3(over), target: '<= 0.15 (ce-report ingest of 2 MiB minus node -e 0, medians of 7)', met: over <= 0.15 };
    if (study) targets.studyBuildS = { value: round2(study.ms / 1000), target: `< 3 (${study.runs} runs, ${(study.bytes / 1024 ** 3).toFixed(1)} GiB, cold)`, met: study.ok && study.ms < 3_000 };
    if (example) targets.exampleBuildS = { value: round2(example.ms / 1000), target: '< 3', met: example.ok && example.ms < 3_000 };

    const machine = { cores: cpus().length, cpu: cpuModel(), ramGiB: Math.round(totalmem() / 1024 ** 3), node: process.version, loadAvg: [round2(Math.min(...loads)), round2(Math.max(...loads))] };
    console.log(`\nmachine: ${machine.cores} cores (${machine.cpu}), ${machine.ramGiB} GiB RAM, node ${machine.node}; load average during the run: ${machine.loadAvg[0]!.toFixed(1)}-${machine.loadAvg[1]!.toFixed(1)}`);
    console.log(`wall time of each process, spawn to exit; median of ${repeat} interleaved runs unless said`);
    console.log(`${'input'.padEnd(7)} ${'tool'.padEnd(10)} ${'MiB'.padStart(6)} ${'seconds'.padStart(8)} ${'min-max'.padStart(11)} ${'MiB/s'.padStart(6)} ${'RSS MiB'.padStart(8)} ${'requests'.padStart(9)}`);
    for (const l of lines) console.log(l);
    console.log(`start-up: ce-report ingest of 2 MiB ${s2(cliMed)} s, node -e 0 ${s2(nodeMed)} s (medians of ${STARTUP_RUNS}): +${over.toFixed(3)} s (target <= 0.15)`);
    if (study) console.log(`study: ce-report build of ${study.runs} runs, ${(study.bytes / MiB).toFixed(0)} MiB: ${s2(study.ms)} s${study.ok ? '' : ', FAILED: ' + study.stderr} (target < 3)`);
    if (example) console.log(`example: ce-report build of the bundled example, --no-cache, median of 3: ${s2(example.ms)} s${example.ok ? '' : ', FAILED: ' + example.stderr} (target < 3)`);
    if (exampleRebuild) console.log(`example rebuild with warm caches: ${s2(exampleRebuild.ms)} s${exampleRebuild.ok ? '' : ', FAILED: ' + exampleRebuild.stderr}`);
    const unmet = Object.entries(targets).filter(([, t]) => !t.met).map(([k]) => k);
    console.log(unmet.length ? `not met: ${unmet.join(', ')}` : 'every target met');

    const measured = {
      shapes: shapesOut,
      gzip: gzipOut,
      big: bigOut,
      startup: { ceReportS: round3(cliMed / 1000), nodeS: round3(nodeMed / 1000), ceReportRunsS: startup.cliMs.map((x) => round3(x / 1000)), nodeRunsS: startup.nodeMs.map((x) => round3(x / 1000)) },
      ...(study ? { study: { s: round2(study.ms / 1000), MiB: Math.round(study.bytes / MiB), runs: study.runs, ok: study.ok } } : {}),
      ...(example ? { example: { s: round2(example.ms / 1000), ok: example.ok } } : {}),
      ...(exampleRebuild ? { exampleRebuildWarmCacheS: round2(exampleRebuild.ms / 1000) } : {}),
    };
    console.log(JSON.stringify({ bench: 'k6-ndjson', repeat, duckdb: duckUnavailable ? { available: false, reason: duckUnavailable } : { available: true, threads: 2 }, machine, measured, targets, allMet: unmet.length === 0 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(1);
});
