// ce-report.config.json: loading, validation (JSON Schema + unknown-key suggestions)
// and defaults. Paths inside a config are relative to the config file's folder.
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { InputError, UsageError } from './ingest/errors.js';
import { parseJsonText } from './ingest/read.js';
import type { StudyConfig } from './analyze/types.js';
import type { RunInput } from './ingest/pipeline.js';

export const CONFIG_FILE_NAME = 'ce-report.config.json';

export interface PrometheusQueryConfig {
  name: string;
  query: string;
  unit?: string;
}

export interface PrometheusConfig {
  /** Base URL, e.g. http://127.0.0.1:9090 */
  url: string;
  queries: PrometheusQueryConfig[];
  /** Per-query timeout in seconds (default 10). */
  timeoutS?: number;
  /** Fixed step in seconds; by default chosen from the run length. */
  stepS?: number;
  /** Run ids to query for; default every run with a start and end. */
  runs?: string[];
  /** Seconds added before the start and after the end of each run (default 5). */
  paddingS?: number;
}

export interface Config {
  title?: string;
  description?: string;
  /** Output folder (default "site"). */
  out?: string;
  runs?: Array<RunInput>;
  /** Inputs not tied to a declared run; runs are found by grouping as on the command line. */
  inputs?: string[];
  studies?: StudyConfig[];
  prometheus?: PrometheusConfig;
  timelineIntervalS?: number;
  windowS?: number;
  failureRateThreshold?: number;
  /** Infer studies from labels even when `studies` is given (default: only when it is not). */
  inferStudies?: boolean;
  $schema?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Folder the config's relative paths are resolved against. */
  baseDir: string;
  file: string | null;
}

let schemaCache: object | undefined;
export function configSchema(): object {
  if (!schemaCache) {
    const url = new URL('../schema/config.schema.json', import.meta.url);
    schemaCache = JSON.parse(readFileSync(url, 'utf8')) as object;
  }
  return schemaCache;
}

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function suggest(word: string, candidates: string[]): string | undefined {
  let bestWord: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      bestWord = c;
    }
  }
  return bestWord !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? bestWord : undefined;
}

/** Finds the line and column of a key in JSON text, best effort, for error messages. */
function locate(text: string, key: string): { line?: number; column?: number } {
  const idx = text.indexOf(JSON.stringify(key));
  if (idx < 0) return {};
  const before = text.slice(0, idx);
  return { line: before.split('\n').length, column: idx - before.lastIndexOf('\n') };
}

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; oneOf?: JsonSchema[]; anyOf?: JsonSchema[]; additionalProperties?: unknown; $ref?: string; definitions?: Record<string, JsonSchema> };

export function validateConfig(value: unknown, file: string, text = ''): Config {
  const schema = configSchema() as JsonSchema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  if (validate(value)) return value as Config;
  const errors = validate.errors ?? [];
  // Unknown keys first: they are the most common mistake, and we can suggest the right one.
  const extra = errors.find((e) => e.keyword === 'additionalProperties');
  if (extra) {
    const key = String((extra.params as { additionalProperty: string }).additionalProperty);
    const known = knownKeysAt(schema, extra.instancePath, value);
    const hint = suggest(key, known);
    const where = extra.instancePath || '(top level)';
    throw new InputError(file, `unknown key "${key}" in ${where}` + (hint ? `; did you mean "${hint}"?` : known.length ? `; known keys: ${known.join(', ')}` : ''), locate(text, key));
  }
  const e = errors[0]!;
  throw new InputError(file, `${e.instancePath || '(top level)'} ${e.message ?? 'is invalid'}` + (e.params && 'allowedValues' in e.params ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : ''));
}

function resolveRef(root: JsonSchema, s: JsonSchema): JsonSchema {
  if (s.$ref?.startsWith('#/definitions/')) return root.definitions?.[s.$ref.slice('#/definitions/'.length)] ?? s;
  return s;
}

/** The property names the schema allows at a JSON pointer (for suggestions). */
function knownKeysAt(root: JsonSchema, pointer: string, value: unknown): string[] {
  let s: JsonSchema | undefined = root;
  let v: unknown = value;
  for (const seg of pointer.split('/').filter(Boolean)) {
    if (!s) return [];
    s = resolveRef(root, s);
    v = (v as Record<string, unknown>)?.[seg];
    if (/^\d+$/.test(seg)) s = s.items;
    else s = s.properties?.[seg];
  }
  if (!s) return [];
  s = resolveRef(root, s);
  const variants = s.oneOf ?? s.anyOf;
  if (variants) {
    const kind = (v as { kind?: string })?.kind;
    const keys = new Set<string>();
    for (const alt of variants) {
      const a = resolveRef(root, alt);
      const k = a.properties?.['kind'] as { const?: string } | undefined;
      if (kind && k?.const && k.const !== kind) continue;
      for (const key of Object.keys(a.properties ?? {})) keys.add(key);
    }
    return [...keys];
  }
  return Object.keys(s.properties ?? {});
}

/**
 * Removes line and block comments (outside strings) so configs can be commented, as
 * tsconfig.json is. Comments become spaces, so line/column positions stay right.
 */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\' && i + 1 < text.length) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) out += text[i] === '\n' ? '\n' : ' ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export async function loadConfig(configPath: string | undefined, cwd = process.cwd()): Promise<LoadedConfig> {
  let file: string | null = null;
  if (configPath) {
    file = path.resolve(cwd, configPath);
  } else {
    const candidate = path.resolve(cwd, CONFIG_FILE_NAME);
    try {
      await fs.access(candidate);
      file = candidate;
    } catch {
      file = null;
    }
  }
  if (!file) return { config: {}, baseDir: cwd, file: null };
  let text: string;
  const shown = path.relative(cwd, file) || file;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new UsageError(`${shown}: cannot read the config file`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Comments become spaces, so positions in errors stay those of the file as written.
  const value = parseJsonText(shown, stripJsonComments(text));
  const config = validateConfig(value, shown, text);
  return { config, baseDir: path.dirname(file), file };
}
