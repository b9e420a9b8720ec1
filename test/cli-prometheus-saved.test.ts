// Issue 19, points 2 and 3, through the built CLI: saved Prometheus responses beside a
// load-test run. An error answer among them is a warning naming the file and the error
// (the rest builds); responses saved without their query say so, and how to fix it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/run-cli.js';

const root = path.resolve(__dirname, '..');
const example = path.join(root, 'examples', 'data', 'failures');
let tmp: string;

/** A Locust run (the bundled failures example) with its Prometheus responses in run/prometheus/. */
async function locustRunWithPrometheus(dir: string, keepReadme: boolean): Promise<void> {
  await fs.cp(example, dir, { recursive: true });
  if (!keepReadme) await fs.rm(path.join(dir, 'prometheus', 'README.md'));
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-prom-saved-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('a saved Prometheus error answer among the inputs', () => {
  it('is a warning naming the file and the error; the run and its other series build', async () => {
    const dir = path.join(tmp, 'with-error', 'run');
    await locustRunWithPrometheus(dir, true);
    await fs.writeFile(
      path.join(dir, 'prometheus', 'query_range_error_invalid_promql.json'),
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:15: parse error: unclosed left parenthesis' }),
    );
    const r = await runCli(['build', 'with-error', '--out', 'site-err'], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'warning: with-error/run/prometheus/query_range_error_invalid_promql.json: Prometheus answered with an error (bad_data): invalid parameter "query": 1:15: parse error: unclosed left parenthesis; skipped this file\n',
    );
    const model = JSON.parse(await fs.readFile(path.join(tmp, 'site-err', 'data', 'model.json'), 'utf8'));
    expect(model.runs).toHaveLength(1);
    expect(model.runs[0].summary.requests).toBe(1913);
    expect(model.runs[0].series.map((s: { name: string }) => s.name).sort()).toEqual(['inflight', 'p50', 'p90', 'p95', 'p99', 'rps_by_status']);
  });

  it('named on the command line alone it stays a one-line error naming the file', async () => {
    const file = path.join(tmp, 'alone.json');
    await fs.writeFile(file, JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
    const r = await runCli(['build', 'alone.json', '--out', 'site-never'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('ce-report: alone.json: Prometheus answered with an error (bad_data): parse error\n');
  });
});
