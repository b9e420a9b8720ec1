// Errors about an input file. The CLI prints `message` as one line and exits non-zero;
// no stack trace ever reaches a user for these.

export class InputError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly detail: string;

  constructor(file: string, detail: string, position: { line?: number; column?: number } = {}) {
    super(formatLocation(file, position.line, position.column) + ': ' + detail);
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
    super(message);
    this.name = 'UsageError';
  }
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
