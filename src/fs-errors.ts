// Ordinary file-system errors (a full disk, a read-only mount, a name too long, a file
// where a folder should be) are the user's to fix: one line naming the path, exit 1,
// never "internal error, please report".

const FS_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENOSPC', 'EDQUOT', 'EROFS', 'ENAMETOOLONG', 'ELOOP', 'EEXIST', 'ENOTEMPTY', 'EBUSY', 'EMFILE', 'ENFILE', 'EXDEV', 'EIO', 'EFBIG', 'ETXTBSY']);

export function isFileSystemError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && FS_CODES.has(code);
}

/** The error's text with its path, which Node leaves out of some messages (a failed write). */
export function describeFsError(e: NodeJS.ErrnoException, where?: string): string {
  const message = e.message ?? String(e);
  const p = e.path ?? where;
  return p && !message.includes(p) ? `${p}: ${message}` : message;
}
