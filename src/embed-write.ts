// Writing the refreshed Markdown back where it came from, the way an editor would: a
// symbolic link keeps pointing at its file and the file it points to is updated; a
// read-only file is refused with a clear error; a file with other hard links is
// rewritten in place so every name still shows one file; otherwise the new text goes to
// a temporary file beside the real file, gets the original's permissions, and is
// renamed over it, so an error or a kill never leaves a truncated file.
import { promises as fs, constants as fsc } from 'node:fs';
import { UsageError } from './ingest/errors.js';

function reason(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

/** Replaces the content of `file` (as named by the user: `shown`) with `text`. */
export async function writeMarkdownInPlace(file: string, shown: string, text: string): Promise<void> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (e) {
    throw new UsageError(`${shown}: cannot resolve the file to write (${reason(e)})`);
  }
  const st = await fs.stat(real);
  const writable = (st.mode & 0o222) !== 0 && (await fs.access(real, fsc.W_OK).then(() => true, () => false));
  if (!writable) throw new UsageError(`${shown}: the file is read-only; not changed (make it writable, e.g. chmod u+w, to embed the tables)`);
  const tmp = `${real}.ce-report-${process.pid}.tmp`;
  try {
    await fs.writeFile(tmp, text, { mode: st.mode & 0o7777 });
    await fs.chmod(tmp, st.mode & 0o7777);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new UsageError(`${shown}: cannot write the updated file (${reason(e)}); the file is unchanged`);
  }
  if (st.nlink > 1) {
    await overwrite(real, shown, text, tmp);
    return;
  }
  try {
    await fs.rename(tmp, real);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new UsageError(`${shown}: cannot replace the file (${reason(e)}); the file is unchanged`);
  }
}

/** Rewrites a hard-linked file in place; the temporary copy stays if that fails midway. */
async function overwrite(real: string, shown: string, text: string, tmp: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(real, 'r+');
    await fh.write(bytes, 0, bytes.length, 0);
    await fh.truncate(bytes.length);
    await fh.sync();
  } catch (e) {
    throw new UsageError(`${shown}: cannot rewrite the file in place (it has other hard links) (${reason(e)}); the updated text is in ${tmp}`);
  } finally {
    await fh?.close();
  }
  await fs.rm(tmp, { force: true });
}
