// A peak-vs-sustained study's page: peak and sustained percentiles per label value.
import type { PeakVsSustainedStudy } from '../../analyze/types.js';
import { type Links, peakVsSustainedTable } from '../markdown-tables.js';
import { peakSustainedSpec } from '../charts.js';
import type { ChartJob, SiteContext } from './site.js';

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
    {
      file: `study-${slug}-latency.svg`,
      alt: `Peak and sustained p95 and p99 latency${study.label ? ` by ${study.label}` : ''}`,
      spec: peakSustainedSpec({ title: 'Peak and sustained latency', labelTitle: study.label ?? 'run', rows, order: study.rows.map((r) => r.label) }),
    },
  ];
}

export function peakView(study: PeakVsSustainedStudy, ctx: SiteContext, links: Links, chartMd: string[]) {
  return { isPeakVsSustained: true, label: study.label, rowsTable: peakVsSustainedTable(study, ctx.model, links), chart: chartMd[0] };
}
