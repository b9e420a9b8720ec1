// The README is the front door: its embedded study tables must be what the bundled
// example builds today (`ce-report build && ce-report embed README.md` keeps them so).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../src/build.js';
import { embedTables, loadEmbeds } from '../src/render/embed.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('README.md', () => {
  let tmp: string;
  let siteDir: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'ce-readme-'));
    siteDir = path.join(tmp, 'site');
    await build({ inputs: [], cwd: root, out: siteDir, cache: false });
  }, 120_000);

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('embeds the current tables of the five example studies (run `npm run readme` when this fails)', async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    for (const id of ['canary-vs-stable', 'scaling-workers', 'peak-vs-sustained', 'failures', 'canary-threads']) {
      expect(readme, id).toContain(`<!-- ce-report:begin study-${id} -->`);
    }
    // The README sits next to site/ and links to its Markdown pages.
    const tables = await loadEmbeds(siteDir, { linkBase: 'site', linkPages: 'md' });
    expect(embedTables(readme, tables)).toBe(readme);
  });

  it('the committed site/ (linked from the README) is what the example builds today', async () => {
    const committed = path.join(root, 'site');
    if (!existsSync(committed)) return; // a checkout without the built site: nothing to compare
    const list = async (dir: string) => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join((e as unknown as { parentPath: string }).parentPath, e.name))).sort();
    const files = await list(siteDir);
    expect(await list(committed)).toEqual(files);
    for (const f of files) expect((await readFile(path.join(committed, f))).equals(await readFile(path.join(siteDir, f))), `site/${f} (run npm run readme)`).toBe(true);
  });

  it('names every option of every command', async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    const cli = await readFile(path.join(root, 'src', 'cli.ts'), 'utf8');
    const flags = [...cli.matchAll(/(?:option|Option)\(\s*'(?:-\w, )?(--[a-z-]+)/g)].map((m) => m[1]!);
    expect(flags.length).toBeGreaterThan(10);
    for (const f of new Set(flags)) expect(readme, f).toContain(f);
  });
});
