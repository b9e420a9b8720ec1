// Chart rendering: the shape cache (svg.ts) and the worker pool (chart-pool.ts) must
// give exactly the SVG of a plain vega-lite compile + vega render of each spec.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { ciSpec, factorSpec, peakSustainedSpec, percentileColors, seriesSpec, timelineSpec, type TimeAxis } from '../src/render/charts.js';
import { renderSvg } from '../src/render/svg.js';
import { startChartRenderer, threadsForFreeCores, type ChartRenderer } from '../src/render/chart-pool.js';

/** The rendering without any cache: compile, parse, draw, ids prefixed. */
async function reference(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  (vega as unknown as { resetSVGDefIds: () => void }).resetSVGDefIds();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
  const svg = await view.toSVG();
  view.finalize();
  return svg.replace(/id="((?:clip|gradient_|p_gradient_)\d+)"/g, `id="${idPrefix}-$1"`).replace(/url\(#((?:clip|gradient_|p_gradient_)\d+)\)/g, `url(#${idPrefix}-$1)`);
}

const axisA: TimeAxis = { domain: [0, 60], phases: [{ name: 'ramp-up', startT: 0, endT: 10 }, { name: 'steady', startT: 10, endT: 60 }] };
const axisB: TimeAxis = { domain: [0, 60], phases: [{ name: 'ramp-up', startT: 0, endT: 20 }, { name: 'steady', startT: 20, endT: 60 }] };

function latencyRows(scale: number) {
  return Array.from({ length: 30 }, (_, i) => ['p50', 'p90', 'p95', 'p99'].map((k, j) => ({ t: i * 2, series: k, value: (10 + j * 5 + (i % 7)) * scale }))).flat();
}

/** Specs where several share a shape (same spec but for the data values) and differ in data. */
function specs(): Array<{ id: string; spec: TopLevelSpec }> {
  const runScale = { domain: ['a', 'b', 'c'], range: ['#4e79a7', '#f28e2b', '#59a14f'] };
  return [
    { id: 'lat-a', spec: timelineSpec({ title: 'Latency', yTitle: 'ms', axis: axisA, colors: percentileColors(), rows: latencyRows(1) }) },
    { id: 'rps-a', spec: timelineSpec({ title: 'Throughput', yTitle: 'req/s', axis: axisA, colors: { 'req/s': '#4e79a7' }, rows: Array.from({ length: 30 }, (_, i) => ({ t: i * 2, series: 'req/s', value: 50 + (i % 5) })), area: true }) },
    // Same shape as lat-a, other values (phase bands and lines): served from the cache.
    { id: 'lat-b', spec: timelineSpec({ title: 'Latency', yTitle: 'ms', axis: axisB, colors: percentileColors(), rows: latencyRows(3) }) },
    { id: 'lat-c', spec: timelineSpec({ title: 'Latency', yTitle: 'ms', axis: axisA, colors: percentileColors(), rows: latencyRows(0.5).filter((r) => r.t < 40) }) },
    { id: 'series', spec: seriesSpec({ title: 'inflight', yTitle: 'requests', axis: axisA, rows: Array.from({ length: 20 }, (_, i) => ({ t: i * 3, series: i % 2 ? 'x' : 'y', value: i % 2 ? null : i })), seriesOrder: ['y', 'x'] }) },
    { id: 'factor', spec: factorSpec({ title: 'Throughput', factor: 'workers', yTitle: 'req/s', runScale, rows: [1, 2, 4].map((w, i) => ({ value: w, y: 16 * w, runId: runScale.domain[i]!, measure: 'measured' })), ideal: [1, 2, 4].map((w) => ({ value: w, y: 16 * w })) }) },
    { id: 'ci', spec: ciSpec({ title: 'p95: change', metric: 'p95', changePct: -7, ci: [-12, -2], thresholdPct: -5, color: '#f28e2b' }) },
    { id: 'peak', spec: peakSustainedSpec({ title: 'Peak and sustained', labelTitle: 'scenario', rows: [{ label: 'ramp', measure: 'peak p95', ms: 900 }, { label: 'ramp', measure: 'sustained p95', ms: 800 }], order: ['ramp'] }) },
    // The template of lat-a (titles, series names and colours are placeholders) with other
    // texts: plain ones go into the template's expressions, ones that need escaping there
    // (quotes, backslashes, line separators) make the chart compile on its own.
    { id: 'lat-texts', spec: timelineSpec({ title: 'p90 of <GET /a&b>', yTitle: 'p90 (ms) é✓', axis: axisA, colors: { 'req/s': '#e15759', 'fail/s': '#76b7b2', x: '#4e79a7', y: '#f28e2b' }, rows: latencyRows(2).map((r) => ({ ...r, series: ({ p50: 'req/s', p90: 'fail/s', p95: 'x', p99: 'y' } as Record<string, string>)[r.series]! })) }) },
    { id: 'lat-quotes', spec: timelineSpec({ title: 'say "hi"', yTitle: 'a "quoted" \\ title\u2028', axis: axisB, colors: percentileColors(), rows: latencyRows(1) }) },
    { id: 'rps-quotes', spec: timelineSpec({ title: 'Throughput', yTitle: 'req/s "all"', axis: axisA, colors: { 'req/s "all"': '#4e79a7' }, rows: Array.from({ length: 30 }, (_, i) => ({ t: i * 2, series: 'req/s "all"', value: 40 + (i % 3) })), area: true }) },
    { id: 'ci-b', spec: ciSpec({ title: 'p99: change', metric: 'p99 \\ "max"', changePct: 3, ci: [-1, 8], thresholdPct: -5, color: '#59a14f' }) },
  ];
}

async function expectSameAsReference(render: (spec: TopLevelSpec, id: string) => Promise<string>, queueAll = true) {
  const all = specs();
  // All queued at once, as renderSite does (a renderer draws one chart at a time).
  const got: string[] = [];
  if (queueAll) got.push(...(await Promise.all(all.map((c) => render(c.spec, c.id)))));
  else for (const c of all) got.push(await render(c.spec, c.id));
  for (const [i, c] of all.entries()) {
    const want = await reference(specs()[i]!.spec, c.id);
    expect(got[i], c.id).toBe(want);
  }
  // Charts of one shape but different data differ (the cache must not hand back old values).
  expect(got[0]).not.toBe(got[2]);
  expect(got[2]).not.toBe(got[3]);
}

describe('chart rendering', () => {
  it('uses one worker per idle core, at least one and at most four', () => {
    expect(threadsForFreeCores(2, 0.1)).toBe(2);
    expect(threadsForFreeCores(2, 0.8)).toBe(1);
    expect(threadsForFreeCores(2, 7)).toBe(1);
    expect(threadsForFreeCores(16, 1)).toBe(4);
  });

  it('gives the SVG of an uncached compile for every chart, cached shapes included', async () => {
    // One at a time: vega numbers SVG ids per thread, so renderSvg calls must not overlap.
    await expectSameAsReference(renderSvg, false);
    // A second round is served entirely from the shape cache.
    await expectSameAsReference(renderSvg, false);
  });

  it('draws on the main thread when the compiled worker is not there (TypeScript sources)', async () => {
    const renderer = startChartRenderer();
    try {
      await expectSameAsReference((s, id) => renderer.render(s, id));
    } finally {
      await renderer.close();
    }
  });

  describe('in worker threads (built dist/)', () => {
    const distPool = new URL('../dist/render/chart-pool.js', import.meta.url);

    async function start(threads: number): Promise<ChartRenderer> {
      if (!existsSync(distPool)) throw new Error('dist/render/chart-pool.js is missing: run `npm run build` (npm test does it)');
      const pool = (await import(distPool.href)) as typeof import('../src/render/chart-pool.js');
      return pool.startChartRenderer(threads);
    }

    it('gives the same SVG whichever worker draws which chart', async () => {
      const renderer = await start(2);
      try {
        await expectSameAsReference((s, id) => renderer.render(s, id));
      } finally {
        await renderer.close();
      }
    });

    it('reports a chart that fails and goes on drawing the others', async () => {
      const renderer = await start(2);
      try {
        const bad = renderer.render({ mark: 'no-such-mark' } as unknown as TopLevelSpec, 'bad');
        const good = renderer.render(specs()[1]!.spec, 'rps-a');
        await expect(bad).rejects.toThrow(/^chart bad: /);
        expect(await good).toBe(await reference(specs()[1]!.spec, 'rps-a'));
      } finally {
        await renderer.close();
      }
      await expect(renderer.render(specs()[1]!.spec, 'late')).rejects.toThrow(/closed/);
    });
  });
});
