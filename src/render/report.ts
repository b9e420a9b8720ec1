// report.md: the site's results as one Markdown file for a pull-request comment or a
// GitHub Actions step summary. What renders there: no image (a relative one breaks, and
// an SVG from elsewhere is a request a reader did not ask for), no relative link. With
// the published site's URL (--site-url) study pages, runs and charts are links to it;
// without, their names stay plain text. The file stays within GitHub's comment limit.
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import { mdText } from './escape.js';
import { runsTable } from './markdown-tables.js';
import { indexSummary } from './pages/index-page.js';
import { chartMarkdown, makeLinks, type PageDraft, type SiteContext } from './pages/site.js';
import { studyHeadline, studyMainTables } from './pages/study.js';

/** GitHub's limit on a comment's body (characters); a step summary may be larger. */
export const GITHUB_COMMENT_LIMIT = 65_536;

interface MdNode {
  type: string;
  position?: { start: { offset?: number }; end: { offset?: number } };
  url?: string;
  alt?: string | null;
  value?: string;
  children?: MdNode[];
}

/**
 * A web or e-mail address from an artifact (an error message), as text that no GFM
 * renderer turns into a link: a zero-width space after the scheme's colon, before `@` and
 * after `www`, where the autolink rules need the characters side by side.
 */
function unlinkable(text: string): string {
  return text.replace(/:\/\//g, ':\u200b//').replace(/(\S)@/g, '$1\u200b@').replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}\u200b.`);
}

const processor = unified().use(remarkParse).use(remarkGfm);

/**
 * Our Markdown (links relative to the site root) made to render anywhere: with `siteUrl`
 * each relative link points into the site and each chart image becomes a link to its SVG
 * ("chart: …"); without, links become their text and chart images are left out. Every
 * link we write has `[text](url)` syntax; any other (a bare address in artifact text,
 * which GFM links by itself) is made plain text that stays so on GitHub. The Markdown is
 * edited in place at the positions its syntax tree gives, so the escaping of artifact
 * text stays exactly as written.
 */
export function absoluteMarkdown(markdown: string, siteUrl: string | undefined): string {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const at = (n: MdNode) => ({ start: n.position!.start.offset!, end: n.position!.end.offset! });
  const isRelative = (url: string) => !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('#');
  const visit = (node: MdNode): void => {
    if (node.type === 'image' && node.url && isRelative(node.url)) {
      edits.push({ ...at(node), text: siteUrl ? `[chart: ${mdText(node.alt ?? 'chart')}](${siteUrl}/${node.url})` : '' });
      return;
    }
    if (node.type === 'link') {
      const { start, end } = at(node);
      const kids = node.children ?? [];
      const inner = kids.length > 0 ? markdown.slice(at(kids[0]!).start, at(kids[kids.length - 1]!).end) : '';
      if (markdown[start] !== '[') edits.push({ start, end, text: unlinkable(markdown.slice(start, end)) });
      else if (node.url && isRelative(node.url)) edits.push({ start, end, text: siteUrl ? `[${inner}](${siteUrl}/${node.url.replace(/\.md(#|$)/, '.html$1')})` : inner });
      return;
    }
    if (node.type === 'text') {
      const { start, end } = at(node);
      const source = markdown.slice(start, end);
      if (unlinkable(source) !== source) edits.push({ start, end, text: unlinkable(source) });
      return;
    }
    for (const c of node.children ?? []) visit(c);
  };
  visit(processor.parse(markdown) as MdNode);
  let out = markdown;
  for (const e of edits.sort((x, y) => y.start - x.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The report's sections in order; when all do not fit within `limit`, the later ones are left out and a note says so. */
export function fitSections(sections: string[], limit: number, moreAt: string): string {
  const note = (left: number) => `\n_${left} more section${left === 1 ? '' : 's'} left out to stay within GitHub's comment size; ${moreAt}_\n`;
  let out = '';
  for (const [i, s] of sections.entries()) {
    const rest = sections.length - i - 1;
    // Room for this section and, if more follow, for the note.
    if (out.length + s.length + (rest > 0 ? note(rest).length : 0) > limit) return out + note(sections.length - i);
    out += s;
  }
  return out;
}

/** report.md: the title and summary, each study's headline, main tables, chart links and conclusions, then the runs. */
export function reportMarkdown(ctx: SiteContext, studyPages: PageDraft[], siteUrl: string | undefined): string {
  const links = makeLinks(ctx, 'md', '');
  const sections: string[] = [`# ${mdText(ctx.title)}\n\n${indexSummary(ctx)}\n`];
  for (const [i, study] of ctx.analysis.studies.entries()) {
    const title = `## [${mdText(study.title || study.id)}](${links.study(study.id)})`;
    const charts = studyPages[i]!.charts.map((c) => chartMarkdown(c, links));
    const conclusions = study.conclusions.map((c) => `- ${mdText(c)}`).join('\n');
    // Without the site's URL a chart has nowhere to link to: left out.
    const parts = [title, studyHeadline(study, ctx), studyMainTables(study, ctx, links).trimEnd(), ...(siteUrl ? charts : []), conclusions].filter((p) => p !== '');
    sections.push(`\n${parts.join('\n\n')}\n`);
  }
  sections.push(`\n## Runs\n\n${runsTable(ctx.model, ctx.analysis, links).trimEnd()}\n`);
  const text = absoluteMarkdown(sections.join(''), siteUrl);
  const moreAt = siteUrl ? `the whole report: ${siteUrl}/index.html` : 'the whole report is in the built site.';
  // Sections are cut after the links are rewritten, as the lengths that count are those of the text posted.
  return fitSections(splitSections(text), GITHUB_COMMENT_LIMIT, moreAt);
}

/** The text cut before each second-level heading. */
function splitSections(text: string): string[] {
  return text.split(/(?=^## )/m);
}
