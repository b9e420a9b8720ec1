// `_stats_history.csv` → the run's timeline, from the Aggregated rows.
//
// Requests and failures per point come from the difference of the cumulative
// counts between rows (Locust's Requests/s column is a rolling window, not the
// interval). Percentiles are taken as Locust wrote them: with --csv-full-history
// (per-endpoint rows present) and in the 0.x layout they are the current window;
// in an Aggregated-only 1.x/2.x history they are cumulative since the start.
// Rows out of time order, repeated or contradicting their Timestamp are dealt with
// first (history-order.ts), each kind with a warning naming the first line.
import type { TimelineLatencyKind, TimelinePoint } from '../../model/types.js';
import { numberCell, type HeaderMap } from './columns.js';
import type { CsvRecord } from './csv-records.js';
import { percentilesOfRow, rowIdentity } from './csv-stats.js';
import { isTotalRow } from './part.js';
import { orderHistoryRows, type AggRow, type OrderProblem } from './history-order.js';

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
  /** Rows sorted, left out or corrected, for warnings. */
  problems: OrderProblem[];
}

type Row = AggRow & { users: number | null; latencyMs: TimelinePoint['latencyMs'] };

export interface HistoryBuilder {
  add(rec: CsvRecord): string | null;
  finish(): HistoryResult;
}

export function historyBuilder(h: HeaderMap): HistoryBuilder {
  const col = (c: keyof HeaderMap['index'], cells: string[]) => (h.index[c] !== undefined ? numberCell(cells[h.index[c]!]) : null);
  // 0.x wrote Type,Name,Timestamp,... with window percentiles and no User Count.
  const oldLayout = (h.index.timestamp ?? 0) > (h.index.name ?? 0) && h.index.users === undefined;
  const rows: Row[] = [];
  let perEndpointRows = false;
  let minTs: number | null = null;
  let maxTs: number | null = null;
  let skipped = 0;

  return {
    add(rec) {
      const ts = col('timestamp', rec.cells);
      // Unix seconds between 1970 and the year 5000; anything else is not a clock.
      if (ts === null || ts < 0 || ts > MAX_UNIX_S) {
        skipped++;
        return 'row has no valid Timestamp';
      }
      minTs = minTs === null ? ts : Math.min(minTs, ts);
      maxTs = maxTs === null ? ts : Math.max(maxTs, ts);
      const { name } = rowIdentity(rec.cells, h);
      if (!isTotalRow(name)) {
        perEndpointRows = true;
        return null;
      }
      const cumReq = col('totalRequests', rec.cells) ?? col('requests', rec.cells);
      const rawFail = col('totalFailures', rec.cells) ?? col('failures', rec.cells);
      if (cumReq === null || cumReq < 0) {
        skipped++;
        return 'Aggregated row has no cumulative request count';
      }
      const pct = percentilesOfRow(rec.cells, h);
      rows.push({
        ts,
        line: rec.line,
        cumReq,
        // A negative cumulative count is a corrupt cell, not a reset to below zero.
        cumFail: rawFail !== null && rawFail >= 0 ? rawFail : null,
        users: col('users', rec.cells),
        latencyMs: { p50: pct.get(50) ?? null, p90: pct.get(90) ?? null, p95: pct.get(95) ?? null, p99: pct.get(99) ?? null, max: pct.get(100) ?? null },
      });
      return null;
    },
    finish() {
      const ordered = orderHistoryRows(rows);
      const problems = [...ordered.problems];
      const points: Array<TimelinePoint & { ts: number }> = [];
      const diffs = new Map<number, number>();
      let prevReq = 0;
      let prevFail = 0;
      let prevTs: number | null = null;
      const overCount = { count: 0, first: 0 };
      for (const r of ordered.rows) {
        const cumFail = r.cumFail ?? prevFail;
        // A drop means Locust's stats were reset: the row then counts from zero.
        const requests = r.cumReq >= prevReq ? r.cumReq - prevReq : r.cumReq;
        let failures = cumFail >= prevFail ? cumFail - prevFail : cumFail;
        if (failures > requests) {
          // More failures than requests in one interval cannot be: a damaged cell.
          if (overCount.count++ === 0) overCount.first = r.line;
          failures = requests;
        }
        prevReq = r.cumReq;
        prevFail = cumFail;
        if (prevTs !== null && r.ts > prevTs) diffs.set(r.ts - prevTs, (diffs.get(r.ts - prevTs) ?? 0) + 1);
        prevTs = r.ts;
        points.push({ ts: r.ts, t: 0, requests, failures, users: r.users, latencyMs: r.latencyMs });
      }
      if (overCount.count > 0) {
        problems.push({ line: overCount.first, message: `${overCount.count} Aggregated row(s) count more new failures than new requests; their failures were capped at the requests (first at line ${overCount.first})` });
      }
      // The run's span: the rows kept, else every row with a valid Timestamp.
      const firstTs = points.length > 0 ? points[0]!.ts : minTs;
      const lastTs = points.length > 0 ? points[points.length - 1]!.ts : maxTs;
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
      return { timeline, latencyKind, intervalS, firstTs, lastTs, lastTotalRequests: prevReq, skipped, problems };
    },
  };
}
