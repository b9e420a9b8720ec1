// The comparison with the baseline in Markdown: one text with links relative to the site
// root (the site's baseline page), made into the pull-request / step-summary version by
// report.md's rules (no image, no relative link; links into the published site with
// --site-url) and cut to GitHub's comment limit.
import { fmtMs, fmtNum, fmtPct, fmtRate, fmtRps, DASH } from '../render/format.js';
import { mdCell, mdText } from '../render/escape.js';
import { absoluteMarkdown, fitSections, GITHUB_COMMENT_LIMIT } from '../render/report.js';
import type { Basis, Comparison, Metric, MetricComparison, RegressionThresholds, RunComparison } from './types.js';

const METRIC_NAME: Record<Metric, string> = { rps: 'throughput', p50: 'p50', p95: 'p95', p99: 'p99', errorRate: 'error rate' };
const BASIS_NAME: Record<Basis, string> = { 'full-load': 'full load', 'end-of-run': 'end of run', 'whole-run': 'whole run' };

function value(metric: Metric, v: number | null): string {
  return metric === 'rps' ? fmtRps(v) : metric === 'errorRate' ? fmtRate(v) : fmtMs(v);
}

function changeText(m: MetricComparison, v: number | null): string {
  if (v === null) return DASH;
  return m.unit === 'pp' ? `${v > 0 ? '+' : ''}${fmtNum(v)} pp` : fmtPct(v);
}

function basisText(m: MetricComparison): string {
  return m.basis.baseline === m.basis.current ? BASIS_NAME[m.basis.current] : `${BASIS_NAME[m.basis.baseline]} → ${BASIS_NAME[m.basis.current]}`;
}

function thresholdText(m: MetricComparison): string {
  if (m.threshold === null) return 'none';
  const worse = m.metric === 'rps' ? '−' : '+';
  return m.unit === 'pp' ? `${worse}${fmtNum(m.threshold)} pp` : `${worse}${fmtNum(m.threshold)}%`;
}

function verdictCell(v: string): string {
  return v === 'REGRESSION' ? '**REGRESSION**' : v;
}

function metricsTable(metrics: MetricComparison[], confidence: number, rank: boolean): string {
  const head = `| Metric | Basis | Baseline | This build | Change | ${fmtNum(confidence * 100)}% CI |${rank ? ' Mann-Whitney p |' : ''} Regression at | Verdict |`;
  const sep = `| --- | --- | ---: | ---: | ---: | ---: |${rank ? ' ---: |' : ''} ---: | --- |`;
  const rows = metrics.map((m) => {
    const ci = m.ci ? `${changeText(m, m.ci[0])} … ${changeText(m, m.ci[1])}` : DASH;
    const p = m.pValue === null ? DASH : m.pValue < 0.0001 ? '< 0.0001' : fmtNum(m.pValue);
    return `| ${METRIC_NAME[m.metric]} | ${basisText(m)} | ${value(m.metric, m.baseline)} | ${value(m.metric, m.current)} | ${changeText(m, m.change)} | ${ci} |${rank ? ` ${p} |` : ''} ${thresholdText(m)} | ${verdictCell(m.verdict)} |`;
  });
  return [head, sep, ...rows].join('\n');
}

export function thresholdsText(t: RegressionThresholds): string {
  const parts: string[] = [];
  if (t.p50Pct !== undefined) parts.push(`p50 +${fmtNum(t.p50Pct)}%`);
  if (t.p95Pct !== undefined) parts.push(`p95 +${fmtNum(t.p95Pct)}%`);
  if (t.p99Pct !== undefined) parts.push(`p99 +${fmtNum(t.p99Pct)}%`);
  if (t.rpsPct !== undefined) parts.push(`throughput −${fmtNum(t.rpsPct)}%`);
  if (t.errorRatePct !== undefined) parts.push(`error rate +${fmtNum(t.errorRatePct)} pp (percentage points)`);
  return parts.length > 0 ? parts.join(', ') : 'none (every metric is shown, none judged)';
}

function runSection(r: RunComparison, c: Comparison, runLink: (id: string) => string): string {
  const matched = r.matchedBy === 'labels' ? `matched by its labels with the baseline's run ${mdText(r.baselineRunId)}` : `matched by its run id`;
  const states = `state ${r.state.baseline ?? 'none (no timeline)'} in the baseline, ${r.state.current ?? 'none (no timeline)'} here`;
  const parts = [`### [${mdText(r.name)}](${runLink(r.runId)}): ${verdictCell(r.verdict)}`, `${mdText(r.runId)}, ${matched}; ${states}.`, metricsTable(r.metrics, c.confidence, true)];
  if (r.endpoints.length > 0) {
    parts.push('Endpoints (whole run; shown, not judged into the verdict):');
    for (const e of r.endpoints) {
      parts.push(`**${mdText(e.method && !e.name.startsWith(e.method) ? `${e.method} ${e.name}` : e.name)}**\n\n${metricsTable(e.metrics, c.confidence, false)}`);
    }
  }
  return `\n${parts.join('\n\n')}\n`;
}

function headline(c: Comparison): string {
  if (c.runs.length === 0) return 'no run of this build matches a run of the baseline';
  if (c.verdict === 'REGRESSION') return `REGRESSION in ${c.regressions} of ${c.runs.length} run${c.runs.length === 1 ? '' : 's'}`;
  return c.verdict;
}

/** Sections of the comparison in Markdown, links relative to the site root. */
export function comparisonSections(c: Comparison, runLink: (id: string) => string, source: string): string[] {
  const summary = [
    `# Against the baseline: ${headline(c)}`,
    `Baseline: ${source}. Regression thresholds: ${thresholdsText(c.thresholds)}; ${fmtNum(c.confidence * 100)}% confidence.`,
  ];
  const rows = c.runs.map((r) => {
    const judged = r.metrics.filter((m) => m.verdict !== 'NOT JUDGED');
    const worst = judged.filter((m) => m.verdict === r.verdict).map((m) => METRIC_NAME[m.metric]);
    return `| [${mdCell(r.name)}](${runLink(r.runId)}) | ${mdCell(r.baselineRunId)} | ${r.matchedBy} | ${verdictCell(r.verdict)} | ${worst.length > 0 && r.verdict !== 'OK' ? worst.join(', ') : DASH} |`;
  });
  if (rows.length > 0) summary.push(['| Run | Baseline run | Matched by | Verdict | Metrics |', '| --- | --- | --- | --- | --- |', ...rows].join('\n'));
  const un: string[] = [];
  if (c.unmatched.current.length > 0) un.push(`Runs of this build with no match in the baseline (not compared): ${c.unmatched.current.map(mdText).join(', ')}.`);
  if (c.unmatched.baseline.length > 0) un.push(`Baseline runs missing from this build: ${c.unmatched.baseline.map(mdText).join(', ')}.`);
  if (un.length === 0 && c.runs.length > 0) un.push('Every run matches a baseline run.');
  summary.push(...un, `How: ${mdText(c.method)}`);
  return [`${summary.join('\n\n')}\n`, ...c.runs.map((r) => runSection(r, c, runLink))];
}

/** The baseline's name as Markdown: an address is a link (it is the user's own), a folder is text. */
export function sourceText(source: string, isUrl: boolean): string {
  return isUrl ? `[${mdText(source)}](${source.replace(/[()\s]/g, encodeURIComponent)})` : `\`${source.replace(/`/g, "'")}\``;
}

/** For a pull-request comment and $GITHUB_STEP_SUMMARY: no relative link, within GitHub's comment limit. */
export function pullRequestMarkdown(sections: string[], siteUrl: string | undefined): string {
  const text = absoluteMarkdown(sections.join(''), siteUrl);
  const moreAt = siteUrl ? `the whole comparison: ${siteUrl}/baseline.html` : 'the whole comparison is in the built site (baseline.html).';
  return fitSections(text.split(/(?=^#{1,3} )/m), GITHUB_COMMENT_LIMIT, moreAt);
}
