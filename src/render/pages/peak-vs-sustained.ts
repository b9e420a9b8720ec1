// A peak-vs-sustained study's page: peak and sustained percentiles per label value.
import type { PeakVsSustainedStudy } from '../../analyze/types.js';
import { type Links, peakVsSustainedTable } from '../markdown-tables.js';
import { peakSustainedSpec } from '../charts.js';
import { mdText } from '../escape.js';
import { fmtMs, fmtPct } from '../format.js';
import { chartJob, type ChartJob, type SiteContext } from './site.js';

/** Peak and sustained p95 and p99 side by side for each label value. */
export function peakVsSustainedCharts(study: PeakVsSustainedStudy, slug: string): ChartJob[] {
  const rows = study.rows.flatMap((r) => [
    { label: r.label, measure: 'sustained p95', ms: r.sustained.p95 },
    { label: r.label, measure: 'peak p95', ms: r.peak.p95 },
    { label: r.label, measure: 'sustained p99', ms: r.sustained.p99 },
    { label: r.label, measure: 'peak p99', ms: r.peak.p99 },
  ]).filter((r) => r.ms !== null);
  if (rows.length === 0) return [];
  return [
    chartJob(`study-${slug}-latency.svg`, `Peak and sustained p95 and p99 latency${study.label ? ` by ${study.label}` : ''}`, (size) =>
      peakSustainedSpec({ title: 'Peak and sustained latency', labelTitle: study.label ?? 'run', rows, order: study.rows.map((r) => r.label), size })),
  ];
}

/** The few numbers that matter: peak against sustained p95 for each row. */
export function peakVsSustainedHeadline(study: PeakVsSustainedStudy): string {
  const parts = study.rows
    .filter((r) => r.peak.p95 !== null)
    .map((r) => {
      const peak = `${mdText(r.label)}: peak p95 **${fmtMs(r.peak.p95)}**`;
      if (r.sustained.p95 === null) {
        const end = r.endOfRun?.p95 ?? null;
        return `${peak} (${mdText(r.state ?? 'no timeline')}: no sustained p95${end !== null ? `; end-of-run p95 ${fmtMs(end)}` : ''})`;
      }
      const over = r.sustained.p95 > 0 ? ` (${fmtPct((r.peak.p95! / r.sustained.p95 - 1) * 100)})` : '';
      return `${peak} against sustained p95 **${fmtMs(r.sustained.p95)}**${over}`;
    });
  return parts.length > 0 ? `${parts.join('; ')}.` : 'No run has a peak p95.';
}

export function peakView(study: PeakVsSustainedStudy, ctx: SiteContext, links: Links, chartMd: string[]) {
  void chartMd;
  return { isPeakVsSustained: true, label: study.label, rowsTable: peakVsSustainedTable(study, ctx.model, links), allTable: peakVsSustainedTable(study, ctx.model, links, ['p50', 'p90', 'p95', 'p99']) };
}
