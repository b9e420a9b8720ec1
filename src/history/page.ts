// history.md: each run's figures over the builds, and the shifts, naming the build that
// introduced each. Everything from the builds (names, labels, branches) is escaped.
import type { Metric } from '../baseline/types.js';
import { fmtMs, fmtNum, fmtPct, fmtRate, fmtRps, DASH } from '../render/format.js';
import { mdCell, mdText } from '../render/escape.js';
import type { HistoryBuild, HistoryFile, Shift } from './types.js';

const NAME: Record<Metric, string> = { rps: 'throughput', p50: 'p50', p95: 'p95', p99: 'p99', errorRate: 'error rate' };

function fmt(metric: Metric, v: number | null): string {
  return metric === 'rps' ? fmtRps(v) : metric === 'errorRate' ? fmtRate(v) : fmtMs(v);
}

function sizeText(s: Shift): string {
  return s.unit === 'pp' ? `${s.size > 0 ? '+' : ''}${fmtNum(s.size)} pp` : fmtPct(s.size);
}

function buildName(b: { id: string; branch: string | null }): string {
  return `${b.id}${b.branch ? ` (${b.branch})` : ''}`;
}

function shiftSentence(s: Shift): string {
  return `${NAME[s.metric]} of ${s.runName}: ${fmt(s.metric, s.before)} → ${fmt(s.metric, s.after)} (${sizeText(s)}, mean of ${s.n.before} builds before and ${s.n.after} from it; confidence ${fmtNum(s.confidence * 100)}%, permutation p = ${fmtNum(s.p)}), introduced by build ${buildName({ id: s.buildId, branch: s.branch })}.`;
}

function runTable(builds: HistoryBuild[], key: string, shifts: Shift[]): string {
  const rows: string[] = [];
  for (const [i, b] of builds.entries()) {
    const r = b.runs.find((x) => x.key === key);
    if (!r) continue;
    const cell = (m: Metric) => {
      const s = shifts.find((x) => x.metric === m && x.buildIndex === i);
      return `${fmt(m, r[m])}${s ? ` **shift ${sizeText(s)}**` : ''}`;
    };
    rows.push(`| ${i + 1} | ${mdCell(b.id)} | ${b.branch === null ? DASH : mdCell(b.branch)} | ${b.time === null ? DASH : mdCell(b.time)} | ${mdCell(`${r.state ?? DASH} (${String(r.latencyBasis).replace(/-/g, ' ')})`)} | ${cell('rps')} | ${cell('p50')} | ${cell('p95')} | ${cell('p99')} | ${cell('errorRate')} |`);
  }
  return ['| # | Build | Branch | Time | State (latency basis) | Throughput | p50 | p95 | p99 | Error rate |', '| ---: | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

/** A chart of the page: its file under charts/ and its text alternative. */
export interface HistoryChart {
  file: string;
  alt: string;
}

export function historyMarkdown(h: HistoryFile, runLink: (runId: string) => string | null, charts: HistoryChart[] = []): string {
  const out: string[] = ['# Build history'];
  const first = h.builds[0];
  const last = h.builds[h.builds.length - 1];
  out.push(
    `${h.builds.length} build${h.builds.length === 1 ? '' : 's'} (the last ${h.retention} are kept)${first && last && h.builds.length > 1 ? `, from ${mdText(buildName(first))} to ${mdText(buildName(last))}` : ''}. ` +
      `The time column is the build time when built with --timestamp, else the latest start of the build's runs.`,
  );
  out.push('## Shifts');
  out.push(h.shifts.length === 0 ? (h.builds.length < 6 ? 'None: at least 6 builds (3 on each side of a shift) are needed to find one.' : 'None found: no metric of any run shifted.') : h.shifts.map((s) => `- ${mdText(shiftSentence(s))}`).join('\n'));
  out.push(`How: ${mdText(h.method)}`);
  if (charts.length > 0) out.push('## Over the builds', ...charts.map((c) => `![${mdText(c.alt)}](charts/${c.file})`));
  const keys: Array<{ key: string; name: string; runId: string }> = [];
  for (const b of [...h.builds].reverse()) for (const r of b.runs) if (!keys.some((k) => k.key === r.key)) keys.push({ key: r.key, name: r.name, runId: r.runId });
  for (const k of keys) {
    const link = runLink(k.runId);
    out.push(`## ${link ? `[${mdText(k.name)}](${link})` : mdText(k.name)}`);
    const labels = [...h.builds].reverse().map((b) => b.runs.find((r) => r.key === k.key)).find((r) => r);
    const where = (b: string) => (b === 'full-load' ? 'the full-load phase' : b === 'end-of-run' ? 'the end-of-run window' : b === 'whole-run' ? 'the whole run' : String(b));
    const bases = labels ? `Throughput and error rate over ${where(labels.rpsBasis)}; latency over ${where(labels.latencyBasis)} (in the latest build with this run).` : '';
    out.push(`${mdText(bases)}`);
    out.push(runTable(h.builds, k.key, h.shifts.filter((s) => s.key === k.key)));
  }
  return out.join('\n\n') + '\n';
}
