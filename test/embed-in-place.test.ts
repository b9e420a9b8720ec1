// `embed` edits the Markdown file the way an editor would (issue 20, point 8): through a
// symbolic link to its real file, never over a read-only file, keeping hard links and
// the file's permissions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { build } from '../src/build.js';
import { embedCommand } from '../src/embed-command.js';
import { UsageError } from '../src/ingest/errors.js';
import { k6Ndjson, removeScratch, scratch, type Scratch } from './helpers/bad-inputs.js';

const doc = '# Results\n\n<!-- ce-report:begin runs -->\nold table\n<!-- ce-report:end -->\n';
let s: Scratch;
beforeAll(async () => {
  s = await scratch();
  await s.write('run/k6.json', k6Ndjson(10));
  await build({ inputs: ['run'], out: 'site', cwd: s.dir, cache: false });
}, 120_000);
afterAll(removeScratch);

const embed = (file: string) => embedCommand(file, { from: 'site', check: false, cwd: s.dir });
const at = (p: string) => path.join(s.dir, p);

describe('embed edits the file in place', () => {
  it('writes through a symbolic link to the real file, and the link stays a link', async () => {
    await s.write('docs/real.md', doc);
    await fs.symlink(path.join('docs', 'real.md'), at('LINKED.md'));
    expect(await embed('LINKED.md')).toBe(true);
    expect((await fs.lstat(at('LINKED.md'))).isSymbolicLink()).toBe(true);
    const real = await fs.readFile(at('docs/real.md'), 'utf8');
    expect(real).not.toContain('old table');
    expect(real).toMatch(/^\| /m);
    expect(await fs.readdir(at('docs'))).toEqual(['real.md']);
  });

  it('refuses a read-only file with a clear error and leaves it as it was', async () => {
    await s.write('RO.md', doc);
    await fs.chmod(at('RO.md'), 0o444);
    const err = await embed('RO.md').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^RO\.md: the file is read-only; not changed/);
    expect(await fs.readFile(at('RO.md'), 'utf8')).toBe(doc);
    expect((await fs.stat(at('RO.md'))).mode & 0o777).toBe(0o444);
  });

  it('keeps hard links: every name shows the updated file', async () => {
    await s.write('HARD.md', doc);
    await fs.link(at('HARD.md'), at('hard-copy.md'));
    expect(await embed('HARD.md')).toBe(true);
    const [a, b] = await Promise.all([fs.stat(at('HARD.md')), fs.stat(at('hard-copy.md'))]);
    expect(a.ino).toBe(b.ino);
    expect(a.nlink).toBe(2);
    expect(await fs.readFile(at('hard-copy.md'), 'utf8')).not.toContain('old table');
    expect((await fs.readdir(s.dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it("keeps the file's permissions", async () => {
    await s.write('MODE.md', doc);
    await fs.chmod(at('MODE.md'), 0o640);
    expect(await embed('MODE.md')).toBe(true);
    expect((await fs.stat(at('MODE.md'))).mode & 0o777).toBe(0o640);
  });
});
