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
 * Replaces the content of every marked block with the named table. Line endings of
 * the inserted text follow the line the begin marker is on. Throws EmbedError (with
 * the line number) for an unknown name, a missing end marker or nested blocks.
 */
export function embedTables(markdownText: string, tables: Map<string, string>): string {
  let out = '';
  let pos = 0;
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(markdownText); m !== null; m = BEGIN.exec(markdownText)) {
    const name = m[1] as string;
    const afterBegin = m.index + m[0].length;
    END.lastIndex = afterBegin;
    const end = END.exec(markdownText);
    if (!end) throw new EmbedError(`line ${lineOf(markdownText, m.index)}: "<!-- ce-report:begin ${name} -->" has no "<!-- ce-report:end -->" after it`);
    BEGIN.lastIndex = afterBegin;
    const nested = BEGIN.exec(markdownText);
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
    BEGIN.lastIndex = end.index + end[0].length;
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
export function rebaseLinks(markdown: string, linkBase: string): string {
  const base = linkBase.replace(/\/+$/, '');
  if (base === '' || base === '.') return markdown;
  return markdown.replace(/(\\*)\]\(([^)\s]+)\)/g, (whole, slashes: string, href: string) => {
    if (slashes.length % 2 === 1 || isAbsolute(href)) return whole;
    return `${slashes}](${base}/${href})`;
  });
}

export interface LoadEmbedsOptions {
  /**
   * Prefix for links to pages and charts, which the site writes relative to its root.
   * For a README next to the site folder pass the folder ("public"); for a README that
   * should link to the published site pass its URL ("https://me.github.io/repo").
   */
  linkBase?: string;
}

/** Reads the embeddable blocks renderSite wrote to `<site>/embed/<name>.md`. */
export async function loadEmbeds(siteDir: string, options: LoadEmbedsOptions = {}): Promise<Map<string, string>> {
  const dir = path.join(siteDir, 'embed');
  const names = (await fs.readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  const tables = new Map<string, string>();
  for (const file of names) {
    const text = await fs.readFile(path.join(dir, file), 'utf8');
    tables.set(file.slice(0, -3), rebaseLinks(text, options.linkBase ?? ''));
  }
  return tables;
}
