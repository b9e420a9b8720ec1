// The k6 NDJSON line kernel, compiled to WebAssembly (scripts/build-wasm.mjs).
//
// JavaScript spends most of a k6 line's cost comparing bytes: the metric name and keys,
// the timestamp, the tags text, each compared 8 bytes at a time through a DataView, at
// ~30 machine instructions per word. Here the same comparisons are 16 bytes per SIMD
// instruction, and finding the newline is too. The kernel reads the lines of a chunk
// that have exactly the shape k6 writes:
//
//   {"metric":"NAME","type":"Point","data":{"time":"T","value":V,"tags":{...}}}
//
// and writes one record per line: the metric (an id into a table of names), the time
// and value as doubles, and the tags (a slot of a cache keyed by the exact tags bytes).
// Any other line, and any line it is not sure of, is a FALLBACK record: JavaScript reads
// it the way it always has (ndjson-line.ts scanLine, then JSON.parse). The arithmetic
// for times is the same as ndjson-time.ts, operation for operation in IEEE doubles, and
// numbers are rounded correctly as Number() rounds them, so both give identical values;
// tests compare them.
//
// No libc: the module imports nothing and uses only its own static memory.
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef unsigned char u8;
typedef unsigned int u32;
typedef long long i64;

// The input: JavaScript copies chunks to its start, or reads files straight into two
// areas after that (ndjson-kernel.ts lays them out); 13 MiB in all.
#define INPUT_CAP (13u << 20)
#define MAX_RECORDS 8192u
#define MAX_NAMES 1024u
#define NAME_CAP 128u
#define NAME_HASH 2048u
#define TAG_SLOTS 1024u
#define TAG_CAP 4096u
#define MAX_TIME 48u

enum { FALLBACK = 0, OK = 1 };

typedef struct {
  double time;
  double value;
  int flag;
  int name;
  int tags;
  /** 1 when this line put new text into its tags slot: JavaScript reads the slot anew. */
  int newTags;
  int start;
  int end;
  int tagsStart;
  int tagsEnd;
} Record;

static u8 input[INPUT_CAP];
static Record records[MAX_RECORDS];

static u8 names[MAX_NAMES][NAME_CAP];
static u32 nameLen[MAX_NAMES];
/** The name whose line followed this one's last time (k6 writes a request's metrics in order), or -1. */
static int nameNext[MAX_NAMES];
static u32 nameCount;
/** Open addressing: name id + 1, 0 = empty. */
static u32 nameTable[NAME_HASH];
static int lastName = -1;
/** The tags slot of the last line read (tagLen 0 when none: no tags text is empty). */
static u32 lastSlot;

static u8 tagText[TAG_SLOTS][TAG_CAP];
static u32 tagLen[TAG_SLOTS];

static u8 timeText[MAX_TIME];
static u32 timeLen;
static double timeMs;

static u32 pos;

EXPORT(input_ptr) u8 *input_ptr(void) { return input; }
EXPORT(input_cap) u32 input_cap(void) { return INPUT_CAP; }
EXPORT(records_ptr) Record *records_ptr(void) { return records; }
EXPORT(max_records) u32 max_records(void) { return MAX_RECORDS; }
EXPORT(record_size) u32 record_size(void) { return sizeof(Record); }
EXPORT(name_ptr) u8 *name_ptr(u32 id) { return names[id]; }
EXPORT(name_len) u32 name_len(u32 id) { return nameLen[id]; }
EXPORT(max_names) u32 max_names(void) { return MAX_NAMES; }
EXPORT(tag_slots) u32 tag_slots(void) { return TAG_SLOTS; }
/** Where the unfinished tail of the input starts, after scan(). */
EXPORT(scan_pos) u32 scan_pos(void) { return pos; }

/** Forgets every cached name, tags text and time (JavaScript forgets its side too). */
EXPORT(reset) void reset(void) {
  nameCount = 0;
  lastName = -1;
  lastSlot = 0;
  timeLen = 0;
  for (u32 i = 0; i < NAME_HASH; i++) nameTable[i] = 0;
  for (u32 i = 0; i < TAG_SLOTS; i++) tagLen[i] = 0;
}

/** Starts a new chunk at input[start]: scan() reads from there. */
EXPORT(begin) void begin(u32 start) { pos = start; }

static inline int eq16(const u8 *a, const u8 *b) {
  return wasm_i8x16_all_true(wasm_i8x16_eq(wasm_v128_load(a), wasm_v128_load(b)));
}

static inline unsigned long long load64(const u8 *p) {
  unsigned long long v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

/** a[0, n) == b[0, n), reading neither past n: 16 bytes at a time, the last 16 (or 8) overlapping. */
static int same(const u8 *a, const u8 *b, u32 n) {
  if (n >= 16) {
    u32 i = 0;
    for (; i + 16 <= n; i += 16)
      if (!eq16(a + i, b + i)) return 0;
    return i == n || eq16(a + n - 16, b + n - 16);
  }
  if (n >= 8) return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
  for (u32 i = 0; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/** Index of the first `c` in p[0, n), or n. */
static u32 find(const u8 *p, u32 n, u8 c) {
  v128_t needle = wasm_i8x16_splat((signed char)c);
  u32 i = 0;
  for (; i + 16 <= n; i += 16) {
    u32 m = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(p + i), needle));
    if (m) return i + (u32)__builtin_ctz(m);
  }
  for (; i < n; i++)
    if (p[i] == c) return i;
  return n;
}

static const u8 PREFIX[] = "{\"metric\":\"";
static const u8 AFTER_NAME[] = "\",\"type\":\"Point\",\"data\":{\"time\":\"";
static const u8 AFTER_TIME[] = "\",\"value\":";
static const u8 TAGS_KEY[] = ",\"tags\":";
#define LEN(s) (sizeof(s) - 1)

// --- names ---------------------------------------------------------------------

static u32 nameHashOf(const u8 *p, u32 n) {
  u32 h = 2166136261u;
  for (u32 i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

/** The id of the name p[0, n), added when new; -1 when the table is full. */
static int internName(const u8 *p, u32 n) {
  u32 h = nameHashOf(p, n) & (NAME_HASH - 1);
  for (;;) {
    u32 e = nameTable[h];
    if (e == 0) break;
    u32 id = e - 1;
    if (nameLen[id] == n && same(names[id], p, n)) return (int)id;
    h = (h + 1) & (NAME_HASH - 1);
  }
  if (nameCount >= MAX_NAMES || nameCount * 2 >= NAME_HASH) return -1;
  u32 id = nameCount++;
  for (u32 i = 0; i < n; i++) names[id][i] = p[i];
  nameLen[id] = n;
  nameNext[id] = -1;
  nameTable[h] = id + 1;
  return (int)id;
}

// --- times (as ndjson-time.ts) -------------------------------------------------

static int digits(const u8 *b, u32 n) {
  int v = 0;
  for (u32 i = 0; i < n; i++) {
    int d = (int)b[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

static i64 floorDiv(i64 a, i64 b) {
  i64 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static i64 daysFromCivil(i64 y, i64 m, i64 d) {
  y -= m <= 2 ? 1 : 0;
  i64 era = floorDiv(y, 400);
  i64 yoe = y - era * 400;
  i64 doy = floorDiv(153 * (m + (m > 2 ? -3 : 9)) + 2, 5) + d - 1;
  i64 doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Milliseconds of the RFC 3339 time b[0, n); 0 in *ok when it is not one. */
static double parseTime(const u8 *b, u32 n, int *ok) {
  *ok = 0;
  if (n < 20) return 0;
  int y = digits(b, 4), mo = digits(b + 5, 2), d = digits(b + 8, 2);
  int h = digits(b + 11, 2), mi = digits(b + 14, 2), s = digits(b + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return 0;
  if (b[4] != 45 || b[7] != 45 || b[13] != 58 || b[16] != 58) return 0;
  u8 t = b[10];
  if (t != 84 && t != 116 && t != 32) return 0;
  i64 prefixS = daysFromCivil(y, mo, d) * 86400 + (i64)h * 3600 + (i64)mi * 60 + s;
  u32 i = 19;
  // The fraction accumulates as a double exactly like the JavaScript (nanos += dg * scale).
  double nanos = 0;
  if (b[i] == 46) {
    i++;
    u32 k = 0;
    double scale = 100000000;
    while (i < n) {
      int dg = (int)b[i] - 48;
      if (dg < 0 || dg > 9) break;
      if (k < 9) nanos += dg * scale;
      scale /= 10;
      k++;
      i++;
    }
    if (k == 0) return 0;
  }
  i64 offsetMin = 0;
  u8 z = i < n ? b[i] : 0;
  if (z == 90 || z == 122) {
    i++;
  } else if (z == 43 || z == 45) {
    if (i + 6 > n) return 0;
    int oh = digits(b + i + 1, 2), om = digits(b + i + 4, 2);
    if (oh < 0 || om < 0 || b[i + 3] != 58) return 0;
    offsetMin = (i64)(oh * 60 + om) * (z == 45 ? -1 : 1);
    i += 6;
  } else {
    return 0;
  }
  if (i != n) return 0;
  i64 wholeS = prefixS - offsetMin * 60;
  *ok = 1;
  return (double)wholeS * 1000 + nanos / 1e6;
}

// --- numbers (rounded as JavaScript's Number() rounds them) ----------------------
//
// A value is read as a 64-bit decimal significand w (its significant digits, at most 19)
// and an exponent q: w * 10^q, rounded to the nearest double, ties to even, which is what
// Number() and JSON.parse give. Clinger's fast path first: w and 10^|q| both exact doubles,
// one multiply or divide rounds once. Otherwise Eisel-Lemire (Lemire, "Number Parsing at a
// Gigabyte per Second", 2021): the product of w and a 128-bit truncation of 5^q leaves the
// nearest double decided in all but a few cases, and those (and subnormals, overflow, and
// more than 19 digits) are FALLBACK lines, which JavaScript reads with Number().

typedef unsigned long long u64;

static const double POW10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// POW5[q - POW5_MIN_Q] = {high, low} 64 bits of T, with 5^q = T * 2^(k - 127), k = floor(log2 5^q):
// truncated (exact for q in [0, 55]). Generated by the build.
#include "pow5.h"

/** 5^n for n <= 27 (the last power of five below 2^64). */
static const u64 POW5_64[] = {1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull, 390625ull,
                              1953125ull, 9765625ull, 48828125ull, 244140625ull, 1220703125ull,
                              6103515625ull, 30517578125ull, 152587890625ull, 762939453125ull,
                              3814697265625ull, 19073486328125ull, 95367431640625ull, 476837158203125ull,
                              2384185791015625ull, 11920928955078125ull, 59604644775390625ull,
                              298023223876953125ull, 1490116119384765625ull, 7450580596923828125ull};

/** The high 64 bits of a * b, the low ones in *lo. From 32-bit halves: __int128 would need compiler-rt's __multi3. */
static inline u64 mul128(u64 a, u64 b, u64 *lo) {
  u64 a0 = (u32)a, a1 = a >> 32, b0 = (u32)b, b1 = b >> 32;
  u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  u64 mid = (p00 >> 32) + (u32)p01 + (u32)p10; // < 3 * 2^32: no overflow
  *lo = (mid << 32) | (u32)p00;
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/** The bits of the normal double m * 2^e, m in [2^52, 2^53); 0 when it is not normal (subnormal or infinite). */
static inline u64 doubleBits(u64 m, int e) {
  int biased = e + 52 + 1023;
  if (biased < 1 || biased > 2046) return 0;
  return ((u64)biased << 52) | (m & ((1ull << 52) - 1));
}

/** The bits of n * 2^e (n >= 1) rounded exactly, ties to even; 0 when not a normal double. */
static u64 dyadicBits(u64 n, int e) {
  int len = 64 - __builtin_clzll(n);
  if (len <= 53) return doubleBits(n << (53 - len), e - (53 - len));
  int s = len - 53;
  u64 m = n >> s, rest = n & ((1ull << s) - 1), half = 1ull << (s - 1);
  if (rest > half || (rest == half && (m & 1))) m++;
  if (m == 1ull << 53) {
    m >>= 1;
    s++;
  }
  return doubleBits(m, e + s);
}

/**
 * The bits of w * 10^q (w in [1, 10^19)) rounded to the nearest double, ties to even; 0 when
 * that is not decided here, or the double is subnormal or infinite.
 *
 * With w normalized (w' = w << lz, top bit set), v = P * 2^(q + k - 127 - lz), P = w' * 5^q * 2^(127 - k)
 * in [2^190, 2^192). The table's T makes P' = w' * T instead: P' = P for q in [0, 55], else
 * P' < P < P' + w' (T truncated by less than 1), w' < 2^64.
 * The double is the top 53 bits of P, rounded by the 54th (the round bit) and whether
 * anything below it is set: that is decided unless P's bits below the round bit are near
 * zero (round bit 1: below, at or above the midpoint?) or near all ones (round bit 0: a
 * carry into the round bit?).
 */
static u64 eiselLemire(u64 w, int q) {
  if (q < POW5_MIN_Q || q > POW5_MAX_Q) return 0;
  int lz = __builtin_clzll(w);
  u64 wn = w << lz;
  const u64 *t = POW5[q - POW5_MIN_Q];
  u64 lo, hi = mul128(wn, t[0], &lo);
  // hi:lo is P's top 128 bits short of w' * T's low word's contribution (less than 2^64 of
  // lo's units), and P' is within 2^64 of P: P / 2^128 is in [hi, hi + 2).
  int upper = (int)(hi >> 63);
  int shift = 9 + upper; // hi's bits below the 53 kept ones and the round bit
  u64 mask = (1ull << shift) - 1;
  u64 below = hi & mask;
  int round = (int)(hi >> shift) & 1;
  // Round bit 1 and something below it set: above the midpoint whatever the error (a carry
  // only takes it to the even neighbour, which rounds to the same double). Round bit 0 and
  // room below all ones: under the next midpoint. Else (1 time in 2^9) the second product.
  int up = round;
  if (round ? below == 0 : below == mask) {
    u64 lo2, hi2 = mul128(wn, t[1], &lo2);
    lo += hi2;
    hi += lo < hi2;
    // Now P' = (hi:lo) * 2^64 + lo2 exactly; the carry may have moved the kept bits.
    upper = (int)(hi >> 63);
    shift = 9 + upper;
    mask = (1ull << shift) - 1;
    below = hi & mask;
    round = (int)(hi >> shift) & 1;
    up = round;
    if (q >= 0 && q <= 55) {
      // P' = P: exact. Round bit 1 with nothing below it is the midpoint: to even.
      if (round && below == 0 && lo == 0 && lo2 == 0) up = (int)(hi >> (shift + 1)) & 1;
    } else if (!round && below == mask && lo == ~0ull && lo2 > ~wn) {
      // P' < P < P' + w': with round bit 1, P is past the midpoint. With round bit 0 and
      // every bit below it set, P' + w' passes the next midpoint M: P may be below, above,
      // or (for q in [-4, -1], when 5^-q divides w) at M. Then w * 10^q = (w / 5^-q) * 2^q
      // is rounded exactly by integers; other cases (1 in 2^74) JavaScript decides.
      if (q >= 0 || q < -27 || w % POW5_64[-q] != 0) return 0;
      return dyadicBits(w / POW5_64[-q], q);
    }
  }
  int e = ((q * 152170) >> 16) + q + 11 + upper - lz; // v = m * 2^e, m the top 53 bits
  // A subnormal has fewer than 53 bits, so it rounds at another place: JavaScript's (even
  // one that would round up to the smallest normal double).
  if (e + 52 + 1023 < 1) return 0;
  u64 m = (hi >> (shift + 1)) + (u64)up;
  if (m == 1ull << 53) {
    m >>= 1;
    e++;
  }
  return doubleBits(m, e);
}

/** Reads a JSON number at b[*p, limit) as Number() would; 0 in *ok when it is not one, or not decided here. */
static double parseNumber(const u8 *b, u32 *p, u32 limit, int *ok) {
  u32 i = *p;
  *ok = 0;
  int neg = 0;
  if (i < limit && b[i] == 45) {
    neg = 1;
    i++;
  }
  // The first 19 significant digits make w (leading zeros, of a fraction too, are not
  // significant). Digits past them fall back unless all are zeros, which only scale w:
  // JavaScript prints 1.23e20 as 123000000000000000000. Truncating others would round
  // differently.
  u64 w = 0;
  int sig = 0, intDigits = 0, frac = 0, scale = 0;
  u32 dropped = 0;
  if (i < limit && b[i] == 48) {
    i++;
    intDigits = 1;
  } else {
    while (i < limit) {
      u32 d = (u32)b[i] - 48;
      if (d > 9) break;
      if (sig < 19) {
        w = w * 10 + d;
        sig++;
      } else {
        dropped |= d;
        scale++;
      }
      intDigits++;
      i++;
    }
  }
  if (intDigits == 0) return 0;
  if (i < limit && b[i] == 46) {
    i++;
    u32 s = i;
    while (i < limit) {
      u32 d = (u32)b[i] - 48;
      if (d > 9) break;
      if (sig < 19) {
        w = w * 10 + d;
        if (w != 0) sig++;
        frac++;
      } else {
        dropped |= d;
      }
      i++;
    }
    if (i == s) return 0;
  }
  int exp = 0;
  if (i < limit && (b[i] == 101 || b[i] == 69)) {
    i++;
    int expNeg = 0;
    if (i < limit && (b[i] == 43 || b[i] == 45)) {
      expNeg = b[i] == 45;
      i++;
    }
    int expDigits = 0;
    while (i < limit) {
      u32 d = (u32)b[i] - 48;
      if (d > 9) break;
      exp = exp * 10 + (int)d;
      if (exp > 99999) return 0; // far past any double, and exp - frac must not wrap: JavaScript's
      expDigits++;
      i++;
    }
    if (expDigits == 0) return 0;
    if (expNeg) exp = -exp;
  }
  if (dropped) return 0;
  *p = i;
  double v;
  int q = exp - frac + scale;
  if (w == 0) {
    v = 0;
  } else if (w <= 1ull << 53 && q >= -22 && q <= 22) {
    // Clinger: both operands exact, so the one operation rounds the exact value.
    v = q < 0 ? (double)w / POW10[-q] : (double)w * POW10[q];
  } else {
    u64 bits = eiselLemire(w, q);
    if (bits == 0) return 0;
    __builtin_memcpy(&v, &bits, 8);
  }
  *ok = 1;
  return neg ? -v : v;
}

// --- tags ------------------------------------------------------------------------

// The slot of a tags text hashes all of it, 16 bytes per step: tags that differ in one
// value only (a per-request `instance`, `status` or `vu` tag among twenty run tags) must
// land in different slots, or they evict each other on every line and JavaScript parses
// the tags text anew each time (a third of the time on such files when only a few bytes
// were hashed). Reading the text costs about what the comparison with the slot costs.
static u32 tagSlotOf(const u8 *p, u32 n) {
  const v128_t k = wasm_i32x4_splat((int)0x9E3779B1u);
  v128_t acc = wasm_i32x4_splat((int)n);
  if (n >= 16) {
    u32 i = 0;
    for (; i + 16 <= n; i += 16) acc = wasm_i32x4_mul(wasm_v128_xor(acc, wasm_v128_load(p + i)), k);
    if (i < n) acc = wasm_i32x4_mul(wasm_v128_xor(acc, wasm_v128_load(p + n - 16)), k);
  } else {
    u32 h = n;
    for (u32 i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    acc = wasm_i32x4_mul(wasm_v128_xor(acc, wasm_i32x4_splat((int)h)), k);
  }
  u32 h = (u32)wasm_i32x4_extract_lane(acc, 0) ^ ((u32)wasm_i32x4_extract_lane(acc, 1) * 3u) ^
          ((u32)wasm_i32x4_extract_lane(acc, 2) * 5u) ^ ((u32)wasm_i32x4_extract_lane(acc, 3) * 7u);
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 13;
  return h & (TAG_SLOTS - 1);
}

// --- lines ------------------------------------------------------------------------

/** Reads one line b[0, n) (no newline, no CR) into r; returns OK or FALLBACK. */
static int scanLine(const u8 *b, u32 n, Record *r) {
  if (n < LEN(PREFIX) + 3 || !same(b, PREFIX, LEN(PREFIX))) return FALLBACK;
  // The line must close like a whole k6 line: the tags object, then data, then the line.
  if (b[n - 1] != '}' || b[n - 2] != '}' || b[n - 3] != '}') return FALLBACK;
  u32 p = LEN(PREFIX);
  int id = lastName >= 0 ? nameNext[lastName] : -1;
  if (id >= 0 && p + nameLen[id] + 1 <= n && same(b + p, names[id], nameLen[id]) && b[p + nameLen[id]] == '"') {
    p += nameLen[id];
  } else {
    u32 s = p;
    while (p < n) {
      u8 c = b[p];
      if (c == '"' || c == '\\' || c < 0x20) break;
      p++;
    }
    if (p >= n || b[p] != '"' || p == s || p - s > NAME_CAP) return FALLBACK;
    id = internName(b + s, p - s);
    if (id < 0) return FALLBACK;
    if (lastName >= 0) nameNext[lastName] = id;
  }
  lastName = id;
  if (p + LEN(AFTER_NAME) > n || !same(b + p, AFTER_NAME, LEN(AFTER_NAME))) return FALLBACK;
  p += LEN(AFTER_NAME);
  // The time runs to the next quote (within 48 bytes, as timeEnd in ndjson-line.ts).
  u32 maxT = n - p < MAX_TIME ? n - p : MAX_TIME;
  u32 tl = find(b + p, maxT, '"');
  if (tl == maxT) return FALLBACK;
  double t;
  if (tl == timeLen && same(b + p, timeText, tl)) {
    t = timeMs;
  } else {
    int ok;
    t = parseTime(b + p, tl, &ok);
    if (!ok) return FALLBACK;
    for (u32 i = 0; i < tl; i++) timeText[i] = b[p + i];
    timeLen = tl;
    timeMs = t;
  }
  p += tl;
  if (p + LEN(AFTER_TIME) > n || !same(b + p, AFTER_TIME, LEN(AFTER_TIME))) return FALLBACK;
  p += LEN(AFTER_TIME);
  int ok;
  double v = parseNumber(b, &p, n, &ok);
  if (!ok) return FALLBACK;
  if (p + LEN(TAGS_KEY) > n || !same(b + p, TAGS_KEY, LEN(TAGS_KEY))) return FALLBACK;
  p += LEN(TAGS_KEY);
  // The tags object runs to the line's last two braces.
  u32 ts = p, te = n - 2;
  if (te <= ts + 1 || b[ts] != '{') return FALLBACK;
  u32 tl2 = te - ts;
  if (tl2 > TAG_CAP) return FALLBACK;
  // k6 writes a request's dozen samples with one tags text: the last line's slot is tried
  // before hashing (a match is the one comparison a hashed lookup would make anyway).
  u32 slot;
  int fresh;
  if (tagLen[lastSlot] == tl2 && same(tagText[lastSlot], b + ts, tl2)) {
    slot = lastSlot;
    fresh = 0;
  } else {
    slot = tagSlotOf(b + ts, tl2);
    fresh = !(tagLen[slot] == tl2 && same(tagText[slot], b + ts, tl2));
    lastSlot = slot;
  }
  if (fresh) {
    for (u32 i = 0; i < tl2; i++) tagText[slot][i] = b[ts + i];
    tagLen[slot] = tl2;
  }
  r->time = t;
  r->value = v;
  r->name = id;
  r->tags = (int)slot;
  r->newTags = fresh;
  r->tagsStart = (int)ts;
  r->tagsEnd = (int)te;
  return OK;
}

/**
 * Scans the complete lines of input[pos, len): one record each, at most MAX_RECORDS.
 * Returns the number of records; scan_pos() is where the next call goes on (the start
 * of the unfinished tail once fewer than MAX_RECORDS come back).
 */
EXPORT(scan) u32 scan(u32 len) {
  if (len > INPUT_CAP) return 0;
  u32 count = 0;
  while (count < MAX_RECORDS && pos < len) {
    u32 nl = pos + find(input + pos, len - pos, '\n');
    if (nl >= len) break;
    Record *r = &records[count++];
    u32 end = nl;
    r->start = (int)pos;
    r->end = (int)end;
    if (end > pos && input[end - 1] == '\r') end--;
    r->flag = end > pos ? scanLine(input + pos, end - pos, r) : FALLBACK;
    if (r->flag == OK) {
      r->tagsStart += (int)pos;
      r->tagsEnd += (int)pos;
    }
    pos = nl + 1;
  }
  return count;
}
