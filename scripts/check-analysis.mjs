#!/usr/bin/env node
// Runs real artifacts through ingestRuns + analyze and checks the analyzer's scaling
// steps and experiment verdicts against the tools' own figures, outside the test suite:
//   npm run build && node scripts/check-analysis.mjs <artifacts-dir>
// (or CE_ARTIFACTS=<artifacts-dir>; CE_DIST=<compiled dist> to use another build).
// Expected throughput comes from the tools' own output read with small independent
// parsers: Locust's per-second request counts at full users in <run>_stats_history.csv, k6's http_reqs rate in
// summary-export.json, bombardier's "Reqs/sec" Avg in its printed report. A scaling step
// passes when our throughput ratio is within 5% of the ratio of those figures.
// Exit code: 0 all passed, 1 a check failed, 2 bad usage.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = process.env.CE_DIST ? path.resolve(process.env.CE_DIST) : path.join(here, '..', 'dist');
const root = process.argv[2] ?? process.env.CE_ARTIFACTS;
if (!root || !existsSync(root)) {
  console.error('usage: node scripts/check-analysis.mjs <artifacts-dir>   (or CE_ARTIFACTS=<dir>)');
  process.exit(2);
}
if (!existsSync(path.join(dist, 'analyze', 'index.js'))) {
  console.error(`${dist} has no compiled analyzer: run \`npm run build\` first`);
  process.exit(2);
}
const { ingestRuns } = await import(pathToFileURL(path.join(dist, 'ingest', 'pipeline.js')).href);
const { analyze } = await import(pathToFileURL(path.join(dist, 'analyze', 'index.js')).href);

let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failed++;
};

/**
 * Locust at full load, read off its own history (<run>_stats_history.csv, Aggregated rows one second
 * apart): the mean of the per-second differences of Total Request Count while the user count is at
 * its maximum. (The Aggregated Requests/s of _stats.csv averages the ramp in, which the scaling
 * study no longer compares.)
 */
function locustRps(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('_stats_history.csv'));
  const [head, ...rows] = readFileSync(path.join(dir, file), 'utf8').trim().split(/\r?\n/);
  const cols = head.split(',');
  const agg = rows.map((r) => r.split(',')).filter((r) => r[cols.indexOf('Name')] === 'Aggregated');
  const users = agg.map((r) => Number(r[cols.indexOf('User Count')]));
  const total = agg.map((r) => Number(r[cols.indexOf('Total Request Count')]));
  const max = Math.max(...users);
  const counts = [];
  for (let i = 1; i < agg.length; i++) if (users[i] === max && users[i - 1] === max) counts.push(total[i] - total[i - 1]);
  return counts.reduce((a, b) => a + b, 0) / counts.length;
}
const k6Rps = (dir) => JSON.parse(readFileSync(path.join(dir, 'summary-export.json'), 'utf8')).metrics.http_reqs.rate;
function bombardierRps(file) {
  const text = readFileSync(file, 'utf8').replace(/\r/g, '\n');
  return Number(/Reqs\/sec\s+([\d.]+)/.exec(text)[1]);
}

async function scalingCase(name, specs, expectedRps) {
  const { runs } = await ingestRuns(specs.map((s) => ({ id: s.id, inputs: s.inputs, labels: { workers: String(s.workers) } })));
  const analysis = analyze(runs, { studies: [{ kind: 'scaling', id: name, factor: 'workers' }] });
  const study = analysis.studies[0];
  console.log(`\n== ${name}`);
  for (const p of study.points) {
    const ra = analysis.runs.find((r) => r.runId === p.runId);
    console.log(`   workers=${p.value}: ours ${p.rps?.toFixed(2)} req/s (${p.rpsBasis}; steady ${ra.steadyState ? ra.phases.find((x) => x.name === 'steady').startT + '–' + ra.phases.find((x) => x.name === 'steady').endT + ' s' : 'none'}), tool ${expectedRps[p.runId].toFixed(2)} req/s, p95 ${p.p95?.toFixed(1)} ms`);
  }
  for (const s of study.steps) {
    const ours = s.speedup;
    const theirs = expectedRps[s.toRunId] / expectedRps[s.fromRunId];
    const dev = (ours / theirs - 1) * 100;
    check(Math.abs(dev) <= 5, `${name} ${s.from}→${s.to}: our rps ratio ${ours.toFixed(3)} (${s.rpsChangePct.toFixed(1)}%), tool ratio ${theirs.toFixed(3)} (${((theirs - 1) * 100).toFixed(1)}%), deviation ${dev.toFixed(2)}%`);
  }
  for (const c of study.conclusions) console.log(`   · ${c}`);
  return analysis;
}

async function experimentCase(name, base, cand, expected) {
  const { runs } = await ingestRuns([
    { id: 'stable', inputs: base, labels: { variant: 'stable' } },
    { id: 'canary', inputs: cand, labels: { variant: 'canary' } },
  ]);
  const analysis = analyze(runs);
  const e = analysis.studies.find((s) => s.kind === 'experiment');
  console.log(`\n== ${name}`);
  console.log(`   ${e.conclusions.join('\n   ')}`);
  console.log(`   windows ${JSON.stringify(e.windows)}; method: ${e.method}`);
  check(e.verdict === expected, `${name}: verdict ${e.verdict} (expected ${expected}); max-p95 ${e.baselineValue?.toFixed(1)} → ${e.candidateValue?.toFixed(1)} ms, change ${e.changePct?.toFixed(1)}%, CI [${e.ci?.map((x) => x.toFixed(1)).join(', ')}]`);
  return analysis;
}

const loc = (n) => path.join(root, 'locust', `scaling-n${n}`);
await scalingCase(
  'locust-scaling',
  [1, 2, 4, 8].map((n) => ({ id: `locust-n${n}`, workers: n, inputs: [loc(n)] })),
  Object.fromEntries([1, 2, 4, 8].map((n) => [`locust-n${n}`, locustRps(loc(n))])),
);
const k6s = (n) => path.join(root, 'k6', 'k6-v0.48.0', 'scaling', `workers-${n}`);
await scalingCase(
  'k6-scaling',
  [1, 2, 4].map((n) => ({ id: `k6-w${n}`, workers: n, inputs: [k6s(n)] })),
  Object.fromEntries([1, 2, 4].map((n) => [`k6-w${n}`, k6Rps(k6s(n))])),
);
const bs = (n) => path.join(root, 'bombardier', 'bombardier-v1.2.5', 'scaling', `workers-${n}`, 'post-predict_c20_15s_latencies.txt');
await scalingCase(
  'bombardier-scaling',
  [1, 2, 4].map((n) => ({ id: `bomb-w${n}`, workers: n, inputs: [bs(n)] })),
  Object.fromEntries([1, 2, 4].map((n) => [`bomb-w${n}`, bombardierRps(bs(n))])),
);

// Canary (16 server threads) vs stable (4): the tools' own summaries show the canary faster
// (k6 p95 82.35 vs 99.46 ms, bombardier p95 165.87 vs 186.35 ms), so "max p95 decreases
// by at least 5%" should PASS when the evidence is strong enough.
const k6c = (v) => [path.join(root, 'k6', 'k6-v0.48.0', 'canary-vs-stable', v)];
await experimentCase('k6 canary vs stable', k6c('stable'), k6c('canary'), 'PASS');
const bc = (v) => [path.join(root, 'bombardier', 'bombardier-v1.2.5', 'canary-vs-stable', v, 'post-predict_c10_15s_latencies.txt')];
await experimentCase('bombardier canary vs stable', bc('stable'), bc('canary'), 'PASS');

// Canary (16 model threads) vs stable (4) served at the same time, bombardier at 10 req/s to
// each, judged on the server's maximum processing time (experiments/canary-threads; its
// README's truth table, from the saved answers by its own script): threads PASS, A/A not.
// Per-variant folders (bombardier + saved answers) and the combined answers split by version.
const TRUTH = {
  'threads-text': [3.6471, 0.5601, 'PASS'],
  'threads-json': [3.7036, 0.5615, 'PASS'],
  'aa-text': [3.8669, 3.9964, 'not PASS'],
  'aa-json': [3.873, 3.803, 'not PASS'],
};
const ct = path.join(root, 'experiments', 'canary-threads');
for (const [window, [stable, canary, expected]] of Object.entries(TRUTH)) {
  const [pair, fmt] = window.split('-');
  const split = { label: 'version', baseline: 'stable', candidate: 'canary' };
  const cases = [
    ['per-version folders', 'max(processing_max_5s)', [
      { id: 'stable', inputs: [path.join(ct, `pair=${pair}`, 'variant=stable', fmt)] },
      { id: 'canary', inputs: [path.join(ct, `pair=${pair}`, 'variant=canary', fmt)] },
    ], { baseline: 'stable', candidate: 'canary' }],
    ['combined, split by version', 'max(processing_max_5s_by_version)', [{ id: 'both', inputs: [path.join(ct, 'combined', `pair=${pair}`, fmt)] }], { baseline: 'both', candidate: 'both', split }],
  ];
  for (const [how, metric, inputs, sides] of cases) {
    const { runs } = await ingestRuns(inputs);
    const e = analyze(runs, { studies: [{ kind: 'experiment', id: 'e', metric, criterion: { direction: 'decrease', minChangePct: 5 }, ...sides }] }).studies[0];
    console.log(`\n== canary-threads ${window}, ${how}`);
    console.log(`   ${e.conclusions.join('\n   ')}`);
    const near = (a, b) => a !== null && Math.abs(a - b) <= 5e-5;
    check(near(e.baselineValue, stable) && near(e.candidateValue, canary), `canary-threads ${window} (${how}): max processing ${e.baselineValue?.toFixed(4)} → ${e.candidateValue?.toFixed(4)} s (README: ${stable} → ${canary})`);
    check(expected === 'PASS' ? e.verdict === 'PASS' : e.verdict !== 'PASS', `canary-threads ${window} (${how}): verdict ${e.verdict} (expected ${expected})`);
  }
}

console.log(failed === 0 ? '\nall checks passed' : `\n${failed} check(s) failed`);
process.exit(failed === 0 ? 0 : 1);
