// Fixture-driven ingester tests, in the style of remark's test suites: each folder
// fixtures/<format>/<case>/ holds `input/` (real tool output), `expected.json` (the
// expected model, partial: only what the case is about; values come from the tool's
// own reports, never from our output) and optionally `config.json`:
//   { "format": "k6-json", "labels": {...}, "tolerancePct": 0, "tolerances": {"latencyMs": 1},
//     "expectWarnings": 1, "expectError": "substring" }
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { validateModel } from '../src/model/schema.js';
import { SCHEMA_VERSION, type Model } from '../src/model/types.js';
import { partialMismatches } from './helpers/match.js';

const root = path.resolve(__dirname, '..', 'fixtures');

interface CaseConfig {
  format?: string;
  labels?: Record<string, string>;
  tolerancePct?: number;
  tolerances?: Record<string, number>;
  expectWarnings?: number;
  expectError?: string;
  skip?: string;
}

const cases: Array<{ name: string; dir: string }> = [];
if (existsSync(root)) {
  for (const format of readdirSync(root).sort()) {
    const fdir = path.join(root, format);
    if (!statSync(fdir).isDirectory()) continue;
    for (const c of readdirSync(fdir).sort()) {
      const dir = path.join(fdir, c);
      if (existsSync(path.join(dir, 'input')) && (existsSync(path.join(dir, 'expected.json')) || existsSync(path.join(dir, 'config.json')))) {
        cases.push({ name: `${format}/${c}`, dir });
      }
    }
  }
}

describe('fixtures', () => {
  it('has fixture cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    const cfgPath = path.join(c.dir, 'config.json');
    const cfg: CaseConfig = existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : {};
    it.skipIf(!!cfg.skip)(c.name, async () => {
      const run = ingestRuns([{ inputs: ['input'], format: cfg.format, labels: cfg.labels }], { cwd: c.dir });
      if (cfg.expectError) {
        await expect(run).rejects.toThrow(cfg.expectError);
        return;
      }
      const result = await run;
      const model: Model = { schemaVersion: SCHEMA_VERSION, generator: { name: 'ce-report', version: 'test' }, runs: result.runs, warnings: result.warnings };
      const schemaErrors = validateModel(model);
      expect(schemaErrors, 'model must pass the JSON Schema').toEqual([]);
      if (cfg.expectWarnings !== undefined) expect(result.warnings.length, JSON.stringify(result.warnings)).toBe(cfg.expectWarnings);
      const expectedPath = path.join(c.dir, 'expected.json');
      if (existsSync(expectedPath)) {
        const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
        const mismatches = partialMismatches(model, expected, { tolerancePct: cfg.tolerancePct ?? 0, tolerances: cfg.tolerances });
        expect(mismatches).toEqual([]);
      }
    });
  }
});
