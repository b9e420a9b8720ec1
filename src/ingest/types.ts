// The contract between the pipeline and each format module in src/ingest/.
import { emptyStats, type Run, type Source, type Tool, type Warning } from '../model/types.js';

/** What format detection sees of a file: its name and the first bytes (decompressed when gzip). */
export interface Sniff {
  path: string;
  /** Base name, without a trailing `.gz`. */
  name: string;
  /** Up to the first 64 KiB of content as UTF-8 (gunzipped when the file is gzip). */
  head: string;
  gzip: boolean;
  size: number;
}

export interface IngestOptions {
  /** Seconds per timeline point. */
  timelineIntervalS: number;
  /** Stop reading a decompressed stream past this many bytes (decompression bombs). */
  maxDecompressedBytes: number;
  /** Progress callback: bytes of the (compressed) file read so far. */
  onBytes?: (bytes: number) => void;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = {
  timelineIntervalS: 1,
  maxDecompressedBytes: 64 * 1024 ** 3,
};

export interface IngestContext {
  options: IngestOptions;
  /** Reports a recoverable problem; `file` defaults to the file being ingested. */
  warn(w: Warning): void;
}

/**
 * Part of a run, from one file. Parts with the same `groupKey` are merged into one run
 * (e.g. k6's NDJSON and its --summary-export from one folder; Locust's four CSV files
 * sharing a prefix). `rank` orders the parts when two supply the same thing: a higher
 * rank wins for summary and endpoints.
 */
export interface RunPart extends Omit<Run, 'id' | 'name'> {
  groupKey: string;
  rank: number;
  /** Suggested run name (e.g. the Locust CSV prefix); the pipeline falls back to the folder. */
  name?: string;
}

/**
 * A label name as `key=value` folder names give them (and the config's examples use). Not
 * `__proto__`, which an object would swallow instead of storing.
 */
export function isLabelKey(k: string): boolean {
  return /^[A-Za-z_][\w.-]*$/.test(k) && k !== '__proto__';
}

/**
 * A part with nothing in it yet but where it came from: no times, counts, timeline or
 * series. Ingesters that fill a part field by field start here.
 */
export function emptyRunPart(p: { groupKey: string; rank: number; name?: string; tool: Tool; source: Source }): RunPart {
  return {
    groupKey: p.groupKey,
    rank: p.rank,
    ...(p.name !== undefined ? { name: p.name } : {}),
    tool: p.tool,
    sources: [p.source],
    labels: {},
    start: null,
    end: null,
    durationS: null,
    summary: emptyStats('all', null, 'reported'),
    endpoints: [],
    timelineIntervalS: 1,
    timelineLatency: 'none',
    timeline: [],
    errors: [],
    series: [],
    thresholds: [],
    metrics: {},
  };
}

export interface Ingester {
  /** Stable format name, used by --format and in `sources[].format`. */
  format: string;
  tool: Tool;
  description: string;
  /** Content-based detection; the file name may only break ties. Must be cheap. */
  detect(sniff: Sniff): boolean;
  ingest(path: string, ctx: IngestContext): Promise<RunPart[]>;
}
