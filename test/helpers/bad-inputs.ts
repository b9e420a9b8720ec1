// Small hand-made inputs for the robustness tests: valid k6 NDJSON, Locust CSV and
// Prometheus responses that a test then breaks in one specific way. (Hand-made is fine
// here: these inputs test errors and warnings, not numbers against a tool's report.)
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { InputError, UsageError } from '../../src/ingest/errors.js';
import { ingestRuns, type IngestResult } from '../../src/ingest/pipeline.js';
import type { IngestOptions } from '../../src/ingest/types.js';

export function k6Decl(metric: string, type: string): string {
  return JSON.stringify({ type: 'Metric', data: { name: metric, type, contains: type === 'trend' ? 'time' : 'default', thresholds: [], submetrics: null }, metric });
}

export function k6Point(time: string, metric: string, value: unknown, tags: Record<string, string> = {}): string {
  const t = { name: 'GET /a', method: 'GET', status: '200', expected_response: 'true', ...tags };
  return JSON.stringify({ metric, type: 'Point', data: { time, value, tags: t } });
}

/** `n` requests one second apart from 2026-01-01T00:00:00Z, durations 10, 11, … ms. */
export function k6Lines(n: number, tags: Record<string, string> = {}): string[] {
  const lines = [k6Decl('http_reqs', 'counter'), k6Decl('http_req_duration', 'trend'), k6Decl('http_req_failed', 'rate')];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    lines.push(k6Point(t, 'http_reqs', 1, tags), k6Point(t, 'http_req_duration', 10 + i, tags), k6Point(t, 'http_req_failed', 0, tags));
  }
  return lines;
}

export function k6Ndjson(n: number, tags: Record<string, string> = {}): string {
  return k6Lines(n, tags).join('\n') + '\n';
}

export const LOCUST_STATS_HEADER =
  'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%';

export function locustStats(rows: Array<[string, string, number]> = [['GET', '/a', 5], ['POST', '/b', 7]]): string {
  const total = rows.reduce((a, r) => a + r[2], 0);
  const line = (type: string, name: string, n: number) => `${type},${name},${n},0,10,10.5,8.3,13.4,35.0,0.72,0.0,10,12,12,13,13,13,13,13,13,13,13`;
  return [LOCUST_STATS_HEADER, ...rows.map((r) => line(...r)), line('', 'Aggregated', total)].join('\n') + '\n';
}

export const LOCUST_HISTORY_HEADER =
  'Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size';

export function prometheusMatrix(values: Array<[number, string]>, metric: Record<string, string> = { __name__: 'up' }): string {
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric, values }] } });
}

export interface Scratch {
  dir: string;
  write(name: string, content: string | Buffer): Promise<string>;
  ingest(inputs: string[], opts?: { format?: string } & Partial<IngestOptions>): Promise<IngestResult>;
}

const scratchDirs: string[] = [];

/** Removes every folder made by scratch() in this test file (call from afterAll). */
export async function removeScratch(): Promise<void> {
  for (const d of scratchDirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
}

export async function scratch(): Promise<Scratch> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-robust-'));
  scratchDirs.push(dir);
  return {
    dir,
    async write(name, content) {
      const p = path.join(dir, name);
      await fs.mkdir(path.dirname(p), { recursive: true });
      await fs.writeFile(p, content);
      return p;
    },
    ingest(inputs, opts = {}) {
      const { format, ...rest } = opts;
      return ingestRuns([{ inputs, format }], { cwd: dir, ...rest });
    },
  };
}

/**
 * Asserts a clean user-facing error: an InputError/UsageError whose message starts with
 * `file` (and `:line` when given), is one line without a stack, and matches `detail`.
 */
export async function expectCleanError(p: Promise<unknown>, file: string, detail: RegExp, line?: number): Promise<InputError | UsageError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an error').toBeDefined();
  if (!(caught instanceof InputError || caught instanceof UsageError)) {
    throw new Error(`expected an InputError, got ${(caught as Error)?.name}: ${(caught as Error)?.message ?? String(caught)}`);
  }
  const msg = caught.message;
  expect(msg.startsWith(line === undefined ? file : `${file}:${line}`), msg).toBe(true);
  expect(msg).not.toMatch(/[\r\n]/);
  expect(msg).not.toContain('    at ');
  expect(msg).toMatch(detail);
  return caught;
}
