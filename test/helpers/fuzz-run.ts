// Property-based robustness of every ingester: mutated versions of every fixture input
// (bit flips, truncation, line deletion/duplication/swaps, CSV column removal and extra
// cells, garbage bytes, hostile number tokens, CRLF+BOM, gzip and truncated gzip) go
// through ingestRuns, with the format forced and with detection. Each case must end in
// either a clean one-line InputError naming the file, or a model that passes the JSON
// Schema with only finite numbers, and never hang.
//
// The seeds are split over shards (one test file each) so vitest's two workers share
// the work; each shard writes test-output/fuzz-stats-<n>.json and the shards' totals
// are summed into test-output/fuzz-stats.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { promises as fs, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, UsageError } from '../../src/ingest/errors.js';
import { detectFormat, ingestRuns } from '../../src/ingest/pipeline.js';
import { stripBom } from '../../src/ingest/read.js';
import { INGESTERS } from '../../src/ingest/registry.js';
import { validateModel } from '../../src/model/schema.js';
import { SCHEMA_VERSION, type Model } from '../../src/model/types.js';
import { loadSeeds, type Seed } from './fuzz-seeds.js';
import { applyCase, fuzzCaseArb, type FuzzCase } from './mutate.js';

const root = path.resolve(__dirname, '..', '..');
const outDir = path.join(root, 'test-output');
/** Total generated cases across all shards, seeds and ingesters (CI runs at least 10,000). */
export const TOTAL_CASES = Number(process.env.FUZZ_CASES ?? 10_000);
/** Cases per seed for each ingester that is not the seed's own format (cheap rejections). */
const FOREIGN_CASES = 3;
const SEED_MAX_BYTES = 24 * 1024;
const CASE_TIMEOUT_MS = 10_000;
/** Small enough that a mutated gzip cannot blow up memory; big enough for every seed. */
const MAX_DECOMPRESSED = 4 * 1024 * 1024;
const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

interface Plan {
  seed: Seed;
  /** A format name, or undefined for detection. */
  format: string | undefined;
  runs: number;
}

function nativeFormat(seed: Seed): string | undefined {
  const head = stripBom(seed.content.subarray(0, 64 * 1024).toString('utf8'));
  return detectFormat({ path: seed.name, name: seed.name, head, gzip: false, size: seed.content.length })?.format;
}

/** Every seed × (every ingester forced, and detection), with the case budget spread over them. */
function makePlans(seeds: Seed[]): Plan[][] {
  const formats = INGESTERS.map((i) => i.format);
  const perSeed: Plan[][] = [];
  const native: Plan[] = [];
  for (const seed of seeds) {
    const own = nativeFormat(seed);
    const plans: Plan[] = [];
    for (const f of [...formats, undefined]) {
      const p = { seed, format: f, runs: FOREIGN_CASES };
      plans.push(p);
      if (f === own || f === undefined) native.push(p);
    }
    perSeed.push(plans);
  }
  // The rest of the budget goes to the seed's own format and to detection, where
  // mutations reach deep into the parser instead of failing detection at once.
  const planned = perSeed.flat().reduce((a, p) => a + p.runs, 0);
  const each = native.length ? Math.ceil(Math.max(0, TOTAL_CASES - planned) / native.length) : 0;
  for (const p of native) p.runs += each;
  return perSeed;
}

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

/**
 * The number invariants every model keeps (issue 20): 0 ≤ failures ≤ requests, whole
 * counts; min ≤ p50 ≤ p90 ≤ p95 ≤ p99 ≤ max after rounding; a timeline in time order.
 */
export function invariantProblem(model: Model): string | undefined {
  const stats = (s: { requests: number; failures: number; latencyMs: Record<string, number | null> }, at: string) => {
    if (!(s.failures >= 0 && s.failures <= s.requests)) return `${at}: ${s.failures} failures of ${s.requests} requests`;
    if (!Number.isInteger(s.requests) && s.requests > 1e15) return `${at}: requests ${s.requests}`;
    const l = s.latencyMs;
    const seq = ['min', 'p50', 'p90', 'p95', 'p99', 'max'].map((k) => [k, l[k]] as const).filter((x): x is readonly [string, number] => typeof x[1] === 'number');
    for (let i = 1; i < seq.length; i++) if (seq[i]![1] < seq[i - 1]![1]) return `${at}: ${seq[i - 1]![0]} ${seq[i - 1]![1]} > ${seq[i]![0]} ${seq[i]![1]}`;
    return undefined;
  };
  for (const [r, run] of model.runs.entries()) {
    const p = stats(run.summary as never, `runs[${r}].summary`) ?? run.endpoints.map((e, i) => stats(e as never, `runs[${r}].endpoints[${i}]`)).find(Boolean);
    if (p) return p;
    for (const [i, pt] of run.timeline.entries()) {
      const q = stats({ requests: pt.requests, failures: pt.failures, latencyMs: pt.latencyMs as never }, `runs[${r}].timeline[${i}]`);
      if (q) return q;
      if (i > 0 && pt.t < run.timeline[i - 1]!.t) return `runs[${r}].timeline[${i}]: t ${pt.t} after ${run.timeline[i - 1]!.t}`;
    }
  }
  return undefined;
}

type Outcome = { kind: 'model' } | { kind: 'inputError' } | { kind: 'problem'; problem: string };

/** Runs one case; a problem is anything but a valid model or a clean one-line InputError. */
async function runCase(dir: string, fileName: string, bytes: Buffer, format: string | undefined): Promise<Outcome> {
  for (const old of readdirSync(dir)) if (old !== fileName) await fs.rm(path.join(dir, old), { force: true });
  await fs.writeFile(path.join(dir, fileName), bytes);
  const t = timeout(CASE_TIMEOUT_MS, `ingesting ${fileName}`);
  try {
    const result = await Promise.race([ingestRuns([{ inputs: [fileName], format }], { cwd: dir, maxDecompressedBytes: MAX_DECOMPRESSED }), t.promise]);
    const model: Model = { schemaVersion: SCHEMA_VERSION, generator: { name: 'ce-report', version: 'fuzz' }, runs: result.runs, warnings: result.warnings };
    const bad = nonFinitePath(model);
    if (bad) return { kind: 'problem', problem: `model has a non-finite number at ${bad}` };
    const errors = validateModel(JSON.parse(JSON.stringify(model)));
    if (errors.length > 0) return { kind: 'problem', problem: `model fails the schema: ${errors.slice(0, 3).join('; ')}` };
    const broken = invariantProblem(model);
    if (broken) return { kind: 'problem', problem: `model has an impossible number: ${broken}` };
    const multiLine = result.warnings.find((w) => /[\r\n]/.test(w.message));
    if (multiLine) return { kind: 'problem', problem: `warning is not one line: ${JSON.stringify(multiLine.message.slice(0, 200))}` };
    return { kind: 'model' };
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) {
      const msg = e.message;
      if (!msg.startsWith(fileName)) return { kind: 'problem', problem: `error does not start with the file name: ${JSON.stringify(msg.slice(0, 200))}` };
      if (/[\r\n]/.test(msg) || msg.includes('    at ')) return { kind: 'problem', problem: `error is not one line: ${JSON.stringify(msg.slice(0, 300))}` };
      if (msg.length > 1000) return { kind: 'problem', problem: `error message is ${msg.length} characters long` };
      return { kind: 'inputError' };
    }
    const err = e as Error;
    const where = err?.stack ? ' @ ' + (err.stack.split('\n').find((l) => l.includes('/src/')) ?? '').trim() : '';
    return { kind: 'problem', problem: `uncaught ${err?.name ?? typeof e}: ${String(err?.message ?? e).slice(0, 300)}${where}` };
  } finally {
    t.clear();
  }
}

interface ShardStats {
  cases: number;
  models: number;
  inputErrors: number;
  byFormat: Record<string, { cases: number; models: number; inputErrors: number }>;
  problems: string[];
  seeds: string[];
}

/** Sums the shards' stats files into test-output/fuzz-stats.json (whichever shard ends last has the full total). */
function writeTotals(): { cases: number; problems: number; shards: number } {
  const files = readdirSync(outDir).filter((f) => /^fuzz-stats-\d+\.json$/.test(f));
  const total = { fuzzSeed: FUZZ_SEED, shards: files.length, cases: 0, models: 0, inputErrors: 0, problems: [] as string[], byFormat: {} as ShardStats['byFormat'], seeds: [] as string[] };
  for (const f of files) {
    const s = JSON.parse(readFileSync(path.join(outDir, f), 'utf8')) as ShardStats;
    total.cases += s.cases;
    total.models += s.models;
    total.inputErrors += s.inputErrors;
    total.problems.push(...s.problems);
    total.seeds.push(...s.seeds);
    for (const [k, v] of Object.entries(s.byFormat)) {
      const t = (total.byFormat[k] ??= { cases: 0, models: 0, inputErrors: 0 });
      t.cases += v.cases;
      t.models += v.models;
      t.inputErrors += v.inputErrors;
    }
  }
  writeFileSync(path.join(outDir, 'fuzz-stats.json'), JSON.stringify(total, null, 2) + '\n');
  return { cases: total.cases, problems: total.problems.length, shards: files.length };
}

export function defineFuzzShard(shard: number, shards: number): void {
  const allSeeds = loadSeeds(root, SEED_MAX_BYTES);
  const allPlans = makePlans(allSeeds);
  const mine = allPlans.filter((_, i) => i % shards === shard);
  const stats: ShardStats = { cases: 0, models: 0, inputErrors: 0, byFormat: {}, problems: [], seeds: mine.map((p) => p[0]!.seed.origin) };
  let tmp: string;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ce-report-fuzz-'));
    mkdirSync(outDir, { recursive: true });
    // A stale stats file from an earlier run with more shards would inflate the totals.
    for (const f of existsSync(outDir) ? readdirSync(outDir) : []) {
      const m = /^fuzz-stats-(\d+)\.json$/.exec(f);
      if (m && Number(m[1]) >= shards) await fs.rm(path.join(outDir, f), { force: true });
    }
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
    writeFileSync(path.join(outDir, `fuzz-stats-${shard}.json`), JSON.stringify({ fuzzSeed: FUZZ_SEED, ...stats }, null, 2) + '\n');
    const total = writeTotals();
    console.log(
      `fuzz shard ${shard + 1}/${shards}: ${stats.cases} generated cases over ${mine.length} seed inputs × (${INGESTERS.length} ingesters forced + detection): ` +
        `${stats.models} models, ${stats.inputErrors} clean input errors, ${stats.problems.length} problems (FUZZ_SEED=${FUZZ_SEED}); ` +
        `all shards so far: ${total.cases} cases, ${total.problems} problems → test-output/fuzz-stats.json`,
    );
  });

  describe(`fuzz shard ${shard + 1}/${shards}: mutated inputs through every ingester`, () => {
    it('has seeds and ingesters, and plans at least the required number of cases', () => {
      expect(allSeeds.length).toBeGreaterThan(0);
      expect(INGESTERS.length).toBeGreaterThan(0);
      expect(allPlans.flat().reduce((a, p) => a + p.runs, 0)).toBeGreaterThanOrEqual(TOTAL_CASES);
    });

    mine.forEach((plans, index) => {
      const seed = plans[0]!.seed;
      it(`${seed.origin} (${plans.reduce((a, p) => a + p.runs, 0)} cases)`, async () => {
        const dir = path.join(tmp, String(index));
        mkdirSync(dir, { recursive: true });
        const failures: string[] = [];
        for (const [planIndex, plan] of plans.entries()) {
          const mode = plan.format ?? 'detect';
          const fb = (stats.byFormat[mode] ??= { cases: 0, models: 0, inputErrors: 0 });
          let last: { c: FuzzCase; problem: string; bytes: Buffer; fileName: string } | undefined;
          const property = fc.asyncProperty(fuzzCaseArb, async (c) => {
            const bytes = applyCase(seed.content, c);
            const fileName = seed.name + (c.packing.kind !== 'plain' ? '.gz' : '');
            const r = await runCase(dir, fileName, bytes, plan.format);
            stats.cases++;
            fb.cases++;
            if (r.kind === 'model') {
              stats.models++;
              fb.models++;
            } else if (r.kind === 'inputError') {
              stats.inputErrors++;
              fb.inputErrors++;
            } else {
              last = { c, problem: r.problem, bytes, fileName };
              return false;
            }
            return true;
          });
          try {
            await fc.assert(property, { numRuns: plan.runs, seed: FUZZ_SEED + shard * 100_003 + index * 101 + planIndex });
          } catch (e) {
            if (!last) throw e;
            // Keep the smallest failing input to reproduce by hand: ce-report ingest <file>.
            const saveDir = path.join(outDir, 'fuzz-failures');
            mkdirSync(saveDir, { recursive: true });
            const saved = path.join(saveDir, `${shard}-${index}-${mode}-${last.fileName}`);
            writeFileSync(saved, last.bytes);
            const message = `${seed.origin} as ${mode}: ${last.problem}\n    mutation: ${JSON.stringify(last.c)}\n    input saved to ${path.relative(root, saved)}`;
            stats.problems.push(message);
            failures.push(message);
          }
        }
        expect(failures, failures.join('\n')).toEqual([]);
      });
    });
  });
}
