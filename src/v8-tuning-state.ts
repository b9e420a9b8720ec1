// Whether v8-tuning.ts changed V8's interrupt budget, and to what: a process-wide mark, so
// that worker-start.ts can tell without importing v8-tuning.ts (whose import sets the flag,
// which a library user or a test importing the ingesters has not asked for).

/** V8's own interrupt budget (its --interrupt-budget default). */
export const DEFAULT_INTERRUPT_BUDGET = 67_584;

const MARK = Symbol.for('ce-report.interrupt-budget');

/** Records the budget v8-tuning.ts set. */
export function markInterruptBudget(budget: number): void {
  (globalThis as Record<symbol, unknown>)[MARK] = budget;
}

/** The budget v8-tuning.ts set, or null when it set none (not the CLI, or the user's own budget). */
export function tunedInterruptBudget(): number | null {
  const v = (globalThis as Record<symbol, unknown>)[MARK];
  return typeof v === 'number' ? v : null;
}
