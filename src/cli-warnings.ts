// Warnings on the terminal: every warning of a build (reading the inputs and drawing
// conclusions) reaches stderr: the first few and a count by default, all with -v,
// none with -q. The site lists them all as well.
import type { AnalysisWarning } from './analyze/index.js';
import { oneLine } from './ingest/errors.js';
import type { Warning } from './model/types.js';

/** Warnings shown without --verbose. */
export const FIRST_WARNINGS = 5;

export interface WarningFlags {
  quiet?: boolean;
  verbose?: boolean;
}

function inputLine(w: Warning): string {
  const loc = w.file ? `${w.file}${w.line ? ':' + w.line : ''}${w.line && w.column ? ':' + w.column : ''}: ` : '';
  return `warning: ${loc}${oneLine(w.message)}`;
}

function analysisLine(w: AnalysisWarning): string {
  const where = w.studyId ? `study ${w.studyId}: ` : w.runId ? `run ${w.runId}: ` : '';
  // Study warnings already start with 'Study "id"'; do not say it twice.
  const message = w.studyId && w.message.startsWith(`Study "${w.studyId}"`) ? w.message : where + w.message;
  return `warning: ${oneLine(message)}`;
}

/** The lines to print for these warnings (empty when quiet or there are none). */
export function warningLines(input: Warning[], analysis: AnalysisWarning[], flags: WarningFlags, siteHint?: string): string[] {
  const all = [...input.map(inputLine), ...analysis.map(analysisLine)];
  if (flags.quiet || all.length === 0) return [];
  if (flags.verbose || all.length <= FIRST_WARNINGS) return all;
  const rest = all.length - FIRST_WARNINGS;
  return [...all.slice(0, FIRST_WARNINGS), `warning: … and ${rest} more (${all.length} warnings in all; -v shows every one${siteHint ? `, as does ${siteHint}` : ''})`];
}

export function printWarnings(input: Warning[], analysis: AnalysisWarning[], flags: WarningFlags, siteHint?: string): void {
  for (const line of warningLines(input, analysis, flags, siteHint)) process.stderr.write(line + '\n');
}
