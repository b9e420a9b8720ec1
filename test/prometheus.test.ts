// Unit tests of the saved-response reader: unit guessing, value parsing, the query
// provenance beside a file, detection, and the attachment of Prometheus-only runs to
// the load-test run they overlap.
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { guessUnit, unitOfMetricName } from '../src/ingest/prometheus/units.js';
import { seriesFromResponse } from '../src/ingest/prometheus/response.js';
import { queryFromMarkdown } from '../src/ingest/prometheus/provenance.js';
import { detectPrometheusJson, ingestPrometheusJson } from '../src/ingest/prometheus/saved.js';
import { InputError, NoDataInputError } from '../src/ingest/errors.js';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { testContext } from './helpers/ctx.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ce-prometheus-'));

describe('unit guessing', () => {
  it('follows the naming conventions', () => {
    expect(guessUnit('histogram_quantile(0.95, sum by (le) (rate(model_request_duration_seconds_bucket[10s])))')).toBe('s');
    expect(guessUnit('histogram_quantile(0.5, sum by (le, endpoint) (rate(http_latency_milliseconds_bucket{job="api"}[1m])))')).toBe('ms');
    expect(guessUnit('histogram_quantile(0.9, rate(response_size_bytes_bucket[5m]))')).toBe('B');
    expect(guessUnit('sum by (status) (rate(model_requests_total[10s]))')).toBe('req/s');
    expect(guessUnit('sum(irate(http_requests_total{handler="/a/b"}[1m]))')).toBe('req/s');
    expect(guessUnit('rate(node_network_receive_bytes_total[1m])')).toBe('B/s');
    expect(guessUnit('rate(process_cpu_seconds_total[1m])')).toBe('s/s');
    expect(guessUnit('rate(jobs_done_total[1m])')).toBe('/s');
    expect(guessUnit('sum(rate(model_cache_requests_total{result="hit"}[10s])) / sum(rate(model_cache_requests_total[10s]))')).toBe('ratio');
    expect(guessUnit('increase(errors_total[5m])')).toBe('count');
    expect(guessUnit('model_inflight_requests')).toBe('');
    expect(guessUnit('process_resident_memory_bytes')).toBe('B');
    expect(guessUnit(undefined, 'go_gc_duration_seconds')).toBe('s');
    expect(guessUnit(undefined, undefined)).toBe('');
    expect(unitOfMetricName('model_requests_total')).toBe('count');
  });
});

describe('seriesFromResponse', () => {
  const meta = { name: 'q', source: 'q.json' };
  it('reads string values, NaN/±Inf as null, numbers too, and counts malformed samples', () => {
    const warnings: string[] = [];
    const body = {
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: { a: 'x' }, values: [[2, '1.5'], [1, '+Inf'], [3, '-Inf'], [4, 'NaN'], [5, 7], [6, 'abc'], ['bad'], [7, '1e3']] }] },
    };
    const [s] = seriesFromResponse(body, meta, 'q.json', (w) => warnings.push(w.message));
    expect(s!.points).toEqual([[1, null], [2, 1.5], [3, null], [4, null], [5, 7], [6, null], [7, 1000]]);
    expect(warnings).toEqual(['2 malformed sample(s) in q were ignored or read as no value']);
  });
  it('turns an error body into an InputError with Prometheus\' text', () => {
    const body = { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:20: parse error: unexpected <by>' };
    expect(() => seriesFromResponse(body, meta, 'e.json', () => {})).toThrow(new NoDataInputError('e.json', 'Prometheus answered with an error (bad_data): invalid parameter "query": 1:20: parse error: unexpected <by>'));
  });
  it('rejects what is not a response', () => {
    expect(() => seriesFromResponse({ status: 'success' }, meta, 'x.json', () => {})).toThrow(/not a Prometheus API response/);
    expect(() => seriesFromResponse({ status: 'success', data: { resultType: 'table', result: [] } }, meta, 'x.json', () => {})).toThrow(/unknown Prometheus resultType "table"/);
  });
});

describe('query provenance', () => {
  const readme = [
    '# Prometheus range queries',
    '',
    '| file | PromQL | HTTP |',
    '|---|---|---|',
    '| `query_range_p50.json` | `histogram_quantile(0.5, sum by (le) (rate(x_seconds_bucket[10s])))` | 200 |',
    '| `query_range_re.json` | `sum(rate(x_total{path=~"/a\\|/b"}[1m]))` | 200 |',
  ].join('\n');
  it('finds the query of a file in a README table, with escaped bars', () => {
    expect(queryFromMarkdown(readme, 'query_range_p50.json')).toBe('histogram_quantile(0.5, sum by (le) (rate(x_seconds_bucket[10s])))');
    expect(queryFromMarkdown(readme, 'query_range_re.json')).toBe('sum(rate(x_total{path=~"/a|/b"}[1m]))');
    expect(queryFromMarkdown(readme, 'other.json')).toBeUndefined();
    expect(queryFromMarkdown('| a | b |\n|---|---|\n| `f.json` | `up` |', 'f.json')).toBeUndefined(); // no query column
  });
  it('prefers the sidecar, then index.json, then README.md', async () => {
    const d = path.join(dir, 'prov');
    mkdirSync(d, { recursive: true });
    const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, '2'] }] } });
    for (const f of ['a.json', 'b.json', 'c.json', 'd.json']) writeFileSync(path.join(d, f), body);
    writeFileSync(path.join(d, 'a.query.json'), JSON.stringify({ name: 'alpha', query: 'rate(a_seconds_total[1m])', unit: 'cores' }));
    writeFileSync(path.join(d, 'index.json'), JSON.stringify({ a: { params: { query: 'not this' } }, b: { params: { query: 'b_bytes' } } }));
    writeFileSync(path.join(d, 'README.md'), '| file | query |\n|---|---|\n| `c.json` | `c_seconds` |\n');
    const got = [];
    for (const f of ['a.json', 'b.json', 'c.json', 'd.json']) {
      const [part] = await ingestPrometheusJson(path.join(d, f), testContext());
      const s = part!.series[0]!;
      got.push([s.name, s.query, s.unit]);
    }
    expect(got).toEqual([
      ['alpha', 'rate(a_seconds_total[1m])', 'cores'],
      ['b', 'b_bytes', 'B'],
      ['c', 'c_seconds', 's'],
      ['d', undefined, ''],
    ]);
  });
});

describe('detection', () => {
  const sniff = (head: string) => ({ path: 'x.json', name: 'x.json', head, gzip: false, size: head.length });
  it('recognises success and error bodies in any key order, nothing else', () => {
    expect(detectPrometheusJson(sniff('{"status":"success","data":{"resultType":"matrix","result":[]}}'))).toBe(true);
    expect(detectPrometheusJson(sniff('{\n    "data": {\n        "result": [],\n        "resultType": "matrix"\n    },\n    "status": "success"\n}'))).toBe(true);
    expect(detectPrometheusJson(sniff('{"status":"error","errorType":"bad_data","error":"x"}'))).toBe(true);
    expect(detectPrometheusJson(sniff('{"status":"success","items":[]}'))).toBe(false);
    expect(detectPrometheusJson(sniff('{"metrics":{"http_reqs":{"count":1}},"root_group":{}}'))).toBe(false);
  });
});

describe('attaching to the overlapping load-test run', () => {
  it('joins the run with the largest overlap and keeps a Prometheus run that overlaps none', async () => {
    // Two real Locust runs from the project's fixtures: ramp-n4 (1795376181-1795376241)
    // and failures-n4 (1795376252-1795376312), with Prometheus series written for the test.
    const d = path.join(dir, 'attach');
    const fixtures = path.resolve(__dirname, '..', 'fixtures', 'locust-csv');
    for (const [run, sub] of [['ramp-n4-shape', 'ramp'], ['failures-n4', 'failures']]) {
      mkdirSync(path.join(d, sub), { recursive: true });
      for (const f of readdirSync(path.join(fixtures, run, 'input'))) copyFileSync(path.join(fixtures, run, 'input', f), path.join(d, sub, f));
    }
    const prom = (sub: string, from: number, to: number) => {
      mkdirSync(path.join(d, sub), { recursive: true });
      const values = [];
      for (let t = from; t <= to; t += 5) values.push([t, '1']);
      writeFileSync(path.join(d, sub, 'rps.json'), JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } }));
    };
    prom('prom-straddling', 1795376230, 1795376300); // ~11 s of ramp-n4, ~48 s of failures-n4
    prom('prom-before', 1795375000, 1795375100); // overlaps nothing
    const res = await ingestRuns([{ inputs: ['.'] }], { cwd: d });
    const byTool = res.runs.map((r) => [r.id, r.tool, r.series.map((s) => s.source)]);
    expect(byTool).toEqual([
      ['failures-failures-n4', 'locust', ['prom-straddling/rps.json']],
      ['prom-before', 'prometheus', ['prom-before/rps.json']],
      ['ramp-ramp-n4', 'locust', []],
    ]);
    const kept = res.runs.find((r) => r.id === 'prom-before')!;
    expect([kept.start, kept.end, kept.durationS]).toEqual([new Date(1795375000_000).toISOString(), new Date(1795375100_000).toISOString(), 100]);
  });
});
