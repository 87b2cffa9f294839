// Where a user's lab lives: --home DIR, else LAYERLAB_HOME, else a per-user default.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultLabHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Layerlab');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Layerlab');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'layerlab');
}

/** A lab home that cannot be one (an empty --home, a file); a user mistake, named with the path. */
export class LabHomeError extends Error {
  override name = 'LabHomeError';
}

/**
 * --home, else $LAYERLAB_HOME, else the default. An empty --home is an error, never a silent
 * fall back to the default lab; a home that exists must be a folder.
 */
export function resolveLabHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag.trim() === '') throw new LabHomeError('--home is empty; give the folder of the lab (or leave --home out for the default)');
  const home = flag !== undefined ? resolve(flag) : env.LAYERLAB_HOME ? resolve(env.LAYERLAB_HOME) : defaultLabHome(env);
  const kind = statSync(home, { throwIfNoEntry: false });
  if (kind && !kind.isDirectory()) throw new LabHomeError(`the lab home ${home} is a file, not a folder`);
  return home;
}

export const DATABASE_FILE = 'layerlab.sqlite';
