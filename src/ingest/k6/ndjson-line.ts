// Reading one line of k6 `--out json` output. Two ways that must agree:
// - `scanLine`: a byte scanner for the exact shapes k6 writes (either key order), which
//   builds no string for the parts of a line nobody reads: for a metric that does not
//   feed the model (http_req_blocked, http_req_waiting, ...) it reads only the name and
//   the time. Anything it does not recognise byte for byte (whitespace, escapes in a tag
//   we read, a number tag, an unknown key) returns FALLBACK.
// - `parseLineJson`: JSON.parse on the line, for everything else (Metric declarations,
//   unusual lines) and as the reference the fast path is tested against.
import { K6_SYSTEM_TAGS, KIND_TIME_ONLY, metricKind, type K6MetricType, type K6TagName, type K6Tags } from './aggregate.js';
import { createTimeCache, parseRfc3339MsCached, parseRfc3339MsString, sameWords } from './ndjson-time.js';

export const FALLBACK = 0;
/** A sample with metric, time, value and tags filled in. */
export const POINT = 1;
/** A sample of a metric that only counts for its time; `timeMs` and `metric` are filled in. */
export const TIME_ONLY = 2;
/** A Metric declaration; `metric`, `metricType` and `contains` are filled in. */
export const METRIC = 3;
/** Valid JSON, but not a k6 Point or Metric. */
export const FOREIGN = 4;
/** Not JSON (corrupt or truncated). */
export const CORRUPT = 5;
/** A k6 Point whose time or value is unusable; `problem` says why. */
export const INVALID = 6;

export interface LineResult {
  metric: string;
  /** The metric's kind for the aggregation (metricKind). */
  kind: number;
  timeMs: number;
  value: number;
  tags: K6Tags;
  metricType: K6MetricType | undefined;
  contains: string | undefined;
  problem: string;
}

export function createLineResult(): LineResult {
  return { metric: '', kind: 0, timeMs: 0, value: 0, tags: {}, metricType: undefined, contains: undefined, problem: '' };
}

const bytes = (s: string) => Buffer.from(s, 'latin1');

/**
 * A fixed byte string to compare with, also as little-endian 8-byte words: comparing
 * through a DataView eight bytes at a time is about 2x faster than four at a time and
 * 9x faster than byte by byte, and these comparisons are most of a line's cost.
 * Words are compared as float64, which is exact here: two different bit patterns are
 * equal only for +0/-0 (a text of NUL bytes, which no pattern is) and NaN is never equal
 * (a mismatch only sends the line to the slow path). A length that is not a multiple of
 * 8 ends with one overlapping word.
 */
interface Pattern {
  bytes: Uint8Array;
  words: Float64Array;
  /** The last 8 bytes as a word (compared when the length is not a multiple of 8). */
  last: number;
}

function pattern(raw: Uint8Array): Pattern {
  if (raw.length < 8) throw new Error('patterns are at least 8 bytes');
  const words = new Float64Array(raw.length >> 3);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let k = 0; k < words.length; k++) words[k] = dv.getFloat64(8 * k, true);
  return { bytes: raw, words, last: dv.getFloat64(raw.length - 8, true) };
}

const NEW_PREFIX = pattern(bytes('{"metric":"'));
const NEW_AFTER_NAME = pattern(bytes('","type":"Point","data":{"time":"'));
const OLD_PREFIX = pattern(bytes('{"type":"Point","data":{"time":"'));
const AFTER_TIME = pattern(bytes('","value":'));
const TAGS_KEY = pattern(bytes(',"tags":'));
const OLD_METRIC_KEY = pattern(bytes('},"metric":"'));
const QUOTE = 34;
const BACKSLASH = 92;

// One DataView per buffer scanned (a chunk holds thousands of lines).
let viewedBuffer: Uint8Array | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));
function viewOf(b: Uint8Array): DataView {
  if (b !== viewedBuffer) {
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    viewedBuffer = b;
  }
  return view;
}

function matchPat(b: Uint8Array, dv: DataView, at: number, pat: Pattern): boolean {
  const n = pat.bytes.length;
  if (at < 0 || at + n > b.length) return false;
  const w = pat.words;
  for (let k = 0; k < w.length; k++) if (dv.getFloat64(at + 8 * k, true) !== w[k]) return false;
  return (n & 7) === 0 || dv.getFloat64(at + n - 8, true) === pat.last;
}

function matchAt(b: Uint8Array, at: number, pat: Uint8Array): boolean {
  if (at < 0 || at + pat.length > b.length) return false;
  for (let i = 0; i < pat.length; i++) if (b[at + i] !== pat[i]) return false;
  return true;
}

// Metric names repeat on every line: keep one string per distinct name (compared by
// bytes) instead of decoding a new string each time.
interface NameEntry {
  raw: Buffer;
  name: string;
  kind: number;
  /** The name and what follows it in the newer layout, up to the time's opening quote. */
  head: Pattern;
  /** The metric whose line followed this one's last time: k6 writes a request's metrics in a fixed order. */
  next: NameEntry | null;
}
interface ValueEntry {
  raw: Buffer;
  name: string;
}
const names = new Map<number, NameEntry[]>();

function internName(b: Uint8Array, start: number, end: number, hash: number): NameEntry {
  let list = names.get(hash);
  if (list) {
    const len = end - start;
    for (const e of list) {
      if (e.raw.length !== len) continue;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (e.raw[i] !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return e;
    }
  } else {
    list = [];
    names.set(hash, list);
  }
  const raw = Buffer.from(b.subarray(start, end));
  const name = raw.toString('utf8');
  const entry: NameEntry = { raw, name, kind: metricKind(name), head: pattern(Buffer.concat([raw, NEW_AFTER_NAME.bytes])), next: null };
  list.push(entry);
  return entry;
}

/** End (index of the closing quote) of a plain metric name starting at `p`, or -1. */
function nameEnd(b: Uint8Array, p: number, limit: number): number {
  for (let i = p; i < limit; i++) {
    const c = b[i]!;
    if (c === QUOTE) return i > p ? i : -1;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/** A cheap bucket key (length and three bytes); the byte comparison after it decides. */
function nameHash(b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len === 0) return 0;
  return (len << 24) ^ (b[end - 1]! << 16) ^ (b[start + (len >> 1)]! << 8) ^ b[start + (len >> 2)]!;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

let numEnd = 0;
/**
 * Parses a JSON number at `p`; sets `numEnd`. NaN when it is not a JSON number.
 * Up to 15 significant digits and 22 decimals, digits / 10^decimals is one correctly
 * rounded division of two exact doubles, so it equals what JSON.parse gives (Clinger's
 * fast path); longer numbers and exponents go through Number(), which rounds the same way.
 */
function parseNumber(b: Uint8Array, p: number, limit: number): number {
  const start = p;
  let neg = false;
  if (b[p] === 45) {
    neg = true;
    p++;
  }
  let mant = 0;
  let sig = 0;
  let intDigits = 0;
  if (b[p] === 48) {
    p++;
    intDigits = 1;
  } else {
    while (p < limit) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      sig++;
      intDigits++;
      p++;
    }
  }
  if (intDigits === 0) return NaN;
  let frac = 0;
  if (b[p] === 46) {
    p++;
    while (p < limit) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      if (mant !== 0) sig++;
      frac++;
      p++;
    }
    if (frac === 0) return NaN;
  }
  const c = b[p];
  if (c === 101 || c === 69) {
    // Exponent: validate the JSON grammar, then let Number() do the rounding.
    p++;
    if (b[p] === 43 || b[p] === 45) p++;
    let expDigits = 0;
    while (p < limit && b[p]! >= 48 && b[p]! <= 57) {
      p++;
      expDigits++;
    }
    if (expDigits === 0) return NaN;
    numEnd = p;
    return Number(Buffer.from(b.buffer, b.byteOffset + start, p - start).toString('latin1'));
  }
  numEnd = p;
  if (sig <= 15 && frac <= 22) {
    const v = frac === 0 ? mant : mant / POW10[frac]!;
    return neg ? -v : v;
  }
  return Number(Buffer.from(b.buffer, b.byteOffset + start, p - start).toString('latin1'));
}

// Tag values (names, methods, statuses) repeat on nearly every line too. The cache is
// bounded: a file with a unique URL per request just stops being cached.
const values = new Map<number, ValueEntry[]>();
let cachedValues = 0;
const MAX_CACHED_VALUES = 20_000;

function internValue(b: Uint8Array, start: number, end: number): string {
  const hash = nameHash(b, start, end);
  const list = values.get(hash);
  const len = end - start;
  if (list) {
    for (const e of list) {
      if (e.raw.length !== len) continue;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (e.raw[i] !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return e.name;
    }
  }
  const raw = Buffer.from(b.subarray(start, end));
  const name = raw.toString('utf8');
  if (cachedValues < MAX_CACHED_VALUES) {
    cachedValues++;
    if (list) list.push({ raw, name });
    else values.set(hash, [{ raw, name }]);
  }
  return name;
}

/** Which tag a key is (the ones K6Tags keeps), by length and bytes; '' for others. */
function tagKey(b: Uint8Array, s: number, len: number): K6TagName | '' {
  switch (len) {
    case 3:
      return b[s] === 117 && b[s + 1] === 114 && b[s + 2] === 108 ? 'url' : '';
    case 4:
      return b[s] === 110 && b[s + 1] === 97 && b[s + 2] === 109 && b[s + 3] === 101 ? 'name' : '';
    case 5:
      return matchAt(b, s, ERROR) ? 'error' : '';
    case 6:
      if (matchAt(b, s, METHOD)) return 'method';
      if (matchAt(b, s, STATUS)) return 'status';
      return '';
    case 10:
      return matchAt(b, s, ERROR_CODE) ? 'error_code' : '';
    default:
      return '';
  }
}
const ERROR = bytes('error');
const METHOD = bytes('method');
const STATUS = bytes('status');
const ERROR_CODE = bytes('error_code');
const NULL = bytes('null');

const isHex = (c: number | undefined) => c !== undefined && ((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));

/** Whether the escape after a backslash at `p` is one JSON allows: \" \\ \/ \b \f \n \r \t or \u and four hex digits. */
function validEscape(b: Uint8Array, p: number, limit: number): boolean {
  if (p >= limit) return false;
  switch (b[p]) {
    case QUOTE:
    case BACKSLASH:
    case 47: // /
    case 98: // b
    case 102: // f
    case 110: // n
    case 114: // r
    case 116: // t
      return true;
    case 117: // u
      return p + 4 < limit && isHex(b[p + 1]) && isHex(b[p + 2]) && isHex(b[p + 3]) && isHex(b[p + 4]);
    default:
      return false;
  }
}

/** Reads the tags object at `p` into `tags`; returns the index after it, or -1 to fall back. */
function scanTags(b: Uint8Array, p: number, limit: number, tags: K6Tags): number {
  if (matchAt(b, p, NULL)) return p + 4;
  if (b[p] !== 123) return -1;
  p++;
  if (b[p] === 125) return p + 1;
  for (;;) {
    if (b[p] !== QUOTE) return -1;
    const ks = p + 1;
    let ke = ks;
    while (ke < limit) {
      const c = b[ke]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20) return -1;
      ke++;
    }
    if (ke >= limit || b[ke + 1] !== 58 || b[ke + 2] !== QUOTE) return -1;
    const vs = ke + 3;
    let ve = vs;
    let escaped = false;
    while (ve < limit) {
      const c = b[ve]!;
      if (c === QUOTE) break;
      if (c < 0x20) return -1;
      if (c === BACKSLASH) {
        // Even a tag nobody reads must be valid JSON, or the line is JSON.parse's to refuse.
        if (!validEscape(b, ve + 1, limit)) return -1;
        escaped = true;
        ve++; // the escaped char can be a quote; \uXXXX continues with hex digits
      }
      ve++;
    }
    if (ve >= limit) return -1;
    const key = tagKey(b, ks, ke - ks);
    if (key !== '') {
      if (escaped) return -1; // JSON.parse decodes escapes; no need to duplicate it here
      tags[key] = internValue(b, vs, ve);
    } else {
      // Not one the aggregation reads: kept only when k6 does not set it itself (a run
      // tag or a script's tag). Tags objects are cached, so this runs once per tags text.
      const name = internValue(b, ks, ke);
      if (!K6_SYSTEM_TAGS.has(name)) {
        let value: unknown;
        if (!escaped) value = internValue(b, vs, ve);
        else {
          try {
            value = JSON.parse(Buffer.from(b.buffer, b.byteOffset + vs - 1, ve - vs + 2).toString('utf8'));
          } catch {
            return -1;
          }
        }
        const extra = (tags.extra ?? new Map<string, string>()) as Map<string, string>;
        extra.set(name, value as string);
        tags.extra = extra;
      }
    }
    p = ve + 1;
    const sep = b[p];
    if (sep === 44) {
      p++;
      continue;
    }
    if (sep === 125) return p + 1;
    return -1;
  }
}

/** Index of the closing quote of the time string starting at `p`, or -1. */
function timeEnd(b: Uint8Array, p: number, limit: number): number {
  // Most times have the last one's length: try it first. k6 drops trailing zeros of the
  // fraction, so a shorter time's guess can land on the quote that opens "value"; only
  // the time's closing quote is followed by a comma. (A wrong guess would only make the
  // time unreadable and the line go to JSON.parse, which is slow but right.)
  const guess = p + times.len;
  if (times.len > 0 && guess + 1 < limit && b[guess] === QUOTE && b[guess + 1] === 44) return guess;
  const max = Math.min(limit, p + 48);
  for (let i = p; i < max; i++) if (b[i] === QUOTE) return i;
  return -1;
}

const times = createTimeCache();

// The tags text repeats: a request's samples carry the same tags, and requests to one
// endpoint with one status have the same tags text. A small direct-mapped cache keyed by
// the exact bytes of a tags object hands back the object read last time, so most lines
// skip reading tags at all. Only tags read to their exact end are cached.
interface TagsSlot {
  bytes: Uint8Array;
  view: DataView;
  len: number;
  tags: K6Tags;
}
const TAG_SLOTS = 256;
const MAX_CACHED_TAGS = 4096;
const tagSlots: Array<TagsSlot | null> = new Array<TagsSlot | null>(TAG_SLOTS).fill(null);

function tagSlotIndex(b: Uint8Array, s: number, len: number): number {
  return (len * 7 + b[s + len - 2]! * 3 + b[s + (len >> 1)]! * 5 + b[s + (len >> 2)]!) & (TAG_SLOTS - 1);
}

function sameTags(b: Uint8Array, dv: DataView, s: number, len: number, slot: TagsSlot): boolean {
  if (slot.len !== len) return false;
  const sv = slot.view;
  if (len < 8) {
    const sb = slot.bytes;
    for (let i = 0; i < len; i++) if (b[s + i] !== sb[i]) return false;
    return true;
  }
  // Cached tags hold no NUL bytes (scanTags refuses control characters), as sameWords needs.
  return sameWords(dv, s, sv, len);
}

/**
 * The tags object that is exactly `b[s, e)`, read afresh (no cache), or null when it is
 * not one the byte scanner reads (escapes in a tag we keep, a number, whitespace...).
 * The WebAssembly kernel (ndjson-kernel.ts) caches tags texts itself and reads each new
 * one through this.
 */
export function parseTagsText(b: Uint8Array, s: number, e: number): K6Tags | null {
  const tags: K6Tags = {};
  return scanTags(b, s, e, tags) === e ? tags : null;
}

/** The tags object that is exactly `b[s, e)`, or null to fall back. */
function readTags(b: Uint8Array, dv: DataView, s: number, e: number): K6Tags | null {
  const len = e - s;
  if (len < 2) return null;
  const idx = tagSlotIndex(b, s, len);
  const slot = tagSlots[idx];
  if (slot && sameTags(b, dv, s, len, slot)) return slot.tags;
  const tags = parseTagsText(b, s, e);
  if (tags === null) return null;
  if (len <= MAX_CACHED_TAGS) {
    if (slot && slot.bytes.length >= len) {
      slot.bytes.set(b.subarray(s, e));
      slot.len = len;
      slot.tags = tags;
    } else {
      const copy = new Uint8Array(Math.max(len, 256));
      copy.set(b.subarray(s, e));
      tagSlots[idx] = { bytes: copy, view: new DataView(copy.buffer), len, tags };
    }
  }
  return tags;
}

let lastName: NameEntry | null = null;

/**
 * Scans the line `b[start, end)` (no newline). Returns POINT, TIME_ONLY or FALLBACK;
 * on FALLBACK `out` may be partly written and must be filled by parseLineJson.
 */
export function scanLine(b: Uint8Array, start: number, end: number, out: LineResult): number {
  const dv = viewOf(b);
  if (matchPat(b, dv, start, NEW_PREFIX)) {
    // {"metric":"NAME","type":"Point","data":{"time":"T","value":V,"tags":{...}}}
    let p = start + NEW_PREFIX.bytes.length;
    // Most lines are the metric that followed the previous line's metric last time:
    // one comparison confirms the name and the keys up to the time.
    let entry = lastName === null ? null : lastName.next;
    if (entry !== null && matchPat(b, dv, p, entry.head)) {
      p += entry.head.bytes.length;
    } else {
      const ne = nameEnd(b, p, end);
      if (ne < 0) return FALLBACK;
      entry = internName(b, p, ne, nameHash(b, p, ne));
      if (!matchPat(b, dv, ne, NEW_AFTER_NAME)) return FALLBACK;
      p = ne + NEW_AFTER_NAME.bytes.length;
      if (lastName !== null) lastName.next = entry;
    }
    lastName = entry;
    const te = timeEnd(b, p, end);
    if (te < 0) return FALLBACK;
    const timeMs = parseRfc3339MsCached(b, p, te, times, dv);
    if (timeMs !== timeMs) return FALLBACK;
    // A line that does not close like a whole k6 line is left to JSON.parse (truncated).
    if (b[end - 1] !== 125 || b[end - 2] !== 125 || b[end - 3] !== 125) return FALLBACK;
    out.metric = entry.name;
    out.kind = entry.kind;
    out.timeMs = timeMs;
    p = te;
    if (!matchPat(b, dv, p, AFTER_TIME)) return FALLBACK;
    p += AFTER_TIME.bytes.length;
    const value = parseNumber(b, p, end);
    if (value !== value) return FALLBACK;
    p = numEnd;
    if (!matchPat(b, dv, p, TAGS_KEY)) return FALLBACK;
    // The tags object runs to the line's last two braces.
    const tags = readTags(b, dv, p + TAGS_KEY.bytes.length, end - 2);
    if (tags === null) return FALLBACK;
    // A metric the model does not use counts only for its time, but its line is read
    // whole all the same: a damaged one is JSON.parse's to refuse.
    if (entry.kind === KIND_TIME_ONLY) return TIME_ONLY;
    out.value = value;
    out.tags = tags;
    return POINT;
  }
  if (matchPat(b, dv, start, OLD_PREFIX)) {
    // {"type":"Point","data":{"time":"T","value":V,"tags":{...}},"metric":"NAME"}
    if (b[end - 1] !== 125 || b[end - 2] !== QUOTE) return FALLBACK;
    let q = end - 3;
    while (q > start && b[q] !== QUOTE) {
      if (b[q] === BACKSLASH) return FALLBACK;
      q--;
    }
    const metricKeyAt = q - (OLD_METRIC_KEY.bytes.length - 1);
    if (q <= start || q + 1 >= end - 2 || !matchPat(b, dv, metricKeyAt, OLD_METRIC_KEY)) return FALLBACK;
    const entry = internName(b, q + 1, end - 2, nameHash(b, q + 1, end - 2));
    let p = start + OLD_PREFIX.bytes.length;
    const te = timeEnd(b, p, metricKeyAt);
    if (te < 0) return FALLBACK;
    const timeMs = parseRfc3339MsCached(b, p, te, times, dv);
    if (timeMs !== timeMs) return FALLBACK;
    out.metric = entry.name;
    out.kind = entry.kind;
    out.timeMs = timeMs;
    p = te;
    if (!matchPat(b, dv, p, AFTER_TIME)) return FALLBACK;
    p += AFTER_TIME.bytes.length;
    const value = parseNumber(b, p, metricKeyAt);
    if (value !== value) return FALLBACK;
    p = numEnd;
    if (!matchPat(b, dv, p, TAGS_KEY)) return FALLBACK;
    const tags = readTags(b, dv, p + TAGS_KEY.bytes.length, metricKeyAt);
    if (tags === null) return FALLBACK;
    if (entry.kind === KIND_TIME_ONLY) return TIME_ONLY;
    out.value = value;
    out.tags = tags;
    return POINT;
  }
  return FALLBACK;
}

const METRIC_TYPES = new Set(['trend', 'counter', 'rate', 'gauge']);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The JSON.parse path: any key order, whitespace, escapes. */
export function parseLineJson(text: string, out: LineResult): number {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return CORRUPT;
  }
  if (!isObject(obj)) return FOREIGN;
  const data = obj.data;
  if (obj.type === 'Metric') {
    const name = isObject(data) && typeof data.name === 'string' ? data.name : obj.metric;
    if (typeof name !== 'string' || name === '') return FOREIGN;
    out.metric = name;
    out.metricType = isObject(data) && typeof data.type === 'string' && METRIC_TYPES.has(data.type) ? (data.type as K6MetricType) : undefined;
    out.contains = isObject(data) && typeof data.contains === 'string' ? data.contains : undefined;
    return METRIC;
  }
  if (obj.type !== 'Point' || typeof obj.metric !== 'string' || obj.metric === '' || !isObject(data)) return FOREIGN;
  out.metric = obj.metric;
  out.kind = metricKind(obj.metric);
  const timeMs = typeof data.time === 'string' ? parseRfc3339MsString(data.time) : NaN;
  if (timeMs !== timeMs) {
    out.problem = 'unreadable time';
    return INVALID;
  }
  out.timeMs = timeMs;
  if (out.kind === KIND_TIME_ONLY) return TIME_ONLY;
  const value = data.value;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    out.problem = 'value is not a number';
    return INVALID;
  }
  out.value = value;
  const tags: K6Tags = {};
  if (isObject(data.tags)) {
    const t = data.tags;
    // Only the tags the model uses, and only string values (k6 writes every tag as a string).
    for (const k of ['name', 'method', 'url', 'status', 'error', 'error_code'] as const) {
      if (Object.prototype.hasOwnProperty.call(t, k) && typeof t[k] === 'string') tags[k] = t[k];
    }
    let extra: Map<string, string> | undefined;
    for (const [k, v] of Object.entries(t)) {
      if (typeof v === 'string' && !K6_SYSTEM_TAGS.has(k)) (extra ??= new Map()).set(k, v);
    }
    if (extra) tags.extra = extra;
  }
  out.tags = tags;
  return POINT;
}
