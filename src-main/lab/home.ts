// Where a user's lab lives: --home DIR, else LAYERLAB_HOME, else a per-user default.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultLabHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Layerlab');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Layerlab');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'layerlab');
}

export function resolveLabHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.LAYERLAB_HOME) return resolve(env.LAYERLAB_HOME);
  return defaultLabHome(env);
}

export const DATABASE_FILE = 'layerlab.sqlite';
