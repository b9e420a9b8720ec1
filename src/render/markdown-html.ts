// Markdown (GFM) → HTML with unified. remark-html sanitizes (its default), so raw HTML
// can never pass through; charts and badges are put in afterwards by exact match on
// markup only our own Markdown can produce.
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkHtml from 'remark-html';

/** The few mdast fields this module touches (the full types live in a transitive package). */
interface MdNode {
  type: string;
  data?: { hName?: string };
  position?: { start: { offset?: number } };
  children?: MdNode[];
}

/**
 * GFM turns bare URLs and e-mail addresses in text into links, even escaped ones.
 * Text from artifacts must stay text, and every link we write ourselves uses
 * `[label](url)` syntax, so any link that does not start with `[` in the source is
 * turned back into its text.
 */
function unlinkBareUrls() {
  return (tree: MdNode, file: { value: unknown }) => {
    const source = String(file.value);
    const visit = (node: MdNode) => {
      if (!node.children) return;
      node.children = node.children.flatMap((child) => {
        if (child.type === 'link') {
          const start = child.position?.start.offset;
          if (start === undefined || source[start] !== '[') return child.children ?? [];
        }
        visit(child);
        return [child];
      });
    };
    visit(tree);
  };
}

/** The lines our templates write around folded text; artifact text can never make them (mdText escapes `<`). */
const DETAILS_OPEN = /^<details>\s*<summary>([^<>]*)<\/summary>$/;
const DETAILS_CLOSE = '</details>';

/**
 * Folded sections (definitions, methods): the templates write GitHub's
 * `<details><summary>…</summary>` … `</details>` as raw HTML blocks around Markdown, so
 * they fold on GitHub too. Raw HTML is otherwise dropped here, so each such pair at the
 * top level becomes a details element holding the Markdown between them. Only this
 * exact shape is taken; the summary is plain text.
 */
function foldDetails() {
  return (tree: MdNode) => {
    const out: MdNode[] = [];
    const children = tree.children ?? [];
    for (let i = 0; i < children.length; i++) {
      const node = children[i]!;
      const open = node.type === 'html' ? DETAILS_OPEN.exec(String((node as { value?: unknown }).value).trim()) : null;
      const end = open ? children.findIndex((c, j) => j > i && c.type === 'html' && String((c as { value?: unknown }).value).trim() === DETAILS_CLOSE) : -1;
      if (!open || end < 0) {
        out.push(node);
        continue;
      }
      const summary = { type: 'summaryText', data: { hName: 'summary' }, children: [{ type: 'text', value: open[1]!.trim() }] } as unknown as MdNode;
      out.push({ type: 'details', data: { hName: 'details' }, children: [summary, ...children.slice(i + 1, end)] } as MdNode);
      i = end;
    }
    tree.children = out;
  };
}

// Built once and frozen: creating the processor (parser, GFM extensions) per page costs more than a small page.
const processor = unified().use(remarkParse).use(remarkGfm).use(unlinkBareUrls).use(foldDetails).use(remarkHtml, { sanitize: true }).freeze();

export interface InlineChart {
  /** The image URL exactly as written in the Markdown. */
  src: string;
  /** Drawn at the content width. */
  svg: string;
  /** Drawn at a phone's width; the stylesheet shows one of the two. */
  narrow?: string;
}

const VERDICT = /<strong>(PASS|FAIL|INCONCLUSIVE)<\/strong>/g;

export function markdownToHtml(markdown: string, charts: InlineChart[] = []): string {
  return inlineCharts(markdownToHtmlBody(markdown), charts);
}

/**
 * The HTML of the Markdown with verdict badges, charts still as images: a build turns
 * pages into HTML while the charts are being drawn, then calls inlineCharts.
 */
export function markdownToHtmlBody(markdown: string): string {
  const html = String(processor.processSync(markdown));
  return html.replace(VERDICT, (_, v: string) => `<strong class="badge badge-${v.toLowerCase()}">${v}</strong>`);
}

/** Replaces each chart image (alone in its paragraph, as the templates put it) by its inline SVG. */
export function inlineCharts(html: string, charts: InlineChart[]): string {
  if (charts.length === 0) return html;
  const bySrc = new Map(charts.map((c) => [escapeAttr(c.src), c]));
  return html.replace(/<p><img src="([^"]*)" alt="([^"]*)"><\/p>/g, (whole, src: string, alt: string) => {
    const chart = bySrc.get(src);
    if (chart === undefined) return whole;
    const drawn = chart.narrow === undefined ? chart.svg : `<div class="chart-wide">${chart.svg}</div><div class="chart-narrow">${chart.narrow}</div>`;
    // The alt text was escaped for an attribute (only & and "); as element text it also
    // needs < and >, since chart titles carry run and endpoint names from artifacts.
    return `<figure class="chart">${drawn}<figcaption>${alt.replace(/</g, '&lt;').replace(/>/g, '&gt;')}</figcaption></figure>`;
  });
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}
