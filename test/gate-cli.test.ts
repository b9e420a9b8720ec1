// The CI gate through the CLI (issue 20, point 2): an error rate that rose from 0% to 10%
// fails "error-rate decrease by at least 5%" and --fail-on-verdict exits 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { k6Decl, k6Point } from './helpers/bad-inputs.js';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
let tmp: string;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: tmp, env: { ...process.env, CE_REPORT_DEBUG: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** 60 s at 20 requests/s; every `failEvery`-th request fails (0: none). */
function k6Run(failEvery: number): string {
  const lines = [k6Decl('http_reqs', 'counter'), k6Decl('http_req_duration', 'trend'), k6Decl('http_req_failed', 'rate')];
  for (let i = 0; i < 1200; i++) {
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 20), (i % 20) * 50)).toISOString();
    lines.push(k6Point(t, 'http_reqs', 1), k6Point(t, 'http_req_duration', 50 + (i % 7)), k6Point(t, 'http_req_failed', failEvery > 0 && i % failEvery === 0 ? 1 : 0));
  }
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-gate-'));
  await fs.mkdir(path.join(tmp, 'stable'));
  await fs.mkdir(path.join(tmp, 'canary'));
  await fs.writeFile(path.join(tmp, 'stable', 'k6.json'), k6Run(0));
  await fs.writeFile(path.join(tmp, 'canary', 'k6.json'), k6Run(10));
  await fs.writeFile(
    path.join(tmp, 'gate.config.json'),
    JSON.stringify({
      runs: [
        { id: 'stable', inputs: ['stable/'] },
        { id: 'canary', inputs: ['canary/'] },
      ],
      studies: [{ kind: 'experiment', id: 'errors', baseline: 'stable', candidate: 'canary', metric: 'error-rate', criterion: { direction: 'decrease', minChangePct: 5 } }],
    }),
  );
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('experiment gate', () => {
  it('error rate 0% -> 10% against "decrease by at least 5%": FAIL, exit 2', async () => {
    const r = await run(['build', '--config', 'gate.config.json', '--out', 'site', '--fail-on-verdict']);
    expect(r.stdout).toMatch(/experiment: .* — FAIL/);
    expect(r.stderr).toMatch(/verdict FAIL: errors/);
    expect(r.code).toBe(2);
  }, 60_000);
});
