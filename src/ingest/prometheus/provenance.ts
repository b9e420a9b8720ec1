// Where the PromQL of a saved response comes from. A response body does not carry its
// query, so we look beside it, in this order:
//   1. `<stem>.query.json`: the sidecar live.ts writes ({name, query, unit, start, end, step});
//   2. `index.json` in the folder: {"<stem>": {"params": {"query": ...}}, ...};
//   3. `README.md` in the folder: a Markdown table with the file name in backticks in
//      one cell and the query in backticks in a column headed "PromQL", "query" or "expr".
// Each is optional; unreadable ones are ignored (the query is provenance, not data),
// except a sidecar, which the user wrote for this file: a broken one is a warning.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface SavedQueryInfo {
  name?: string;
  query?: string;
  unit?: string;
}

const MAX_SIDE_FILE = 1024 * 1024;

async function readSmall(file: string): Promise<string | undefined> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile() || st.size > MAX_SIDE_FILE) return undefined;
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The stem a response file is known by: `p95.json.gz` → `p95`. */
export function responseStem(file: string): string {
  return path.basename(file).replace(/\.gz$/i, '').replace(/\.json$/i, '');
}

/**
 * The series name a response file gives when nothing beside it names the query: its
 * stem without the API's name in front, so `query_range_p95.json` is `p95` (a server-side
 * p95, charted with the other percentiles) like `p95.json`.
 */
export function seriesNameOf(file: string): string {
  const stem = responseStem(file);
  return stem.replace(/^(query_range|query_instant|query)[_-](?=.)/i, '') || stem;
}

export function sidecarPath(responseFile: string): string {
  return path.join(path.dirname(responseFile), responseStem(responseFile) + '.query.json');
}

async function fromSidecar(file: string, warn: (message: string) => void): Promise<SavedQueryInfo | undefined> {
  const sidecar = sidecarPath(file);
  const text = await readSmall(sidecar);
  if (!text) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (e) {
    warn(`${path.basename(sidecar)} beside it is not valid JSON (${(e as Error).message}); its query and unit are not used`);
    return undefined;
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    warn(`${path.basename(sidecar)} beside it is not a JSON object like {"query": "…", "unit": "s"}; not used`);
    return undefined;
  }
  const r = o as Record<string, unknown>;
  for (const key of ['name', 'query', 'unit'] as const) {
    if (r[key] !== undefined && typeof r[key] !== 'string') warn(`${path.basename(sidecar)}: "${key}" is not a string; ignored`);
  }
  return { name: str(r.name), query: str(r.query), unit: typeof r.unit === 'string' ? r.unit.trim() : undefined };
}

async function fromIndex(file: string): Promise<SavedQueryInfo | undefined> {
  const text = await readSmall(path.join(path.dirname(file), 'index.json'));
  if (!text) return undefined;
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const entry = o[responseStem(file)] ?? o[path.basename(file)];
    if (!entry || typeof entry !== 'object') return undefined;
    const params = (entry as Record<string, unknown>).params;
    const query = str((params as Record<string, unknown> | undefined)?.query) ?? str((entry as Record<string, unknown>).query);
    return query ? { query } : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a Markdown table row into cells; `\|` is a literal bar inside a cell. */
function cells(row: string): string[] {
  const out: string[] = [];
  let cur = '';
  const body = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && body[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (body[i] === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += body[i];
  }
  out.push(cur.trim());
  return out;
}

function codeSpan(cell: string): string | undefined {
  const m = /^`+\s?([\s\S]*?)\s?`+$/.exec(cell);
  return m ? m[1] : undefined;
}

export function queryFromMarkdown(markdown: string, fileName: string): string | undefined {
  let queryCol = -1;
  for (const line of markdown.split(/\r?\n/)) {
    if (!line.trim().startsWith('|')) {
      queryCol = -1;
      continue;
    }
    const row = cells(line);
    const header = row.findIndex((c) => /^(promql|query|expr|expression)$/i.test(c));
    if (header >= 0) {
      queryCol = header;
      continue;
    }
    if (queryCol < 0 || row.length <= queryCol) continue;
    if (row.some((c) => codeSpan(c) === fileName)) return codeSpan(row[queryCol]!) ?? (row[queryCol] || undefined);
  }
  return undefined;
}

async function fromReadme(file: string): Promise<SavedQueryInfo | undefined> {
  const text = await readSmall(path.join(path.dirname(file), 'README.md'));
  if (!text) return undefined;
  const query = queryFromMarkdown(text, path.basename(file)) ?? queryFromMarkdown(text, path.basename(file).replace(/\.gz$/i, ''));
  return query ? { query } : undefined;
}

/** What is known beside a saved response; a sidecar that cannot be read is said through `warn`. */
export async function savedQueryInfo(file: string, warn: (message: string) => void = () => {}): Promise<SavedQueryInfo> {
  return (await fromSidecar(file, warn)) ?? (await fromIndex(file)) ?? (await fromReadme(file)) ?? {};
}
