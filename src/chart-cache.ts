// A cache of rendered charts, keyed by everything that decides the SVG: the Vega-Lite
// spec with its data, the id prefix, and the versions of ce-report, vega and vega-lite.
// Drawing is most of a build's time; a rebuild after adding one run redraws only the
// charts that changed. Lives beside the ingest cache (same folder, `--no-cache` skips
// both). Best effort: a cache that cannot be read or written is ignored.
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { writeCacheEntry } from './ingest/cache.js';
import type { ChartRenderer } from './render/chart-pool.js';
import { generatorInfo } from './version.js';

/** Entries kept at most; the least recently used go first when a build ends. */
const MAX_ENTRIES = 3000;

/** What else decides a chart's SVG: the versions, and the code that draws it (svg.ts). */
function rendererIdentity(): string {
  const require = createRequire(import.meta.url);
  let drawer = '';
  try {
    drawer = createHash('sha256').update(readFileSync(new URL('./render/svg.js', import.meta.url))).digest('hex');
  } catch {
    drawer = 'unknown';
  }
  const versionOf = (name: string) => {
    try {
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  return `${generatorInfo().version} ${drawer} vega ${versionOf('vega')} vega-lite ${versionOf('vega-lite')}`;
}

export function cachedChartRenderer(inner: ChartRenderer, cacheDir: string): ChartRenderer {
  const dir = path.join(cacheDir, 'charts');
  const versions = rendererIdentity();
  return {
    async render(spec, idPrefix) {
      const key = createHash('sha256').update(versions).update('\0').update(idPrefix).update('\0').update(JSON.stringify(spec)).digest('hex').slice(0, 40);
      const file = path.join(dir, `${key}.svg`);
      try {
        const svg = await fs.readFile(file, 'utf8');
        // Touch it: pruning keeps the recently used entries.
        const now = new Date();
        await fs.utimes(file, now, now).catch(() => undefined);
        return svg;
      } catch {
        // not cached
      }
      const svg = await inner.render(spec, idPrefix);
      // A chart that cannot be kept is still drawn.
      await writeCacheEntry(dir, `${key}.svg`, svg);
      return svg;
    },
    assist: inner.assist?.bind(inner),
    async close() {
      await inner.close();
      await prune(dir).catch(() => undefined);
    },
  };
}

async function prune(dir: string): Promise<void> {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.svg'));
  if (names.length <= MAX_ENTRIES) return;
  const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await fs.stat(path.join(dir, n))).mtimeMs })));
  withTimes.sort((a, b) => a.t - b.t);
  for (const { n } of withTimes.slice(0, withTimes.length - MAX_ENTRIES)) await fs.rm(path.join(dir, n), { force: true });
}
