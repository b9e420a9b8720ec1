// k6 writes sample times as Go's RFC 3339 with nanoseconds, in the machine's time
// zone ("2026-11-22T19:32:12.964529223Z", "...+01:00"). Date.parse drops everything
// below the millisecond and is slow on the hot path, so this reads the bytes directly.
// Both the fast scanner and the JSON.parse path go through this one function, so the
// two paths give identical times.

const ZERO = 48;

function digits(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = b[i]! - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Whole seconds since the epoch of the "YYYY-MM-DDThh:mm:ss" prefix at `start` (no time
 * zone applied yet), or NaN. The caller has checked that 19 bytes are there.
 */
function prefixSeconds(b: Uint8Array, start: number): number {
  const y = digits(b, start, 4);
  const mo = digits(b, start + 5, 2);
  const d = digits(b, start + 8, 2);
  const h = digits(b, start + 11, 2);
  const mi = digits(b, start + 14, 2);
  const s = digits(b, start + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return NaN;
  if (b[start + 4] !== 45 || b[start + 7] !== 45 || b[start + 13] !== 58 || b[start + 16] !== 58) return NaN;
  const t = b[start + 10];
  if (t !== 84 && t !== 116 && t !== 32) return NaN; // 'T', 't' or ' '
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/** The rest of a timestamp after its 19-byte prefix: fraction and zone, ending exactly at `end`. */
function withFraction(b: Uint8Array, i: number, end: number, prefixS: number): number {
  // Fraction of a second: keep nanoseconds (9 digits), ignore anything finer.
  let nanos = 0;
  if (b[i] === 46) {
    i++;
    let n = 0;
    let scale = 100_000_000;
    while (i < end) {
      const dg = b[i]! - ZERO;
      if (dg < 0 || dg > 9) break;
      if (n < 9) nanos += dg * scale;
      scale /= 10;
      n++;
      i++;
    }
    if (n === 0) return NaN;
  }
  let offsetMin = 0;
  const z = b[i];
  if (z === 90 || z === 122) {
    i++; // 'Z' / 'z'
  } else if (z === 43 || z === 45) {
    const oh = digits(b, i + 1, 2);
    const om = digits(b, i + 4, 2);
    if (oh < 0 || om < 0 || b[i + 3] !== 58) return NaN;
    offsetMin = (oh * 60 + om) * (z === 45 ? -1 : 1);
    i += 6;
  } else {
    return NaN;
  }
  if (i !== end) return NaN;
  const wholeS = prefixS - offsetMin * 60;
  return wholeS * 1000 + nanos / 1e6;
}

/**
 * Unix time in milliseconds (with the sub-millisecond part as a fraction) of an RFC 3339
 * timestamp in `b[start, end)`, or NaN when it is not one.
 */
export function parseRfc3339Ms(b: Uint8Array, start: number, end: number): number {
  if (end - start < 20) return NaN;
  const prefixS = prefixSeconds(b, start);
  if (prefixS !== prefixS) return NaN;
  return withFraction(b, start + 19, end, prefixS);
}

/**
 * Consecutive k6 lines mostly share a timestamp (k6 stamps all of a request's samples
 * with one time) or at least its second. The cache keeps the last timestamp's bytes:
 * an identical one costs a byte comparison, one in the same second only the fraction.
 * The arithmetic is the same as parseRfc3339Ms's, so the result is identical.
 */
export interface TimeCache {
  /** Bytes of the last timestamp read (valid when `len` > 0). */
  bytes: Uint8Array;
  view: DataView;
  len: number;
  ms: number;
  /** Whole seconds of its 19-byte prefix. */
  prefixS: number;
}

const MAX_CACHED_TIME = 48;

export function createTimeCache(): TimeCache {
  const bytes = new Uint8Array(MAX_CACHED_TIME);
  return { bytes, view: new DataView(bytes.buffer), len: 0, ms: 0, prefixS: 0 };
}

/**
 * Whether `dv[s, s + len)` equals `other[0, len)`, for len >= 8: 8 bytes at a time, the
 * last word overlapping. Words compare as float64, which is exact when `other` holds no
 * NUL bytes (+0 and -0 are the only distinct patterns that compare equal); a NaN pattern
 * never compares equal, which only makes a cache miss.
 */
export function sameWords(dv: DataView, s: number, other: DataView, len: number): boolean {
  let i = 0;
  for (; i + 8 <= len; i += 8) if (dv.getFloat64(s + i, true) !== other.getFloat64(i, true)) return false;
  return i === len || dv.getFloat64(s + len - 8, true) === other.getFloat64(len - 8, true);
}

/** parseRfc3339Ms through `cache`; `dv` is a DataView of `b`, for comparing 8 bytes at a time. */
export function parseRfc3339MsCached(b: Uint8Array, start: number, end: number, cache: TimeCache, dv?: DataView): number {
  const len = end - start;
  if (len < 20 || len > MAX_CACHED_TIME) return parseRfc3339Ms(b, start, end);
  const c = cache.bytes;
  // The same timestamp as the last one (most lines).
  if (dv !== undefined && len === cache.len && sameWords(dv, start, cache.view, len)) return cache.ms;
  let samePrefix = cache.len > 0;
  if (samePrefix) {
    // The differing digits are at the end: compare from there.
    for (let i = 18; i >= 0; i--) {
      if (b[start + i] !== c[i]) {
        samePrefix = false;
        break;
      }
    }
  }
  let ms: number;
  if (samePrefix) {
    if (len === cache.len) {
      let same = true;
      for (let i = len - 1; i >= 19; i--) {
        if (b[start + i] !== c[i]) {
          same = false;
          break;
        }
      }
      if (same) return cache.ms;
    }
    ms = withFraction(b, start + 19, end, cache.prefixS);
  } else {
    const prefixS = prefixSeconds(b, start);
    if (prefixS !== prefixS) return NaN;
    ms = withFraction(b, start + 19, end, prefixS);
    if (ms === ms) cache.prefixS = prefixS;
  }
  if (ms === ms) {
    for (let i = 0; i < len; i++) c[i] = b[start + i]!;
    cache.len = len;
    cache.ms = ms;
  }
  return ms;
}

/** The same, for a string (the JSON.parse path). */
export function parseRfc3339MsString(s: string): number {
  // A valid timestamp is ASCII; checking first keeps latin1 from folding other chars into digits.
  if (!/^[\x20-\x7e]*$/.test(s)) return NaN;
  const b = Buffer.from(s, 'latin1');
  return parseRfc3339Ms(b, 0, b.length);
}
