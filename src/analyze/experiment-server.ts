// Experiments judged on a server-side metric `STAT(SERIES)`: a statistic of a
// Prometheus series' per-step values in each run (or in one run, split by a label
// into the two variants that ran at the same time). Same judgement as client metrics
// (a seeded bootstrap CI of the relative change and a Mann-Whitney U test), but on
// blocks of consecutive steps, since neighbouring steps are not independent.
import { blockMeans, chooseBlockLength, MIN_BLOCKS, movingBlockResample, type BlockChoice } from './block-bootstrap.js';
import { meetsCriterion, MIN_WINDOWS, verdictSentence, wantedText } from './experiment-verdict.js';
import { changePct, num, pct, sig3 } from './format.js';
import { seededRng } from './prng.js';
import type { RunFacts } from './run-analysis.js';
import { describeStat, maxSupport, rangeSelectorS, seriesSide, seriesStat, type SeriesSide, type ServerMetric } from './server-metric.js';
import { mannWhitney } from './stats.js';
import type { AnalyzeOptions, ExperimentSplit, ExperimentStudy, RangeBasis } from './types.js';
import { decideVerdict, finiteCi, percentileCi, resampleChangePct } from './verdict.js';

function unitSuffix(unit: string): string {
  return unit === '' ? '' : unit === '%' ? '%' : ` ${unit}`;
}

function sideName(study: ExperimentStudy, which: 'baseline' | 'candidate'): string {
  return study.split ? `${study.split.label}=${study.split[which]}` : study[which];
}

function blockText(b: BlockChoice, stepS: number): string {
  const why = [`the query's range window spans ${b.querySteps} step(s)`, b.acfLag === null ? 'the autocorrelation stays above the white-noise band' : `the autocorrelation falls inside ±2/√n at lag ${b.acfLag}`];
  return `${b.length} steps (${num(b.length * stepS)} s: ${why.join(', ')}${b.capped ? `; capped so that at least ${MIN_BLOCKS} blocks remain` : ''})`;
}

/** Fills `study` (values, CI, p, verdict, method, conclusions) for a `STAT(SERIES)` metric. */
export function judgeServerMetric(study: ExperimentStudy, metric: ServerMetric, base: RunFacts, cand: RunFacts, split: ExperimentSplit | undefined, opts: AnalyzeOptions): void {
  const criterion = study.criterion;
  const sb = seriesSide(base, metric.series, split && { label: split.label, value: split.baseline });
  const sc = seriesSide(cand, metric.series, split && { label: split.label, value: split.candidate });
  const stat = describeStat(metric.stat);
  if ('error' in sb || 'error' in sc) {
    const why = [sb, sc].filter((s): s is { error: string } => 'error' in s).map((s) => s.error);
    study.method = 'None: the experiment could not be evaluated.';
    study.conclusions.push(`The experiment cannot be evaluated: ${why.join('; ')}.`);
    return;
  }
  if (sb.series.unit !== sc.series.unit) {
    study.method = 'None: the experiment could not be evaluated.';
    study.conclusions.push(`The experiment cannot be evaluated: series "${metric.series}" is in ${sb.series.unit || 'no unit'} in ${sideName(study, 'baseline')} but in ${sc.series.unit || 'no unit'} in ${sideName(study, 'candidate')}.`);
    return;
  }
  const unit = sb.series.unit;
  study.unit = unit;
  const statOf = (xs: readonly number[]) => seriesStat(metric.stat, xs);
  study.baselineValue = statOf(sb.values);
  study.candidateValue = statOf(sc.values);
  study.changePct = changePct(study.baselineValue, study.candidateValue);

  const bb = chooseBlockLength(sb.values, rangeSelectorS(sb.series.query) / sb.stepS);
  const bc = chooseBlockLength(sc.values, rangeSelectorS(sc.series.query) / sc.stepS);
  const rng = seededRng(opts.seed);
  const changes: number[] = [];
  for (let i = 0; i < opts.bootstrapResamples; i++) {
    const ch = resampleChangePct(statOf(movingBlockResample(sb.values, bb.length, rng)), statOf(movingBlockResample(sc.values, bc.length, rng)));
    if (ch !== null) changes.push(ch);
  }
  const ci = percentileCi(changes, study.confidence);
  study.ci = finiteCi(ci);

  const mb = blockMeans(sb.values, bb.length);
  const mc = blockMeans(sc.values, bc.length);
  study.windows = { baseline: mb.length, candidate: mc.length };
  const alpha = 1 - study.confidence;
  const mw = mannWhitney(mc, mb);
  let rankOk: boolean | null = null;
  let rankSignificant: boolean | null = null;
  if (mw) {
    study.pValue = mw.p;
    const rightWay = criterion.direction === 'decrease' ? mw.probabilityAGreater < 0.5 : mw.probabilityAGreater > 0.5;
    rankOk = mw.p < alpha && rightWay;
    rankSignificant = mw.p < alpha;
  }
  const enoughData = mb.length >= MIN_WINDOWS && mc.length >= MIN_WINDOWS;
  study.verdict = decideVerdict({ ci, sign: criterion.direction === 'decrease' ? -1 : 1, minChangePct: criterion.minChangePct, rankOk, rankSignificant, enoughData });

  study.server = {
    series: metric.series,
    stat: metric.stat,
    steps: { baseline: sb.values.length, candidate: sc.values.length },
    stepS: { baseline: sb.stepS, candidate: sc.stepS },
    blockLength: { baseline: bb.length, candidate: bc.length },
    range: { baseline: sb.range.basis, candidate: sc.range.basis },
  };
  const fragile = metric.stat === 'max' ? maxFragility(study, sb, sc) : null;
  if (fragile?.decides && study.verdict !== 'INCONCLUSIVE') study.verdict = 'INCONCLUSIVE';

  const range = rangeWords(sb.range.basis, sc.range.basis);
  const name = `${stat} of ${metric.series} (Prometheus, per ${num(sb.stepS)} s step, ${range.short})`;
  const where = split ? ` of run${study.baseline === study.candidate ? ` ${study.baseline}` : `s ${study.baseline} and ${study.candidate}`}, split by its ${split.label} label (${split.baseline} = baseline, ${split.candidate} = candidate; same time window)` : '';
  study.method =
    `Server-side metric: the ${stat} of the Prometheus series ${metric.series}${where}, over the per-step values in ${range.long} (${sb.values.length} and ${sc.values.length} steps). ` +
    `Consecutive steps are not independent (a range query's value covers its range window, and load drifts), so a seeded moving-block bootstrap (${opts.bootstrapResamples} resamples, seed ${opts.seed}) rebuilds each series from blocks of consecutive steps ` +
    `(baseline ${blockText(bb, sb.stepS)}; candidate ${blockText(bc, sc.stepS)}) and recomputes the ${stat}; percentile CI at ${num(study.confidence * 100)}%. ` +
    `Plus a two-sided Mann-Whitney U test on the block means (${mb.length} vs ${mc.length}).` +
    (metric.stat === 'max'
      ? ` A maximum is a fragile statistic: it is one value, and a resampled series can never exceed it, so the CI reflects how often the top values recur, not how high an unseen one could go; the verdict is INCONCLUSIVE when dropping one side's highest value changes whether the criterion is met.`
      : '');
  study.definitions = [
    `Metric ${study.metric}: the ${stat} of the Prometheus series ${metric.series} (unit: ${unit || 'none'}), over ${range.long}${split ? `, one series per ${split.label} value` : ''}.`,
    `Criterion: the candidate's value must ${wantedText(criterion)} relative to the baseline.`,
    `PASS when the whole ${num(study.confidence * 100)}% CI of the change is at least ${num(criterion.minChangePct)}% in the required direction and the Mann-Whitney test on block means is significant (p < ${num(alpha)}) in that direction with at least ${MIN_WINDOWS} blocks per side; FAIL when the whole CI falls short; INCONCLUSIVE otherwise, always with fewer than ${MIN_WINDOWS} blocks in a side or when the resamples do not vary and the rank test is not significant${metric.stat === 'max' ? ', and whenever one value decides whether the criterion is met' : ''}. Equal variants therefore never pass.`,
  ];
  const who = `${split ? study.split!.candidate : study.candidate} vs ${split ? study.split!.baseline : study.baseline}`;
  study.conclusions.push(verdictSentence(study, who, name, unitSuffix(unit)));
  if (fragile) study.conclusions.push(fragile.sentence);
}

/**
 * Whether one value decides a `max` verdict: the change recomputed with each side's
 * highest value dropped (all steps holding it: a range window repeats one sample).
 */
function maxFragility(study: ExperimentStudy, sb: SeriesSide, sc: SeriesSide): { decides: boolean; sentence: string } | null {
  const b = maxSupport(sb);
  const c = maxSupport(sc);
  if (!b || !c || study.changePct === null) return null;
  const unit = unitSuffix(sb.series.unit);
  const meets = meetsCriterion(study.changePct, study.criterion);
  const withoutB = changePct(b.next, c.top);
  const withoutC = changePct(b.top, c.next);
  const flips = [withoutB, withoutC].some((ch) => ch !== null && meetsCriterion(ch, study.criterion) !== meets);
  const steps = (n: number) => (n === 1 ? 'one step' : `${n} steps`);
  const part = (who: string, s: typeof b, ch: number | null) =>
    `${who}'s highest value ${sig3(s.top)}${unit} (${steps(s.topSteps)}) ${s.next === null ? 'is its only value' : `gives way to ${sig3(s.next)}${unit} without it, a change of ${ch === null ? 'n/a' : pct(ch)}`}`;
  const detail = `${part(sideName(study, 'baseline'), b, withoutB)}; ${part(sideName(study, 'candidate'), c, withoutC)}`;
  study.server!.maxSupport = { baseline: b, candidate: c, decidedByOnePoint: flips };
  const sentence = flips
    ? `One value decides this maximum: ${detail}, which changes whether the criterion is met, so the verdict is INCONCLUSIVE.`
    : `Without either side's single highest value the conclusion holds: ${detail}.`;
  return { decides: flips, sentence };
}

/** Where both runs' values came from, in a few words (the metric's name) and in full (the method). */
function rangeWords(a: RangeBasis, b: RangeBasis): { short: string; long: string } {
  if (a === 'run' && b === 'run') return { short: 'whole run', long: 'the whole run' };
  if (a === 'steady' && b === 'steady') return { short: 'steady phase', long: "each run's steady phase" };
  if (a !== 'run' && b !== 'run') return { short: 'full-load phase', long: "each run's full-load phase (steady or not: a run that never settles has no steady phase)" };
  return { short: 'full-load phase or whole run', long: "each run's full-load phase, or the whole run where it has none" };
}
