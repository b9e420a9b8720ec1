// Escaping for text that comes from artifacts (endpoint names, error messages, labels,
// run names). Everything such a file says is shown as text: never as Markdown syntax,
// never as HTML, never as a link.

/**
 * ASCII punctuation that means something inline in CommonMark/GFM (`$` for GitHub's
 * math). `(` `)` and `!` need no escape once `[` `]` are escaped: no link can start.
 */
const INLINE_SPECIAL = /[\\`*_[\]<>&|~#$]/g;

const ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/**
 * Escapes text for use inside a Markdown paragraph, heading, list item or table cell.
 * `<`, `>`, `&` become entities (so raw HTML can never start), other punctuation gets
 * a backslash (CommonMark allows escaping any ASCII punctuation), and line breaks
 * become spaces so a value cannot start a new block. Bare URLs are not escaped (GFM
 * links them whatever we do); markdownToHtml turns such links back into text.
 */
export function mdText(value: unknown): string {
  let s = String(value ?? '');
  // Control characters (other than tab) have no business in a report.
  s = s.replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  s = s.replace(INLINE_SPECIAL, (c) => ENTITY[c] ?? `\\${c}`);
  // Block markers only matter at the start of a line: "- x", "+ x", "1. x", "=== ".
  s = s.replace(/^(\s*)([-+=])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2');
  return s;
}

/** Escapes a table cell: like mdText; `|` is escaped too (mdText already does). */
export function mdCell(value: unknown): string {
  const s = mdText(value);
  // An empty cell would still be valid; keep a visible dash for "nothing".
  return s === '' ? ' ' : s;
}

/** Text for a Markdown link or image label (same rules as any inline text). */
export const mdLabel = mdText;

/** HTML escaping for the few places we write HTML ourselves (layout, figure captions). */
export function htmlText(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * A file-name-safe slug for an id: lower case letters, digits, `-` and `.` only, no
 * leading dots, at most 80 characters (whole words kept). `../` can never survive, so page paths built
 * from ids stay inside the output folder.
 */
export function slug(id: string): string {
  const s = String(id)
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '');
  return s === '' ? 'x' : cutAtWord(s, 80);
}

/**
 * At most `max` characters in whole words (split at `-`): the first words and the last
 * ones, which tell apart ids that share a long start (the same study kind and folder,
 * two files), instead of a cut in the middle of a word.
 */
function cutAtWord(s: string, max: number): string {
  if (s.length <= max) return s;
  const words = s.split('-');
  const tail: string[] = [];
  while (words.length > 1 && [words[words.length - 1]!, ...tail].join('-').length <= max / 2) tail.unshift(words.pop()!);
  const head: string[] = [];
  for (const w of words) {
    if ([...head, w, ...tail].join('-').length > max) break;
    head.push(w);
  }
  const out = [...head, ...tail].join('-');
  return head.length > 0 && tail.length > 0 ? out : s.slice(0, max).replace(/[-.]+$/g, '');
}

/**
 * Slugs for a list of ids, unique among themselves: a collision gets `-2`, `-3`, …
 * in the order given (callers pass ids in a stable order, so slugs are stable too).
 */
export function uniqueSlugs(ids: string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const id of ids) {
    if (out.has(id)) continue;
    const base = slug(id);
    let s = base;
    for (let n = 2; used.has(s); n++) s = `${base}-${n}`;
    used.add(s);
    out.set(id, s);
  }
  return out;
}
