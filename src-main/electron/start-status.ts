// How `npm start` (plain Node) tells the Electron app it started what it is still preparing:
// a small JSON file it rewrites as it goes, which the app polls while it shows a progress
// window. A file, not stdin or an IPC channel: it works the same on every platform, and
// Electron's main process does not need to be Node's child in any particular way.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export type StartStatus = { state: 'working'; message: string } | { state: 'ready' } | { state: 'failed'; message: string };

/** Environment variables scripts/start.js sets for the app it starts. */
export const START_ENV = {
  /** The better-sqlite3 binary for this Electron (ready once the status says so). */
  sqliteBinding: 'LAYERLAB_SQLITE_BINDING',
  /** The status file below. */
  statusFile: 'LAYERLAB_START_STATUS',
} as const;

export function writeStartStatus(file: string, status: StartStatus): void {
  // Written whole, then renamed: the reader never sees half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(status));
  renameSync(`${file}.tmp`, file);
}

export function readStartStatus(file: string): StartStatus | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { state, message } = raw as { state?: unknown; message?: unknown };
  if (state === 'ready') return { state };
  if ((state === 'working' || state === 'failed') && typeof message === 'string') return { state, message };
  return null;
}

/**
 * Resolves when the status says ready, rejects with its message when it says failed; calls
 * `onWorking` with each new message meanwhile. `sleep` is injectable for tests.
 */
export async function waitForStart(
  file: string,
  onWorking: (message: string) => void,
  options: { pollMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last = '';
  for (;;) {
    const status = readStartStatus(file);
    if (status?.state === 'ready') return;
    if (status?.state === 'failed') throw new Error(status.message);
    if (status?.state === 'working' && status.message !== last) {
      last = status.message;
      onWorking(status.message);
    }
    await sleep(pollMs);
  }
}
