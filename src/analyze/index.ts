// Stage 3: conclusions from the run model. Fed only by the model (src/model).
import type { Run, Warning } from '../model/types.js';
import { DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from './types.js';

export interface Analysis {
  studies: Array<{ id: string; kind: string; title: string; conclusions: string[] } & Record<string, unknown>>;
  runs: Record<string, unknown>;
  warnings: Warning[];
}

export function analyze(runs: Run[], options: Partial<AnalyzeOptions> = {}): Analysis {
  const opts = { ...DEFAULT_ANALYZE_OPTIONS, ...options };
  void opts;
  void runs;
  return { studies: [], runs: {}, warnings: [] };
}
