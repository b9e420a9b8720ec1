// Handlebars templates from templates/: Markdown pages (*.md.hbs) and the HTML layout.
// The Markdown templates get their own Handlebars instance whose `md` helper escapes
// artifact text for Markdown; plain {{x}} still HTML-escapes as a safe fallback.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { mdText } from './escape.js';

/** templates/ sits next to src/ and dist/, so the same relative path works from both. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export type PageTemplate = 'index' | 'study' | 'run';

const hb = Handlebars.create();
hb.registerHelper('md', (value: unknown) => new hb.SafeString(mdText(value)));

const cache = new Map<string, Handlebars.TemplateDelegate>();

function load(file: string): Handlebars.TemplateDelegate {
  let t = cache.get(file);
  if (!t) {
    t = hb.compile(readFileSync(TEMPLATES_DIR + file, 'utf8'));
    cache.set(file, t);
  }
  return t;
}

/** Renders a page's Markdown; blank-line runs are collapsed so output is tidy. */
export function renderMarkdown(template: PageTemplate, view: object): string {
  const text = load(`${template}.md.hbs`)(view);
  return text.replace(/\n{3,}/g, '\n\n').replace(/\s+$/, '') + '\n';
}

export interface LayoutView {
  pageTitle: string;
  siteTitle: string;
  root: string;
  body: string;
  markdownHref: string;
  generator: string;
  timestamp?: string;
}

export function renderLayout(view: LayoutView): string {
  return load('layout.hbs')(view);
}

export function readStyleSheet(): string {
  return readFileSync(TEMPLATES_DIR + 'style.css', 'utf8');
}
