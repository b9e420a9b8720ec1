// What client-side and server-side experiments share: the CI from bootstrap changes,
// the verdict rule and the sentence that states it.
import { num, pct, sig3 } from './format.js';
import { quantileSorted } from './stats.js';
import type { Criterion, ExperimentStudy } from './types.js';

/** Fewer per-window values (or blocks) than this per run make the evidence too thin to pass. */
export const MIN_WINDOWS = 3;

export function ciOf(changes: number[], confidence: number): [number, number] | null {
  if (changes.length < 10) return null;
  const sorted = [...changes].sort((a, b) => a - b);
  const a = (1 - confidence) / 2;
  return [quantileSorted(sorted, a)!, quantileSorted(sorted, 1 - a)!];
}

export function wantedText(criterion: Criterion): string {
  return `${criterion.direction} by at least ${num(criterion.minChangePct)}%`;
}

/** Whether a change (in %) meets the criterion. */
export function meetsCriterion(changePct: number, criterion: Criterion): boolean {
  const sign = criterion.direction === 'decrease' ? -1 : 1;
  return sign * changePct >= criterion.minChangePct;
}

/**
 * PASS when the whole CI clears the criterion and the rank test (when there is one)
 * agrees; FAIL when the whole CI misses it; INCONCLUSIVE otherwise.
 */
export function verdictOf(ci: [number, number] | null, criterion: Criterion, rankOk: boolean | null): ExperimentStudy['verdict'] {
  if (!ci) return 'INCONCLUSIVE';
  const sign = criterion.direction === 'decrease' ? -1 : 1;
  const gLo = Math.min(sign * ci[0], sign * ci[1]);
  const gHi = Math.max(sign * ci[0], sign * ci[1]);
  if (gLo >= criterion.minChangePct && rankOk !== false) return 'PASS';
  if (gHi < criterion.minChangePct) return 'FAIL';
  return 'INCONCLUSIVE';
}

/** The verdict sentence: `who: what before → after unit (change; CI, p): meaning → VERDICT.` */
export function verdictSentence(study: ExperimentStudy, who: string, name: string, unit: string): string {
  const wanted = wantedText(study.criterion);
  const values = `${sig3(study.baselineValue ?? NaN)} → ${sig3(study.candidateValue ?? NaN)}${unit}`;
  if (study.changePct === null || !study.ci) return `${who}: the change of ${name} cannot be computed (${values}) → INCONCLUSIVE.`;
  const p = study.pValue !== null ? `, Mann-Whitney p ${study.pValue < 0.0001 ? '< 0.0001' : `= ${num(study.pValue)}`}` : '';
  const meaning =
    study.verdict === 'PASS'
      ? `it meets the criterion (${wanted})`
      : study.verdict === 'FAIL'
        ? `it does not ${wanted}`
        : `the evidence cannot tell whether it meets the criterion (${wanted})`;
  return `${who}: ${name} ${values} (${pct(study.changePct)}; ${num(study.confidence * 100)}% CI ${pct(study.ci[0])} to ${pct(study.ci[1])}${p}): ${meaning} → ${study.verdict}.`;
}
