// Streaming CSV records with their line numbers. Locust quotes tracebacks that span
// several lines, so a record ends only where the count of `"` seen is even; each
// complete record is then split into cells by papaparse.
import Papa from 'papaparse';
import { lineTooLong, MAX_LINE_CHARS, readLines } from '../read.js';
import type { IngestContext } from '../types.js';

export interface CsvRecord {
  cells: string[];
  /** 1-based line where the record starts. */
  line: number;
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}

/** Yields non-empty records; `onUnterminated` is told when the file ends inside a quoted field. */
export async function* readCsvRecords(
  file: string,
  ctx: IngestContext,
  onUnterminated?: (line: number) => void,
): AsyncGenerator<CsvRecord> {
  let pending: string[] = [];
  let pendingLine = 0;
  let quotes = 0;
  let pendingChars = 0;
  for await (const l of readLines(file, ctx)) {
    if (pending.length === 0) {
      pendingLine = l.lineNo;
      pendingChars = 0;
    }
    pending.push(l.text);
    // A quote never closed would gather the rest of the file into one record.
    pendingChars += l.text.length + 1;
    if (pendingChars > MAX_LINE_CHARS) throw lineTooLong(file, pendingLine, 'the record (a quoted field never closed?) starting at line');
    quotes += countQuotes(l.text);
    if (quotes % 2 === 1) continue; // inside a quoted field that goes on
    const text = pending.join('\n');
    pending = [];
    quotes = 0;
    if (text.trim() === '') continue;
    yield { cells: splitRecord(text), line: pendingLine };
  }
  if (pending.length > 0) onUnterminated?.(pendingLine);
}

export function splitRecord(text: string): string[] {
  const parsed = Papa.parse<string[]>(text, { delimiter: ',', newline: '\n', header: false, skipEmptyLines: false });
  // A record is one row, even when a quoted field holds newlines.
  return parsed.data[0] ?? [];
}
