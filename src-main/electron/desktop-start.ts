// What `npm start` (scripts/start.js, plain Node) decides before and while the desktop app
// starts: whether Electron can start here at all, and the preparation the app waits for while
// it shows a progress window (the page build, then SQLite for Electron's ABI).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeStartStatus } from './start-status.ts';

/** Everything `npm start` makes lives here: out of the source tree, and removed with node_modules. */
export const START_CACHE_DIR = join('node_modules', '.cache', 'layerlab');

/** The Electron binary, or why Electron cannot start here (the caller opens the browser instead). */
export function findElectron(options: { electronDir: string; platform: NodeJS.Platform; env: NodeJS.ProcessEnv }): { binary: string } | { problem: string } {
  // The electron package's index.js would download the binary on first require; look first, so
  // an offline machine gets one line instead of a failed download.
  const pathFile = join(options.electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const binary = relative ? join(options.electronDir, 'dist', relative) : '';
  if (!binary || !existsSync(binary)) return { problem: 'the Electron binary is not installed; `npx install-electron` fetches it where the internet is reachable' };
  if (options.platform === 'linux' && !options.env.DISPLAY && !options.env.WAYLAND_DISPLAY) return { problem: 'no display' };
  return { binary };
}

/**
 * Runs the preparation the app waits for, reporting each step in the status file; returns
 * whether everything is ready. A failure is written for the app to show, never thrown.
 */
export async function prepareDesktop(options: {
  statusFile: string;
  buildPage: () => Promise<void>;
  prepareSqlite: (progress: (message: string) => void) => Promise<unknown>;
}): Promise<{ ok: true } | { ok: false; message: string }> {
  const working = (message: string) => writeStartStatus(options.statusFile, { state: 'working', message });
  try {
    working("Building the app's page…");
    await options.buildPage();
    working('Checking SQLite for Electron…');
    await options.prepareSqlite(working);
    writeStartStatus(options.statusFile, { state: 'ready' });
    return { ok: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    writeStartStatus(options.statusFile, { state: 'failed', message });
    return { ok: false, message };
  }
}
