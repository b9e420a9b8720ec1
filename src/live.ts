// Glue between the build and live Prometheus queries (src/ingest/prometheus/live.ts).
import { promises as fs } from 'node:fs';
import type { PrometheusConfig } from './config.js';
import type { Run, Warning } from './model/types.js';
import { UsageError } from './ingest/errors.js';
import { fetchPrometheusSeries, loadSavedPrometheusSeries } from './ingest/prometheus/live.js';

export interface LiveOptions {
  saveDir: string;
  previousDir: string;
  offline: boolean;
  log: (line: string) => void;
}

/**
 * Online: queries Prometheus for each run and saves the raw responses into the new
 * site (saveDir). Offline: reads the responses the previous build saved (previousDir)
 * and carries them over into the new site, so a rebuild needs no server.
 */
export async function attachLiveSeries(runs: Run[], cfg: PrometheusConfig, opts: LiveOptions): Promise<Warning[]> {
  if (!opts.offline) return fetchPrometheusSeries(runs, cfg, { saveDir: opts.saveDir, log: opts.log });
  const exists = await fs.stat(opts.previousDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) throw new UsageError(`--offline: no saved Prometheus responses in ${opts.previousDir}; build once without --offline first`);
  const wanted = cfg.runs ? runs.filter((r) => cfg.runs!.includes(r.id)) : runs;
  const warnings = await loadSavedPrometheusSeries(opts.previousDir, wanted);
  await fs.cp(opts.previousDir, opts.saveDir, { recursive: true });
  opts.log(`prometheus: offline, using the responses saved in ${opts.previousDir}`);
  return warnings;
}
