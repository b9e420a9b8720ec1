import type { IngestContext } from '../../src/ingest/types.js';
import { DEFAULT_INGEST_OPTIONS } from '../../src/ingest/types.js';
import type { Warning } from '../../src/model/types.js';

/** An ingest context that collects warnings, for unit tests of one ingester. */
export function testContext(overrides: Partial<IngestContext['options']> = {}): IngestContext & { warnings: Warning[] } {
  const warnings: Warning[] = [];
  return { options: { ...DEFAULT_INGEST_OPTIONS, ...overrides }, warn: (w) => warnings.push(w), warnings };
}
