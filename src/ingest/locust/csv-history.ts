// `_stats_history.csv` → the run's timeline, from the Aggregated rows.
//
// Requests and failures per point come from the difference of the cumulative
// counts between rows (Locust's Requests/s column is a rolling window, not the
// interval). Percentiles are taken as Locust wrote them: with --csv-full-history
// (per-endpoint rows present) and in the 0.x layout they are the current window;
// in an Aggregated-only 1.x/2.x history they are cumulative since the start.
import type { TimelineLatencyKind, TimelinePoint } from '../../model/types.js';
import { numberCell, type HeaderMap } from './columns.js';
import type { CsvRecord } from './csv-records.js';
import { percentilesOfRow, rowIdentity } from './csv-stats.js';
import { isTotalRow } from './part.js';

const MAX_UNIX_S = 95_617_584_000;

export interface HistoryResult {
  timeline: TimelinePoint[];
  latencyKind: TimelineLatencyKind;
  intervalS: number;
  firstTs: number | null;
  lastTs: number | null;
  /** Cumulative request count of the last Aggregated row. */
  lastTotalRequests: number;
  skipped: number;
}

export interface HistoryBuilder {
  add(rec: CsvRecord): string | null;
  finish(): HistoryResult;
}

export function historyBuilder(h: HeaderMap): HistoryBuilder {
  const col = (c: keyof HeaderMap['index'], cells: string[]) => (h.index[c] !== undefined ? numberCell(cells[h.index[c]!]) : null);
  // 0.x wrote Type,Name,Timestamp,... with window percentiles and no User Count.
  const oldLayout = (h.index.timestamp ?? 0) > (h.index.name ?? 0) && h.index.users === undefined;
  const points: Array<TimelinePoint & { ts: number }> = [];
  let perEndpointRows = false;
  let firstTs: number | null = null;
  let lastTs: number | null = null;
  let prevReq = 0;
  let prevFail = 0;
  let skipped = 0;
  const diffs = new Map<number, number>();
  let prevAggTs: number | null = null;

  return {
    add(rec) {
      const ts = col('timestamp', rec.cells);
      // Unix seconds between 1970 and the year 5000; anything else is not a clock.
      if (ts === null || ts < 0 || ts > MAX_UNIX_S) {
        skipped++;
        return 'row has no valid Timestamp';
      }
      if (firstTs === null) firstTs = ts;
      lastTs = ts;
      const { name } = rowIdentity(rec.cells, h);
      if (!isTotalRow(name)) {
        perEndpointRows = true;
        return null;
      }
      const cumReq = col('totalRequests', rec.cells) ?? col('requests', rec.cells);
      const rawFail = col('totalFailures', rec.cells) ?? col('failures', rec.cells);
      // A negative cumulative count is a corrupt cell, not a reset to below zero.
      const cumFail = rawFail !== null && rawFail >= 0 ? rawFail : prevFail;
      if (cumReq === null || cumReq < 0) {
        skipped++;
        return 'Aggregated row has no cumulative request count';
      }
      // A drop means Locust's stats were reset: the row then counts from zero.
      const requests = cumReq >= prevReq ? cumReq - prevReq : cumReq;
      const failures = cumFail >= prevFail ? cumFail - prevFail : cumFail;
      prevReq = cumReq;
      prevFail = cumFail;
      if (prevAggTs !== null && ts > prevAggTs) diffs.set(ts - prevAggTs, (diffs.get(ts - prevAggTs) ?? 0) + 1);
      prevAggTs = ts;
      const pct = percentilesOfRow(rec.cells, h);
      points.push({
        ts,
        t: 0,
        requests,
        failures,
        users: col('users', rec.cells),
        latencyMs: { p50: pct.get(50) ?? null, p90: pct.get(90) ?? null, p95: pct.get(95) ?? null, p99: pct.get(99) ?? null, max: pct.get(100) ?? null },
      });
      return null;
    },
    finish() {
      const latencyKind: TimelineLatencyKind = perEndpointRows || oldLayout ? 'window' : 'cumulative';
      if (latencyKind === 'window') {
        // Locust writes 0 for every percentile while its current window is still
        // empty (the first seconds); that is "no figure", not a 0 ms latency.
        for (const p of points) {
          const l = p.latencyMs;
          if ([l.p50, l.p90, l.p95, l.p99, l.max].every((v) => v === 0)) p.latencyMs = { p50: null, p90: null, p95: null, p99: null, max: null };
        }
      }
      let intervalS = 1;
      let best = 0;
      for (const [d, n] of diffs) if (n > best || (n === best && d < intervalS)) [intervalS, best] = [d, n];
      const start = firstTs ?? 0;
      const timeline: TimelinePoint[] = points.map(({ ts, ...p }) => ({ ...p, t: ts - start }));
      return { timeline, latencyKind, intervalS, firstTs, lastTs, lastTotalRequests: prevReq, skipped };
    },
  };
}
