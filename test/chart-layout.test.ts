// The layout rules of the chart specs, one by one: a log-2 axis for factors that double,
// reference lines cut near the data, headroom above the highest value, phase names only
// where they fit, titles wrapped to the plot, a colour-blind-safe palette. (The browser
// test checks the drawn result on the example; these pin each rule on its own.)
import { describe, expect, it } from 'vitest';
import { base, boundedReference, doublingValues, factorSpec, headroom, NARROW, plotWidth, textWidthPx, timelineSpec, WIDE } from '../src/render/charts.js';
import { PERCENTILE_COLORS, RUN_PALETTE } from '../src/render/colors.js';

type Json = Record<string, unknown>;
const layers = (spec: unknown) => (spec as { layer: Json[] }).layer;

describe('chart layout rules', () => {
  it('draws factors that double on a log-2 axis, others on a linear one', () => {
    expect(doublingValues([1, 2, 4])).toBe(true);
    expect(doublingValues([1, 2, 4, 8, 16, 32, 64])).toBe(true);
    expect(doublingValues([10, 20, 40, 80])).toBe(true);
    expect(doublingValues([1, 2])).toBe(false); // two points: nothing to gain
    expect(doublingValues([1, 2, 3])).toBe(false);
    expect(doublingValues([0, 1, 2, 4])).toBe(false);
    const rows = [1, 2, 4, 8, 16, 32, 64].map((c) => ({ value: c, y: 20 * Math.sqrt(c), runId: `c${c}`, measure: 'throughput' }));
    const spec = factorSpec({ title: 't', factor: 'connections', yTitle: 'req/s', rows, runScale: { domain: [], range: [] } });
    const x = (layers(spec)[0]!.encoding as { x: { scale: Json; title: string } }).x;
    expect(x.scale).toMatchObject({ type: 'log', base: 2 });
    expect(x.title).toBe('connections (log scale)');
  });

  it('cuts the linear-scaling line 15% above the highest measured value', () => {
    const ideal = [1, 2, 4, 8, 16, 32, 64].map((c) => ({ value: c, y: 20 * c }));
    const cut = boundedReference(ideal, 200);
    expect(cut.map((p) => p.y)).toHaveLength(5);
    [20, 40, 80, 160, 230].forEach((y, i) => expect(cut[i]!.y).toBeCloseTo(y));
    expect(cut[4]!.value).toBeCloseTo(11.5); // on the line y = 20 x
    expect(boundedReference(ideal.slice(0, 3), 200)).toEqual(ideal.slice(0, 3));
    // The chart's y axis follows the data, not the reference line's 1,280 req/s.
    const rows = ideal.map((p) => ({ value: p.value, y: Math.min(p.y, 200), runId: 'r', measure: 'measured' }));
    const spec = factorSpec({ title: 't', factor: 'connections', yTitle: 'req/s', rows, runScale: { domain: ['r'], range: ['#000000'] }, ideal });
    const domain = ((layers(spec)[0]!.encoding as { y: { scale: { domain: number[] } } }).y.scale.domain);
    expect(domain[1]).toBeLessThan(260);
  });

  it('leaves headroom above the highest value (a constant line is not drawn on the frame)', () => {
    expect(headroom([10, 10, 10])).toMatchObject({ domain: [0, 10.8], nice: true });
    expect(headroom([2000, 1500, null])).toMatchObject({ domain: [0, 2160] });
    expect(headroom([])).toEqual({});
  });

  it('names a phase only where its name fits inside its band', () => {
    const axis = { domain: [0, 60] as [number, number], phases: [{ name: 'ramp-up', startT: 0, endT: 1 }, { name: 'steady', startT: 1, endT: 60 }] };
    const rows = [{ t: 0, series: 'req/s', value: 1 }];
    for (const size of [WIDE, NARROW]) {
      const texts = layers(timelineSpec({ title: 't', yTitle: 'req/s', axis, rows, colors: { 'req/s': '#000000' }, size })).filter((l) => (l.mark as Json).type === 'text');
      expect(texts.map((l) => (l.data as { values: Array<{ phase: string }> }).values.map((v) => v.phase))).toEqual([['steady']]);
    }
  });

  it('wraps a title to the plot width by vega text estimate', () => {
    const long = '4 workers (Locust, 50 users, ramp 0 to 50 in 20 s): throughput against users';
    const title = base(long, NARROW).title as { text: string[] };
    expect(title.text.length).toBeGreaterThan(1);
    for (const line of title.text) expect(textWidthPx(line, 14)).toBeLessThanOrEqual(plotWidth(NARROW));
    expect(base(long, WIDE).title).toBe(long);
  });
});

// Machado, Oliveira and Fernandes (2009), severity 1: linear RGB → simulated linear RGB.
const CVD: Record<string, number[][]> = {
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};

function lab(hex: string, m?: number[][]): [number, number, number] {
  const lin = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const rgb = m ? m.map((row) => Math.min(1, Math.max(0, row[0]! * lin[0]! + row[1]! * lin[1]! + row[2]! * lin[2]!))) : lin;
  const [r, g, b] = rgb as [number, number, number];
  const xyz = [0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b, 0.0193 * r + 0.1192 * g + 0.9505 * b];
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const [fx, fy, fz] = [f(xyz[0]! / 0.95047), f(xyz[1]!), f(xyz[2]! / 1.08883)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
const deltaE = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

describe('colours', () => {
  it('keeps every two run colours, and the percentile colours, apart for red-green and blue-yellow colour blindness', () => {
    for (const set of [[...RUN_PALETTE], Object.values(PERCENTILE_COLORS)]) {
      for (const [name, m] of Object.entries(CVD)) {
        for (let i = 0; i < set.length; i++) {
          for (let j = i + 1; j < set.length; j++) {
            // CIE76 ΔE ≥ 10: two lines or points tell apart at a glance.
            expect(deltaE(lab(set[i]!, m), lab(set[j]!, m)), `${name}: ${set[i]} vs ${set[j]}`).toBeGreaterThanOrEqual(10);
          }
        }
      }
    }
  });
});
