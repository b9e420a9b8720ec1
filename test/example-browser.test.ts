// The bundled example (ce-report.config.json over examples/data/), as `ce-report build`
// writes it with no arguments, read in a real Chromium as a reader would: every page at
// a desktop width (1280 px) and a phone's (390 px). It fails on a page wider than the
// window, chart text drawn under 11 px, chart labels that overlap, a mark outside its plot
// (or on its top edge), legends that change a plot's size, and pages with more words
// outside tables than WORD_BUDGET. It also makes the README's screenshots, so they show
// the site as it is built now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { glob } from 'tinyglobby';
import { build } from '../src/build.js';
import { launchChromium, runBrowserTests, serve, shutDown } from './helpers/chromium.js';
import { measureLayout, type PageLayout } from './helpers/layout-checks.js';

/** The smallest chart text, px as drawn, at both widths. */
const MIN_TEXT_PX = 11;
/**
 * Words a page may show outside its tables (charts, tables and folded definitions and
 * methods do not count). 400 words is under two minutes of reading at the ~240 words a
 * minute adults read prose: a page read at a glance is its headline, its chart and one
 * list of conclusions, with the numbers in tables. The example's study pages had
 * 880-950 words before headlines replaced the repeated summaries and definitions and
 * methods were folded; the longest page now, the failures study at ~360 words, is its
 * analyzer's conclusions (long sentences, many numbers), which the budget leaves room for.
 */
export const WORD_BUDGET = 400;
const WIDTHS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe.skipIf(!runBrowserTests)('the bundled example site in Chromium', () => {
  const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
  let siteDir: string;
  let server: Server;
  let base: string;
  let browser: Browser;
  let pages: string[] = [];

  beforeAll(async () => {
    const tmp = await mkdtemp(path.join(tmpdir(), 'ce-example-'));
    siteDir = path.join(tmp, 'site');
    await build({ inputs: [], cwd: root, out: siteDir, cache: false });
    pages = (await glob('**/*.html', { cwd: siteDir })).sort();
    ({ server, base } = await serve(siteDir));
    browser = await launchChromium();
  }, 120_000);

  afterAll(() => shutDown(browser, server, siteDir && path.dirname(siteDir)));

  /** A context at one width that blocks (and records) every request leaving the test server. */
  async function context(width: number, height: number, offHost: string[]): Promise<BrowserContext> {
    const ctx = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
    await ctx.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base)) return route.continue();
      offHost.push(url);
      return route.abort();
    });
    return ctx;
  }

  it('has the pages of the README: the index, five studies and the runs', () => {
    expect(pages).toContain('index.html');
    expect(pages.filter((p) => p.startsWith('studies/'))).toEqual([
      'studies/canary-threads.html',
      'studies/canary-vs-stable.html',
      'studies/failures.html',
      'studies/peak-vs-sustained.html',
      'studies/scaling-workers.html',
    ]);
    expect(pages.filter((p) => p.startsWith('runs/')).length).toBeGreaterThanOrEqual(7);
  });

  for (const { name, width, height } of WIDTHS) {
    it(`reads well at ${width} px (${name}): no overflow, legible charts, no overlaps, marks in their plots, few words`, async () => {
      const offHost: string[] = [];
      const ctx = await context(width, height, offHost);
      const problems: string[] = [];
      const plotWidths = new Set<number>();
      try {
        for (const rel of pages) {
          const page = await ctx.newPage();
          const errors: string[] = [];
          page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
          page.on('pageerror', (e) => errors.push(String(e)));
          const res = await page.goto(base + rel, { waitUntil: 'load' });
          expect(res?.status(), rel).toBe(200);
          const got: PageLayout = await page.evaluate(measureLayout, MIN_TEXT_PX);
          if (errors.length > 0) problems.push(`${rel}: console errors ${errors.join('; ')}`);
          if (got.overflowPx > 0) problems.push(`${rel}: the page is ${got.overflowPx} px wider than the window`);
          for (const t of got.smallText) problems.push(`${rel}: chart text at ${t.px} px: ${t.text}`);
          if (got.unlabelled > 0) problems.push(`${rel}: ${got.unlabelled} chart(s) without a title and description`);
          for (const t of got.cutTitles) problems.push(`${rel}: chart title cut off: ${t}`);
          for (const [a, b] of got.overlaps) problems.push(`${rel}: chart labels overlap: "${a}" and "${b}"`);
          for (const m of got.marksOut) problems.push(`${rel}: ${m.chart}: ${m.mark} ${m.why}`);
          if (got.words > WORD_BUDGET) problems.push(`${rel}: ${got.words} words outside tables (budget ${WORD_BUDGET})`);
          if (rel !== 'index.html' || got.charts > 0) for (const w of got.plotWidths) plotWidths.add(w);
          if (rel.startsWith('studies/')) expect(got.charts, `${rel}: charts shown`).toBeGreaterThan(0);
          if (rel === 'index.html') {
            // The index shows each study's main chart.
            expect(got.charts, 'index charts').toBe(pages.filter((p) => p.startsWith('studies/')).length);
            await mkdir(path.join(root, 'docs'), { recursive: true });
            await page.screenshot({ path: path.join(root, 'docs', `screenshot-${name}.png`) });
          }
          await page.close();
        }
      } finally {
        await ctx.close();
      }
      expect(problems).toEqual([]);
      // Legends sit below the plots in columns that fit: every plot at one width is as wide as every other.
      expect([...plotWidths], 'plot widths').toHaveLength(1);
      expect(offHost).toEqual([]);
    }, 240_000);
  }
});
