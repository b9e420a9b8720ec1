// Column lookup by header name for Locust CSV files. Locust renamed its columns
// between 0.x, 1.x and 2.x ("# requests" → "Request Count", "Median response time"
// → "Median Response Time", "Requests Failed/s" → "Failures/s", "99.999" without
// "%"), so every column is found by a set of accepted names, never by position.

/** Header cell as a lookup key: trimmed, lower case, inner spaces collapsed. */
export function headerKey(cell: string): string {
  return cell.trim().toLowerCase().replace(/\s+/g, ' ');
}

export const COLUMN_NAMES = {
  type: ['type', 'method'],
  name: ['name'],
  timestamp: ['timestamp'],
  users: ['user count'],
  requests: ['request count', '# requests', '# reqs'],
  failures: ['failure count', '# failures', '# fails'],
  median: ['median response time'],
  mean: ['average response time'],
  min: ['min response time'],
  max: ['max response time'],
  rps: ['requests/s'],
  failuresPerS: ['failures/s', 'requests failed/s'],
  totalRequests: ['total request count'],
  totalFailures: ['total failure count'],
  error: ['error'],
  occurrences: ['occurrences', 'occurences'],
  count: ['count'],
  message: ['message'],
  traceback: ['traceback'],
  nodes: ['nodes'],
} as const;

export type ColumnName = keyof typeof COLUMN_NAMES;

export interface HeaderMap {
  /** Index of each known column present in the header. */
  index: Partial<Record<ColumnName, number>>;
  /** Percentile columns: percentile (0–100) and column index, in header order. */
  percentiles: Array<{ p: number; index: number }>;
}

/** "50%", "99.9%", "100%", and the 0.14-era "99.999" (a Locust bug dropped the %). */
export function percentileOfHeader(cell: string): number | null {
  const m = /^(\d{1,3}(?:\.\d+)?)%?$/.exec(cell.trim());
  if (!m) return null;
  const p = Number(m[1]);
  return p > 0 && p <= 100 ? p : null;
}

export function mapHeader(cells: string[]): HeaderMap {
  const index: HeaderMap['index'] = {};
  const percentiles: HeaderMap['percentiles'] = [];
  const names = Object.entries(COLUMN_NAMES) as Array<[ColumnName, readonly string[]]>;
  cells.forEach((cell, i) => {
    const key = headerKey(cell);
    for (const [col, accepted] of names) {
      if (index[col] === undefined && accepted.includes(key)) index[col] = i;
    }
    const p = percentileOfHeader(cell);
    if (p !== null) percentiles.push({ p, index: i });
  });
  return { index, percentiles };
}

/**
 * A number cell: null for empty, "N/A" and anything that is not a finite number.
 * Locust writes ints, full floats and "%2f" (6 decimals); all parse the same.
 */
export function numberCell(cell: string | undefined): number | null {
  if (cell === undefined) return null;
  const s = cell.trim();
  if (s === '' || /^n\/a$/i.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}
