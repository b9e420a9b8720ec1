// Issue 19, point 1, through the built CLI: a config in the current folder does not
// hijack explicit INPUTs; a config named with --config applies to them and its studies
// must match their runs; every warning reaches the terminal (the first few and a count
// by default, all with -v).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/run-cli.js';
import { stripJsonComments } from '../src/config.js';

const root = path.resolve(__dirname, '..');
let tmp: string;

// The shape of the bundled example's config: studies over runs called stable and canary.
const exampleLikeConfig = `// a config for other runs
{
  "runs": [
    { "id": "stable", "inputs": ["elsewhere/stable/"] },
    { "id": "canary", "inputs": ["elsewhere/canary/"] }
  ],
  "studies": [
    { "kind": "experiment", "id": "canary-vs-stable", "title": "Canary vs stable",
      "baseline": "stable", "candidate": "canary" },
    { "kind": "scaling", "id": "scaling-workers", "factor": "workers" }
  ]
}
`;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-inputs-config-'));
  await fs.writeFile(path.join(tmp, 'ce-report.config.json'), exampleLikeConfig);
  // The user's own runs: a Locust run with failures (9% of requests) and k6 canary/stable.
  await fs.cp(path.join(root, 'examples/data/failures'), path.join(tmp, 'mine', 'failures'), { recursive: true });
  await fs.rm(path.join(tmp, 'mine', 'failures', 'prometheus'), { recursive: true });
  await fs.mkdir(path.join(tmp, 'noisy', 'logs'), { recursive: true });
  await fs.cp(path.join(root, 'examples/data/failures'), path.join(tmp, 'noisy', 'run'), { recursive: true });
  await fs.rm(path.join(tmp, 'noisy', 'run', 'prometheus'), { recursive: true });
  // Seven empty files inside a folder: seven warnings, the run still builds.
  for (let i = 1; i <= 7; i++) await fs.writeFile(path.join(tmp, 'noisy', 'logs', `k6-${i}.json`), '');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('explicit inputs and a config in the current folder', () => {
  it('build DIR from a folder holding a config: studies inferred from DIR, the config is not applied, and a note says so', async () => {
    const r = await runCli(['build', 'mine', '--out', 'site-mine'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Canary vs stable');
    expect(r.stdout).not.toContain('scaling');
    expect(r.stdout).toMatch(/failures: /);
    expect(r.stderr).toContain('note: ce-report.config.json in this folder is not used for the INPUTs given');
    expect(r.stderr).not.toContain('not among the ingested runs');
    const analysis = JSON.parse(await fs.readFile(path.join(tmp, 'site-mine', 'data', 'analysis.json'), 'utf8'));
    expect(analysis.studies.map((s: { kind: string }) => s.kind)).toEqual(['failures']);
  });

  it('build DIR --config FILE: a configured study naming runs that were not read is an error naming the file and line; nothing is written', async () => {
    const r = await runCli(['build', 'mine', '--config', 'ce-report.config.json', '--out', 'site-never'], tmp);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('ce-report:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ce-report: ce-report\.config\.json:8:35: study "canary-vs-stable" names runs "stable", "canary", not among the runs read from the INPUTs \(failures-n4\)/);
    expect(r.stderr).not.toContain('    at ');
    await expect(fs.stat(path.join(tmp, 'site-never'))).rejects.toThrow();
  });

  it('build DIR --config FILE: a study that selects no run by its label is an error too', async () => {
    await fs.writeFile(path.join(tmp, 'scaling.config.json'), '{\n  "studies": [\n    { "kind": "scaling", "id": "by-workers", "factor": "workers" }\n  ]\n}\n');
    const r = await runCli(['build', 'mine', '--config', 'scaling.config.json', '--out', 'site-never'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ce-report: scaling\.config\.json:3:\d+: study "by-workers" matches none of the runs read from the INPUTs \(failures-n4\) \(no run has a numeric "workers" label\)/m);
  });

  it('build DIR --config FILE: a failures study over the runs above the threshold may find none (a clean run passes)', async () => {
    await fs.writeFile(path.join(tmp, 'gate.config.json'), '{ "studies": [ { "kind": "failures", "id": "gate", "thresholdPct": 50 } ] }\n');
    const r = await runCli(['build', 'mine', '--config', 'gate.config.json', '--out', 'site-gate'], tmp);
    expect(r.code, r.stderr).toBe(0);
  });

  it('build DIR --config FILE whose studies match: the config applies to the INPUTs', async () => {
    await fs.writeFile(path.join(tmp, 'mine.config.json'), '{ "title": "Mine", "studies": [ { "kind": "failures", "id": "my-failures", "title": "My failures", "runs": ["failures-n4"] } ] }\n');
    const r = await runCli(['build', 'mine', '--config', 'mine.config.json', '--out', 'site-mine2'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('failures: My failures');
    expect(r.stderr).not.toContain('note:');
  });

  it('with no INPUT the config in the current folder is still the build (the bundled example builds)', async () => {
    const r = await runCli(['build', '--out', path.join(tmp, 'example-site'), '-q'], root);
    expect(r.code, r.stderr).toBe(0);
    const analysis = JSON.parse(await fs.readFile(path.join(tmp, 'example-site', 'data', 'analysis.json'), 'utf8'));
    const config = JSON.parse(stripJsonComments(await fs.readFile(path.join(root, 'ce-report.config.json'), 'utf8')));
    expect(analysis.studies.map((s: { id: string }) => s.id)).toEqual(config.studies.map((s: { id: string }) => s.id));
    expect(analysis.studies.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['canary-vs-stable', 'scaling-workers', 'peak-vs-sustained', 'failures']));
  });
});

describe('warnings reach the terminal', () => {
  it('without -v: a conclusion warning (failure rate above the threshold) is printed, not only kept in the site', async () => {
    const r = await runCli(['build', 'mine', '--out', 'site-w1'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: run failures-n4: 9\.\d+% of requests failed \(174 of 1913\), above the 1% threshold\.$/m);
    expect(r.stdout).toMatch(/Built site-w1\/ — 1 run\(s\), 1 study, .*, 1 warning\n/);
  });

  it('without -v: the first five and a count of the rest; with -v: every one; with -q: none', async () => {
    const quietDefault = await runCli(['build', 'noisy', '--out', 'site-w2'], tmp);
    expect(quietDefault.code, quietDefault.stderr).toBe(0);
    const shown = quietDefault.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    // 7 empty files + the failure-rate warning = 8: five shown, then a line counting 3 more.
    expect(shown).toHaveLength(6);
    expect(shown.slice(0, 5).every((l) => /^warning: noisy\/logs\/k6-\d\.json: skipped an empty file \(0 bytes\)$/.test(l))).toBe(true);
    expect(shown[5]).toBe('warning: … and 3 more (8 warnings in all; -v shows every one, as does site-w2/index.html)');
    expect(quietDefault.stdout).toContain(', 8 warnings\n');

    const verbose = await runCli(['-v', 'build', 'noisy', '--out', 'site-w2'], tmp);
    const all = verbose.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(all).toHaveLength(8);
    expect(all[7]).toMatch(/^warning: run failures-n4: 9\.\d+% of requests failed/);

    const quiet = await runCli(['-q', 'build', 'noisy', '--out', 'site-w2'], tmp);
    expect(quiet.stderr).toBe('');
  });
});
