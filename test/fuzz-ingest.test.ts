// Property-based robustness of every ingester: mutated versions of every fixture input
// (bit flips, truncation, line deletion/duplication/swaps, CSV column removal and extra
// cells, garbage bytes, hostile number tokens, CRLF+BOM, gzip and truncated gzip) go
// through ingestRuns, with the format forced and with detection. Each case must end in
// either a clean one-line InputError naming the file, or a model that passes the JSON
// Schema, and never hang. The number of cases run is written to test-output/fuzz-stats.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { promises as fs, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, UsageError } from '../src/ingest/errors.js';
import { detectFormat, ingestRuns } from '../src/ingest/pipeline.js';
import { stripBom } from '../src/ingest/read.js';
import { INGESTERS } from '../src/ingest/registry.js';
import { validateModel } from '../src/model/schema.js';
import { SCHEMA_VERSION, type Model } from '../src/model/types.js';
import { loadSeeds, type Seed } from './helpers/fuzz-seeds.js';
import { applyCase, fuzzCaseArb, type FuzzCase } from './helpers/mutate.js';

const root = path.resolve(__dirname, '..');
/** Total generated cases across all seeds and ingesters (CI runs at least 10,000). */
const TOTAL_CASES = Number(process.env.FUZZ_CASES ?? 10_000);
/** Cases per seed for each ingester that is not the seed's own format (cheap rejections). */
const FOREIGN_CASES = 3;
const SEED_MAX_BYTES = 24 * 1024;
const CASE_TIMEOUT_MS = 10_000;
/** Small enough that a mutated gzip cannot blow up memory; big enough for every seed. */
const MAX_DECOMPRESSED = 4 * 1024 * 1024;
const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

const seeds = loadSeeds(root, SEED_MAX_BYTES);

function nativeFormat(seed: Seed): string | undefined {
  const head = stripBom(seed.content.subarray(0, 64 * 1024).toString('utf8'));
  return detectFormat({ path: seed.name, name: seed.name, head, gzip: false, size: seed.content.length })?.format;
}

interface Plan {
  seed: Seed;
  /** A format name, or undefined for detection. */
  format: string | undefined;
  runs: number;
}

function makePlan(): Plan[] {
  const formats = INGESTERS.map((i) => i.format);
  const plans: Plan[] = [];
  const native: Plan[] = [];
  for (const seed of seeds) {
    const own = nativeFormat(seed);
    for (const f of formats) {
      const p = { seed, format: f, runs: FOREIGN_CASES };
      plans.push(p);
      if (f === own) native.push(p);
    }
    const d = { seed, format: undefined, runs: FOREIGN_CASES };
    plans.push(d);
    native.push(d);
  }
  // The rest of the budget goes to the seed's own format and to detection, where
  // mutations reach deep into the parser instead of failing detection at once.
  const left = Math.max(0, TOTAL_CASES - plans.reduce((a, p) => a + p.runs, 0));
  const each = native.length ? Math.ceil(left / native.length) : 0;
  for (const p of native) p.runs += each;
  return plans;
}

const plans = makePlan();

interface Stats {
  cases: number;
  models: number;
  inputErrors: number;
  byFormat: Record<string, { cases: number; models: number; inputErrors: number }>;
  problems: string[];
}
const stats: Stats = { cases: 0, models: 0, inputErrors: 0, byFormat: {}, problems: [] };

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-fuzz-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
  const out = path.join(root, 'test-output');
  mkdirSync(out, { recursive: true });
  const seedOrigins = seeds.map((s) => s.origin);
  writeFileSync(path.join(out, 'fuzz-stats.json'), JSON.stringify({ fuzzSeed: FUZZ_SEED, seeds: seedOrigins.length, ...stats, seedOrigins }, null, 2) + '\n');
  console.log(`fuzz: ${stats.cases} generated cases over ${seeds.length} seed inputs and ${INGESTERS.length} ingesters + detection: ${stats.models} models, ${stats.inputErrors} input errors, ${stats.problems.length} problems (FUZZ_SEED=${FUZZ_SEED})`);
});

function timeout(ms: number, what: string): { promise: Promise<never>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} did not finish within ${ms} ms`)), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

function nonFinitePath(v: unknown, at = '$'): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : at;
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const p = nonFinitePath(x, `${at}.${k}`);
      if (p) return p;
    }
  }
  return undefined;
}

/** Returns a problem description, or undefined when the case ended acceptably. */
async function runCase(dir: string, fileName: string, bytes: Buffer, format: string | undefined): Promise<{ problem?: string; model: boolean }> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, fileName), bytes);
  const t = timeout(CASE_TIMEOUT_MS, `ingesting ${fileName}`);
  try {
    const result = await Promise.race([ingestRuns([{ inputs: [fileName], format }], { cwd: dir, maxDecompressedBytes: MAX_DECOMPRESSED }), t.promise]);
    const model: Model = { schemaVersion: SCHEMA_VERSION, generator: { name: 'ce-report', version: 'fuzz' }, runs: result.runs, warnings: result.warnings };
    const bad = nonFinitePath(model);
    if (bad) return { problem: `model has a non-finite number at ${bad}`, model: true };
    const errors = validateModel(JSON.parse(JSON.stringify(model)));
    if (errors.length > 0) return { problem: `model fails the schema: ${errors.slice(0, 3).join('; ')}`, model: true };
    const multiLine = result.warnings.find((w) => /[\r\n]/.test(w.message));
    if (multiLine) return { problem: `warning is not one line: ${JSON.stringify(multiLine.message.slice(0, 200))}`, model: true };
    return { model: true };
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) {
      const msg = e.message;
      if (!msg.startsWith(fileName)) return { problem: `error does not start with the file name: ${JSON.stringify(msg.slice(0, 200))}`, model: false };
      if (/[\r\n]/.test(msg)) return { problem: `error is not one line: ${JSON.stringify(msg.slice(0, 300))}`, model: false };
      if (msg.length > 1000) return { problem: `error message is ${msg.length} characters long`, model: false };
      return { model: false };
    }
    const err = e as Error;
    return { problem: `uncaught ${err?.name ?? typeof e}: ${String(err?.message ?? e).slice(0, 300)}${err?.stack ? ' @ ' + (err.stack.split('\n')[1] ?? '').trim() : ''}`, model: false };
  } finally {
    t.clear();
  }
}

function describeCase(c: FuzzCase): string {
  return JSON.stringify(c);
}

describe('fuzz: mutated fixtures through every ingester', () => {
  it('has seeds and ingesters, and plans at least the required number of cases', () => {
    expect(seeds.length).toBeGreaterThan(0);
    expect(INGESTERS.length).toBeGreaterThan(0);
    expect(plans.reduce((a, p) => a + p.runs, 0)).toBeGreaterThanOrEqual(TOTAL_CASES);
  });

  plans.forEach((plan, index) => {
    const mode = plan.format ?? 'detect';
    it(`${plan.seed.origin} as ${mode} (${plan.runs} cases)`, async () => {
      const dir = path.join(tmp, String(index));
      const fb = (stats.byFormat[mode] ??= { cases: 0, models: 0, inputErrors: 0 });
      let last: { c: FuzzCase; problem: string; bytes: Buffer; fileName: string } | undefined;
      const property = fc.asyncProperty(fuzzCaseArb, async (c) => {
        const bytes = applyCase(plan.seed.content, c);
        const gz = c.packing.kind !== 'plain';
        const fileName = plan.seed.name + (gz ? '.gz' : '');
        const r = await runCase(dir, fileName, bytes, plan.format);
        stats.cases++;
        fb.cases++;
        if (r.model) {
          stats.models++;
          fb.models++;
        } else if (!r.problem) {
          stats.inputErrors++;
          fb.inputErrors++;
        }
        if (r.problem) {
          last = { c, problem: r.problem, bytes, fileName };
          return false;
        }
        return true;
      });
      try {
        await fc.assert(property, { numRuns: plan.runs, seed: FUZZ_SEED + index, endOnFailure: false, verbose: 0 });
      } catch (e) {
        if (!last) throw e;
        // Keep the smallest failing input to reproduce by hand: ce-report ingest <file>.
        const outDir = path.join(root, 'test-output', 'fuzz-failures');
        mkdirSync(outDir, { recursive: true });
        const saved = path.join(outDir, `${index}-${mode}-${last.fileName}`);
        writeFileSync(saved, last.bytes);
        const message = `${plan.seed.origin} as ${mode}: ${last.problem}\n  mutation: ${describeCase(last.c)}\n  input saved to ${path.relative(root, saved)}`;
        stats.problems.push(message);
        throw new Error(message);
      }
    });
  });
});
