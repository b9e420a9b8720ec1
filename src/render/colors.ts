// One colour per run, the same on every chart and page: runs are ordered by id
// (numbers inside ids compare as numbers, so worker-2 comes before worker-10) and take
// colours from the Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008):
// hues that stay apart for readers with red-green or blue-yellow colour blindness, and
// mid-tones readable on light and dark pages. Its black (invisible on dark pages) is
// replaced by a dark grey that stays apart from the others for those readers too
// (test/chart-layout.test.ts simulates them); its yellow comes last (light pages).

export const RUN_PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#666666', '#F0E442'] as const;

/** Fixed colours for latency percentiles on timeline charts, from the same palette. */
export const PERCENTILE_COLORS: Record<string, string> = {
  p50: '#009E73',
  p90: '#56B4E9',
  p95: '#E69F00',
  p99: '#D55E00',
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
