// Peak vs sustained latency: the worst sliding-window percentile anywhere in a run
// next to the percentiles over its steady phase, one row per run keyed by a label.
import type { Run } from '../model/types.js';
import { changePct, pct, sig3 } from './format.js';
import type { RunFacts } from './run-analysis.js';
import { serverPeakSustained } from './server-latency.js';
import { timelineSpan, type Range } from './windows.js';
import type { Percentiles, PeakVsSustainedRow, PeakVsSustainedStudy, PeakVsSustainedStudyConfig } from './types.js';

const NONE: Percentiles = { p50: null, p90: null, p95: null, p99: null };

function compareLabels(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function peakDefinitions(windowS: number): string[] {
  return [
    `Peak: the highest value of each percentile over sliding windows of ${windowS} s anywhere in the run (ramp-up included), the window starting at every timeline point.`,
    `Sustained: the percentiles over the steady phase only. The full-load phase is where the user/VU count stays at ≥95% of its maximum, or, without a user count, where throughput (moving average over ${windowS} s) stays within ±15% of its plateau with less than 20% trend; partial buckets at its edges are dropped; shorter than ${windowS} s counts as none. It is steady only when latency settles there (see the run's reading): an overloaded run has no sustained latency, and its end-of-run percentiles (the last ${windowS} s) are given instead, under that name.`,
    'Precision "samples": windows and the steady phase merge the per-interval HDR histograms of every sample (exact to 3 significant digits).',
    'Precision "window": the timeline only has per-interval percentiles (or the tool\'s own recent-window ones, e.g. Locust\'s "current" percentiles); a window\'s percentile is approximated by the request-weighted mean of those values, which smooths spikes.',
    'Precision "cumulative": the timeline has since-start percentiles, which cannot be windowed; peak is the highest cumulative value once a full window has elapsed (it understates short spikes) and sustained is the cumulative value at the end of the steady phase (it includes the ramp-up).',
    'Runs without a timeline have neither figure.',
  ];
}

/** The run from its start to its end (seconds since start): where its server-side figures may come from. */
function runRange(run: Run): Range | null {
  const span = timelineSpan(run);
  const end = Math.max(run.durationS ?? 0, span?.endT ?? 0);
  return end > 0 ? { startT: 0, endT: end } : null;
}

export const SERVER_DEFINITION =
  'Server (Prometheus): the service\'s own histogram_quantile series, interpolated inside histogram buckets (precision "buckets"); each value is already a quantile over the query\'s trailing rate window. Server peak: the highest value of each series whose rate window lies inside the run. Server sustained: the median of the series\' values whose rate window lies inside the steady phase. The server measures its own handling time of the requests its histogram covers; client figures add the network and the load generator\'s queueing, so the two can differ either way.';

export function peakVsSustainedStudy(cfg: PeakVsSustainedStudyConfig & { id: string }, facts: RunFacts[], windowS: number): PeakVsSustainedStudy {
  const label = cfg.label ?? null;
  const chosen = facts.filter((f) => (cfg.runs ? cfg.runs.includes(f.run.id) : label ? f.run.labels[label] !== undefined : true));
  const rows: PeakVsSustainedRow[] = chosen
    .map((f) => {
      const peak = f.analysis.peak;
      return {
        label: label && f.run.labels[label] !== undefined ? f.run.labels[label]! : f.run.id,
        runId: f.run.id,
        peak: peak ? { p50: peak.p50, p90: peak.p90, p95: peak.p95, p99: peak.p99 } : { ...NONE },
        sustained: f.analysis.sustained ?? { ...NONE },
        precision: f.analysis.latencyPrecision,
        state: f.analysis.state,
        endOfRun: f.analysis.state === 'steady' || !f.analysis.endOfRun ? null : { p50: f.analysis.endOfRun.p50, p95: f.analysis.endOfRun.p95 },
        // A sustained server figure needs a steady run too: an overloaded service's handling time grows with its queue.
        server: serverPeakSustained(f.run, runRange(f.run), f.analysis.state === 'steady' ? f.phase.steady : null),
      };
    })
    .sort((a, b) => compareLabels(a.label, b.label) || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));

  const conclusions: string[] = [];
  for (const r of rows) {
    const name = label ? `${label}=${r.label}` : r.label;
    const peak = r.peak.p95;
    const sus = r.sustained.p95;
    if (peak !== null && sus !== null) {
      const ch = changePct(sus, peak)!;
      const when = facts.find((f) => f.run.id === r.runId)?.analysis.peak?.windowStartT.p95;
      conclusions.push(
        `${name}: peak p95 ${sig3(peak)} ms${when !== null && when !== undefined ? ` (window from t=${sig3(when)} s)` : ''} vs sustained p95 ${sig3(sus)} ms (peak ${pct(ch)} over sustained).`,
      );
    } else if (peak !== null && r.state === 'overloaded') {
      conclusions.push(
        `${name}: peak p95 ${sig3(peak)} ms; the run is overloaded (latency is queueing at full load), so no sustained latency exists` +
          (r.endOfRun?.p95 !== null && r.endOfRun?.p95 !== undefined ? `; end-of-run p95 ${sig3(r.endOfRun.p95)} ms.` : '.'),
      );
    } else if (peak !== null) {
      conclusions.push(`${name}: peak p95 ${sig3(peak)} ms; no steady phase (${r.state ?? 'no timeline'}), so no sustained figure.`);
    } else {
      conclusions.push(`${name}: no latency timeline, so neither peak nor sustained latency can be given.`);
    }
    const sp = r.server?.peak.p95 ?? null;
    const ss = r.server?.sustained?.p95 ?? null;
    if (sp !== null) {
      conclusions.push(
        `${name}, server side (Prometheus, bucket-interpolated): peak p95 ${sig3(sp)} ms` +
          (ss !== null ? ` vs sustained p95 ${sig3(ss)} ms (peak ${pct(changePct(ss, sp)!)} over sustained).` : `; no steady phase (${r.state ?? 'no timeline'}), so no sustained figure.`),
      );
    }
  }
  return {
    id: cfg.id,
    kind: 'peak-vs-sustained',
    title: cfg.title ?? (label ? `Peak vs sustained latency by ${label}` : 'Peak vs sustained latency'),
    conclusions,
    definitions: rows.some((r) => r.server) ? [...peakDefinitions(windowS), SERVER_DEFINITION] : peakDefinitions(windowS),
    runIds: rows.map((r) => r.runId),
    label,
    windowS,
    rows,
  };
}
