// The rendered-chart cache: a chart is drawn once per spec and renderer; anything that
// changes the SVG (data, id prefix) is a miss.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { cachedChartRenderer } from '../src/chart-cache.js';
import type { ChartRenderer } from '../src/render/chart-pool.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function countingRenderer(): ChartRenderer & { calls: number } {
  const r = {
    calls: 0,
    async render(spec: TopLevelSpec, idPrefix: string) {
      r.calls++;
      return `<svg data-prefix="${idPrefix}">${JSON.stringify(spec)}</svg>`;
    },
    async close() {},
  };
  return r;
}

const spec = (values: number[]) => ({ mark: 'line', data: { values: values.map((v, i) => ({ x: i, y: v })) } }) as unknown as TopLevelSpec;

describe('cachedChartRenderer', () => {
  it('draws each chart once, and again when its data or id prefix changes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ce-chart-cache-'));
    dirs.push(dir);
    const inner = countingRenderer();
    const first = cachedChartRenderer(inner, dir);
    const a = await first.render(spec([1, 2, 3]), 'c1');
    await first.close();
    const second = cachedChartRenderer(inner, dir);
    expect(await second.render(spec([1, 2, 3]), 'c1')).toBe(a);
    expect(inner.calls).toBe(1);
    await second.render(spec([1, 2, 4]), 'c1');
    await second.render(spec([1, 2, 3]), 'c2');
    expect(inner.calls).toBe(3);
    await second.close();
    expect((await readdir(path.join(dir, 'charts'))).filter((f) => f.endsWith('.svg'))).toHaveLength(3);
  });

  it('draws anyway when the cache folder cannot be written', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ce-chart-cache-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'charts'), 'a file where the folder should be');
    const inner = countingRenderer();
    const r = cachedChartRenderer(inner, dir);
    expect(await r.render(spec([5]), 'p')).toContain('data-prefix="p"');
    expect(await r.render(spec([5]), 'p')).toContain('data-prefix="p"');
    expect(inner.calls).toBe(2);
    await r.close();
  });
});
