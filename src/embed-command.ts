// `ce-report embed FILE.md`: refresh the marked blocks of a Markdown file with tables
// from a built site. The file is written only when its content changed, through
// symbolic links and keeping hard links (embed-write.ts), and an error never truncates it.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from './ingest/errors.js';
import { writeMarkdownInPlace } from './embed-write.js';

export interface EmbedCommandOptions {
  from: string;
  check: boolean;
  linkBase?: string;
  /** `md` or `html` pages; default: `html` when the link base is a URL, else `md`. */
  linkPages?: 'html' | 'md';
  cwd?: string;
}

interface EmbedModule {
  loadEmbeds(siteDir: string, options?: { linkBase?: string; linkPages?: 'html' | 'md' }): Promise<Map<string, string>>;
  embedTables(text: string, tables: Map<string, string>): string;
}

/** Returns true when the file's content changed (or, with check, would change). */
export async function embedCommand(file: string, opts: EmbedCommandOptions): Promise<boolean> {
  const cwd = opts.cwd ?? process.cwd();
  const target = path.resolve(cwd, file);
  const siteDir = path.resolve(cwd, opts.from);
  let text: string;
  try {
    text = await fs.readFile(target, 'utf8');
  } catch {
    throw new UsageError(`${file}: cannot read the file to embed into`);
  }
  try {
    await fs.access(path.join(siteDir, 'embed'));
  } catch {
    throw new UsageError(`${opts.from}: no built site with embeddable tables here; run \`ce-report build --out ${opts.from}\` first`);
  }
  const mod = (await import('./render/embed.js' as string)) as EmbedModule;
  // Links from the Markdown file to the site: relative to the file unless a base is given.
  const linkBase = opts.linkBase ?? (path.relative(path.dirname(target), siteDir).split(path.sep).join('/') || '.');
  // A README in the repository links to the .md pages (GitHub renders them; it shows
  // .html as source); a README that links to the published site links to .html.
  const linkPages = opts.linkPages ?? (/^[a-z][a-z0-9+.-]*:\/\//i.test(linkBase) ? 'html' : 'md');
  const tables = await mod.loadEmbeds(siteDir, { linkBase, linkPages });
  let updated: string;
  try {
    updated = mod.embedTables(text, tables);
  } catch (e) {
    // A bad marker is the user's to fix: a one-line error with the line, not an internal error.
    if ((e as Error)?.name !== 'EmbedError') throw e;
    const m = /^line (\d+): (.*)$/s.exec((e as Error).message);
    throw m ? new InputError(file, m[2]!, { line: Number(m[1]) }) : new InputError(file, (e as Error).message);
  }
  if (updated === text) return false;
  if (opts.check) return true;
  await writeMarkdownInPlace(target, file, updated);
  return true;
}
