// --baseline PATH_OR_URL: a site built earlier, read through its data/ files, from a
// folder or over http(s) (its published address). Every problem is one line naming the
// baseline and the file: a folder that is not a site, an address that does not answer,
// a file that is not what this version writes.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../ingest/errors.js';
import { FIGURES_FILE, type FiguresFile } from './types.js';
import { figuresProblem } from './validate.js';

export const HISTORY_FILE = 'data/history.json';
/** Seconds to wait for each file of a published baseline. */
export const FETCH_TIMEOUT_S = 30;
/** Larger data files are refused (a site's figures stay far below). */
const MAX_BYTES = 64 * 1024 * 1024;

export interface LoadedBaseline {
  source: string;
  figures: FiguresFile;
  /** The baseline's data/history.json as parsed, or null when it has none. */
  history: unknown;
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

function fail(source: string, what: string): never {
  throw new UsageError(`--baseline ${source}: ${what}`);
}

function fetchProblem(e: unknown, timeoutS: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return `no answer within ${timeoutS} s (timeout)`;
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed before an answer came';
  return err.cause?.message ?? err.message;
}

/** The text of one data file; null when the site has none (404 / no such file). */
async function readText(source: string, rel: string, dir: string, timeoutS: number): Promise<string | null> {
  if (isUrl(source)) {
    let base: URL;
    try {
      // The site's address, or one of its pages (…/index.html): data/ is beside the index.
      const page = new URL(source);
      base = /\.html?$/i.test(page.pathname) ? new URL('./', page) : new URL(source.endsWith('/') ? source : `${source}/`);
    } catch {
      fail(source, 'not a valid address');
    }
    if (base.search || base.hash) fail(source, 'the address must have no query or fragment');
    const url = new URL(rel, base);
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutS * 1000), redirect: 'follow' });
    } catch (e) {
      fail(source, `${rel}: ${fetchProblem(e, timeoutS)}`);
    }
    if (res.status === 404) return null;
    if (!res.ok) fail(source, `${rel}: HTTP ${res.status} ${res.statusText}`.trim());
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_BYTES) fail(source, `${rel}: ${length} bytes, more than a site's data file can be`);
    try {
      const text = await res.text();
      if (text.length > MAX_BYTES) fail(source, `${rel}: more than ${MAX_BYTES} bytes`);
      return text;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      fail(source, `${rel}: ${fetchProblem(e, timeoutS)}`);
    }
  }
  const file = path.join(dir, ...rel.split('/'));
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_BYTES) fail(source, `${rel}: ${stat.size} bytes, more than a site's data file can be`);
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (e instanceof UsageError) throw e;
    fail(source, `${rel}: ${(e as Error).message}`);
  }
}

function parse(source: string, rel: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    fail(source, `${rel} is not valid JSON`);
  }
}

/** `source` as given on the command line (errors name it so); a folder is resolved against `cwd`. */
export async function loadBaseline(source: string, cwd: string, timeoutS = FETCH_TIMEOUT_S): Promise<LoadedBaseline> {
  const dir = path.resolve(cwd, source);
  if (source.trim() === '') fail(source, 'empty: give the folder of a site built by ce-report, or its address');
  if (!isUrl(source)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) fail(source, 'only http:// and https:// addresses, or a folder, can be a baseline');
    if (!existsSync(dir)) fail(source, 'no such folder');
    if (!(await fs.stat(dir)).isDirectory()) fail(source, 'not a folder (give the folder of a site built by ce-report, or its address)');
  }
  const text = await readText(source, FIGURES_FILE, dir, timeoutS);
  if (text === null) {
    const site = !isUrl(source) && existsSync(path.join(dir, '.ce-report-site'));
    fail(source, site ? `no ${FIGURES_FILE}: the site was built by an older ce-report; rebuild it to compare with it` : `not a site built by ce-report (no ${FIGURES_FILE})`);
  }
  const figures = parse(source, FIGURES_FILE, text);
  const problem = figuresProblem(figures);
  if (problem) fail(source, `${FIGURES_FILE}: ${problem}`);
  const historyText = await readText(source, HISTORY_FILE, dir, timeoutS);
  const history = historyText === null ? null : parse(source, HISTORY_FILE, historyText);
  return { source, figures: figures as FiguresFile, history };
}
