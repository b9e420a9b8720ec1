// Guessing a series' unit from its PromQL (or, without the query, from its metric
// name), following Prometheus' naming conventions: base units as name suffixes
// (`_seconds`, `_bytes`), counters ending in `_total`, histograms in `_bucket`.
// A guess only: a unit given in the config always wins.

/** Unit of a metric from its name's suffix; "" when the name says nothing. */
export function unitOfMetricName(name: string): string {
  const n = name.replace(/_(bucket|sum|count|total|created)$/, '');
  if (/_seconds$/.test(n)) return 's';
  if (/_(milliseconds|ms)$/.test(n)) return 'ms';
  if (/_(microseconds|us)$/.test(n)) return 'µs';
  if (/_bytes$/.test(n)) return 'B';
  if (/_ratio$/.test(n)) return 'ratio';
  if (/_percent$/.test(n)) return '%';
  if (/_total$/.test(name)) return 'count';
  return '';
}

/** Metric names mentioned in a query, quoted strings and label matchers removed. */
function metricNamesIn(query: string): string[] {
  const bare = stripStrings(query)
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ''); // label lists, not metrics
  const out: string[] = [];
  for (const m of bare.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const word = m[0];
    const next = bare.slice(m.index! + word.length).trimStart();
    if (next.startsWith('(')) continue; // a function or an aggregation
    if (/^(by|without|on|ignoring|group_left|group_right|and|or|unless|bool|offset|le|inf|nan)$/i.test(word)) continue;
    out.push(word);
  }
  return out;
}

function stripStrings(q: string): string {
  return q.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
}

export function isQuantileQuery(query: string | undefined): boolean {
  return !!query && /\bhistogram_quantile\s*\(/.test(query);
}

/**
 * Best-effort unit: seconds for histogram_quantile over `*_seconds_bucket`, "req/s"
 * for rate() of a request counter, "ratio" for a quotient of two rates, otherwise
 * from the metric name. `metricName` is the series' `__name__`, used when the query
 * is unknown.
 */
export function guessUnit(query: string | undefined, metricName?: string): string {
  if (!query) return metricName ? unitOfMetricName(metricName) : '';
  const q = stripStrings(query);
  const names = metricNamesIn(query);
  if (isQuantileQuery(query)) {
    const bucket = names.find((n) => n.endsWith('_bucket'));
    return bucket ? unitOfMetricName(bucket) : '';
  }
  const rates = (q.match(/\b(rate|irate)\s*\(/g) ?? []).length;
  const divides = /\//.test(q.replace(/\[[^\]]*\]/g, ''));
  if (divides) return rates >= 2 ? 'ratio' : '';
  if (rates > 0) {
    const counter = names[0] ?? '';
    if (/_bytes_total$/.test(counter)) return 'B/s';
    if (/_seconds_total$/.test(counter)) return 's/s';
    if (/request|_reqs?_/.test(counter)) return 'req/s';
    return '/s';
  }
  if (/\bincrease\s*\(/.test(q)) {
    const u = unitOfMetricName(names[0] ?? '');
    return u === 'count' ? 'count' : u;
  }
  return names.length === 1 ? unitOfMetricName(names[0]!) : '';
}
