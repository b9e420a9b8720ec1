// Saved Prometheus responses found beside load-test output form runs of their own at
// first (their files are grouped by folder); this decides which of them belong to a
// load-test run, the server-side view of the same test:
//   1. by folder: responses in a load-test run's folder, or in a subfolder of it
//      (`run/prometheus/*.json`), belong to that run. A run whose tool records no clock
//      (bombardier) then takes the responses' time range as its window;
//   2. by time: otherwise, responses whose range overlaps a load-test run with its own
//      clock belong to the run they overlap most.
// A folder of Prometheus files that neither rule claims stays a run of its own.
import path from 'node:path';
import type { Run, Warning } from '../model/types.js';

interface Span {
  s: number;
  e: number;
}

function isPrometheusOnly(r: Run): boolean {
  return r.tool === 'prometheus' && r.summary.requests === 0;
}

/** The run's own clock (not one borrowed from Prometheus), in ms. */
function ownSpan(r: Run): Span | undefined {
  if (!r.start) return undefined;
  const s = Date.parse(r.start);
  const e = r.end ? Date.parse(r.end) : r.durationS !== null ? s + r.durationS * 1000 : NaN;
  return Number.isFinite(s) && Number.isFinite(e) && e > s ? { s, e } : undefined;
}

export function seriesRangeMs(r: Run): Span | undefined {
  let s = Infinity;
  let e = -Infinity;
  for (const ser of r.series) {
    for (const [t] of ser.points) {
      if (t < s) s = t;
      if (t > e) e = t;
    }
  }
  if (s <= e) return { s: s * 1000, e: e * 1000 };
  if (r.start && r.end) return { s: Date.parse(r.start), e: Date.parse(r.end) };
  return undefined;
}

function dirsOf(r: Run): Set<string> {
  return new Set(r.sources.map((src) => path.posix.dirname(src.path)));
}

function overlap(a: Span, b: Span): number {
  return Math.min(a.e, b.e) - Math.max(a.s, b.s);
}

/** The load run that most overlaps `range` among `candidates`; undefined when none does. */
function bestOverlap(range: Span | undefined, candidates: Array<{ run: Run; span: Span }>): Run | undefined {
  let best: Run | undefined;
  let most = 0;
  for (const c of range ? candidates : []) {
    const o = overlap(range!, c.span);
    if (o > most) {
      most = o;
      best = c.run;
    }
  }
  return best;
}

/** The load run whose folder holds the responses' folder (itself, or its parent); undefined when none or several equally. */
function byFolder(prom: Run, loads: Run[], range: Span | undefined, clocked: Map<Run, Span>): Run | undefined {
  const promDirs = [...dirsOf(prom)];
  if (promDirs.length !== 1) return undefined;
  const dir = promDirs[0]!;
  for (const target of [dir, path.posix.dirname(dir)]) {
    if (target === dir && dir === '.') continue;
    const here = loads.filter((l) => dirsOf(l).has(target));
    if (here.length === 1) return here[0];
    if (here.length > 1) {
      // Several runs in one folder (two Locust prefixes): the one the responses' time overlaps.
      return bestOverlap(
        range,
        here.filter((l) => clocked.has(l)).map((l) => ({ run: l, span: clocked.get(l)! })),
      );
    }
  }
  return undefined;
}

function attach(target: Run, prom: Run, range: Span | undefined): void {
  target.series.push(...prom.series);
  const givesWindow = !target.start && range !== undefined;
  target.sources.push(...prom.sources.map((s) => (givesWindow ? { ...s, provides: [...(s.provides ?? []), 'window'] } : s)));
  target.sources.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (givesWindow) {
    // A tool without a clock (bombardier): the responses were saved over its test, so their range is its window.
    target.start = new Date(range!.s).toISOString();
    target.end = new Date(range!.e).toISOString();
    if (target.durationS === null) target.durationS = (range!.e - range!.s) / 1000;
  }
}

/**
 * Hands Prometheus-only runs to the load-test runs they belong to (see the file's
 * comment) and returns the runs that remain. The Prometheus run's range is taken from
 * its series' points, not from run.start/end: merging several saved files keeps only
 * one part's start/end, which need not span them all.
 */
export function attachPrometheusRuns(runs: Run[], warn: (w: Warning) => void = () => {}): Run[] {
  const loads = runs.filter((r) => !isPrometheusOnly(r));
  const clocked = new Map<Run, Span>();
  for (const r of loads) {
    const span = ownSpan(r);
    if (span) clocked.set(r, span);
  }
  const byTime = [...clocked.entries()].map(([run, span]) => ({ run, span }));
  const keep: Run[] = [];
  for (const r of runs) {
    if (!isPrometheusOnly(r)) {
      keep.push(r);
      continue;
    }
    const range = seriesRangeMs(r);
    if (range) {
      // Show a Prometheus-only run with the range its series really cover.
      r.start = new Date(range.s).toISOString();
      r.end = new Date(range.e).toISOString();
      r.durationS = (range.e - range.s) / 1000;
    }
    const inFolder = byFolder(r, loads, range, clocked);
    const own = inFolder && clocked.get(inFolder);
    if (own && range && overlap(own, range) <= 0) {
      const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
      warn({
        file: [...dirsOf(r)][0],
        message: `the saved Prometheus answers here cover ${at(range.s)} to ${at(range.e)}, outside run ${inFolder!.id}'s time (${at(own.s)} to ${at(own.e)}); they stay with the run of their folder, but none of their points falls inside it (saved over another test?)`,
      });
    }
    const target = inFolder ?? bestOverlap(range, byTime);
    if (target) attach(target, r, range);
    else keep.push(r);
  }
  return keep;
}
