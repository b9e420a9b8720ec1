// Bad inputs through the built CLI (node dist/cli.js; `npm test` builds first): exactly
// one line on stderr naming the file, no stack trace, exit code 1, nothing on stdout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { k6Ndjson } from './helpers/bad-inputs.js';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, env: { ...process.env, CE_REPORT_DEBUG: '' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let tmp: string;
beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-robust-cli-'));
  await fs.writeFile(path.join(tmp, 'empty.json'), '');
  await fs.writeFile(path.join(tmp, 'shot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe]));
  await fs.writeFile(path.join(tmp, 'summary.json'), '{"metrics": {"http_reqs": {"count": 3,\n  "rate": NaN}}}');
  await fs.writeFile(path.join(tmp, 'p95.json'), JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error:\n\u001b[31mred\u001b[0m' }));
  await fs.writeFile(path.join(tmp, 'k6.json.gz'), gzipSync(k6Ndjson(1) + '{"metric":"x"}\n'.repeat(200_000)));
  await fs.writeFile(path.join(tmp, 'bad.config.json'), '{\n  "runs": [],\n  "timelineIntervalSeconds": 5\n}\n');
  await fs.writeFile(path.join(tmp, 'README.md'), '# x\n<!-- ce-report:begin runs -->\n');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function expectOneLineError(r: { code: number; stdout: string; stderr: string }, start: string, detail: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith(`ce-report: ${start}`), lines[0]).toBe(true);
  expect(lines[0]).toMatch(detail);
  expect(r.stderr).not.toContain('    at ');
  // eslint-disable-next-line no-control-regex
  expect(r.stderr).not.toMatch(/\u001b/);
}

describe('the CLI on bad inputs', () => {
  it('an empty file', async () => {
    expectOneLineError(await run(['ingest', 'empty.json'], tmp), 'empty.json:', /the file is empty/);
  });

  it('a binary file', async () => {
    expectOneLineError(await run(['ingest', 'shot.png'], tmp), 'shot.png:', /binary/);
  });

  it('invalid JSON with a forced format: file, line and column', async () => {
    expectOneLineError(await run(['ingest', '--format', 'k6-summary', 'summary.json'], tmp), 'summary.json:2:11:', /invalid JSON: unexpected character "N"/);
  });

  it('a Prometheus error body with newlines and terminal escapes: still one line, escapes neutralised', async () => {
    expectOneLineError(await run(['ingest', 'p95.json'], tmp), 'p95.json:', /bad_data/);
  });

  it('an unknown config key: the key, its line and a suggestion', async () => {
    expectOneLineError(await run(['build', '--config', 'bad.config.json', '--out', 'never'], tmp), 'bad.config.json:3:3:', /unknown key "timelineIntervalSeconds".*did you mean "timelineIntervalS"/);
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('a broken embed marker', async () => {
    expect((await run(['build', 'k6.json.gz', '--out', 'site', '-q'], tmp)).code).toBe(0);
    expectOneLineError(await run(['embed', 'README.md', '--from', 'site'], tmp), 'README.md:2:', /ce-report:end/);
  });
});
