// Errors a user can fix get one line and no stack trace; anything else is a bug and says so.
import { userErrorStatus } from '../lab/user-errors.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function isUserError(error: unknown): error is Error {
  return error instanceof UsageError || userErrorStatus(error) !== null;
}

/** What a file-system error code means for the path it names, in a user's words. */
const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder (is a folder on the way missing?)',
  ENOTDIR: 'a part of this path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'it already exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

/** A Node file-system error about a path the user gave (--home, --out, --arch…): a user mistake. */
function fileSystemMistake(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const { code, path, dest, syscall } = error as NodeJS.ErrnoException & { dest?: string };
  // mkdir's EEXIST: a file stands where a folder must go (mkdir -p accepts an existing folder).
  const reason = code === 'EEXIST' && syscall === 'mkdir' ? 'a file is in the way: it is not a folder' : code === undefined ? undefined : FS_REASONS[code];
  if (reason === undefined || typeof path !== 'string') return null;
  return `${dest ?? path}: ${reason}`;
}

export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isUserError(error)) {
    stderr.write(`layerlab: ${error.message}\n`);
    return error.name === 'UsageError' ? 2 : 1;
  }
  const fsMistake = fileSystemMistake(error);
  if (fsMistake !== null) {
    stderr.write(`layerlab: ${fsMistake}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`layerlab: unexpected error: ${message}\n`);
  if (process.env.LAYERLAB_DEBUG && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else stderr.write('(set LAYERLAB_DEBUG=1 for the stack trace)\n');
  return 1;
}
