// Follows the README's "Use it on your own runs" section as a new user would, with its
// commands as written (read from the README, so the test breaks when they stop working):
// the Locust command for two runs (replicas=3 and replicas=1; a local test service and a
// few seconds instead of 5 minutes), `ce-report prom-save` for each (a stand-in
// Prometheus; a 2 s rate window for runs that short), then step 3's `ce-report init results/` and `ce-report build`. The saved
// histogram_quantile responses must keep their unit and reach peak vs sustained.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI } from './helpers/run-cli.js';
import { startFakePrometheus, type FakePrometheus } from './helpers/fake-prometheus.js';
import { startPredictServer, type PredictServer } from './servers/predict-server.js';

const root = path.resolve(__dirname, '..');
const hasLocust = spawnSync('sh', ['-c', 'command -v locust']).status === 0;
const mustRun = !!process.env.CI;

/** The README's own-runs section. */
function ownRunsSection(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use it on your own runs');
  const end = readme.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0) throw new Error('README: no "Use it on your own runs" section');
  return readme.slice(start, end);
}

/** The first code span in the table row of `tool` (step 2). */
function rowCommand(section: string, tool: string): string {
  const row = section.split('\n').find((l) => l.trim().startsWith(`| ${tool} |`));
  const m = row ? /`([^`]+)`/.exec(row) : null;
  if (!m) throw new Error(`README: no command in the "${tool}" row`);
  return m[1]!;
}

/** The commands of step 3's sh block, comments removed. */
function step3Commands(section: string): string[] {
  const m = /3\. Build and publish:\s*```sh\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README: no sh block in step 3');
  return m[1]!.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
}

const LOCUSTFILE = `
from locust import HttpUser, task, constant

class ModelUser(HttpUser):
    wait_time = constant(0.1)

    @task
    def predict(self):
        self.client.post("/predict", json={"input": "img-1"})
`;

function sh(command: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CE_REPORT_DEBUG: '' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** `ce-report …` as the README writes it, run with the built CLI. */
function cli(command: string): string {
  if (!command.startsWith('ce-report ')) throw new Error(`not a ce-report command: ${command}`);
  return `"${process.execPath}" "${CLI}" ${command.slice('ce-report '.length)}`;
}

let tmp: string;
let service: PredictServer;
let prom: FakePrometheus;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-readme-own-'));
  service = await startPredictServer({ failEvery: 1000 });
  prom = await startFakePrometheus();
});
afterAll(async () => {
  await service?.close();
  await prom?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasLocust && !mustRun)('the README, "Use it on your own runs", followed with Locust and saved Prometheus responses', () => {
  it('gives a scaling and a peak-vs-sustained study whose server rows come from the saved p95 in seconds', async () => {
    const section = ownRunsSection();
    await fs.writeFile(path.join(tmp, 'locustfile.py'), LOCUSTFILE);
    const locust = rowCommand(section, 'Locust');
    const promSave = rowCommand(section, 'Prometheus (saved)');
    expect(locust).toContain('-u 50 -r 5 -t 5m --host http://127.0.0.1:8000');
    expect(promSave).toContain('--url http://127.0.0.1:9090 --run results/replicas=3');

    for (const replicas of ['3', '1']) {
      const l = locust.replace('-u 50 -r 5 -t 5m --host http://127.0.0.1:8000', `-u 4 -r 4 -t 4s --host ${service.url}`).replaceAll('replicas=3', `replicas=${replicas}`);
      const ran = await sh(l, tmp);
      expect(ran.code, ran.output).toBe(0);
      // A rate window of 2 s instead of 30 s: server values count once their whole window lies inside the run.
      const save = promSave.replace('http://127.0.0.1:9090', prom.url).replace('[30s]', '[2s]').replaceAll('replicas=3', `replicas=${replicas}`);
      const saved = await sh(cli(save), tmp);
      expect(saved.code, saved.output).toBe(0);
      expect(saved.output).toMatch(/^Saved results\/replicas=\d\/prometheus\/p95\.json \(1 series, \d+ points, unit s, step 1 s\)/);
    }

    const commands = step3Commands(section);
    expect(commands.slice(0, 2)).toEqual(['ce-report init results/', 'ce-report build']);
    for (const c of commands.slice(0, 2)) {
      const r = await sh(cli(c), tmp);
      expect(r.code, `${c}\n${r.output}`).toBe(0);
      expect(r.output).not.toContain('unknown unit');
    }

    const model = JSON.parse(await fs.readFile(path.join(tmp, 'site', 'data', 'model.json'), 'utf8'));
    expect(model.runs).toHaveLength(2);
    for (const run of model.runs) {
      expect(run.tool).toBe('locust');
      expect(run.series.map((s: { name: string; unit: string; precision?: string }) => [s.name, s.unit, s.precision])).toEqual([['p95', 's', 'buckets']]);
    }
    const analysis = JSON.parse(await fs.readFile(path.join(tmp, 'site', 'data', 'analysis.json'), 'utf8'));
    expect(analysis.studies.map((s: { kind: string }) => s.kind).sort()).toEqual(['peak-vs-sustained', 'scaling']);
    const pvs = analysis.studies.find((s: { kind: string }) => s.kind === 'peak-vs-sustained');
    expect(pvs.rows).toHaveLength(2);
    // The stand-in answers 0.05 (seconds) at every step: 50 ms on the server side.
    for (const row of pvs.rows) expect(row.server?.peak?.p95).toBeCloseTo(50, 6);
  }, 120_000);
});
