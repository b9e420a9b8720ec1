// Safe output: a build writes to a temporary folder and swaps it in only on success, so
// a failure at any stage (ingest, analysis, rendering) leaves the previous site as it
// was; `embed` replaces its target atomically and never truncates it on error.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import { build } from '../src/build.js';
import { embedCommand } from '../src/embed-command.js';
import { InputError } from '../src/ingest/errors.js';
import { k6Ndjson, removeScratch, scratch, type Scratch } from './helpers/bad-inputs.js';

// Rendering and embedding fail on demand; otherwise they are the real modules.
const faults = vi.hoisted(() => ({ renderFails: false, embedFails: false }));
vi.mock('../src/render/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/render/index.js')>();
  return {
    ...real,
    renderSite: async (...args: Parameters<typeof real.renderSite>) => {
      if (faults.renderFails) {
        // Fail halfway: some files already written into the build folder.
        await fs.mkdir(path.join(args[2], 'runs'), { recursive: true });
        await fs.writeFile(path.join(args[2], 'index.html'), '<p>half a site</p>');
        throw new Error('simulated failure inside rendering');
      }
      return real.renderSite(...args);
    },
  };
});
vi.mock('../src/render/embed.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/render/embed.js')>();
  return {
    ...real,
    embedTables: (...args: Parameters<typeof real.embedTables>) => {
      if (faults.embedFails) throw new Error('simulated failure while embedding');
      return real.embedTables(...args);
    },
  };
});

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const parent = (e as unknown as { parentPath?: string; path: string }).parentPath ?? (e as unknown as { path: string }).path;
    const p = path.join(parent, e.name);
    out.set(path.relative(dir, p), (await fs.readFile(p)).toString('base64'));
  }
  return out;
}

function leftovers(dir: string): Promise<string[]> {
  return fs.readdir(dir).then((names) => names.filter((n) => /\.(tmp|old)-\d+$/.test(n) || /\.ce-report-\d+\.tmp$/.test(n)));
}

let s: Scratch;
let site: Map<string, string>;
beforeAll(async () => {
  s = await scratch();
  await s.write('run/k6.json', k6Ndjson(20));
  await build({ inputs: ['run'], out: 'site', cwd: s.dir, cache: false });
  site = await snapshot(path.join(s.dir, 'site'));
  expect(site.has('index.html')).toBe(true);
}, 120_000);
afterAll(removeScratch);

describe('a failed build leaves the previous site untouched', () => {
  it('failure inside rendering', async () => {
    faults.renderFails = true;
    try {
      await expect(build({ inputs: ['run'], out: 'site', cwd: s.dir, cache: false })).rejects.toThrow('simulated failure inside rendering');
    } finally {
      faults.renderFails = false;
    }
    expect(await snapshot(path.join(s.dir, 'site'))).toEqual(site);
    expect(await leftovers(s.dir)).toEqual([]);
  });

  it('failure while reading the inputs', async () => {
    await s.write('bad/k6.json', '\u0000\u0001\u0002 not a load test');
    await expect(build({ inputs: ['bad/k6.json'], out: 'site', cwd: s.dir, cache: false })).rejects.toBeInstanceOf(InputError);
    expect(await snapshot(path.join(s.dir, 'site'))).toEqual(site);
    expect(await leftovers(s.dir)).toEqual([]);
  });

  it('a bad config stops the build before anything is touched', async () => {
    await s.write('bad.config.json', '{"titel": "x"}');
    await expect(build({ inputs: [], config: 'bad.config.json', out: 'site', cwd: s.dir })).rejects.toThrow(/unknown key "titel"/);
    expect(await snapshot(path.join(s.dir, 'site'))).toEqual(site);
  });

  it('a successful build replaces the site completely (no stale files from the old one)', async () => {
    await fs.writeFile(path.join(s.dir, 'site', 'stale.html'), 'old');
    await build({ inputs: ['run'], out: 'site', cwd: s.dir, cache: false });
    const now = await snapshot(path.join(s.dir, 'site'));
    expect(now.has('stale.html')).toBe(false);
    expect([...now.keys()].sort()).toEqual([...site.keys()].sort());
    expect(await leftovers(s.dir)).toEqual([]);
  });

  it('refuses to use the working folder itself as the output', async () => {
    await expect(build({ inputs: ['run'], out: '.', cwd: s.dir, cache: false })).rejects.toThrow(/refusing to write the site/);
    expect(existsSync(path.join(s.dir, 'run', 'k6.json'))).toBe(true);
  });
});

describe('embed never truncates its target', () => {
  const doc = '# Results\n\nIntro text.\n\n<!-- ce-report:begin runs -->\nold table\n<!-- ce-report:end -->\n\nOutro.\n';

  it('updates a marked block and keeps the rest byte for byte', async () => {
    const file = await s.write('README.md', doc);
    expect(await embedCommand('README.md', { from: 'site', check: false, cwd: s.dir })).toBe(true);
    const text = await fs.readFile(file, 'utf8');
    expect(text.startsWith('# Results\n\nIntro text.\n\n<!-- ce-report:begin runs -->\n')).toBe(true);
    expect(text.endsWith('<!-- ce-report:end -->\n\nOutro.\n')).toBe(true);
    expect(text).not.toContain('old table');
  });

  it('an error while embedding leaves the file as it was', async () => {
    const file = await s.write('README.md', doc);
    faults.embedFails = true;
    try {
      await expect(embedCommand('README.md', { from: 'site', check: false, cwd: s.dir })).rejects.toThrow('simulated failure while embedding');
    } finally {
      faults.embedFails = false;
    }
    expect(await fs.readFile(file, 'utf8')).toBe(doc);
    expect(await leftovers(s.dir)).toEqual([]);
  });

  it('a begin marker without an end: one-line error with the line, file unchanged', async () => {
    const broken = '# R\n\n<!-- ce-report:begin runs -->\nold\n';
    const file = await s.write('README.md', broken);
    const err = await embedCommand('README.md', { from: 'site', check: false, cwd: s.dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^README\.md:3: .*has no "<!-- ce-report:end -->"/);
    expect(await fs.readFile(file, 'utf8')).toBe(broken);
  });

  it('an unknown table name: error naming it, file unchanged', async () => {
    const unknown = doc.replace('begin runs', 'begin run-nope');
    const file = await s.write('README.md', unknown);
    await expect(embedCommand('README.md', { from: 'site', check: false, cwd: s.dir })).rejects.toThrow(/^README\.md:5: no table named "run-nope"/);
    expect(await fs.readFile(file, 'utf8')).toBe(unknown);
  });

  it('a missing site: clean error, file unchanged', async () => {
    const file = await s.write('README.md', doc);
    await expect(embedCommand('README.md', { from: 'nosite', check: false, cwd: s.dir })).rejects.toThrow(/no built site/);
    expect(await fs.readFile(file, 'utf8')).toBe(doc);
  });

  it('a write that fails leaves the file whole (the new text goes to a temporary file first)', async () => {
    const file = await s.write('README.md', doc);
    // The temporary file's name is taken by a folder, so writing it fails.
    const blocker = `${file}.ce-report-${process.pid}.tmp`;
    await fs.mkdir(blocker);
    try {
      await expect(embedCommand('README.md', { from: 'site', check: false, cwd: s.dir })).rejects.toThrow();
      expect(await fs.readFile(file, 'utf8')).toBe(doc);
    } finally {
      await fs.rm(blocker, { recursive: true, force: true });
    }
  });
});
