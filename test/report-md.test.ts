// report.md is posted as a pull-request comment or a GitHub step summary: rendered there
// with GFM, it must show everything it has, so no relative image or link (they would point
// at the repository, not the site), no raw HTML, and it stays within GitHub's comment limit.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkHtml from 'remark-html';
import { build } from '../src/build.js';
import { absoluteMarkdown, fitSections, GITHUB_COMMENT_LIMIT } from '../src/render/report.js';
import { siteUrlBase } from '../src/render/site-url.js';

interface Node {
  type: string;
  url?: string;
  children?: Node[];
}

/** Every node of the GFM syntax tree of `markdown`. */
function nodes(markdown: string): Node[] {
  const all: Node[] = [];
  const walk = (n: Node) => {
    all.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(unified().use(remarkParse).use(remarkGfm).parse(markdown) as Node);
  return all;
}

/** The URLs of the HTML GFM makes of `markdown` (href and src attributes). */
function htmlUrls(markdown: string): string[] {
  const html = String(unified().use(remarkParse).use(remarkGfm).use(remarkHtml, { sanitize: false }).processSync(markdown));
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1]!);
}

const isAbsolute = (url: string) => /^https?:\/\//.test(url);
const SITE = 'https://example.github.io/perf';

describe('report.md of the bundled example', () => {
  const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');

  async function reportOf(siteUrl: string | undefined): Promise<{ report: string; dir: string }> {
    const dir = await mkdtemp(path.join(tmpdir(), 'ce-report-md-'));
    await build({ inputs: [], cwd: root, out: path.join(dir, 'site'), cache: false, siteUrl });
    return { report: await readFile(path.join(dir, 'site', 'report.md'), 'utf8'), dir };
  }

  it('with --site-url: links only to the published site, every one to a page or chart it has; charts as links; no image', async () => {
    const { report, dir } = await reportOf(SITE);
    try {
      expect(report.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
      const tree = nodes(report);
      expect(tree.filter((n) => n.type === 'image' || n.type === 'html' || n.type === 'imageReference')).toEqual([]);
      const urls = [...tree.filter((n) => n.type === 'link' || n.type === 'definition').map((n) => n.url!), ...htmlUrls(report)];
      expect(urls.length).toBeGreaterThan(10);
      for (const url of urls) {
        expect(url.startsWith(`${SITE}/`), url).toBe(true);
        // The site has what the link names.
        expect(existsSync(path.join(dir, 'site', ...url.slice(SITE.length + 1).split('#')[0]!.split('/'))), url).toBe(true);
      }
      expect(urls.some((u) => /\/charts\/study-.*\.svg$/.test(u))).toBe(true);
      expect(urls.some((u) => /\/studies\/.*\.html$/.test(u))).toBe(true);
      // Each study's headline with its verdict or numbers, and its conclusions.
      expect(report).toContain('**PASS**');
      expect(report).toMatch(/^## \[Scaling the model service/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a --site-url that is not an http(s) address before reading anything', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ce-report-md-'));
    try {
      await expect(build({ inputs: [], cwd: root, out: path.join(dir, 'site'), cache: false, siteUrl: 'javascript:alert(1)' })).rejects.toThrow(/--site-url must start with https:\/\//);
      expect(existsSync(path.join(dir, 'site'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without --site-url: no link and no image at all, the names as text', async () => {
    const { report, dir } = await reportOf(undefined);
    try {
      expect(report.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
      const tree = nodes(report);
      expect(tree.filter((n) => ['image', 'imageReference', 'link', 'linkReference', 'definition', 'html'].includes(n.type))).toEqual([]);
      expect(htmlUrls(report)).toEqual([]);
      expect(report).toMatch(/^## Canary vs stable/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('absoluteMarkdown', () => {
  it('keeps escaped artifact text as text: no HTML, no link made of it, bare addresses not linked', () => {
    const md =
      'Run &lt;script&gt;x&lt;/script&gt; and \\[a\\](javascript:alert(1)) in [the run](runs/a.md) ![p95 over time](charts/a.svg): 500 for url: http://127.0.0.1:1/x, www.a.io, ops@a.io\n\n' +
      '| Run | Message |\n| --- | --- |\n| [&lt;img src=x onerror=alert(1)&gt;](runs/a.md) | &lt;/script&gt; at http://h.io/p |\n';
    for (const site of [SITE, undefined]) {
      const out = absoluteMarkdown(md, site);
      const tree = nodes(out);
      expect(tree.filter((n) => n.type === 'html' || n.type === 'image')).toEqual([]);
      const links = tree.filter((n) => n.type === 'link').map((n) => n.url);
      expect(links).toEqual(site ? [`${SITE}/runs/a.html`, `${SITE}/charts/a.svg`, `${SITE}/runs/a.html`] : []);
      expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(String(unified().use(remarkParse).use(remarkGfm).use(remarkHtml, { sanitize: false }).processSync(out))).toContain('&#x3C;script>x&#x3C;/script>');
    }
  });

  it('takes only http(s) site URLs without query, fragment or credentials', () => {
    expect(siteUrlBase('https://example.github.io/perf/')).toBe('https://example.github.io/perf');
    for (const bad of ['example.github.io', 'javascript:alert(1)', 'file:///tmp/site', 'https://a.io/?x=1', 'https://u:p@a.io/']) expect(() => siteUrlBase(bad), bad).toThrow();
  });
});

describe('fitSections', () => {
  it('leaves out the last sections, with a note, to stay within the limit', () => {
    const sections = ['# T\n', ...Array.from({ length: 30 }, (_, i) => `\n## S${i}\n\n${'x'.repeat(3000)}\n`)];
    const out = fitSections(sections, GITHUB_COMMENT_LIMIT, 'the whole report: https://a.io/');
    expect(out.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(out).toContain('## S0');
    expect(out).not.toContain('## S29');
    expect(out).toMatch(/\d+ more sections left out to stay within GitHub's comment size; the whole report: https:\/\/a\.io\//);
    expect(fitSections(['# T\n', '\n## A\n'], GITHUB_COMMENT_LIMIT, '')).toBe('# T\n\n## A\n');
  });
});
