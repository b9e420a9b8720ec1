// Bounding the number of endpoints a run keeps. A load test of URLs with ids and no
// `name` tag makes one endpoint per id (50,000 names: gigabytes of histograms and a
// 70 MB site). Two rules, both documented in the README:
// 1. k6 names taken from the URL group their id-like path segments and query values
//    (digits, UUIDs, long hex or mixed tokens) as `{id}`: /users/123 → /users/{id}.
// 2. A run keeps its MAX_ENDPOINTS endpoints with the most requests; the rest are
//    folded into one "(other endpoints)" endpoint (requests, failures and, for sampled
//    latencies, the merged histogram), with a warning.
import { emptyStats, type Stats } from '../model/types.js';
import { encodeHistogram, latencyFromHistogram, mergeEncoded } from '../model/histogram.js';

/** Real reports name up to a few hundred endpoints (public Locust reports: 141, 145, 357): all kept. */
export const MAX_ENDPOINTS = 500;
export const OTHER_ENDPOINTS = '(other endpoints)';

const ID_LIKE = [
  /^\d+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^[0-9a-f]{16,}$/i,
];

function idLike(s: string): boolean {
  if (s.length === 0) return false;
  if (ID_LIKE.some((r) => r.test(s))) return true;
  // Tokens: 20+ characters of letters, digits, - and _, with both letters and digits.
  return s.length >= 20 && /^[A-Za-z0-9_-]+$/.test(s) && /\d/.test(s) && /[A-Za-z]/.test(s);
}

/** `/users/123?page=2` → `/users/{id}?page={id}`; the scheme and host stay as they are. */
export function groupIdSegments(name: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(name);
  if (!m) return name;
  const [, origin = '', pathPart = '', query = '', fragment = ''] = m;
  if (!origin && !pathPart.includes('/')) return name;
  const p = pathPart
    .split('/')
    .map((seg) => (idLike(seg) ? '{id}' : seg))
    .join('/');
  const q = query
    ? '?' +
      query
        .slice(1)
        .split('&')
        .map((kv) => {
          const eq = kv.indexOf('=');
          return eq >= 0 && idLike(kv.slice(eq + 1)) ? `${kv.slice(0, eq)}={id}` : kv;
        })
        .join('&')
    : '';
  return origin + p + q + fragment;
}

const byRequests = (a: Stats, b: Stats) => b.requests - a.requests || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || ((a.method ?? '') < (b.method ?? '') ? -1 : (a.method ?? '') > (b.method ?? '') ? 1 : 0);

/** Folds `parts` into one endpoint named `name`. */
export function foldEndpoints(parts: Stats[], name = OTHER_ENDPOINTS): Stats {
  const out = emptyStats(name, null, parts[0]?.precision ?? 'reported');
  const statuses: Record<string, number> = {};
  let rps = 0;
  let rpsKnown = true;
  let meanSum = 0;
  let meanN = 0;
  for (const e of parts) {
    out.requests += e.requests;
    out.failures += e.failures;
    if (e.rps === null) rpsKnown = false;
    else rps += e.rps;
    if (e.latencyMs.mean !== null && e.requests > 0) {
      meanSum += e.latencyMs.mean * e.requests;
      meanN += e.requests;
    }
    for (const [k, v] of Object.entries(e.statuses ?? {})) statuses[k] = (statuses[k] ?? 0) + v;
  }
  out.rps = rpsKnown ? rps : null;
  const mins = parts.map((e) => e.latencyMs.min).filter((v): v is number => v !== null);
  const maxs = parts.map((e) => e.latencyMs.max).filter((v): v is number => v !== null);
  const exact = { minMs: mins.length ? Math.min(...mins) : undefined, maxMs: maxs.length ? Math.max(...maxs) : undefined };
  const sampled = parts.filter((e) => e.histogram !== undefined);
  if (sampled.length > 0 && sampled.length === parts.filter((e) => e.requests > 0 || e.latencyMs.p50 !== null).length) {
    const h = mergeEncoded(sampled.map((e) => e.histogram!));
    out.latencyMs = latencyFromHistogram(h, exact);
    if (meanN > 0 && h.totalCount > 0) out.latencyMs.mean = meanSum / meanN;
    out.histogram = encodeHistogram(h);
    out.precision = 'samples';
  } else {
    // Reported percentiles of several endpoints cannot be combined: only what adds up.
    out.latencyMs = { ...out.latencyMs, min: exact.minMs ?? null, max: exact.maxMs ?? null, mean: meanN > 0 ? meanSum / meanN : null };
    out.precision = parts[0]?.precision === 'samples' ? 'reported' : (parts[0]?.precision ?? 'reported');
  }
  if (Object.keys(statuses).length > 0) out.statuses = Object.fromEntries(Object.entries(statuses).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return out;
}

/**
 * Keeps the `max` endpoints with the most requests (ties by name), in their original
 * order, and folds the rest (and any "(other endpoints)" already there) into one
 * "(other endpoints)" at the end. Returns how many were folded.
 */
export function capEndpoints(endpoints: Stats[], max = MAX_ENDPOINTS): { endpoints: Stats[]; folded: number } {
  const others = endpoints.filter((e) => e.name === OTHER_ENDPOINTS);
  const named = endpoints.filter((e) => e.name !== OTHER_ENDPOINTS);
  if (named.length <= max) return { endpoints, folded: 0 };
  const ranked = [...named].sort(byRequests);
  const keep = new Set(ranked.slice(0, max));
  const rest = ranked.slice(max);
  return { endpoints: [...named.filter((e) => keep.has(e)), foldEndpoints([...rest, ...others])], folded: rest.length };
}
