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
// for times and numbers is the same as ndjson-time.ts and ndjson-line.ts, operation for
// operation in IEEE doubles, so both give identical values; tests compare them.
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

// --- numbers (as parseNumber in ndjson-line.ts, its fast path only) -------------

static const double POW10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/** Reads a JSON number at b[*p, limit) when it is exactly representable by the fast path; 0 in *ok otherwise. */
static double parseNumber(const u8 *b, u32 *p, u32 limit, int *ok) {
  u32 i = *p;
  *ok = 0;
  int neg = 0;
  if (i < limit && b[i] == 45) {
    neg = 1;
    i++;
  }
  double mant = 0;
  int sig = 0, intDigits = 0;
  if (i < limit && b[i] == 48) {
    i++;
    intDigits = 1;
  } else {
    while (i < limit) {
      int d = (int)b[i] - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      sig++;
      intDigits++;
      i++;
    }
  }
  if (intDigits == 0) return 0;
  int frac = 0;
  if (i < limit && b[i] == 46) {
    i++;
    while (i < limit) {
      int d = (int)b[i] - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      if (mant != 0) sig++;
      frac++;
      i++;
    }
    if (frac == 0) return 0;
  }
  if (i < limit && (b[i] == 101 || b[i] == 69)) return 0; // exponent: JavaScript's Number() rounds it
  if (sig > 15 || frac > 22) return 0;                   // too many digits for one exact division
  *p = i;
  *ok = 1;
  double v = frac == 0 ? mant : mant / POW10[frac];
  return neg ? -v : v;
}

// --- tags ------------------------------------------------------------------------

static u32 tagSlotOf(const u8 *p, u32 n) {
  return (n * 7 + p[n - 2] * 3u + p[n >> 1] * 5u + p[n >> 2]) & (TAG_SLOTS - 1);
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
  u32 slot = tagSlotOf(b + ts, tl2);
  int fresh = !(tagLen[slot] == tl2 && same(tagText[slot], b + ts, tl2));
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
