// Stage 3: conclusions from the run model. Fed only by the model (src/model).
import type { Run } from '../model/types.js';
import { DEFAULT_ANALYZE_OPTIONS, type Analysis, type AnalyzeOptions } from './types.js';

export * from './types.js';

export function analyze(runs: Run[], options: Partial<AnalyzeOptions> = {}): Analysis {
  const opts = { ...DEFAULT_ANALYZE_OPTIONS, ...options };
  void runs;
  return { windowS: opts.windowS, runs: [], studies: [], warnings: [] };
}
