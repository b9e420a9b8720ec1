// Live Prometheus range queries for each run's time window. Every raw response is
// saved (with a sidecar naming its query, range and step) so that a later build can
// run offline from the saved files (loadSavedPrometheusSeries), and so that the saved
// folder is itself readable by the prometheus-json ingester.
//
// The config shape is declared here rather than imported from src/config.ts, so that
// ingest does not depend on the top-level config module; config.ts's
// PrometheusConfig is structurally the same.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Run, Warning } from '../../model/types.js';
import { InputError } from '../errors.js';
import { prometheusErrorOf, seriesFromResponse } from './response.js';

export interface PrometheusQuerySpec {
  name: string;
  query: string;
  unit?: string;
}

export interface PrometheusLiveConfig {
  /** Base URL, e.g. http://127.0.0.1:9090 (a path prefix is kept). */
  url: string;
  queries: PrometheusQuerySpec[];
  /** Per-query timeout in seconds (default 10). */
  timeoutS?: number;
  /** Fixed step in seconds; by default chosen from the run length. */
  stepS?: number;
  /** Run ids to query for; default every run with a start and end. */
  runs?: string[];
  /** Seconds added before the start and after the end of each run (default 5). */
  paddingS?: number;
}

export interface LiveFetchOptions {
  /** Folder to save raw responses in: `<saveDir>/<run id>/<query file name>.json`. */
  saveDir?: string;
  /** Progress lines (one per query). */
  log?: (line: string) => void;
}

/** What a saved response's sidecar records (no URL: it may carry credentials). */
export interface SavedQuerySidecar {
  name: string;
  query: string;
  unit?: string;
  /** Unix seconds. */
  start: number;
  end: number;
  stepS: number;
  /** The run the window was taken from, when there was one. */
  runId?: string;
}

export const DEFAULT_TIMEOUT_S = 10;
export const DEFAULT_PADDING_S = 5;
const NICE_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

/** A step giving about 300 points over the range, rounded up to a nice value, at least 1 s. */
export function chooseStepS(rangeS: number): number {
  const raw = rangeS / 300;
  return NICE_STEPS_S.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
}

/** A file name for a query name: keeps letters, digits, `.`, `_`, `-`. */
export function queryFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return safe || 'query';
}

function where(base: URL, name: string): string {
  return `prometheus query "${name}" (${base.host})`;
}

export function baseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError('prometheus.url', `not a URL: ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InputError('prometheus.url', `only http and https are supported, not ${u.protocol}`);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

/** Why a fetch failed, in words a user can act on. */
function describeFetchError(e: unknown, timeoutS: number, base: URL): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return `no answer within ${timeoutS} s (timeout; raise prometheus.timeoutS or use a longer step)`;
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED') return `connection refused: is Prometheus running at ${base.host}?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host ${base.hostname} not found`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed before an answer came';
  return err.cause?.message ?? err.message;
}

export interface RangeQuery {
  spec: PrometheusQuerySpec;
  start: number;
  end: number;
  stepS: number;
}

/** Runs one query_range; returns the raw body text. Errors are InputErrors naming the query and host. */
export async function queryRange(base: URL, q: RangeQuery, timeoutS: number): Promise<string> {
  const endpoint = new URL('api/v1/query_range', base);
  const form = new URLSearchParams({ query: q.spec.query, start: String(q.start), end: String(q.end), step: `${q.stepS}s` });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (endpoint.username || endpoint.password) {
    headers.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(endpoint.username)}:${decodeURIComponent(endpoint.password)}`).toString('base64');
    endpoint.username = '';
    endpoint.password = '';
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutS * 1000);
  let status: number;
  let text: string;
  try {
    const res = await fetch(endpoint, { method: 'POST', body: form, headers, signal: controller.signal });
    status = res.status;
    text = await res.text(); // still under the timeout: a server may stall mid-body
  } catch (e) {
    throw new InputError(where(base, q.spec.name), describeFetchError(e, timeoutS, base));
  } finally {
    clearTimeout(timer);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 160);
    throw new InputError(where(base, q.spec.name), `HTTP ${status}, not a Prometheus API answer${snippet ? `: ${snippet}` : ''} (is the URL right?)`);
  }
  const apiError = prometheusErrorOf(body);
  if (apiError) throw new InputError(where(base, q.spec.name), `${apiError} (HTTP ${status}; query: ${q.spec.query})`);
  if (status < 200 || status >= 300) throw new InputError(where(base, q.spec.name), `HTTP ${status}`);
  return text;
}

/** Unix seconds of a run's window with padding, or undefined when the run has no clock. */
export function runWindow(run: Run, paddingS: number): { start: number; end: number } | undefined {
  if (!run.start || !run.end) return undefined;
  const s = Date.parse(run.start) / 1000;
  const e = Date.parse(run.end) / 1000;
  if (!Number.isFinite(s) || !Number.isFinite(e) || e < s) return undefined;
  return { start: Math.floor(s - paddingS), end: Math.ceil(e + paddingS) };
}

function selectRuns(runs: Run[], config: PrometheusLiveConfig, warnings: Warning[]): Run[] {
  if (!config.runs) return runs;
  const byId = new Map(runs.map((r) => [r.id, r]));
  const out: Run[] = [];
  for (const id of config.runs) {
    const r = byId.get(id);
    if (r) out.push(r);
    else warnings.push({ message: `prometheus.runs names run "${id}", which is not among the runs read (${[...byId.keys()].join(', ') || 'none'})` });
  }
  return out;
}

/**
 * Queries every configured PromQL over each run's window and appends the series to
 * the run. Throws InputError on the first failing query (timeout, refused connection,
 * PromQL error), naming the query and host:port; returns warnings for the rest.
 */
export async function fetchPrometheusSeries(runs: Run[], config: PrometheusLiveConfig, opts: LiveFetchOptions = {}): Promise<Warning[]> {
  const base = baseUrl(config.url);
  const timeoutS = config.timeoutS ?? DEFAULT_TIMEOUT_S;
  const paddingS = config.paddingS ?? DEFAULT_PADDING_S;
  const warnings: Warning[] = [];
  const names = new Set<string>();
  for (const q of config.queries) {
    if (names.has(queryFileName(q.name))) throw new InputError('prometheus.queries', `two queries are named "${q.name}" (names must differ: they name the saved files)`);
    names.add(queryFileName(q.name));
  }
  for (const run of selectRuns(runs, config, warnings)) {
    const win = runWindow(run, paddingS);
    if (!win) {
      warnings.push({ message: `run ${run.id} has no start and end time (${run.tool} output has no clock), so Prometheus was not queried for it` });
      continue;
    }
    const stepS = config.stepS ?? chooseStepS(win.end - win.start);
    for (const spec of config.queries) {
      const q: RangeQuery = { spec, start: win.start, end: win.end, stepS };
      opts.log?.(`prometheus: ${spec.name} for ${run.id} (${win.end - win.start} s, step ${stepS} s)`);
      const text = await queryRange(base, q, timeoutS);
      const source = `${base.host}/${spec.name}`;
      let sourceFile = source;
      if (opts.saveDir) sourceFile = await saveResponse(opts.saveDir, run.id, q, text);
      const series = seriesFromResponse(JSON.parse(text), { name: spec.name, source: sourceFile, query: spec.query, unit: spec.unit }, where(base, spec.name), (w) =>
        warnings.push({ message: `run ${run.id}: ${w.message}` }),
      );
      run.series.push(...series);
    }
  }
  return warnings;
}

async function saveResponse(saveDir: string, runId: string, q: RangeQuery, text: string): Promise<string> {
  const stem = queryFileName(q.spec.name);
  await writeSavedResponse(path.join(saveDir, runId, `${stem}.json`), text, q, runId);
  return path.join(runId, `${stem}.json`);
}

/**
 * Writes a response body as `<stem>.json` and its sidecar `<stem>.query.json` (name,
 * query, unit, range, step), which the prometheus-json ingester reads back.
 */
export async function writeSavedResponse(file: string, text: string, q: RangeQuery, runId?: string): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  const sidecar: SavedQuerySidecar = { name: q.spec.name, query: q.spec.query, start: q.start, end: q.end, stepS: q.stepS };
  if (runId !== undefined) sidecar.runId = runId;
  if (q.spec.unit !== undefined) sidecar.unit = q.spec.unit;
  const sidecarFile = path.join(path.dirname(file), `${path.basename(file).replace(/\.json$/i, '')}.query.json`);
  await fs.writeFile(sidecarFile, JSON.stringify(sidecar, null, 2) + '\n');
  return sidecarFile;
}

/**
 * Attaches the series saved by an earlier fetchPrometheusSeries to the runs with the
 * same ids, without any network access. Runs with no saved folder get a warning.
 */
export async function loadSavedPrometheusSeries(saveDir: string, runs: Run[]): Promise<Warning[]> {
  const warnings: Warning[] = [];
  for (const run of runs) {
    const dir = path.join(saveDir, run.id);
    let entries: string[];
    try {
      entries = (await fs.readdir(dir)).filter((f) => f.endsWith('.query.json')).sort();
    } catch {
      if (run.start && run.end) warnings.push({ message: `no saved Prometheus responses for run ${run.id} in ${saveDir}` });
      continue;
    }
    for (const sidecarName of entries) {
      const sidecarFile = path.join(dir, sidecarName);
      const responseFile = sidecarFile.replace(/\.query\.json$/, '.json');
      const display = path.join(run.id, path.basename(responseFile));
      let sidecar: SavedQuerySidecar;
      let body: unknown;
      try {
        sidecar = JSON.parse(await fs.readFile(sidecarFile, 'utf8')) as SavedQuerySidecar;
        body = JSON.parse(await fs.readFile(responseFile, 'utf8'));
      } catch (e) {
        warnings.push({ file: display, message: `saved Prometheus response unreadable (${(e as Error).message}); skipped` });
        continue;
      }
      const series = seriesFromResponse(body, { name: sidecar.name, source: display, query: sidecar.query, unit: sidecar.unit }, display, (w) =>
        warnings.push({ file: display, message: w.message }),
      );
      run.series.push(...series);
    }
  }
  return warnings;
}
