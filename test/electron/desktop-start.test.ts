// What `npm start` decides and tells the app: whether Electron can start, the steps it reports
// while preparing (the app shows them), and the failure the app shows instead of a crash.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findElectron, prepareDesktop } from '../../src-main/electron/desktop-start.ts';
import { preparingPageUrl } from '../../src-main/electron/preparing-page.ts';
import { readStartStatus, waitForStart, writeStartStatus, type StartStatus } from '../../src-main/electron/start-status.ts';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'layerlab-start-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('findElectron', () => {
  const install = (binary: string | null) => {
    const electronDir = join(dir, 'electron');
    mkdirSync(join(electronDir, 'dist'), { recursive: true });
    if (binary !== null) writeFileSync(join(electronDir, 'path.txt'), binary);
    if (binary) writeFileSync(join(electronDir, 'dist', binary), '');
    return electronDir;
  };

  it('finds the installed binary', () => {
    const electronDir = install('electron');
    expect(findElectron({ electronDir, platform: 'linux', env: { DISPLAY: ':0' } })).toEqual({ binary: join(electronDir, 'dist', 'electron') });
    expect(findElectron({ electronDir, platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' } })).toHaveProperty('binary');
    expect(findElectron({ electronDir, platform: 'darwin', env: {} })).toHaveProperty('binary');
  });

  it('says why Electron cannot start: no binary downloaded, or no display on Linux', () => {
    expect(findElectron({ electronDir: install(null), platform: 'win32', env: {} })).toEqual({ problem: expect.stringMatching(/not installed; `npx install-electron`/) });
    rmSync(join(dir, 'electron'), { recursive: true });
    const listed = install('');
    writeFileSync(join(listed, 'path.txt'), 'Electron.app/Contents/MacOS/Electron');
    expect(findElectron({ electronDir: listed, platform: 'darwin', env: {} })).toHaveProperty('problem');
    rmSync(join(dir, 'electron'), { recursive: true });
    expect(findElectron({ electronDir: install('electron'), platform: 'linux', env: {} })).toEqual({ problem: 'no display' });
  });
});

describe('prepareDesktop', () => {
  it('reports each step, then ready', async () => {
    const statusFile = join(dir, 'status.json');
    const seen: (StartStatus | null)[] = [];
    const result = await prepareDesktop({
      statusFile,
      buildPage: async () => void seen.push(readStartStatus(statusFile)),
      prepareSqlite: async (progress) => {
        seen.push(readStartStatus(statusFile));
        progress('Downloading SQLite for Electron 45.5.0…');
        seen.push(readStartStatus(statusFile));
      },
    });
    expect(result).toEqual({ ok: true });
    expect(seen).toEqual([
      { state: 'working', message: "Building the app's page…" },
      { state: 'working', message: 'Checking SQLite for Electron…' },
      { state: 'working', message: 'Downloading SQLite for Electron 45.5.0…' },
    ]);
    expect(readStartStatus(statusFile)).toEqual({ state: 'ready' });
  });

  it('writes a failure for the app to show, and does not prepare SQLite after a failed page build', async () => {
    const statusFile = join(dir, 'status.json');
    let sqlite = 0;
    const result = await prepareDesktop({
      statusFile,
      buildPage: async () => {
        throw new Error('vite build exited with code 1');
      },
      prepareSqlite: async () => void sqlite++,
    });
    expect(result).toEqual({ ok: false, message: 'vite build exited with code 1' });
    expect(sqlite).toBe(0);
    expect(readStartStatus(statusFile)).toEqual({ state: 'failed', message: 'vite build exited with code 1' });
  });
});

describe('the status file', () => {
  it('reads back what was written and ignores anything else', () => {
    const file = join(dir, 's.json');
    expect(readStartStatus(file)).toBeNull();
    writeStartStatus(file, { state: 'working', message: 'x' });
    expect(readStartStatus(file)).toEqual({ state: 'working', message: 'x' });
    for (const junk of ['{', '[]', '{"state":"working"}', '{"state":"done"}', 'null']) {
      writeFileSync(file, junk);
      expect(readStartStatus(file), junk).toBeNull();
    }
  });

  it('the app waits for ready, showing each new step once', async () => {
    const file = join(dir, 's.json');
    const script: StartStatus[] = [
      { state: 'working', message: 'a' },
      { state: 'working', message: 'a' },
      { state: 'working', message: 'b' },
      { state: 'ready' },
    ];
    const shown: string[] = [];
    let polls = 0;
    writeStartStatus(file, script[0]!);
    await waitForStart(file, (m) => shown.push(m), { sleep: async () => void writeStartStatus(file, script[Math.min(++polls, script.length - 1)]!) });
    expect(shown).toEqual(['a', 'b']);
  });

  it('the app gets the failure message to show', async () => {
    const file = join(dir, 's.json');
    writeStartStatus(file, { state: 'failed', message: 'could not prepare better-sqlite3 for Electron 45.5.0: …' });
    await expect(waitForStart(file, () => {}, { sleep: async () => {} })).rejects.toThrow(/could not prepare better-sqlite3/);
  });
});

describe('the progress page', () => {
  it('shows the step as text, runs no script', () => {
    const url = preparingPageUrl('Compiling <SQLite> & "friends"…');
    expect(url.startsWith('data:text/html;charset=utf-8,')).toBe(true);
    const html = decodeURIComponent(url.slice(url.indexOf(',') + 1));
    expect(html).toContain('Compiling &#60;SQLite&#62; &#38; &#34;friends&#34;…');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });
});
