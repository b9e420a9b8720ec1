// A saved response body carries neither its query nor its unit. When nothing beside it
// says them (a sidecar, index.json, a README table), a series may have no unit: a
// latency quantile in an unknown unit cannot be compared with the client's milliseconds,
// so it is left out of the server-side percentiles. Say so, naming the fix, rather than
// dropping it silently.
import path from 'node:path';
import type { Series } from '../../model/types.js';
import { isQuantileQuery } from './units.js';

/** Units a server-side latency quantile can be converted to milliseconds from. */
const TIME_UNITS = new Set(['s', 'seconds', 'ms', 'milliseconds', 'µs', 'us']);

/** A series standing for a latency percentile: a histogram_quantile query, or named like p95. */
export function isQuantileSeries(s: Pick<Series, 'name' | 'query'>): boolean {
  return s.query ? isQuantileQuery(s.query) : /^p\d{1,2}(\.\d+)?$/i.test(s.name.trim());
}

function sidecarHint(file: string, quantile: boolean): string {
  const stem = path.basename(file).replace(/\.gz$/i, '').replace(/\.json$/i, '');
  const example = quantile ? `{"query": "histogram_quantile(0.95, …)", "unit": "s"}` : `{"query": "…", "unit": "…"} (a unit such as s, ms, req/s, ratio)`;
  return `save responses with \`ce-report prom-save\`, or write ${stem}.query.json beside this file: ${example}`;
}

/** The warning for one saved file's series, or undefined when their units are known (or need none). */
export function unknownUnitWarning(file: string, series: Series[], known: { query?: string; unit?: string }): string | undefined {
  const queryKnown = known.query !== undefined || known.unit !== undefined;
  const quantiles = series.filter((s) => isQuantileSeries(s) && !TIME_UNITS.has(s.unit.trim()));
  if (quantiles.length > 0) {
    const name = quantiles[0]!.name;
    const unit = quantiles[0]!.unit.trim();
    const why =
      known.unit !== undefined ? `the unit given beside it, "${unit}", is no time unit` : known.query !== undefined ? 'its unit could not be told from the query' : 'a saved response holds neither its query nor its unit';
    return `series ${name} is a latency percentile in an unknown unit (${why}), so it is left out of the server-side percentiles (peak vs sustained) and charted without a unit; ${sidecarHint(file, true)}`;
  }
  if (queryKnown) return undefined;
  const unnamed = series.find((s) => s.unit === '' && s.labels.__name__ === undefined);
  if (!unnamed) return undefined;
  return `series ${unnamed.name}: its query and unit are unknown (a saved response holds neither), so it is charted without a unit; ${sidecarHint(file, false)}`;
}
