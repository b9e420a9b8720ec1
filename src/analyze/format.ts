// Number formatting for conclusion sentences: 3 significant digits, signed percents.

/**
 * A figure as every table shows it (render/format.ts fmtNum uses this): about three
 * significant digits, whole numbers with thousands separators from 1,000, no trailing
 * zeros, never exponent notation. Sentences and tables so never disagree on a figure.
 */
export function fig(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a === 0) return '0';
  // BigInt spells every digit: String() switches to exponent notation from 1e21, which grouping would mangle.
  if (a >= 1000) return (x < 0 ? '-' : '') + BigInt(Math.round(a)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(a)));
  const s = x.toFixed(decimals);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A measurement in a sentence: the same text a table shows for it (see fig). */
export function sig3(x: number): string {
  return fig(x);
}

/** Up to 3 significant digits without trailing zeros: factors, counts, thresholds. */
export function num(x: number): string {
  // The same text as a table cell (1,500 users, 0.044 s), so a sentence never shows a figure differently.
  return fig(x);
}

/**
 * A signed percentage with about three significant digits, rounded exactly as the tables
 * round theirs (render/format.ts fmtNum), so a sentence and a table never disagree.
 */
export function pct(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const s = fig(Math.abs(x));
  return (s === '0' ? '' : x > 0 ? '+' : '−') + s + '%';
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
