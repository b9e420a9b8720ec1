// How the parts of one run merge when several files describe the same thing.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestRuns } from '../src/ingest/pipeline.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('merging a Locust run written as CSV files and an HTML report', () => {
  it('takes the failures from _failures.csv, which keeps the exception class the HTML report drops, without double counting', async () => {
    const { runs } = await ingestRuns([{ inputs: ['examples/data/failures/'] }], { cwd: root });
    const run = runs[0]!;
    const failures = run.errors.filter((e) => e.kind === 'failure');
    // failures-n4_failures.csv, as Locust wrote it: Error and Occurrences columns.
    expect(failures.map((e) => [e.message.slice(0, 28), e.count]).sort()).toEqual([
      ["CatchResponseError('low conf", 30],
      ["HTTPError('500 Server Error:", 47],
      ['ReadTimeout(ReadTimeoutError', 97],
    ]);
    // The same 174 failures as the report's (and _stats.csv's) Failure Count: not 348.
    expect(failures.reduce((a, e) => a + e.count, 0)).toBe(run.summary.failures);
    expect(run.summary.failures).toBe(174);
    // The HTTP status stays known for the 500s.
    expect(failures.find((e) => e.message.startsWith('HTTPError'))!.status).toBe('500');
    // Exceptions come from one source too (21 in _exceptions.csv).
    expect(run.errors.filter((e) => e.kind === 'exception').reduce((a, e) => a + e.count, 0)).toBe(21);
  });
});
