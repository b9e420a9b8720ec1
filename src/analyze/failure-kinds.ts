// What a failure was, read from the status and message the tool recorded. Messages are
// artifact text: they are only matched against fixed patterns, never interpreted.
import type { ErrorEntry } from '../model/types.js';
import type { FailureCategory } from './types.js';

const TIMEOUT = /timed?[ -]?out|timeout|deadline exceeded/i;
const CONNECTION = /connection|refused|reset by peer|broken pipe|remote ?disconnected|econn|eof occurred|no route to host|name or service not known/i;
/** "500 Server Error: …" (requests' HTTPError, also inside "HTTPError('…')") or "HTTP 503" when the tool has no status field. */
const STATUS_IN_MESSAGE = /^(?:HTTP\s*)?([1-5]\d\d)\b|\b([45]\d\d) (?:Server|Client) Error\b/i;

/**
 * The HTTP status of a failure: a code (`503`) or, from tools that only count status
 * classes (bombardier), the class (`5xx`). Null when neither field nor message has one.
 */
export function statusOf(e: Pick<ErrorEntry, 'status' | 'message'>): string | null {
  if (e.status !== null && /^(\d{3}|[1-5]xx)$/i.test(e.status)) return e.status.toLowerCase();
  const m = STATUS_IN_MESSAGE.exec(e.message.trim());
  return m ? (m[1] ?? m[2] ?? null) : null;
}

export function failureCategory(e: Pick<ErrorEntry, 'status' | 'message'>): FailureCategory {
  const status = statusOf(e);
  if (status?.startsWith('5')) return 'server-error';
  if (status?.startsWith('4')) return 'client-error';
  if (TIMEOUT.test(e.message)) return 'timeout';
  if (CONNECTION.test(e.message)) return 'connection';
  return 'other';
}

/** Frames in these folders belong to the tool or its libraries, not to the load script. */
const LIBRARY_FRAME = /[\\/](site-packages|dist-packages|node_modules|lib[\\/]python\d[\d.]*)[\\/]/;

/**
 * The line of a traceback that says where the load script failed: the innermost
 * `File "…", line N, in f` frame outside the tool's own packages, else the first
 * non-empty line. Null without a traceback.
 */
export function tracebackWhere(detail: string | undefined): string | null {
  if (!detail) return null;
  const lines = detail.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) return null;
  const frames = lines.filter((l) => /^File "/.test(l));
  const own = frames.filter((l) => !LIBRARY_FRAME.test(l));
  return own[own.length - 1] ?? lines[0]!;
}
