// Glue between the build and live Prometheus queries (src/ingest/prometheus/live.ts).
import type { PrometheusConfig } from './config.js';
import type { Run, Warning } from './model/types.js';
import { UsageError } from './ingest/errors.js';

export interface LiveOptions {
  saveDir: string;
  previousDir: string;
  offline: boolean;
  log: (line: string) => void;
}

export async function attachLiveSeries(runs: Run[], cfg: PrometheusConfig, opts: LiveOptions): Promise<Warning[]> {
  void runs;
  void opts;
  throw new UsageError(`prometheus: live queries to ${cfg.url} are not wired yet`);
}
