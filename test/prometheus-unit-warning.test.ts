// The warning for saved Prometheus series whose unit is unknown: a latency percentile
// that would be left out of the server-side percentiles, or a series with no query and
// no metric name; none when the unit is known or the metric name says enough.
import { describe, expect, it } from 'vitest';
import { unknownUnitWarning } from '../src/ingest/prometheus/unit-check.js';
import type { Series } from '../src/model/types.js';

const series = (name: string, unit: string, query?: string, labels: Record<string, string> = {}): Series => ({ name, unit, source: 'x.json', labels, points: [[1, 0.1]], ...(query ? { query } : {}) });

describe('unknownUnitWarning', () => {
  it('a percentile named p95 with no query or unit: left out, with the fix', () => {
    expect(unknownUnitWarning('results/run/prometheus/query_range_p95.json', [series('p95', '')], {})).toBe(
      'series p95 is a latency percentile in an unknown unit (a saved response holds neither its query nor its unit), so it is left out of the server-side percentiles (peak vs sustained) and charted without a unit; save responses with `ce-report prom-save`, or write query_range_p95.query.json beside this file: {"query": "histogram_quantile(0.95, …)", "unit": "s"}',
    );
  });

  it('a histogram_quantile whose buckets are not in a time unit, and a sidecar unit that is no time unit', () => {
    const q = 'histogram_quantile(0.9, rate(response_size_bytes_bucket[5m]))';
    expect(unknownUnitWarning('size.json', [series('size', 'B', q)], { query: q })).toMatch(/^series size is a latency percentile in an unknown unit \(its unit could not be told from the query\)/);
    expect(unknownUnitWarning('p99.json', [series('p99', 'req', undefined)], { unit: 'req' })).toMatch(/^series p99 is a latency percentile in an unknown unit \(the unit given beside it, "req", is no time unit\)/);
  });

  it('no warning when the unit is a time unit or the query is known for a non-percentile', () => {
    expect(unknownUnitWarning('p95.json', [series('p95', 's', 'histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket[1m])))')], { query: 'histogram_quantile(…)' })).toBeUndefined();
    expect(unknownUnitWarning('p95.json', [series('p95', 'ms')], { unit: 'ms' })).toBeUndefined();
    expect(unknownUnitWarning('inflight.json', [series('inflight', '', 'model_inflight_requests')], { query: 'model_inflight_requests' })).toBeUndefined();
  });

  it('without a query: a series with a metric name needs nothing; one without is charted unitless, with the fix', () => {
    expect(unknownUnitWarning('up.json', [series('up', '', undefined, { __name__: 'up', job: 'api' })], {})).toBeUndefined();
    expect(unknownUnitWarning('rps.json', [series('rps', '', undefined, { status: '200' })], {})).toBe(
      'series rps: its query and unit are unknown (a saved response holds neither), so it is charted without a unit; save responses with `ce-report prom-save`, or write rps.query.json beside this file: {"query": "…", "unit": "…"} (a unit such as s, ms, req/s, ratio)',
    );
  });
});
