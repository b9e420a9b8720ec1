// Deep partial matching for fixture expectations: every key in `expected` must be in
// `actual` with an equal value; numbers may differ by `tolerancePct` percent.
export interface MatchOptions {
  tolerancePct: number;
  /** Per-path tolerances, e.g. {"latencyMs": 1} applies to any path containing "latencyMs". */
  tolerances?: Record<string, number>;
}

export function partialMismatches(actual: unknown, expected: unknown, opts: MatchOptions, at = '$'): string[] {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return [`${at}: expected ${expected}, got ${JSON.stringify(actual)}`];
    let tol = opts.tolerancePct;
    for (const [k, v] of Object.entries(opts.tolerances ?? {})) if (at.includes(k)) tol = v;
    const diff = Math.abs(actual - expected);
    const allowed = Math.max(1e-9, (Math.abs(expected) * tol) / 100);
    return diff <= allowed ? [] : [`${at}: expected ${expected} (±${tol}%), got ${actual}`];
  }
  if (expected === null || typeof expected !== 'object') {
    return actual === expected ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${JSON.stringify(actual)?.slice(0, 80)}`];
    const out: string[] = [];
    if (actual.length < expected.length) out.push(`${at}: expected at least ${expected.length} items, got ${actual.length}`);
    expected.forEach((e, i) => out.push(...partialMismatches(actual[i], e, opts, `${at}[${i}]`)));
    return out;
  }
  if (actual === null || typeof actual !== 'object') return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
    if (k.startsWith('//')) continue; // comments explaining where a value came from
    out.push(...partialMismatches((actual as Record<string, unknown>)[k], v, opts, `${at}.${k}`));
  }
  return out;
}
