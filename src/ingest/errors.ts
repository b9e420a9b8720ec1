// Errors about an input file. The CLI prints `message` as one line and exits non-zero;
// no stack trace ever reaches a user for these.

export class InputError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly detail: string;

  constructor(file: string, detail: string, position: { line?: number; column?: number } = {}) {
    super(oneLine(formatLocation(file, position.line, position.column) + ': ' + detail));
    this.name = 'InputError';
    this.file = file;
    this.line = position.line;
    this.column = position.column;
    this.detail = detail;
  }
}

/** A problem with the user's configuration or command line (not with an artifact). */
export class UsageError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'UsageError';
  }
}

/**
 * Error and warning texts often quote artifacts (names, messages, bytes). A control
 * character could break the one-line format or drive the terminal (ANSI escapes), and
 * a huge quote would bury the message: escape them and cap the length.
 */
export function oneLine(text: string, maxChars = 600): string {
  // eslint-disable-next-line no-control-regex
  const s = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? ' ' : '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')));
  return s.length > maxChars ? s.slice(0, maxChars - 1) + '…' : s;
}

export function formatLocation(file: string, line?: number, column?: number): string {
  let s = file;
  if (line !== undefined) s += ':' + line;
  if (line !== undefined && column !== undefined) s += ':' + column;
  return s;
}

export function isUserFacingError(e: unknown): e is InputError | UsageError {
  return e instanceof InputError || e instanceof UsageError;
}

/**
 * A file that is a recognisable artifact holding no data to read, such as a saved
 * Prometheus error answer: an error when the file is named on the command line, but
 * inside a folder it is skipped with a warning naming it, and the rest is read.
 */
export class NoDataInputError extends InputError {
  constructor(file: string, detail: string) {
    super(file, detail);
    this.name = 'NoDataInputError';
  }
}
