// `ce-report init`: a commented starter config from the runs found in the inputs.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { analyze } from './analyze/index.js';
import { UsageError } from './ingest/errors.js';
import { ingestRuns } from './ingest/pipeline.js';
import { shortSeriesName } from './analyze/server-metric.js';
import type { Run, Warning } from './model/types.js';

export interface InitOptions {
  output: string;
  force: boolean;
  cwd?: string;
}

function describeRun(r: Run): string {
  const parts = [`${r.tool}`, `${r.summary.requests} requests`];
  if (r.durationS) parts.push(`${Math.round(r.durationS)} s`);
  if (r.start) parts.push(r.start.replace(/\.\d+Z$/, 'Z'));
  return parts.join(', ');
}

const EXAMPLE_STUDIES = `
    // Examples of each study kind (remove the // to use one):
    // { "kind": "experiment", "title": "Canary vs stable", "baseline": "<run id>", "candidate": "<run id>",
    //   "metric": "max-p95", "criterion": { "direction": "decrease", "minChangePct": 5 } },
    // { "kind": "experiment", "title": "Canary vs stable on the server", "baseline": "<run id>", "candidate": "<run id>",
    //   "metric": "max(<Prometheus series>)", "criterion": { "direction": "decrease", "minChangePct": 5 } },
    //   (also mean, median, p90, p95, p99; "split": { "label": "version", "baseline": "stable", "candidate": "canary" }
    //   divides one query's series when both versions ran at the same time)
    // { "kind": "scaling", "title": "Throughput against workers", "factor": "workers" },
    // { "kind": "peak-vs-sustained", "title": "Peak vs sustained latency", "label": "cache_rate", "windowS": 10 }`;

/** The Prometheus series the runs hold, by the names a STAT(SERIES) metric uses. */
function seriesNote(runs: Run[]): string {
  const names = [...new Set(runs.flatMap((r) => r.series.map((s) => shortSeriesName(s.name))))].sort();
  // One line each: a name is an artifact's, and a line break in it must not end the comment.
  return names.length === 0 ? '' : `\n    // Prometheus series found, for STAT(SERIES) metrics:\n${names.map((n) => `    //   ${JSON.stringify(n)}`).join('\n')}`;
}

export async function initCommand(inputs: string[], opts: InitOptions): Promise<{ file: string; runs: number; studies: number; warnings: Warning[] }> {
  const cwd = opts.cwd ?? process.cwd();
  const target = path.resolve(cwd, opts.output);
  if (!opts.force) {
    try {
      await fs.access(target);
      throw new UsageError(`${opts.output} already exists; use --force to overwrite it`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
    }
  }
  const { runs, warnings } = await ingestRuns([{ inputs }], { cwd });
  if (runs.length === 0) throw new UsageError(`no k6, Locust, bombardier or Prometheus output found in ${inputs.join(', ')}`);
  const baseDir = path.dirname(target);
  const analysis = analyze(runs, { studies: [] } as Parameters<typeof analyze>[1]);

  const runLines = runs.map((r, i) => {
    const dirs = [...new Set(r.sources.map((s) => path.posix.dirname(s.path)))];
    const rel = dirs.map((d) => {
      const p = path.relative(baseDir, path.resolve(cwd, d)).split(path.sep).join('/');
      return (p || '.') + '/';
    });
    // A folder holds exactly this run when no other run has a source in it.
    const exclusive = dirs.every((d) => runs.every((o) => o === r || !o.sources.some((s) => path.posix.dirname(s.path) === d)));
    const inputsList = exclusive ? rel : r.sources.map((s) => path.relative(baseDir, path.resolve(cwd, s.path)).split(path.sep).join('/'));
    const obj = { id: r.id, inputs: [...new Set(inputsList)], labels: r.labels };
    return `    ${JSON.stringify(obj)}${i < runs.length - 1 ? ',' : ''} // ${describeRun(r)}`;
  });

  const studies = analysis.studies.map((s) => {
    const { id, kind, title } = s;
    const extra: Record<string, unknown> = {};
    for (const k of ['label', 'factor', 'baseline', 'candidate', 'metric', 'criterion', 'split'] as const) {
      // null: not set (a failures study without a failure-free baseline run).
      if ((s as Record<string, unknown>)[k] !== undefined && (s as Record<string, unknown>)[k] !== null) extra[k] = (s as Record<string, unknown>)[k];
    }
    return { id, kind, title, ...extra };
  });
  const studyLines = studies.map((s, i) => `    ${JSON.stringify(s)}${i < studies.length - 1 ? ',' : ''}`);

  const text = `// ce-report configuration, written by \`ce-report init\`. Paths are relative to this file.
// Comments are allowed. Every key is described in the README ("Configuration") and in
// schema/config.schema.json of the ce-report package.
{
  "title": "Load test report",
  // Markdown shown under the title on the index page.
  "description": "",
  // Output folder of \`ce-report build\`.
  "out": "site",
  // One entry per run: its files (k6, Locust, bombardier, Prometheus) and labels describing it.
  // Labels with numbers (workers, replicas, users, ...) drive scaling studies; a "variant"
  // label with stable/canary (or baseline/candidate) drives an experiment.
  "runs": [
${runLines.join('\n')}
  ],
  // Studies compare runs. Found from the labels above:${studies.length === 0 ? ' none yet.' : ''}
  "studies": [
${studyLines.join('\n')}${EXAMPLE_STUDIES}${seriesNote(runs)}
  ],
  // Peak windows (seconds) and the failure rate above which a run is flagged.
  "windowS": 10,
  "failureRateThreshold": 0.01
  // Live Prometheus queries over each run's time window; remove the // to use:
  // , "prometheus": {
  //   "url": "http://127.0.0.1:9090",
  //   "queries": [
  //     { "name": "p95", "unit": "s", "query": "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[30s])))" },
  //     { "name": "rps", "unit": "req/s", "query": "sum(rate(http_requests_total[30s]))" }
  //   ]
  // }
}
`;
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.writeFile(target, text);
  return { file: path.relative(cwd, target) || opts.output, runs: runs.length, studies: studies.length, warnings };
}
