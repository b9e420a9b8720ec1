// The units bombardier prints. Latencies come from its formatTimeUs (`us`, `ms`, `s`,
// and past one second `s`, `m`, `h`, always one number and one unit, e.g. "0.93s",
// "495.38us"); the intro line's duration is Go's time.Duration String ("15s",
// "1m30s", "1h0m0s", "500ms", "1.5µs"); throughput comes from formatBinary, which
// scales by 1024 and prints no unit at all below 1 KB ("512.00/s").

const TIME_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign, as Go prints it
  μs: 1e-3, // U+03BC Greek mu, seen in hand-copied output
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_RE = /^(?:(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h))+$/;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g;

/** "37.30ms" → 37.3, "1m2.5s" → 62500; null when the text is not a duration. */
export function parseDurationMs(text: string): number | null {
  const t = text.trim();
  if (t === '0') return 0; // Go prints a zero Duration as "0s", but be lenient
  if (!DURATION_RE.test(t)) return null;
  let ms = 0;
  for (const m of t.matchAll(DURATION_PART_RE)) ms += Number(m[1]) * TIME_UNIT_MS[m[2]!]!;
  return ms;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
  PB: 1024 ** 5,
};

/** "158.30KB/s" → 162099.2 bytes per second; null when the text is not a rate. */
export function parseBytesPerSec(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(|B|KB|MB|GB|TB|PB)\/s$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * BYTE_UNITS[m[2]!]!;
}
