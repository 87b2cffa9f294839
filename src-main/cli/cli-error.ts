// Errors a user can fix get one line and no stack trace; anything else is a bug and says so.
import { userErrorStatus } from '../lab/user-errors.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function isUserError(error: unknown): error is Error {
  return error instanceof UsageError || userErrorStatus(error) !== null;
}

export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isUserError(error)) {
    stderr.write(`layerlab: ${error.message}\n`);
    return error.name === 'UsageError' ? 2 : 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`layerlab: unexpected error: ${message}\n`);
  if (process.env.LAYERLAB_DEBUG && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else stderr.write('(set LAYERLAB_DEBUG=1 for the stack trace)\n');
  return 1;
}
