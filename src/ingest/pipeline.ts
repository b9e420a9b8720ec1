// Stage 1 of the pipeline: files → detected formats → run parts → merged runs.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { mergeParts } from '../model/merge.js';
import { attachPrometheusRuns } from './attach-prometheus.js';
import type { Run, Warning } from '../model/types.js';
import { InputError, NoDataInputError, oneLine, UsageError } from './errors.js';
import { expandInputs } from './expand.js';
import { sniffFile } from './read.js';
import { cacheKey, CACHE_MIN_BYTES, readCache, writeCache } from './cache.js';
import { capEndpoints, MAX_ENDPOINTS, OTHER_ENDPOINTS } from './endpoint-cap.js';
import { checkPartNumbers } from './number-checks.js';
import { findIngester, formatNames, INGESTERS } from './registry.js';
import { DEFAULT_INGEST_OPTIONS, isLabelKey, type IngestContext, type Ingester, type IngestOptions, type RunPart, type Sniff } from './types.js';

/** A run as the config (or the command line) declares it. */
export interface RunInput {
  /** Fixed run id; all parts from these inputs then form a single run. */
  id?: string;
  name?: string;
  inputs: string[];
  labels?: Record<string, string>;
  format?: string;
  thinkTimeS?: number;
}

export interface PipelineOptions extends Partial<IngestOptions> {
  /** Folder that paths are relative to (and shown relative to). */
  cwd?: string;
  /** Called as bytes are read: done and total over all files. */
  onProgress?: (done: number, total: number) => void;
  /** Called once per file with its detected format (for --verbose). */
  onFile?: (displayPath: string, format: string | null) => void;
  /** Folder for the ingest cache of big inputs; no caching when unset. */
  cacheDir?: string;
  /** ce-report version, part of the cache key. */
  version?: string;
}

export interface IngestResult {
  runs: Run[];
  warnings: Warning[];
}

export function toDisplayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
}

export function detectFormat(sniff: Sniff): Ingester | undefined {
  return INGESTERS.find((i) => {
    try {
      return i.detect(sniff);
    } catch {
      return false;
    }
  });
}

/** Labels from `key=value` folder names on a path, e.g. `runs/replicas=3/k6.json`. */
export function labelsFromPath(displayPath: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const dirs = displayPath.split('/').slice(0, -1);
  for (const d of dirs) {
    const m = /^([^=]+)=(.+)$/.exec(d);
    if (m && isLabelKey(m[1]!)) labels[m[1]!] = m[2]!;
  }
  return labels;
}

export function slug(s: string): string {
  const out = s
    .toLowerCase()
    .replace(/[^a-z0-9._=-]+/g, '-')
    .replace(/=/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .replace(/-{2,}/g, '-');
  return out || 'run';
}

function commonDir(dirs: string[]): string {
  if (dirs.length === 0) return '';
  const split = dirs.map((d) => (d === '.' || d === '' ? [] : d.split('/')));
  const first = split[0]!;
  let n = first.length;
  for (const s of split) {
    let i = 0;
    while (i < n && i < s.length && s[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join('/');
}

interface Group {
  key: string;
  explicitId?: string;
  spec?: RunInput;
  parts: RunPart[];
  /** Display path of the first file of the group. */
  firstFile: string;
}

export async function ingestRuns(runInputs: RunInput[], opts: PipelineOptions = {}): Promise<IngestResult> {
  const cwd = opts.cwd ?? process.cwd();
  const options: IngestOptions = { ...DEFAULT_INGEST_OPTIONS, ...opts };
  // An option passed as undefined (e.g. timelineIntervalS absent from the config) keeps its default.
  for (const k of Object.keys(DEFAULT_INGEST_OPTIONS) as Array<keyof IngestOptions>) {
    if (options[k] === undefined) (options as unknown as Record<string, unknown>)[k] = DEFAULT_INGEST_OPTIONS[k];
  }
  const warnings: Warning[] = [];
  const groups = new Map<string, Group>();

  // Expand every input first so progress knows the total.
  const plan: PlanItem[] = [];
  for (const spec of runInputs) {
    if (spec.format && !findIngester(spec.format)) {
      throw new UsageError(`unknown format "${spec.format}"; known formats: ${formatNames().join(', ')}`);
    }
    const files = await expandInputs(spec.inputs, cwd, (w) => warnings.push({ ...w, ...(w.file ? { file: toDisplayPath(w.file, cwd) } : {}) }));
    for (const f of files) {
      const size = (await fs.stat(f.path)).size;
      plan.push({ spec, file: f.path, explicit: f.explicit, size });
    }
  }
  const totalBytes = plan.reduce((a, p) => a + p.size, 0);
  // Files are read concurrently, one per core (several big k6 files then use both cores
  // without each starting worker threads), and their results are taken in input order,
  // so warnings, run names and errors are the same as reading one after another.
  const read = new Array<number>(plan.length).fill(0);
  const progress = (i: number, bytes: number) => {
    read[i] = Math.min(bytes, plan[i]!.size);
    opts.onProgress?.(read.reduce((x, y) => x + y, 0), totalBytes);
  };
  const { results: outcomes, stop } = limitConcurrency(
    plan.map((item, i) => () => readItem(item, cwd, options, opts, (b) => progress(i, b))),
    plan.length > 1 ? Math.min(availableParallelism(), 4) : 1,
  );

  const firstSkipped = new Map<RunInput, InputError>();
  const produced = new Set<RunInput>();
  for (let i = 0; i < plan.length; i++) {
    const item = plan[i]!;
    const outcome = await outcomes[i]!;
    const display = toDisplayPath(item.file, cwd);
    if (outcome.format !== undefined) opts.onFile?.(display, outcome.format);
    warnings.push(...outcome.warnings);
    if ('error' in outcome) {
      stop(); // inputs not started yet are not read; the ones being read finish on their own
      throw outcome.error;
    }
    progress(i, item.size);
    const parts = outcome.parts;
    if (outcome.skipped && !firstSkipped.has(item.spec)) firstSkipped.set(item.spec, outcome.skipped);
    if (parts.length > 0) produced.add(item.spec);

    const pathLabels = labelsFromPath(display);
    for (const part of parts) {
      for (const s of part.sources) s.path = toDisplayIfAbs(s.path, cwd);
      checkPartNumbers(part, (message) => warnings.push({ file: display, message }));
      const capped = capEndpoints(part.endpoints);
      if (capped.folded > 0) {
        warnings.push({ file: display, message: `${part.endpoints.length} endpoints: kept the ${MAX_ENDPOINTS} with the most requests and folded the other ${capped.folded} into "${OTHER_ENDPOINTS}"` });
        part.endpoints = capped.endpoints;
      }
      for (const s of part.series) s.source = toDisplayIfAbs(s.source, cwd);
      // Labels the file records itself (k6 run tags, bombardier's connections) describe
      // what was run, so they win over folder names; the run's configured labels win over both.
      for (const [k, v] of Object.entries(part.labels)) {
        const folder = pathLabels[k];
        if (folder !== undefined && folder !== v && item.spec.labels?.[k] === undefined) {
          warnings.push({ file: display, message: `label ${k}: the folder name says "${folder}" but the file records "${v}"; using "${v}"` });
        }
      }
      part.labels = { ...pathLabels, ...part.labels, ...(item.spec.labels ?? {}) };
      if (item.spec.thinkTimeS !== undefined) part.thinkTimeS = item.spec.thinkTimeS;
      const key = item.spec.id ? `id:${item.spec.id}` : `key:${part.groupKey}`;
      let g = groups.get(key);
      if (!g) {
        g = { key, explicitId: item.spec.id, spec: item.spec, parts: [], firstFile: display };
        groups.set(key, g);
      }
      g.parts.push(part);
    }
  }

  // A format forced on a folder that holds no file of it: the first file's error, as when it is named.
  for (const [spec, error] of firstSkipped) if (!produced.has(spec)) throw error;

  const runs = nameAndMerge([...groups.values()]);
  const attached = attachPrometheusRuns(runs, (w) => warnings.push(w));
  attached.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { runs: attached, warnings };
}

interface PlanItem {
  spec: RunInput;
  file: string;
  explicit: boolean;
  size: number;
}

/** What reading one input gave: its parts or the error to report, and its warnings in order. */
type ItemOutcome = { format?: string | null; warnings: Warning[] } & ({ parts: RunPart[]; skipped?: InputError } | { error: unknown });

/** Detects and ingests one input (through the cache for big ones); never throws. */
async function readItem(item: PlanItem, cwd: string, options: IngestOptions, opts: PipelineOptions, onBytes: (b: number) => void): Promise<ItemOutcome> {
  const display = toDisplayPath(item.file, cwd);
  const warnings: Warning[] = [];
  let format: string | null | undefined;
  try {
    if (item.size === 0) {
      // A run killed before it wrote anything: say so rather than "unknown format".
      if (item.explicit) throw new InputError(display, 'the file is empty (0 bytes); nothing to read (was the run killed before it wrote anything?)');
      warnings.push({ file: display, message: 'skipped an empty file (0 bytes)' });
      return { warnings, parts: [] };
    }
    const sniff = await sniffFile(item.file);
    let ingester: Ingester | undefined;
    if (item.spec.format) ingester = findIngester(item.spec.format);
    else ingester = detectFormat(sniff);
    format = ingester?.format ?? null;
    if (!ingester) {
      if (item.explicit) {
        const what = looksBinary(sniff.head) ? 'the content is binary, not text' : 'not a k6, Locust, bombardier or Prometheus file that ce-report can read';
        throw new InputError(display, `unknown format: ${what} (use --format to force one of: ${formatNames().join(', ')})`);
      }
      return { format, warnings, parts: [] };
    }
    const ctx: IngestContext = {
      options: { ...options, onBytes },
      // Warnings quote artifacts: keep each one line, whatever an ingester put in it.
      warn: (w) => warnings.push({ ...w, message: oneLine(w.message), file: w.file ? toDisplayIfAbs(w.file, cwd) : display }),
    };
    const useCache = !!opts.cacheDir && item.size >= CACHE_MIN_BYTES;
    const key = useCache ? await cacheKey(item.file, ingester.format, { i: options.timelineIntervalS, m: options.maxDecompressedBytes }, opts.version ?? '') : '';
    const cached = useCache ? await readCache(opts.cacheDir!, key) : undefined;
    if (cached) {
      for (const w of cached.warnings) ctx.warn(w);
      return { format, warnings, parts: cached.parts };
    }
    const fileWarnings: Warning[] = [];
    const inner: IngestContext = { options: ctx.options, warn: (w) => { fileWarnings.push(w); ctx.warn(w); } };
    const parts = await ingester.ingest(item.file, inner);
    if (useCache) await writeCache(opts.cacheDir!, key, { parts, warnings: fileWarnings });
    return { format, warnings, parts };
  } catch (e) {
    // Inside a folder, a file that holds no data (a saved Prometheus error answer) is skipped with a warning.
    if (e instanceof NoDataInputError && !item.explicit) {
      warnings.push({ file: display, message: `${oneLine(e.detail)}; skipped this file` });
      return { format, warnings, parts: [] };
    }
    // A format forced on a folder (--format k6-json results/) meets its logs and other tools' files too.
    if (item.spec.format && !item.explicit && e instanceof InputError) {
      const at = e.line !== undefined ? { line: e.line, ...(e.column !== undefined ? { column: e.column } : {}) } : {};
      warnings.push({ file: display, ...at, message: `not read as ${item.spec.format} (the format given): ${oneLine(e.detail)}; skipped this file` });
      return { format, warnings, parts: [], skipped: new InputError(display, e.detail, at) };
    }
    if (e instanceof InputError && path.isAbsolute(e.file)) {
      return { format, warnings, error: new InputError(toDisplayPath(e.file, cwd), e.detail, { line: e.line, column: e.column }) };
    }
    return { format, warnings, error: e };
  }
}

/** Starts the tasks at most `limit` at a time; the promises come back in task order. After `stop`, no more start (their promises never settle). */
function limitConcurrency<T>(tasks: Array<() => Promise<T>>, limit: number): { results: Array<Promise<T>>; stop: () => void } {
  let next = 0;
  let stopped = false;
  const starters: Array<() => void> = [];
  const results = tasks.map(
    (task) =>
      new Promise<T>((resolve, reject) => {
        starters.push(() => {
          task()
            .then(resolve, reject)
            .finally(() => {
              if (!stopped && next < starters.length) starters[next++]!();
            });
        });
      }),
  );
  while (next < Math.min(limit, starters.length)) starters[next++]!();
  return { results, stop: () => (stopped = true) };
}

/** NUL bytes or many replacement characters in the first bytes: not a text artifact. */
function looksBinary(head: string): boolean {
  const sample = head.slice(0, 4096);
  if (sample.includes('\u0000')) return true;
  const bad = sample.match(/\ufffd/g)?.length ?? 0;
  return sample.length > 0 && bad / sample.length > 0.1;
}

function toDisplayIfAbs(p: string, cwd: string): string {
  return path.isAbsolute(p) ? toDisplayPath(p, cwd) : p;
}

function nameAndMerge(groups: Group[]): Run[] {
  const dirOf = (g: Group) => path.posix.dirname(g.firstFile);
  const implicit = groups.filter((g) => !g.explicitId);
  const base = commonDir(implicit.map(dirOf));
  const used = new Set<string>(groups.filter((g) => g.explicitId).map((g) => g.explicitId!));
  const runs: Run[] = [];
  for (const g of groups) {
    let id: string;
    let name: string;
    if (g.explicitId) {
      id = g.explicitId;
      name = g.spec?.name ?? g.explicitId;
    } else {
      const dir = dirOf(g);
      const relDir = base && dir.startsWith(base) ? dir.slice(base.length).replace(/^\//, '') : dir === '.' ? '' : dir;
      const partName = g.parts.find((p) => p.name)?.name;
      const dirBase = relDir ? path.posix.basename(relDir) : '';
      const pieces = [relDir, partName && partName !== dirBase ? partName : ''].filter(Boolean);
      const raw = pieces.join('/') || partName || path.posix.basename(base || g.firstFile) || 'run';
      id = slug(raw.replace(/\//g, '-'));
      name = raw;
      let n = 2;
      const stem = id;
      while (used.has(id)) id = `${stem}-${n++}`;
    }
    used.add(id);
    runs.push(mergeParts(g.parts, id, name));
  }
  return runs;
}
