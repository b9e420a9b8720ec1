// Server-side error rate from a Prometheus series split by a `status` label (e.g.
// `sum by (status) (rate(http_requests_total[10s]))`): estimated responses per status
// over the run and the 5xx share, to set beside the client's failure rate.
import type { Run, Series } from '../model/types.js';
import type { ServerErrors } from './types.js';
import { epochS } from './windows.js';

/** The range of a rate()/increase() in a query, in seconds: `[10s]` → 10, `[1m]` → 60. */
export function queryRangeS(query: string | undefined): number | null {
  const m = query ? /\[(\d+(?:\.\d+)?)(ms|s|m|h)\]/.exec(query) : null;
  if (!m) return null;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/** A raw counter (`…_total` with its metric name kept) rather than a rate over it. */
function isCounter(s: Series): boolean {
  const name = s.labels['__name__'];
  return name !== undefined && /_total$/.test(name) && !/\b(rate|irate|increase)\s*\(/.test(s.query ?? '');
}

/** Series the analysis can read: rates (no metric name, or a query with rate()) and raw `_total` counters. */
function usable(s: Series): boolean {
  return s.labels['status'] !== undefined && (isCounter(s) || s.labels['__name__'] === undefined || /\b(rate|irate|increase)\s*\(/.test(s.query ?? ''));
}

function medianGap(ts: number[]): number {
  const gaps = ts.slice(1).map((t, i) => t - ts[i]!).filter((g) => g > 0).sort((a, b) => a - b);
  return gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)]! : 1;
}

/**
 * Per point of one series inside [from, to]: [unix s, responses per second, seconds it
 * stands for]. A rate holds until the next point (the last one for one step); a counter
 * becomes its increase since the previous point (a drop is a reset: the new value is
 * the increase).
 */
function perSecond(s: Series, from: number, to: number, counter: boolean, step: number): Array<[number, number, number]> {
  const pts = s.points.filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1])).sort((a, b) => a[0] - b[0]);
  const inside = (t: number) => t >= from - 1e-9 && t <= to + 1e-9;
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i < pts.length; i++) {
    const [t, v] = pts[i]!;
    if (!inside(t)) continue;
    if (counter) {
      const prev = pts[i - 1];
      if (!prev || !inside(prev[0]) || t <= prev[0]) continue;
      const inc = v >= prev[1] ? v - prev[1] : v;
      out.push([t, inc / (t - prev[0]), t - prev[0]]);
    } else {
      const next = pts[i + 1];
      const dt = next && inside(next[0]) ? Math.min(next[0] - t, 2 * step) : step;
      out.push([t, Math.max(0, v), dt]);
    }
  }
  return out;
}

/**
 * The server's responses by status over the run: from the run start to one rate window
 * after its end (a rate lags the requests it counts; `lagS` stands in when the query
 * does not say). Null when the run has no series with a `status` label.
 */
export function serverErrors(run: Run, lagS: number): ServerErrors | null {
  const groups = new Map<string, Series[]>();
  for (const s of run.series) if (usable(s)) groups.set(s.name, [...(groups.get(s.name) ?? []), s]);
  if (groups.size === 0) return null;
  const [name, series] = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]!;

  const allTs = series.flatMap((s) => s.points.map((p) => p[0])).filter(Number.isFinite);
  if (allTs.length === 0) return null;
  const start = epochS(run.start) ?? Math.min(...allTs);
  const end = epochS(run.end) ?? (run.durationS !== null ? start + run.durationS : Math.max(...allTs));
  const lag = queryRangeS(series[0]!.query) ?? lagS;
  const from = start;
  const to = end + lag;
  const counter = series.every(isCounter);
  const step = medianGap([...new Set(allTs)].sort((a, b) => a - b));

  const byStatus: Record<string, number> = {};
  const perT = new Map<number, { total: number; errors: number }>();
  for (const s of series) {
    const status = s.labels['status']!;
    let sum = 0;
    for (const [t, r, dt] of perSecond(s, from, to, counter, step)) {
      sum += r * dt;
      const cell = perT.get(t) ?? { total: 0, errors: 0 };
      cell.total += r;
      if (status.startsWith('5')) cell.errors += r;
      perT.set(t, cell);
    }
    byStatus[status] = (byStatus[status] ?? 0) + sum;
  }
  const requests = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const errors5xx = Object.entries(byStatus).reduce((a, [k, v]) => a + (k.startsWith('5') ? v : 0), 0);
  const timeline = [...perT.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, c]) => ({ t: t - start, totalPerS: c.total, errorsPerS: c.errors }));
  return {
    series: name,
    basis: counter ? 'counter' : 'rate',
    byStatus,
    requests,
    errors5xx,
    errorRate5xx: requests > 0 ? errors5xx / requests : null,
    clientClosed: byStatus['499'] ?? 0,
    timeline,
    fromT: from - start,
    toT: to - start,
  };
}
