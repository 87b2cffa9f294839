// The one error type the store throws, so callers can tell "no such run" from "disk full".

export type StoreErrorCode =
  | 'not-found'
  | 'invalid-state'
  | 'invalid-input'
  | 'conflict'
  | 'disk-full'
  | 'busy'
  | 'read-only'
  | 'damaged'
  | 'schema-too-new'
  | 'migration-failed'
  | 'closed'
  | 'io';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(message: string, code: StoreErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** better-sqlite3's SqliteError, recognised by shape so any native build's class matches. */
function sqliteCode(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}

/**
 * Turns a SQLite failure during `action` (a phrase like "save epoch 3 of run 1") into a
 * StoreError; anything else (a StoreError, a programming error) is returned unchanged.
 */
export function translateError(error: unknown, action: string): unknown {
  if (error instanceof StoreError) return error;
  const code = sqliteCode(error);
  if (code === null) return error;
  const detail = (error as Error).message;
  const cause = { cause: error };
  if (code.startsWith('SQLITE_FULL')) return new StoreError(`the disk is full: could not ${action} (${detail})`, 'disk-full', cause);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(`the database is busy (is another Layerlab using it?): could not ${action}`, 'busy', cause);
  }
  if (code.startsWith('SQLITE_READONLY')) return new StoreError(`the database is read-only: could not ${action}`, 'read-only', cause);
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
    return new StoreError(`the database file is damaged or is not a Layerlab database: could not ${action} (${detail})`, 'damaged', cause);
  }
  return new StoreError(`could not ${action}: ${detail}`, 'io', cause);
}
