// Locust `--csv PREFIX` output: `_stats.csv`, `_stats_history.csv`, `_failures.csv`,
// `_exceptions.csv` (and 0.x `_requests.csv` / `_distribution.csv`). Each file is a
// part of the run named by its prefix; the pipeline merges the parts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ErrorEntry, Stats } from '../../model/types.js';
import { InputError } from '../errors.js';
import type { IngestContext, Ingester, RunPart, Sniff } from '../types.js';
import { mapHeader, numberCell, type HeaderMap } from './columns.js';
import { csvKindOfHeader, csvKindOfText, type CsvKind } from './csv-kind.js';
import { readCsvRecords, type CsvRecord } from './csv-records.js';
import { historyBuilder } from './csv-history.js';
import { applyPercentiles, identityKey, percentilesOfRow, rowIdentity, statsOfRow, type PercentileRow } from './csv-stats.js';
import { csvPrefix, emptyPart, isoFromUnixSeconds, isTotalRow, statusOfMessage } from './part.js';

export const FORMAT = 'locust-csv';
/** Below the HTML report (20): `_stats.csv` is rewritten every second and can trail the final numbers. */
export const CSV_RANK = 15;

const PROVIDES: Record<CsvKind, string[]> = {
  stats: ['summary', 'endpoints'],
  distribution: ['summary', 'endpoints'],
  history: ['timeline'],
  failures: ['errors'],
  exceptions: ['errors'],
};

/** Reads a CSV file's header and then each record, warning once per problem kind with counts. */
async function readTable(
  file: string,
  ctx: IngestContext,
  onRow: (rec: CsvRecord, header: HeaderMap) => string | null,
): Promise<{ kind: CsvKind; header: HeaderMap; rows: number }> {
  let header: HeaderMap | undefined;
  let kind: CsvKind | null = null;
  let width = 0;
  let rows = 0;
  let badUtf8 = false;
  const problems = new Map<string, { first: number; count: number }>();
  const note = (line: number, msg: string) => {
    const p = problems.get(msg);
    if (p) p.count++;
    else problems.set(msg, { first: line, count: 1 });
  };
  const records = readCsvRecords(file, ctx, (line) => note(line, 'file ends inside a quoted field (truncated?)'));
  for await (const rec of records) {
    if (!badUtf8 && rec.cells.some((c) => c.includes('\uFFFD'))) badUtf8 = true;
    if (!header) {
      header = mapHeader(rec.cells);
      kind = csvKindOfHeader(header);
      if (!kind) throw new InputError(file, 'not a Locust CSV file: the header has none of the known column sets (stats, stats_history, failures, exceptions)', { line: rec.line, column: 1 });
      width = rec.cells.length;
      continue;
    }
    // Locust 2.12 may leave a half-written last line (CSV handles are never closed).
    if (rec.cells.length !== width) {
      note(rec.line, `row has ${rec.cells.length} fields where the header has ${width}`);
      continue;
    }
    const problem = onRow(rec, header);
    if (problem) note(rec.line, problem);
    else rows++;
  }
  if (!header || !kind) throw new InputError(file, 'empty file: no CSV header', { line: 1 });
  for (const [msg, p] of problems) {
    ctx.warn({ line: p.first, message: `${msg}; skipped ${p.count} row${p.count === 1 ? '' : 's'} (first at line ${p.first})` });
  }
  if (badUtf8) ctx.warn({ message: 'file is not valid UTF-8 (e.g. a Windows code page); names with other characters are shown with replacement characters' });
  return { kind, header, rows };
}

function siblingOf(file: string, prefix: string, suffix: string): string | null {
  for (const ext of ['.csv', '.csv.gz']) {
    const p = path.join(path.dirname(file), prefix + suffix + ext);
    if (existsSync(p)) return p;
  }
  return null;
}

async function ingestStats(file: string, ctx: IngestContext, part: RunPart, prefix: string): Promise<void> {
  const endpoints: Stats[] = [];
  let summary: Stats | null = null;
  const { header } = await readTable(file, ctx, (rec, h) => {
    const r = statsOfRow(rec, h);
    if ('problem' in r) return r.problem;
    if (r.total) summary = r.stats;
    else endpoints.push(r.stats);
    return null;
  });
  // 0.x kept percentiles in a separate `_distribution.csv` next to `_requests.csv`.
  const dist = header.percentiles.length === 0 ? siblingOf(file, prefix, '_distribution') : null;
  if (dist) {
    const byId = await readDistribution(dist, ctx);
    for (const s of [...endpoints, ...(summary ? [summary] : [])]) {
      const pct = byId.get(s.name === 'all' ? 'total' : identityKey(s.method, s.name));
      if (pct) applyPercentiles(s, pct);
    }
    part.sources.push({ path: dist, format: FORMAT, provides: ['percentiles'] });
  }
  part.endpoints = endpoints;
  if (summary) part.summary = summary;
  else if (endpoints.length > 0) ctx.warn({ message: 'no Aggregated row: the run summary is missing (truncated file?)' });
}

async function readDistribution(file: string, ctx: IngestContext): Promise<Map<string, PercentileRow>> {
  const out = new Map<string, PercentileRow>();
  await readTable(file, ctx, (rec, h) => {
    const { method, name } = rowIdentity(rec.cells, h);
    out.set(isTotalRow(name) ? 'total' : identityKey(method, name), percentilesOfRow(rec.cells, h));
    return null;
  });
  return out;
}


async function ingestHistory(file: string, ctx: IngestContext, part: RunPart): Promise<void> {
  let builder: ReturnType<typeof historyBuilder> | undefined;
  await readTable(file, ctx, (rec, h) => {
    builder ??= historyBuilder(h);
    return builder.add(rec);
  });
  if (!builder) {
    ctx.warn({ message: 'history has a header but no rows' });
    return;
  }
  const r = builder.finish();
  for (const p of r.problems) ctx.warn({ line: p.line, message: p.message });
  if (r.timeline.length > 0 && r.lastTotalRequests === 0) {
    // Locust 2.12 flushes the history every 10 s and never closes it: a short -t run
    // can keep only its first, all-N/A row. Such a timeline says nothing; dropping it
    // lets the HTML report's history (when present) stand.
    ctx.warn({ message: 'history holds no requests (Locust flushes it every 10 s, so the end of a short run is often missing); timeline dropped' });
    // The first row still marks the start; the end is unknown.
    if (r.firstTs !== null) part.start = isoFromUnixSeconds(r.firstTs);
    return;
  }
  part.timeline = r.timeline;
  part.timelineLatency = r.timeline.length > 0 ? r.latencyKind : 'none';
  part.timelineIntervalS = r.intervalS;
  if (r.firstTs !== null && r.lastTs !== null) {
    part.start = isoFromUnixSeconds(r.firstTs);
    part.end = isoFromUnixSeconds(r.lastTs);
    part.durationS = r.lastTs - r.firstTs;
  }
}

async function ingestErrors(file: string, ctx: IngestContext, part: RunPart, kind: 'failures' | 'exceptions'): Promise<void> {
  const errors: ErrorEntry[] = [];
  await readTable(file, ctx, (rec, h) => {
    const cell = (c: keyof HeaderMap['index']) => (h.index[c] !== undefined ? (rec.cells[h.index[c]!] ?? '') : '');
    if (kind === 'failures') {
      const count = numberCell(cell('occurrences'));
      if (count === null || count < 0) return 'failure row has no valid Occurrences';
      const { method, name } = rowIdentity(rec.cells, h);
      const message = cell('error');
      errors.push({ endpoint: name, method, message, status: statusOfMessage(message), count, kind: 'failure' });
    } else {
      const count = numberCell(cell('count'));
      if (count === null || count < 0) return 'exception row has no valid Count';
      const e: ErrorEntry = { endpoint: '', method: null, message: cell('message'), status: null, count, kind: 'exception' };
      const tb = cell('traceback');
      if (tb) e.detail = tb;
      errors.push(e);
    }
    return null;
  });
  part.errors = errors;
}

export const locustCsv: Ingester = {
  format: FORMAT,
  tool: 'locust',
  description: 'Locust --csv output: _stats.csv, _stats_history.csv, _failures.csv, _exceptions.csv (0.x to 2.x)',
  detect(sniff: Sniff): boolean {
    return csvKindOfText(sniff.head) !== null;
  },
  async ingest(file, ctx) {
    const sniffKind = await firstKind(file, ctx);
    const prefix = csvPrefix(path.basename(file));
    const part = emptyPart(file, FORMAT, prefix, CSV_RANK, PROVIDES[sniffKind]);
    if (sniffKind === 'stats') await ingestStats(file, ctx, part, prefix);
    else if (sniffKind === 'distribution') {
      // With its `_requests.csv` beside it, that file reads this one (see ingestStats).
      if (siblingOf(file, prefix, '_requests')) return [];
      await ingestStats(file, ctx, part, prefix);
    }
    else if (sniffKind === 'history') await ingestHistory(file, ctx, part);
    else await ingestErrors(file, ctx, part, sniffKind);
    return [part];
  },
};

/** The kind from the header record (read again by the kind's reader; headers are tiny). */
async function firstKind(file: string, ctx: IngestContext): Promise<CsvKind> {
  for await (const rec of readCsvRecords(file, ctx)) {
    const kind = csvKindOfHeader(mapHeader(rec.cells));
    if (!kind) throw new InputError(file, 'not a Locust CSV file: the header has none of the known column sets (stats, stats_history, failures, exceptions)', { line: rec.line, column: 1 });
    return kind;
  }
  throw new InputError(file, 'empty file: no CSV header', { line: 1 });
}
