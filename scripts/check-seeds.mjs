#!/usr/bin/env node
// Checks ce-report's reading of a real study against what its author read by hand:
// the nine Locust HTML reports behind seed write-up 002 (a users sweep 10 … 3000 at one
// gunicorn worker, workers 1/2/4 at 1500 users, model services 1/2 at 1500 users).
// The reports belong to their author, so they are never copied into this repository:
// this script lays them out in a temporary folder (`users=…/workers=…/services=…/`, as a
// user would), builds the site with the CLI and compares data/analysis.json with:
// - the median request rate at full user count, read off each report's own history
//   (the seed README's table; the author's readings agree except his 6.1 for test 2);
// - the author's end-of-run median (the last p50 of each report's history);
// - the states a careful reading gives (overloaded from test 3 on, never test 1);
// - the studies across runs (users = load with saturation ≈ 7 req/s; workers 1 → 2 → 4
//   no effect; model services 1 → 2 double the throughput).
// Usage: npm run check-seeds -- <folder holding test_1.html … test_9.html>
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seedDir = process.argv[2];
if (!seedDir || !existsSync(path.join(seedDir, 'test_1.html'))) {
  console.error('usage: npm run check-seeds -- <folder with test_1.html … test_9.html>');
  process.exit(2);
}

// users, workers, services; median rps at full users (report history); author's end-of-run p50 (ms).
const DESIGN = {
  test_1: { users: 10, workers: 1, services: 1, rps: 3.1, endP50: null, overloaded: false },
  test_2: { users: 50, workers: 1, services: 1, rps: 6.9, endP50: 5400, overloaded: null },
  test_3: { users: 200, workers: 1, services: 1, rps: 7.1, endP50: 25000, overloaded: true },
  test_4: { users: 500, workers: 1, services: 1, rps: 7.0, endP50: 70000, overloaded: true },
  test_5: { users: 1500, workers: 1, services: 1, rps: 7.0, endP50: 213000, overloaded: true },
  test_6: { users: 3000, workers: 1, services: 1, rps: null, endP50: 294000, overloaded: true },
  test_7: { users: 1500, workers: 2, services: 1, rps: 7.1, endP50: 207000, overloaded: true },
  test_8: { users: 1500, workers: 4, services: 1, rps: 7.2, endP50: 208000, overloaded: true },
  test_9: { users: 1500, workers: 1, services: 2, rps: 14.0, endP50: 106000, overloaded: true },
};
// The load script waited between(1, 5) s between requests: 3 s on average (seed README).
const THINK_TIME_S = 3;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ce-report-seeds-'));
let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what}`);
  if (!ok) failed++;
};
try {
  const runs = [];
  for (const [test, d] of Object.entries(DESIGN)) {
    const dir = path.join(tmp, 'data', `users=${d.users}`, `workers=${d.workers}`, `services=${d.services}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(seedDir, `${test}.html`), path.join(dir, `${test}.html`));
    runs.push({ id: test, inputs: [path.relative(tmp, dir) + '/'], thinkTimeS: THINK_TIME_S });
  }
  writeFileSync(path.join(tmp, 'ce-report.config.json'), JSON.stringify({ title: 'Seed 002', out: 'site', runs }, null, 2));
  execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'build', '-q', '--config', path.join(tmp, 'ce-report.config.json')], { cwd: tmp, stdio: 'inherit' });
  const analysis = JSON.parse(readFileSync(path.join(tmp, 'site', 'data', 'analysis.json'), 'utf8'));
  const byId = new Map(analysis.runs.map((r) => [r.runId, r]));
  const f = (x, d = 1) => (x === null || x === undefined ? 'n/a' : Number(x).toFixed(d));

  console.log('\nPer run (full-load rps vs the median at full users; end-of-run p50 vs the author):');
  for (const [test, d] of Object.entries(DESIGN)) {
    const r = byId.get(test);
    if (!r) {
      check(false, `${test}: no run in analysis.json`);
      continue;
    }
    const rps = r.fullLoad?.rps ?? null;
    const end = r.endOfRun?.p50 ?? null;
    const bound = r.littleBound ? `Little's law bound ${f(r.littleBound.boundMs / 1000)} s` : 'no bound';
    console.log(
      `  ${test}: ${r.state}; full load ${f(rps, 2)} req/s (${r.fullLoad?.basis ?? ''}); end of run p50 ${f(end / 1000, 1)} s, ${bound}; ` +
        `trend ${f(r.latencyTrendMsPerS, 0)} ms/s; bursts ${r.bursts.map((b) => `${f(b.rps)} req/s at t=${b.t}`).join(', ') || 'none'}`,
    );
    if (d.rps !== null) check(rps !== null && Math.abs(rps - d.rps) <= 0.1 * d.rps, `${test} full-load rps ${f(rps, 2)} within 10% of ${d.rps}`);
    if (d.endP50 !== null) check(end !== null && Math.abs(end - d.endP50) <= 0.05 * d.endP50, `${test} end-of-run p50 ${f(end, 0)} ms within 5% of ${d.endP50}`);
    if (d.overloaded === true) check(r.state === 'overloaded', `${test} is overloaded (${r.state})`);
    if (d.overloaded === false) check(r.state !== 'overloaded', `${test} is not overloaded (${r.state})`);
    if (d.overloaded === true) check(r.littleBound !== null && r.endOfRun?.p50 !== null, `${test} states the Little's law bound beside the end-of-run p50`);
  }

  console.log('\nStudies:');
  const scaling = analysis.studies.filter((s) => s.kind === 'scaling');
  for (const s of scaling) {
    console.log(`  ${s.id} (${s.factorKind}): ${s.points.map((p) => `${p.value}→${f(p.rps, 2)}`).join(', ')}; steps ${s.steps.map((x) => `${x.from}→${x.to} ${x.verdict} ${f(x.rpsChangePct, 0)}%±${f(x.noisePct, 0)}`).join(', ')}`);
    for (const c of s.conclusions) console.log(`      ${c}`);
  }
  const users = scaling.find((s) => s.factor === 'users');
  const workers = scaling.find((s) => s.factor === 'workers');
  const services = scaling.find((s) => s.factor === 'services');
  check(users?.factorKind === 'load', `users study is a load study (${users?.factorKind})`);
  check(users?.saturation && Math.abs(users.saturation.rps - 7.0) <= 0.7, `users saturation ${f(users?.saturation?.rps, 2)} req/s within 10% of 7.0`);
  check(users && users.runIds.length === 6 && !users.runIds.includes('test_7') && !users.runIds.includes('test_9'), `users study holds the six runs at workers=1, services=1 (${users?.runIds.join(', ')})`);
  check(workers?.factorKind === 'capacity', `workers study is a capacity study (${workers?.factorKind})`);
  check(workers && workers.steps.length === 2 && workers.steps.every((x) => x.verdict === 'no-effect'), `workers 1 → 2 → 4: both steps no-effect (${workers?.steps.map((x) => x.verdict).join(', ')})`);
  check(services?.factorKind === 'capacity', `services study is a capacity study (${services?.factorKind})`);
  const step = services?.steps[0];
  check(step && step.verdict === 'gain' && Math.abs(step.rpsChangePct - 100) <= 20, `services 1 → 2: gain, +100% ± 20 (${step?.verdict}, ${f(step?.rpsChangePct, 1)}%)`);
  check(!analysis.studies.some((s) => s.conclusions.some((c) => /bottleneck has moved/.test(c)) && s.factorKind !== 'capacity'), 'no moved-bottleneck claim outside capacity studies');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(failed === 0 ? '\nall checks passed' : `\n${failed} check(s) failed`);
process.exit(failed === 0 ? 0 : 1);
