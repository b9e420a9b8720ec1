// One figure, one text: sentences (analyze/format.ts) and tables (render/format.ts) spell a number the same way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fig, num, pct, sig3 } from '../src/analyze/format.js';
import { fmtNum, fmtPct } from '../src/render/format.js';

describe('figures in sentences and tables', () => {
  it('are the same text', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e30, max: 1e30, noNaN: true }), (x) => {
        expect(sig3(x)).toBe(fmtNum(x));
        expect(num(x)).toBe(fmtNum(x));
        // A percentage in a sentence and in a table: the same digits (the sentence uses a minus sign).
        expect(pct(x).replace('−', '-')).toBe(x === 0 || fig(Math.abs(x)) === '0' ? '0%' : fmtPct(x));
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('spell large numbers in full with separators, never in exponent notation', () => {
    expect(fig(1234.5)).toBe('1,235');
    expect(fig(-12345.6)).toBe('-12,346');
    expect(fig(1e21)).toBe('1,000,000,000,000,000,000,000');
    expect(fig(1.2345e21)).not.toMatch(/e/);
    expect(fig(0.000123)).toBe('0.000123');
    expect(fig(15.0)).toBe('15');
    expect(pct(-18.43)).toBe('−18.4%');
  });
});
