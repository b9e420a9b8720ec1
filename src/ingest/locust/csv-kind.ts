// Which of Locust's CSV files a header belongs to, decided by its column names.
import { mapHeader, type HeaderMap } from './columns.js';
import { splitRecord } from './csv-records.js';

export type CsvKind = 'stats' | 'distribution' | 'history' | 'failures' | 'exceptions';

export function csvKindOfHeader(h: HeaderMap): CsvKind | null {
  const has = (c: keyof HeaderMap['index']) => h.index[c] !== undefined;
  if (has('timestamp') && has('name') && (has('totalRequests') || has('requests')) && h.percentiles.length > 0) return 'history';
  if (has('name') && has('error') && has('occurrences')) return 'failures';
  if (has('count') && has('message') && has('traceback')) return 'exceptions';
  if (has('name') && has('requests') && (has('median') || has('mean')) && !has('timestamp')) return 'stats';
  // 0.x `_distribution.csv`: Name ("GET /path"), # requests, then percentiles only.
  if (has('name') && has('requests') && !has('type') && h.percentiles.length >= 3) return 'distribution';
  return null;
}

/** Kind of a CSV file from its first line (the sniffed head). */
export function csvKindOfText(head: string): { kind: CsvKind; header: HeaderMap } | null {
  const nl = head.indexOf('\n');
  const first = (nl < 0 ? head : head.slice(0, nl)).replace(/\r$/, '');
  if (first.length === 0 || first.length > 4096 || !first.includes(',')) return null;
  const header = mapHeader(splitRecord(first));
  const kind = csvKindOfHeader(header);
  return kind ? { kind, header } : null;
}
