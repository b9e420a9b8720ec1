// The endpoint cap (../endpoint-cap.ts) on a k6 aggregation: the busiest MAX_ENDPOINTS
// endpoints are kept and the rest folded into "(other endpoints)" with their dense
// histograms merged directly (decoding hundreds of encoded histograms took seconds).
import { createDenseHistogram, mergeInto } from '../../model/histogram.js';
import { MAX_ENDPOINTS, OTHER_ENDPOINTS } from '../endpoint-cap.js';
import { sumError, type EndpointAcc } from './aggregate.js';

export function foldQuietEndpoints(accs: EndpointAcc[], requestsOf: (e: EndpointAcc) => number, max = MAX_ENDPOINTS): { accs: EndpointAcc[]; folded: number } {
  const named = accs.filter((e) => e.name !== OTHER_ENDPOINTS);
  if (named.length <= max) return { accs, folded: 0 };
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const ranked = [...named].sort((a, b) => requestsOf(b) - requestsOf(a) || cmp(a.name, b.name) || cmp(a.method ?? '', b.method ?? ''));
  const rest = [...ranked.slice(max), ...accs.filter((e) => e.name === OTHER_ENDPOINTS)];
  const other: EndpointAcc = { name: OTHER_ENDPOINTS, method: null, httpReqs: 0, durations: 0, failures: 0, hist: createDenseHistogram(), sumMs: 0, sumErr: 0, minMs: Infinity, maxMs: -Infinity, statuses: new Map() };
  for (const e of rest) {
    other.httpReqs += e.httpReqs;
    other.durations += e.durations;
    other.failures += e.failures;
    mergeInto(other.hist, e.hist);
    const sum = other.sumMs + e.sumMs;
    other.sumErr += sumError(other.sumMs, e.sumMs, sum) + e.sumErr;
    other.sumMs = sum;
    other.minMs = Math.min(other.minMs, e.minMs);
    other.maxMs = Math.max(other.maxMs, e.maxMs);
    for (const [k, v] of e.statuses) other.statuses.set(k, (other.statuses.get(k) ?? 0) + v);
  }
  return { accs: [...ranked.slice(0, max), other], folded: ranked.length - max };
}
