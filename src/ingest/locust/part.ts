// Shared pieces of the Locust ingesters: the empty run part, the CSV prefix that
// ties the files of one run together, and status codes read from error messages.
import path from 'node:path';
import { emptyStats, type Stats } from '../../model/types.js';
import { emptyRunPart, type RunPart } from '../types.js';

/** The CSV kinds Locust writes with `--csv PREFIX` (0.x wrote `_requests` and `_distribution`). */
export const CSV_SUFFIXES = ['_stats_history', '_stats', '_failures', '_exceptions', '_requests', '_distribution'] as const;

/** `out/run1_stats.csv.gz` → `run1`; a file named otherwise keeps its stem. */
export function csvPrefix(fileName: string): string {
  const stem = fileName.replace(/\.gz$/i, '').replace(/\.csv$/i, '');
  for (const s of CSV_SUFFIXES) if (stem.endsWith(s) && stem.length > s.length) return stem.slice(0, -s.length);
  return stem;
}

export function locustGroupKey(file: string, prefix: string): string {
  return 'locust:' + path.join(path.dirname(path.resolve(file)), prefix);
}

export function emptyPart(file: string, format: string, prefix: string, rank: number, provides: string[]): RunPart {
  return emptyRunPart({ groupKey: locustGroupKey(file, prefix), rank, name: prefix, tool: 'locust', source: { path: file, format, provides } });
}

/** Locust names its total row "Aggregated" (0.x: "Total"); the model calls it "all". */
export function isTotalRow(name: string): boolean {
  return name === 'Aggregated' || name === 'Total';
}

/** Locust writes "None" or "" as the method of the total row and of untyped entries. */
export function methodOf(type: string | undefined): string | null {
  const t = (type ?? '').trim();
  return t === '' || t === 'None' ? null : t;
}

/** "500 Server Error: ..." / "HTTPError('404 Client Error: ...')" → "500" / "404". */
export function statusOfMessage(message: string): string | null {
  const m = /\b([1-5]\d\d) (?:Client|Server) Error\b/.exec(message);
  return m ? m[1]! : null;
}

/** Stats summary name; endpoints keep their Locust name. */
export function statsFor(name: string, method: string | null): Stats {
  return emptyStats(isTotalRow(name) ? 'all' : name, isTotalRow(name) ? null : method, 'reported');
}

export function isoFromUnixSeconds(s: number): string {
  return new Date(s * 1000).toISOString();
}
