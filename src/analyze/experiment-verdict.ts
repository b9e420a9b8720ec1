// What client-side and server-side experiments share besides the verdict rule (verdict.ts):
// the criterion in words and the sentence that states the verdict.
import { num, pct, sig3 } from './format.js';
import type { Criterion, ExperimentStudy } from './types.js';

/** Fewer per-window values (or blocks) than this per run make the evidence too thin to pass. */
export const MIN_WINDOWS = 3;

export function wantedText(criterion: Criterion): string {
  return `${criterion.direction} by at least ${num(criterion.minChangePct)}%`;
}

/** Whether a change (in %) meets the criterion. */
export function meetsCriterion(changePct: number, criterion: Criterion): boolean {
  const sign = criterion.direction === 'decrease' ? -1 : 1;
  return sign * changePct >= criterion.minChangePct;
}

/**
 * The verdict sentence: `who: what before → after unit (change; CI, p): meaning → VERDICT.`
 * `ci` is the interval as resampled (default the study's): a bound from resamples whose baseline
 * was zero is unbounded and reads ±∞.
 */
export function verdictSentence(study: ExperimentStudy, who: string, name: string, unit: string, ci: [number, number] | null = study.ci): string {
  const wanted = wantedText(study.criterion);
  const values = `${sig3(study.baselineValue ?? NaN)} → ${sig3(study.candidateValue ?? NaN)}${unit}`;
  if (study.changePct === null || !ci) return `${who}: the change of ${name} cannot be computed (${values}) → INCONCLUSIVE.`;
  const p = study.pValue !== null ? `, Mann-Whitney p ${study.pValue < 0.0001 ? '< 0.0001' : `= ${num(study.pValue)}`}` : '';
  const meaning = verdictMeaning(study.verdict, wanted);
  return `${who}: ${name} ${values} (${pct(study.changePct)}; ${num(study.confidence * 100)}% CI ${bound(ci[0])} to ${bound(ci[1])}${p}): ${meaning} → ${study.verdict}.`;
}

/** A CI bound in a sentence: a change from zero is unbounded. */
function bound(x: number): string {
  return Number.isFinite(x) ? pct(x) : x > 0 ? '+∞' : '−∞';
}

/** What a verdict means against the criterion, in words. */
export function verdictMeaning(verdict: ExperimentStudy['verdict'], wanted: string): string {
  return verdict === 'PASS' ? `it meets the criterion (${wanted})` : verdict === 'FAIL' ? `it does not ${wanted}` : `the evidence cannot tell whether it meets the criterion (${wanted})`;
}
