// A server-side experiment whose names come from hostile artifacts: the series name and
// unit (a saved answer's sidecar) and the split label's values (Prometheus labels) must
// reach the site's HTML and Markdown as text, never as markup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { build } from '../src/build.js';
import { removeScratch, scratch, type Scratch } from './helpers/bad-inputs.js';

const BOMBARDIER = path.resolve(__dirname, '..', 'fixtures', 'experiments', 'canary-threads', 'pair=threads', 'variant=stable', 'text', 'bombardier.txt');
const EVIL_VERSION = '<img src=x onerror=alert(31)>';
const EVIL_NAME = 'proc <b>max</b> *x* | [y]';
const EVIL_UNIT = '<img src=x onerror=alert(33)>';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

let s: Scratch;
let site = '';
afterAll(removeScratch);

beforeAll(async () => {
  s = await scratch();
  const t0 = 1_796_467_778;
  const values = (level: number) => Array.from({ length: 60 }, (_, i) => [t0 + i, String(level + 0.01 * Math.sin(i))]);
  await s.write('results/load/bombardier.txt', await fs.readFile(BOMBARDIER, 'utf8'));
  await s.write(
    'results/load/prometheus/proc.json',
    JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { version: EVIL_VERSION }, values: values(3) },
          { metric: { version: 'canary' }, values: values(0.5) },
        ],
      },
    }),
  );
  await s.write('results/load/prometheus/proc.query.json', JSON.stringify({ name: EVIL_NAME, query: 'max by (version) (proc_seconds)', unit: EVIL_UNIT }));
  await s.write(
    'ce-report.config.json',
    JSON.stringify({
      out: 'site',
      runs: [{ id: 'load', inputs: ['results/load/'] }],
      studies: [{ kind: 'experiment', id: 'split', baseline: 'load', candidate: 'load', metric: `max(${EVIL_NAME})`, split: { label: 'version', baseline: EVIL_VERSION, candidate: 'canary' } }],
    }),
  );
  site = (await build({ inputs: [], cwd: s.dir })).outDir;
}, 120_000);

describe('a split server-side experiment with hostile names', () => {
  it('is judged (the names really reached the study)', async () => {
    const analysis = JSON.parse(await fs.readFile(path.join(site, 'data', 'analysis.json'), 'utf8'));
    const study = analysis.studies.find((x: { id: string }) => x.id === 'split');
    expect(study.verdict).toBe('PASS');
    expect(study.unit).toBe(EVIL_UNIT);
    expect(study.conclusions[0]).toContain(EVIL_NAME);
  });

  it('writes no markup from them into any page (in Markdown, a backslash before < makes it text)', async () => {
    const files = (await filesUnder(site)).filter((f) => /\.(html|md)$/.test(f));
    expect(files.length).toBeGreaterThan(3);
    const found: string[] = [];
    for (const f of files) {
      const text = await fs.readFile(f, 'utf8');
      for (const m of text.matchAll(/(?<!\\)<img\b[^>]*>|(?<!\\)<b>max/gi)) found.push(`${path.relative(site, f)}: ${m[0]}`);
    }
    expect(found).toEqual([]);
    const page = await fs.readFile(path.join(site, 'studies', 'split.html'), 'utf8');
    // Shown, as text: the split value, the unit and the series name.
    const lt = '(?:&lt;|&#x3C;|&#60;)';
    expect(page).toMatch(new RegExp(`${lt}img src=x onerror=alert\\(31\\)`));
    expect(page).toMatch(new RegExp(`${lt}img src=x onerror=alert\\(33\\)`));
    expect(page).toMatch(new RegExp(`proc ${lt}b>max${lt}/b>`));
  });
});
