// k6 `--out csv` (plain or gzip): one sample per row,
//   metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,
//   method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags[,metadata]
// Columns differ between k6 versions, so they are mapped by header name. Rows are
// streamed line by line into the same aggregation as the NDJSON output, so both
// formats give the same model for the same run. Timestamps are Unix seconds by
// default (whole seconds: the timeline cannot be finer than 1 s) or, with the
// output's timeFormat option (K6_CSV_TIME_FORMAT), ms/µs/ns or RFC 3339.
import Papa from 'papaparse';
import { InputError } from '../errors.js';
import { readLines } from '../read.js';
import type { IngestContext, Ingester, RunPart, Sniff } from '../types.js';
import { K6_SYSTEM_TAGS, addSample, createAggregate, samplesPart, type K6TagName, type K6Tags } from './aggregate.js';
import { impossibleRequestCount, MAX_DURATION_MS, MAX_SAMPLE_VALUE, MAX_TIME_MS } from './ndjson-scan.js';

const REQUIRED = ['metric_name', 'timestamp', 'metric_value'] as const;
const TAG_COLUMNS = ['name', 'method', 'url', 'status', 'error', 'error_code'] as const;

const HEADER_RE = /^\uFEFF?metric_name,timestamp,metric_value(,|\r?\n|$)/;

export function detectCsv(sniff: Sniff): boolean {
  return HEADER_RE.test(sniff.head);
}

/**
 * A k6 CSV timestamp → Unix ms. The unit follows from the magnitude (a run in seconds
 * is ~1.7e9, in ms ~1.7e12, µs ~1.7e15, ns ~1.7e18); text is RFC 3339. NaN when unreadable.
 */
export function parseTimestamp(s: string): number {
  if (s === '') return NaN;
  const n = Number(s);
  if (Number.isFinite(n)) {
    const a = Math.abs(n);
    if (a >= 1e17) return n / 1e6;
    if (a >= 1e14) return n / 1e3;
    if (a >= 1e11) return n;
    return n * 1000;
  }
  return Date.parse(s);
}

/** Splits one CSV record; the fast path covers k6's usual rows, papaparse the quoted ones. */
function splitRecord(text: string): string[] {
  if (!text.includes('"')) return text.split(',');
  const parsed = Papa.parse<string[]>(text, { header: false, delimiter: ',', newline: '\n', quoteChar: '"' });
  return parsed.data[0] ?? [];
}

/**
 * The `extra_tags` column: the tags without a column of their own, `key=value` joined by
 * `&` as k6 writes them (not escaped). System tags among them (vu, iter, ip with
 * k6's --system-tags) are left out, as in the NDJSON reader.
 */
export function parseExtraTags(text: string): Map<string, string> | undefined {
  let extra: Map<string, string> | undefined;
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq);
    if (!K6_SYSTEM_TAGS.has(key)) (extra ??= new Map()).set(key, pair.slice(eq + 1));
  }
  return extra;
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}

export async function ingestCsv(file: string, ctx: IngestContext): Promise<RunPart[]> {
  const agg = createAggregate(ctx.options.timelineIntervalS);
  let cols: { metric: number; time: number; value: number; tags: Array<[K6TagName, number]>; extraTags: number; count: number } | undefined;
  // Rows repeat their extra tags: parse each text once in a row.
  let lastExtraText = '';
  let lastExtra: Map<string, string> | undefined;
  let bad = 0;
  let firstBadLine = 0;
  let negative = 0;
  let firstNegativeLine = 0;
  let wholeSeconds = true;
  // A quoted field may span lines (an error message with a newline): gather until the quotes balance.
  let pending = '';
  let pendingLine = 0;

  const markBad = (lineNo: number) => {
    bad++;
    if (firstBadLine === 0) firstBadLine = lineNo;
  };

  for await (const line of readLines(file, ctx)) {
    let text = line.text;
    let lineNo = line.lineNo;
    if (pending !== '') {
      text = pending + '\n' + text;
      lineNo = pendingLine;
    }
    if (countQuotes(text) % 2 === 1 && !line.unterminated) {
      if (pending === '') pendingLine = line.lineNo;
      pending = text;
      continue;
    }
    pending = '';
    if (text === '') continue;

    const fields = splitRecord(text);
    if (!cols) {
      const index = new Map(fields.map((f, i) => [f.trim(), i]));
      const missing = REQUIRED.filter((c) => !index.has(c));
      if (missing.length > 0) throw new InputError(file, `not a k6 CSV output: the header lacks ${missing.join(', ')}`, { line: lineNo, column: 1 });
      cols = {
        metric: index.get('metric_name')!,
        time: index.get('timestamp')!,
        value: index.get('metric_value')!,
        tags: TAG_COLUMNS.filter((t) => index.has(t)).map((t) => [t, index.get(t)!] as [K6TagName, number]),
        extraTags: index.get('extra_tags') ?? -1,
        count: fields.length,
      };
      continue;
    }
    // A row cut short (k6 killed mid-write) lacks columns; a longer one is not k6's.
    if (fields.length !== cols.count) {
      markBad(lineNo);
      continue;
    }
    const metric = fields[cols.metric]!;
    const valueText = fields[cols.value]!;
    const value = valueText === '' ? NaN : Number(valueText);
    const timeMs = parseTimestamp(fields[cols.time]!);
    // Values or times beyond any real run (1e300, a year 275760 clock) are unusable rows.
    if (metric === '' || !(Math.abs(value) <= MAX_SAMPLE_VALUE) || !(Math.abs(timeMs) <= MAX_TIME_MS) || impossibleRequestCount(metric, value)) {
      markBad(lineNo);
      continue;
    }
    if ((value < 0 || value > MAX_DURATION_MS) && metric === 'http_req_duration') {
      negative++;
      if (firstNegativeLine === 0) firstNegativeLine = lineNo;
      continue;
    }
    if (wholeSeconds && timeMs % 1000 !== 0) wholeSeconds = false;
    const tags: K6Tags = {};
    for (const [tag, i] of cols.tags) {
      const v = fields[i];
      if (v) tags[tag] = v;
    }
    const extraText = cols.extraTags >= 0 ? fields[cols.extraTags]! : '';
    if (extraText !== lastExtraText) {
      lastExtraText = extraText;
      lastExtra = parseExtraTags(extraText);
    }
    if (lastExtra) tags.extra = lastExtra;
    addSample(agg, { timeMs, metric, value, tags });
  }
  if (pending !== '') markBad(pendingLine);

  if (!cols) throw new InputError(file, 'the file is empty: no k6 CSV header');
  if (bad > 0) ctx.warn({ line: firstBadLine, message: `skipped ${bad} malformed row(s) (wrong column count, or unreadable value or timestamp); first at line ${firstBadLine}` });
  if (negative > 0) ctx.warn({ line: firstNegativeLine, message: `skipped ${negative} negative or implausible (over 24 h) http_req_duration value(s); first at line ${firstNegativeLine}` });
  if (agg.samples === 0) throw new InputError(file, bad > 0 ? 'no readable k6 sample rows' : 'the file has a header but no samples');
  if (wholeSeconds && ctx.options.timelineIntervalS < 1) {
    ctx.warn({ message: `timestamps are whole seconds (k6's default CSV time format), so a ${ctx.options.timelineIntervalS} s timeline interval puts each second's requests into one bucket; use 1 s or more, or run k6 with K6_CSV_TIME_FORMAT=unix_milli` });
  }

  return [samplesPart(file, 'k6-csv', 25, agg, ctx)];
}

export const k6Csv: Ingester = {
  format: 'k6-csv',
  tool: 'k6',
  description: 'k6 --out csv (plain or .gz): every sample, aggregated into HDR histograms',
  detect: detectCsv,
  ingest: ingestCsv,
};
