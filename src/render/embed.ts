// `ce-report embed`: keep tables from a built site inside a hand-written Markdown file
// (a README, docs page or PR template). Only the text between
//   <!-- ce-report:begin NAME -->  and  <!-- ce-report:end -->
// changes; everything else stays byte for byte, CRLF line endings included.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { slug } from './escape.js';

const BEGIN = /<!--[ \t]*ce-report:begin[ \t]+([^\s>]+)[ \t]*-->/g;
const END = /<!--[ \t]*ce-report:end[ \t]*-->/g;

export class EmbedError extends Error {
  override name = 'EmbedError';
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Finds a table by the name in a marker: exact, or with the id part slugged as the site does. */
function lookup(tables: Map<string, string>, name: string): string | undefined {
  const exact = tables.get(name);
  if (exact !== undefined) return exact;
  const m = /^(run|study)-(.+?)(-chart|-failures)?$/.exec(name);
  if (!m) return undefined;
  return tables.get(`${m[1]}-${slug(m[2] as string)}${m[3] ?? ''}`);
}

/**
 * The [start, end) offsets of code in a Markdown text: fenced blocks (``` or ~~~, up to
 * three spaces of indent, closed by a fence of the same character at least as long, or
 * the end of the text) and inline code spans (a run of backticks closed by a run of the
 * same length on the same line). A marker shown as an example in a README's code is text,
 * not a marker.
 */
export function codeRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let fence: { char: string; len: number; start: number } | null = null;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    const line = text.slice(lineStart, lineEnd);
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*\r?\n?$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.len) {
        ranges.push([fence.start, lineEnd]);
        fence = null;
      }
    } else if (open && !(open[1]![0] === '`' && line.slice(open[0].length).includes('`'))) {
      fence = { char: open[1]![0]!, len: open[1]!.length, start: lineStart };
    } else {
      const runs = [...line.matchAll(/`+/g)];
      for (let i = 0; i < runs.length; i++) {
        const len = runs[i]![0].length;
        // Only a later run of exactly the same length closes the span.
        const j = runs.findIndex((r, k) => k > i && r[0].length === len);
        if (j === -1) continue;
        ranges.push([lineStart + runs[i]!.index!, lineStart + runs[j]!.index! + len]);
        i = j;
      }
    }
    if (nl === -1) break;
    lineStart = lineEnd;
  }
  if (fence) ranges.push([fence.start, text.length]);
  return ranges;
}

function inRanges(ranges: Array<[number, number]>, index: number): boolean {
  return ranges.some(([a, b]) => index >= a && index < b);
}

/** The next match of `re` from `from` that is not inside code. */
function nextOutside(re: RegExp, text: string, from: number, code: Array<[number, number]>): RegExpExecArray | null {
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (!inRanges(code, m.index)) return m;
  }
  return null;
}

/**
 * Replaces the content of every marked block with the named table. Line endings of
 * the inserted text follow the line the begin marker is on. Markers inside code (a
 * fenced block or an inline code span) are left alone. Throws EmbedError (with the
 * line number) for an unknown name, a missing end marker or nested blocks.
 */
export function embedTables(markdownText: string, tables: Map<string, string>): string {
  const code = codeRanges(markdownText);
  let out = '';
  let pos = 0;
  for (let m = nextOutside(BEGIN, markdownText, 0, code); m !== null; ) {
    const name = m[1] as string;
    const afterBegin = m.index + m[0].length;
    const end = nextOutside(END, markdownText, afterBegin, code);
    if (!end) throw new EmbedError(`line ${lineOf(markdownText, m.index)}: "<!-- ce-report:begin ${name} -->" has no "<!-- ce-report:end -->" after it`);
    const nested = nextOutside(BEGIN, markdownText, afterBegin, code);
    if (nested && nested.index < end.index) {
      throw new EmbedError(`line ${lineOf(markdownText, nested.index)}: a ce-report:begin block starts before the one on line ${lineOf(markdownText, m.index)} ended`);
    }
    const table = lookup(tables, name);
    if (table === undefined) {
      const known = [...tables.keys()].sort();
      throw new EmbedError(`line ${lineOf(markdownText, m.index)}: no table named "${name}" in the site; known names: ${known.join(', ') || '(none)'}`);
    }
    const eol = markdownText.slice(afterBegin).match(/\r?\n/)?.[0] ?? markdownText.match(/\r?\n/)?.[0] ?? '\n';
    const body = table.replace(/\r?\n$/, '').replace(/\r?\n/g, eol);
    out += markdownText.slice(pos, afterBegin) + eol + body + eol;
    pos = end.index;
    m = nextOutside(BEGIN, markdownText, end.index + end[0].length, code);
  }
  return out + markdownText.slice(pos);
}

/** True for links we must leave alone: absolute URLs, root paths, in-page anchors. */
function isAbsolute(href: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#');
}

/**
 * Prefixes the targets of our own Markdown links and images. Artifact text in these
 * files is escaped, so a `](` preceded by an odd number of backslashes is text.
 */
export function rebaseLinks(markdown: string, linkBase: string, pages: 'html' | 'md' = 'html'): string {
  const base = linkBase.replace(/\/+$/, '');
  const prefix = base === '' || base === '.' ? '' : `${base}/`;
  if (prefix === '' && pages === 'html') return markdown;
  return markdown.replace(/(\\*)\]\(([^)\s]+)\)/g, (whole, slashes: string, href: string) => {
    if (slashes.length % 2 === 1 || isAbsolute(href)) return whole;
    // Every page exists as .html and .md; Markdown read on a forge renders the .md one.
    const target = pages === 'md' ? href.replace(/\.html(#|$)/, '.md$1') : href;
    return `${slashes}](${prefix}${target})`;
  });
}

export interface LoadEmbedsOptions {
  /**
   * Prefix for links to pages and charts, which the site writes relative to its root.
   * For a README next to the site folder pass the folder ("public"); for a README that
   * should link to the published site pass its URL ("https://me.github.io/repo").
   */
  linkBase?: string;
  /**
   * Which version of each page links point to: `html` (the published site) or `md`
   * (the Markdown pages, which a forge such as GitHub renders in the repository).
   */
  linkPages?: 'html' | 'md';
}

/** Reads the embeddable blocks renderSite wrote to `<site>/embed/<name>.md`. */
export async function loadEmbeds(siteDir: string, options: LoadEmbedsOptions = {}): Promise<Map<string, string>> {
  const dir = path.join(siteDir, 'embed');
  const names = (await fs.readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  const tables = new Map<string, string>();
  for (const file of names) {
    const text = await fs.readFile(path.join(dir, file), 'utf8');
    tables.set(file.slice(0, -3), rebaseLinks(text, options.linkBase ?? '', options.linkPages ?? 'html'));
  }
  return tables;
}
