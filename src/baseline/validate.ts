// A baseline's data/figures.json comes from another build, maybe over the network: its
// shape is checked before any number is used, and a problem is one line naming where.
import { FIGURES_FORMAT, type FiguresFile } from './types.js';

type Check = (v: unknown, at: string) => string | null;

const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const num: Check = (v, at) => (isNum(v) ? null : `${at} is not a number`);
const numOrNull: Check = (v, at) => (v === null || isNum(v) ? null : `${at} is not a number or null`);
const str: Check = (v, at) => (typeof v === 'string' ? null : `${at} is not a string`);
const strOrNull: Check = (v, at) => (v === null || typeof v === 'string' ? null : `${at} is not a string or null`);

function list(item: Check): Check {
  return (v, at) => {
    if (!Array.isArray(v)) return `${at} is not a list`;
    for (const [i, x] of v.entries()) {
      const e = item(x, `${at}[${i}]`);
      if (e) return e;
    }
    return null;
  };
}

function obj(fields: Record<string, Check>): Check {
  return (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${at} is not an object`;
    for (const [k, check] of Object.entries(fields)) {
      const e = check((v as Record<string, unknown>)[k], `${at}.${k}`);
      if (e) return e;
    }
    return null;
  };
}

const nullable = (c: Check): Check => (v, at) => (v === null ? null : c(v, at));
const oneOf = (values: readonly unknown[]): Check => (v, at) => (values.includes(v) ? null : `${at} is not one of ${values.map(String).join(', ')}`);
const labels: Check = (v, at) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${at} is not an object`;
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') return `${at}.${k} is not a string`;
  return null;
};

const estimate = nullable(obj({ value: num, se: num }));
const whole = { requests: num, failures: num, rps: estimate, p50: estimate, p95: estimate, p99: estimate, errorRate: estimate };
const intervals = nullable(
  obj({ fromT: num, toT: num, stepS: num, requests: list(num), failures: list(num), p50: list(numOrNull), p95: list(numOrNull), p99: list(numOrNull) }),
);
const basis = oneOf(['full-load', 'end-of-run', 'whole-run']);
const run = obj({
  runId: str,
  name: str,
  labels,
  state: oneOf([null, 'steady', 'overloaded', 'unsteady', 'too-short']),
  rpsBasis: basis,
  latencyBasis: basis,
  value: obj({ rps: numOrNull, p50: numOrNull, p95: numOrNull, p99: numOrNull, errorRate: numOrNull }),
  fullLoad: intervals,
  latency: intervals,
  wholeRun: obj(whole),
  endpoints: list(obj({ name: str, method: strOrNull, ...whole })),
});

/** Null when `v` is a figures file this version reads; else what is wrong with it. */
export function figuresProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return 'not a JSON object';
  const format = (v as { format?: unknown }).format;
  if (format !== FIGURES_FORMAT) return `format is ${JSON.stringify(format)}, expected "${FIGURES_FORMAT}"`;
  const e = obj({ runs: list(run) })(v, 'figures');
  if (e) return e;
  const ivs = (v as FiguresFile).runs.flatMap((r) => [r.fullLoad, r.latency]);
  for (const iv of ivs) {
    if (!iv) continue;
    const n = iv.requests.length;
    if (iv.failures.length !== n || iv.p50.length !== n || iv.p95.length !== n || iv.p99.length !== n || !(iv.stepS > 0)) return 'per-interval lists of different lengths, or a step of 0';
  }
  return null;
}
