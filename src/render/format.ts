// Number formatting for tables and sentences. Locale-independent on purpose: the same
// model must give byte-identical pages on every machine.
import type { Precision, Tool } from '../model/types.js';
import { fig } from '../analyze/format.js';

export const DASH = '–';

function group(intText: string): string {
  return intText.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Whole counts: 12,345. */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const sign = n < 0 ? '-' : '';
  return sign + group(String(Math.round(Math.abs(n))));
}

/**
 * A measurement with about three significant digits, never in exponent notation:
 * 0.123, 1.23, 12.3, 123, 1,234.
 */
export function fmtNum(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  // The sentences of the analysis format figures with the same function.
  return fig(n);
}

export function fmtMs(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? DASH : `${fmtNum(n)} ms`;
}

export function fmtRps(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? DASH : `${fmtNum(n)} req/s`;
}

/** A signed percentage change: +12.3%, -4.5%. */
export function fmtPct(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const s = fmtNum(n);
  return `${n > 0 ? '+' : ''}${s}%`;
}

/** A fraction 0..1 as a percentage: 0.0123 → 1.23%. */
export function fmtRate(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  return `${fmtNum(n * 100)}%`;
}

export function fmtSeconds(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  if (n >= 120) {
    const m = Math.floor(n / 60);
    const s = Math.round(n - m * 60);
    return s === 0 ? `${m} min` : `${m} min ${s} s`;
  }
  return `${fmtNum(n)} s`;
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${fmtNum(v)} ${units[i]}`;
}

const TOOL_NAMES: Record<string, string> = { k6: 'k6', locust: 'Locust', bombardier: 'bombardier', prometheus: 'Prometheus' };

export function toolName(tool: Tool | string): string {
  return TOOL_NAMES[tool] ?? String(tool);
}

/** Says where latency figures came from, next to the numbers. */
export function precisionNote(precision: Precision, tool: Tool | string): string {
  switch (precision) {
    case 'samples':
      return 'computed from every sample (HDR histogram, 3 significant digits)';
    case 'reported':
      return tool === 'locust'
        ? 'reported by Locust, rounded to 2 significant digits'
        : `reported by ${toolName(tool)} in its own summary`;
    case 'buckets':
      return 'estimated from histogram buckets';
    default:
      return String(precision);
  }
}

/** Short form for a table column. */
export function precisionShort(precision: Precision): string {
  return precision === 'samples' ? 'samples' : precision === 'reported' ? 'reported' : 'buckets (estimate)';
}
