// Opens the rendered site in a real Chromium, served from a sub-path like GitHub Pages.
// Never downloads a browser: uses the system's /usr/bin/chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { renderSite } from '../src/render/index.js';
import { launchChromium, runBrowserTests as run, serve, shutDown } from './helpers/chromium.js';
import { sampleModel, XSS_IMG, XSS_LINK, XSS_SCRIPT } from './helpers/sample-model.js';

describe.skipIf(!run)('the site in Chromium', () => {
  let siteDir: string;
  let server: Server;
  let base: string;
  let browser: Browser;
  let pages: string[];
  const offHost: string[] = [];

  beforeAll(async () => {
    siteDir = await mkdtemp(path.join(tmpdir(), 'ce-browser-'));
    const { model, analysis } = sampleModel();
    const { files } = await renderSite(model, analysis, siteDir, { title: 'Sample report', description: 'Synthetic runs for the browser test' });
    pages = files.filter((f) => f.endsWith('.html'));
    ({ server, base } = await serve(siteDir));
    browser = await launchChromium();
  }, 120_000);

  afterAll(() => shutDown(browser, server, siteDir));

  /** A context that blocks (and records) every request leaving the test server. */
  async function context(javaScriptEnabled: boolean): Promise<BrowserContext> {
    const ctx = await browser.newContext({ javaScriptEnabled, viewport: { width: 1200, height: 900 } });
    await ctx.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base)) return route.continue();
      offHost.push(url);
      return route.abort();
    });
    return ctx;
  }

  async function open(ctx: BrowserContext, rel: string): Promise<{ page: Page; errors: string[] }> {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    const res = await page.goto(base + rel, { waitUntil: 'load' });
    expect(res?.status(), rel).toBe(200);
    return { page, errors };
  }

  it('renders every page without errors, off-host requests or script injection', async () => {
    const ctx = await context(true);
    try {
      for (const rel of pages) {
        const { page, errors } = await open(ctx, rel);
        expect(errors, rel).toEqual([]);
        expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), rel).toBeUndefined();
        // The stylesheet loaded from the relative path (it sets the table layout).
        expect(await page.evaluate(() => getComputedStyle(document.querySelector('main') as Element).maxWidth), rel).not.toBe('none');
        // Every chart has drawn marks.
        const marks = await page.$$eval('figure.chart svg', (svgs) =>
          svgs.map((s) => s.querySelectorAll('g.mark-line path, g.mark-area path, g.mark-symbol path, g.mark-rect path, g.mark-rule line').length),
        );
        for (const n of marks) expect(n, rel).toBeGreaterThan(0);
        // Every link inside the site resolves.
        const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
        for (const h of hrefs) {
          expect(h.startsWith(base), `${rel} links to ${h}`).toBe(true);
          const r = await fetch(h);
          expect(r.status, `${rel} → ${h}`).toBe(200);
        }
        await page.close();
      }
      expect(offHost).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 180_000);

  it('shows tables with the expected rows and hostile names as text', async () => {
    const ctx = await context(true);
    try {
      const { page } = await open(ctx, 'index.html');
      const tables = await page.$$eval('table', (ts) => ts.map((t) => ({ head: t.querySelector('th')?.textContent, rows: t.querySelectorAll('tbody tr').length })));
      expect(tables).toContainEqual({ head: 'Run', rows: 6 });
      // Each study under its own heading with its headline (no table of studies).
      expect(await page.locator('main h3 a[href^="studies/"]').count()).toBe(4);
      expect(await page.locator('.badge-pass').count()).toBeGreaterThan(0);
      await mkdir('test-output', { recursive: true });
      await page.screenshot({ path: 'test-output/index.png', fullPage: true });

      const canary = (await open(ctx, 'runs/canary.html')).page;
      const endpointRows = await canary.$$eval('table', (ts) => ts.filter((t) => t.querySelector('th')?.textContent === 'Endpoint').map((t) => [...t.querySelectorAll('tbody tr')].map((r) => r.querySelector('td')?.textContent)));
      expect(endpointRows).toEqual([['GET /api/items', XSS_IMG, 'a|b', 'All requests']]);
      const text = await canary.locator('main').innerText();
      expect(text).toContain(`boom ${XSS_SCRIPT}`);
      expect(await canary.locator('main img, main script').count()).toBe(0);

      const evil = (await open(ctx, 'runs/evil-id.html')).page;
      expect(await evil.locator('h1').innerText()).toBe(`Run ${XSS_LINK}`);
      expect(await evil.locator('a[href^="javascript"]').count()).toBe(0);
      expect(await evil.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    } finally {
      await ctx.close();
    }
    expect(offHost).toEqual([]);
  }, 120_000);

  it('works with JavaScript disabled', async () => {
    const ctx = await context(false);
    try {
      for (const rel of ['index.html', 'runs/stable.html', 'studies/scaling-workers.html', 'studies/experiment-variant.html', 'studies/failures.html']) {
        const { page, errors } = await open(ctx, rel);
        expect(errors, rel).toEqual([]);
        expect(await page.locator('h1').count(), rel).toBe(1);
        if (rel !== 'index.html') {
          expect(await page.locator('figure.chart svg').count(), rel).toBeGreaterThan(0);
          expect(await page.locator('figure.chart svg g.mark-line path, figure.chart svg g.mark-symbol path, figure.chart svg g.mark-rule line').count(), rel).toBeGreaterThan(0);
        }
        const box = await page.locator('table').first().boundingBox();
        expect(box?.height ?? 0, rel).toBeGreaterThan(20);
        await page.close();
      }
    } finally {
      await ctx.close();
    }
    expect(offHost).toEqual([]);
  }, 120_000);
});
