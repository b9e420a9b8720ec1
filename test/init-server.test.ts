// `ce-report init` on runs with Prometheus series: the series a STAT(SERIES) metric can
// name are listed, an inferred split experiment keeps its split, and the config loads.
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { initCommand } from '../src/init.js';

const FIX = path.resolve(__dirname, '..', 'fixtures', 'experiments', 'canary-threads');
const dir = mkdtempSync(path.join(tmpdir(), 'ce-init-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('init with Prometheus series', () => {
  it('lists the series names and writes the inferred split experiment', async () => {
    const out = path.join(dir, 'ce-report.config.json');
    const r = await initCommand([FIX], { output: out, cwd: dir, force: true });
    expect([r.runs, r.studies]).toEqual([5, 3]);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('    // Prometheus series found, for STAT(SERIES) metrics:\n    //   "processing_max_5s"\n    //   "processing_max_5s_by_version"\n    //   "processing_p95"\n    //   "processing_p95_by_version"\n');
    const { config } = await loadConfig(out, dir);
    const split = config.studies!.find((s) => s.kind === 'experiment' && s.split);
    expect(split).toMatchObject({ metric: 'max(processing_max_5s_by_version)', split: { label: 'version', baseline: 'stable', candidate: 'canary' } });
  });
});
