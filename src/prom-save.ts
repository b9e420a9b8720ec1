// `ce-report prom-save QUERY`: runs one Prometheus range query and saves the response
// with a sidecar naming its query and unit (`<name>.json` + `<name>.query.json`), so a
// later build knows what the series is: a percentile in seconds, a request rate. A body
// saved with curl alone holds neither, and a `histogram_quantile` result has no metric
// name to guess a unit from.
//
// The time range is the window of a load-test run (`--run DIR`: the output in DIR, with
// some padding; the files go to DIR/prometheus/) or given (`--start`, `--end`).
import path from 'node:path';
import { UsageError } from './ingest/errors.js';
import { ingestRuns } from './ingest/pipeline.js';
import { baseUrl, chooseStepS, DEFAULT_PADDING_S, DEFAULT_TIMEOUT_S, queryFileName, queryRange, runWindow, writeSavedResponse, type RangeQuery } from './ingest/prometheus/live.js';
import { seriesFromResponse } from './ingest/prometheus/response.js';
import { guessUnit, isQuantileQuery } from './ingest/prometheus/units.js';
import type { Run } from './model/types.js';

export interface PromSaveOptions {
  query: string;
  url: string;
  /** Names the series and the saved files (default: the --output file's stem). */
  name?: string;
  /** Unit of the values; guessed from the query when not given. */
  unit?: string;
  /** A load-test run's folder: the window comes from its output; files go to DIR/prometheus/. */
  run?: string;
  /** Unix seconds or an RFC 3339 time. */
  start?: string;
  end?: string;
  stepS?: number;
  paddingS?: number;
  timeoutS?: number;
  output?: string;
  cwd?: string;
}

export interface PromSaveResult {
  file: string;
  sidecar: string;
  series: number;
  points: number;
  unit: string;
  start: number;
  end: number;
  stepS: number;
  warnings: string[];
}

const TIME_UNITS = new Set(['s', 'ms', 'µs', 'us', 'seconds', 'milliseconds']);

/** Unix seconds from `1795376252`, `1795376252.39` or `2026-11-23T16:04:12Z`. */
export function parseTime(text: string, option: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const ms = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(t) ? Date.parse(t) : NaN;
  if (Number.isFinite(ms)) return ms / 1000;
  throw new UsageError(`${option} ${JSON.stringify(text)}: expected unix seconds (1795376252) or an RFC 3339 time with a zone (2026-11-23T16:04:12Z)`);
}

/** The one load-test run with a clock in a folder. */
async function windowRun(dir: string, cwd: string): Promise<Run> {
  const { runs } = await ingestRuns([{ inputs: [dir] }], { cwd });
  const timed = runs.filter((r) => r.tool !== 'prometheus' && r.start && (r.end || r.durationS !== null));
  if (timed.length === 1) return timed[0]!;
  if (timed.length === 0) {
    const untimed = runs.filter((r) => r.tool !== 'prometheus').map((r) => `${r.id} (${r.tool})`);
    throw new UsageError(`--run ${dir}: ${untimed.length ? `no start and end time in the output of ${untimed.join(', ')}` : 'no load-test output found'}; give the window with --start and --end`);
  }
  throw new UsageError(`--run ${dir}: ${timed.length} runs found (${timed.map((r) => r.id).join(', ')}); name the folder of one run, or give --start and --end`);
}

function withEnd(run: Run): Run {
  if (run.end || !run.start || run.durationS === null) return run;
  return { ...run, end: new Date(Date.parse(run.start) + run.durationS * 1000).toISOString() };
}

export async function promSave(o: PromSaveOptions): Promise<PromSaveResult> {
  const cwd = o.cwd ?? process.cwd();
  if (!o.query.trim()) throw new UsageError('the query is empty');
  const base = baseUrl(o.url);
  if (o.run && (o.start || o.end)) throw new UsageError('give either --run DIR or --start and --end, not both');
  let start: number;
  let end: number;
  if (o.run) {
    const run = withEnd(await windowRun(o.run, cwd));
    const win = runWindow(run, o.paddingS ?? DEFAULT_PADDING_S)!;
    ({ start, end } = win);
  } else {
    if (!o.start || !o.end) throw new UsageError('give the time range: --run DIR (the window of the load-test run in DIR) or --start and --end');
    start = parseTime(o.start, '--start');
    end = parseTime(o.end, '--end');
    if (end <= start) throw new UsageError(`--end (${o.end}) is not after --start (${o.start})`);
  }
  const name = o.name ?? (o.output ? path.basename(o.output).replace(/\.json$/i, '') : undefined);
  if (!name) throw new UsageError('give --name (it names the series and the saved files), or --output FILE');
  const output = o.output ?? (o.run ? path.join(o.run, 'prometheus', `${queryFileName(name)}.json`) : undefined);
  if (!output) throw new UsageError('give --output FILE, or --run DIR to save into DIR/prometheus/');
  if (!/\.json$/i.test(output)) throw new UsageError(`--output ${output}: the file name must end in .json (its sidecar is <name>.query.json)`);

  const guessed = guessUnit(o.query);
  const unit = o.unit ?? (guessed || undefined);
  const stepS = o.stepS ?? chooseStepS(end - start);
  const q: RangeQuery = { spec: { name, query: o.query, unit }, start, end, stepS };
  const text = await queryRange(base, q, o.timeoutS ?? DEFAULT_TIMEOUT_S);

  const warnings: string[] = [];
  const file = path.resolve(cwd, output);
  const series = seriesFromResponse(JSON.parse(text), { name, source: output, query: o.query, unit }, output, (w) => warnings.push(w.message));
  if (isQuantileQuery(o.query) && !TIME_UNITS.has(unit ?? '')) {
    warnings.push(`the unit of this percentile could not be told from the query${unit ? ` ("${unit}" is no time unit)` : ''}: give --unit s (or ms), or it is left out of the server-side percentiles`);
  }
  const sidecar = await writeSavedResponse(file, text, q);
  return {
    file,
    sidecar,
    series: series.length,
    points: series.reduce((a, s) => a + s.points.length, 0),
    unit: unit ?? '',
    start,
    end,
    stepS,
    warnings,
  };
}
