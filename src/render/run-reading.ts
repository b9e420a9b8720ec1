// The reading of a run on its page and in report.md: its state at full load in one
// sentence, then the figures that say it (full-load throughput, end-of-run latency, the
// latency trend, bursts, capacity changes, load levels, think time, Little's law).
import type { RunAnalysis } from '../analyze/types.js';
import { mdText } from './escape.js';
import { DASH, fmtMs, fmtNum, fmtRps, fmtSeconds } from './format.js';
import { type Cell, markdownTable, md } from './markdown-tables.js';

const STATE_WORDS: Record<string, string> = {
  steady: 'Steady',
  overloaded: 'Overloaded',
  unsteady: 'Unsteady',
  'too-short': 'Too short to read',
};

/** "**Overloaded.** Latency never settles: …" — the state and why, as the page's first words on the run. */
export function runStateText(ra: RunAnalysis | undefined): string {
  if (!ra) return '';
  if (ra.state === null) return `**No timeline.** ${mdText(ra.stateReason)}`;
  return `**${STATE_WORDS[ra.state] ?? ra.state}.** ${mdText(ra.stateReason)}`;
}

/** The figures of the reading as a two-column table; empty for a run without a timeline. */
export function runReadingTable(ra: RunAnalysis | undefined): string {
  if (!ra || ra.state === null) return '';
  const rows: Cell[][] = [];
  const add = (k: string, v: string) => {
    if (v !== DASH && v !== '') rows.push([k, md(v)]);
  };
  const fl = ra.fullLoad;
  if (fl) {
    add('Full-load phase', `${fmtNum(fl.fromT)}–${fmtNum(fl.toT)} s${fl.users !== null ? ` at ${fmtNum(fl.users)} users` : ''}`);
    add('Full-load throughput', fl.rps === null ? DASH : `${fmtRps(fl.rps)}${fl.rpsNoise !== null ? ` ± ${fmtNum(fl.rpsNoise)}` : ''} (${mdText(fl.basis)})`);
    if (fl.p50 !== null || fl.p95 !== null) add('Full-load p50 / p95', `${fmtMs(fl.p50)} / ${fmtMs(fl.p95)}`);
  }
  if (ra.endOfRun) add(`End-of-run p50 / p95 (${fmtNum(ra.endOfRun.fromT)}–${fmtNum(ra.endOfRun.toT)} s)`, `${fmtMs(ra.endOfRun.p50)} / ${fmtMs(ra.endOfRun.p95)}`);
  const tr = ra.latencyTrend;
  if (tr) {
    add(
      `Latency trend (${tr.series})`,
      `${tr.msPerS >= 0 ? '+' : ''}${fmtNum(tr.msPerS)} ms/s (${fmtNum(tr.confidence * 100)}% CI ${fmtNum(tr.ci[0])} to ${fmtNum(tr.ci[1])}; Mann-Kendall p ${tr.p < 0.0001 ? '< 0.0001' : `= ${fmtNum(tr.p)}`})`,
    );
  }
  const lb = ra.littleBound;
  if (lb) add("Little's law bound R = N/X − Z", `${fmtNum(lb.users)} / ${fmtNum(lb.rps)} − ${fmtNum(lb.thinkTimeS)} s = ${fmtSeconds(lb.boundMs / 1000)}${lb.measuredMs !== null ? ` (measured end-of-run p50: ${fmtSeconds(lb.measuredMs / 1000)})` : ''}`);
  const z = ra.thinkTimeS;
  if (z) {
    add(
      'Think time Z',
      z.basis === 'config'
        ? `${fmtSeconds(z.value)} (from the config)`
        : `${fmtSeconds(z.value)} (estimated by Little's law Z = N/X − R: ${fmtNum(z.inputs!.users)} / ${fmtNum(z.inputs!.rps)} − ${fmtSeconds(z.inputs!.rMs / 1000)}, R the full-load ${z.inputs!.latency})`,
    );
  }
  if (ra.bursts.length > 0) add('Bursts', ra.bursts.map((b) => `${fmtRps(b.rps)} at t=${fmtNum(b.t)} s`).join('; '));
  if (ra.capacityChanges) {
    add(
      'Capacity changes',
      ra.capacityChanges.length === 0
        ? 'none'
        : ra.capacityChanges.map((c) => `${mdText(c.series)} ${fmtNum(c.from)} → ${fmtNum(c.to)} at t=${fmtNum(c.t)} s (p95 ${fmtMs(c.p95Before)} → ${fmtMs(c.p95After)})`).join('; '),
    );
  }
  if (ra.loadLevels.length > 0) add('Load levels', ra.loadLevels.map((l) => `${fmtNum(l.users)} users: ${fmtRps(l.rps)}, p95 ${fmtMs(l.p95)}`).join('; '));
  return rows.length > 0 ? markdownTable([{ header: 'At full load' }, { header: 'Value' }], rows) : '';
}
