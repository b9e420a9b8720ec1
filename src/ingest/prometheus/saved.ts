// Saved Prometheus API responses (format 'prometheus-json'): the JSON body of
// /api/v1/query_range or /api/v1/query as `curl` (or live.ts) wrote it. All files of
// one folder form one Prometheus-only run; the pipeline then hands its series to the
// load-test run whose folder holds it or whose time range it overlaps (attach-prometheus.ts).
import path from 'node:path';
import { parseJsonText, readText } from '../read.js';
import { emptyRunPart, type IngestContext, type Ingester, type RunPart, type Sniff } from '../types.js';
import { savedQueryInfo, seriesNameOf } from './provenance.js';
import { seriesFromResponse, seriesRange } from './response.js';
import { unknownUnitWarning } from './unit-check.js';

export const FORMAT = 'prometheus-json';

function iso(unixS: number): string {
  return new Date(unixS * 1000).toISOString();
}

export async function ingestPrometheusJson(file: string, ctx: IngestContext): Promise<RunPart[]> {
  const text = await readText(file, ctx, 256 * 1024 * 1024);
  const body = parseJsonText(file, text);
  const info = await savedQueryInfo(file, (message) => ctx.warn({ message }));
  const series = seriesFromResponse(
    body,
    { name: info.name ?? seriesNameOf(file), source: file, query: info.query, unit: info.unit },
    file,
    (w) => ctx.warn({ message: w.message }),
  );
  const unitProblem = unknownUnitWarning(file, series, info);
  if (unitProblem) ctx.warn({ message: unitProblem });
  const range = seriesRange(series);
  if (!range) return []; // nothing to show (empty result, string); already warned
  const dir = path.dirname(path.resolve(file));
  const part = emptyRunPart({ groupKey: dir, rank: 0, name: path.basename(dir), tool: 'prometheus', source: { path: file, format: FORMAT, provides: ['series'] } });
  return [{ ...part, start: iso(range.start), end: iso(range.end), series }];
}

export function detectPrometheusJson(sniff: Sniff): boolean {
  const h = sniff.head;
  if (!/^\s*\{/.test(h) || !/"status"\s*:\s*"(success|error)"/.test(h)) return false;
  return /"resultType"\s*:\s*"(matrix|vector|scalar|string)"/.test(h) || /"errorType"\s*:/.test(h);
}

export const prometheusJson: Ingester = {
  format: FORMAT,
  tool: 'prometheus',
  description: 'saved Prometheus API response (/api/v1/query_range or /api/v1/query JSON); its query and unit from a <name>.query.json sidecar (written by ce-report prom-save), index.json or README.md table beside it',
  detect: detectPrometheusJson,
  ingest: ingestPrometheusJson,
};
