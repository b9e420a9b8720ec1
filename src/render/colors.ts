// One colour per run, the same on every chart and page: runs are ordered by id
// (numbers inside ids compare as numbers, so worker-2 comes before worker-10) and take
// colours from a palette of mid-tone hues that stay readable on light and dark pages.

export const RUN_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#8f8f8f',
] as const;

/** Fixed colours for latency percentiles on timeline charts. */
export const PERCENTILE_COLORS: Record<string, string> = {
  p50: '#59a14f',
  p90: '#4e79a7',
  p95: '#f28e2b',
  p99: '#e15759',
};

/** Natural order without locale data (ICU versions differ between machines). */
export function compareIds(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    const nx = /^\d/.test(x) && /^\d/.test(y);
    if (nx) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

export interface RunColors {
  /** Run ids in colour order. */
  ids: string[];
  colorOf(id: string): string;
}

export function runColors(runIds: string[]): RunColors {
  const ids = [...new Set(runIds)].sort(compareIds);
  const index = new Map(ids.map((id, i) => [id, i]));
  return {
    ids,
    colorOf: (id) => RUN_PALETTE[(index.get(id) ?? 0) % RUN_PALETTE.length] as string,
  };
}
