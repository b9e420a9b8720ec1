// Number formatting for conclusion sentences: 3 significant digits, signed percents.

export function sig3(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  const fixed = Number(x.toPrecision(3)).toFixed(Math.min(digits, 6));
  return fixed;
}

/** Up to 3 significant digits without trailing zeros: factors, counts, thresholds. */
export function num(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x);
}

/**
 * A signed percentage with about three significant digits, rounded exactly as the tables
 * round theirs (render/format.ts fmtNum), so a sentence and a table never disagree.
 */
export function pct(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(a || 1)));
  let s = a.toFixed(decimals);
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  if (a >= 1000) s = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (Number(s.replace(/,/g, '')) === 0 ? '' : x > 0 ? '+' : '−') + s + '%';
}

export function ms(x: number | null): string {
  return x === null ? 'n/a' : `${sig3(x)} ms`;
}

export function rps(x: number | null): string {
  return x === null ? 'n/a' : `${sig3(x)} req/s`;
}

/** Relative change a → b in percent; null when undefined. */
export function changePct(a: number | null, b: number | null): number | null {
  if (a === null || b === null || a === 0) return null;
  return ((b - a) / Math.abs(a)) * 100;
}
