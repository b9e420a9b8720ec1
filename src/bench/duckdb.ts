// A child process of the benchmark (`node dist/bench/duckdb.js FILE [THREADS]`): DuckDB's
// answer to issue 21's comparison query on one k6 NDJSON file, through @duckdb/node-api
// (a dev dependency), in memory, 2 threads unless told. It prints one JSON line:
//   { rows: [{ ep, n, p95 }], maxRssMiB }   the query's rows and the process's peak RSS
//   { unavailable: "..." }                  the package cannot be loaded (exit code 0)
// and exits non-zero with the error on stderr when the query itself fails. The benchmark
// times the whole process, from spawn to exit: loading DuckDB counts, as ce-report's
// start-up does.
export {};

const file = process.argv[2];
const threads = process.argv[3] ?? '2';
if (!file) {
  console.error('usage: node dist/bench/duckdb.js FILE [THREADS]');
  process.exit(2);
}

/** The query of issue 21: per-endpoint count and exact (interpolated) p95 of http_req_duration. */
function duckdbQuery(path: string): string {
  const quoted = `'${path.replaceAll("'", "''")}'`;
  return (
    `SELECT data.tags.method || ' ' || coalesce(data.tags.name, data.tags.url) AS ep, count(*) AS n, ` +
    `quantile_cont(data.value, 0.95) AS p95 FROM read_json_auto(${quoted}) ` +
    `WHERE type = 'Point' AND metric = 'http_req_duration' GROUP BY ep ORDER BY ep`
  );
}

let api: typeof import('@duckdb/node-api');
try {
  api = await import('@duckdb/node-api');
} catch (e) {
  process.stdout.write(JSON.stringify({ unavailable: `cannot load @duckdb/node-api (${(e as Error).message.split('\n')[0]!.replace(/ imported from .*/, '')}; \`npm install\` installs it, a dev dependency)` }) + '\n');
  process.exit(0);
}
const inst = await api.DuckDBInstance.create(':memory:', { threads });
const con = await inst.connect();
const result = await con.runAndReadAll(duckdbQuery(file));
const rows = (result.getRowObjectsJson() as Array<{ ep: string; n: string | number; p95: number | string | null }>).map((r) => ({
  ep: String(r.ep),
  n: Number(r.n),
  p95: r.p95 === null ? null : Number(r.p95),
}));
con.closeSync();
inst.closeSync();
process.stdout.write(JSON.stringify({ rows, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
