// The desktop shell with fakes in place of Electron: tests never load the real 'electron' module.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { build } from 'esbuild';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, createApi, type RunEvent } from '../../src-shared/index.ts';
import { APP_INDEX_URL, APP_ORIGIN } from '../../src-main/electron/app-protocol.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL, PRELOAD_KEY } from '../../src-shared/ipc-channels.ts';
import { registerIpc, type IpcMainLike } from '../../src-main/electron/ipc.ts';
import { aboutText, menuTemplate } from '../../src-main/electron/menu.ts';
import { createIpcTransport, exposeTransport } from '../../src-main/electron/preload-transport.ts';
import { applyContentsSecurity } from '../../src-main/electron/security.ts';
import { mainWindowOptions } from '../../src-main/electron/window-options.ts';
import { loadWindowState, onScreen, saveWindowState, windowState } from '../../src-main/electron/window-state.ts';
import { FakeLabService } from '../web/fake-lab-service.ts';

const ROOT = join(import.meta.dirname, '../..');

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => handlers.set(channel, listener as Handler),
    removeHandler: (channel) => handlers.delete(channel),
  };
  return { ipc, handlers };
}

function fakeWindow() {
  const sent: unknown[][] = [];
  return { sent, webContents: { id: 7, send: (...args: unknown[]) => sent.push(args), isDestroyed: () => false } };
}

const event = (senderId: number, origin: string, parent: unknown = null) => ({ sender: { id: senderId }, senderFrame: { origin, parent } });

describe('window options', () => {
  it('isolate the untrusted renderer', () => {
    const options = mainWindowOptions('/app/dist-electron/preload.cjs', {});
    expect(options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: '/app/dist-electron/preload.cjs' });
    expect(mainWindowOptions('/p', { width: 1500, height: 900, x: 10, y: 20 })).toMatchObject({ width: 1500, height: 900, x: 10, y: 20 });
  });
});

describe('IPC', () => {
  it('serves the contract to the app window and forwards run events', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const service = new FakeLabService();
    const window = fakeWindow();
    const undo = registerIpc(ipc, service, () => window);
    const handle = handlers.get(INVOKE_CHANNEL)!;
    expect(await handle(event(7, APP_ORIGIN), 'listRuns', {})).toEqual({ ok: true, result: [] });
    const started = (await handle(event(7, APP_ORIGIN), 'startRun', { architecture: { inputShape: [784], layers: [{ type: 'dense', units: 10, activation: 'softmax' }] } })) as { ok: boolean };
    expect(started.ok).toBe(true);
    const ev: RunEvent = { type: 'paused', runId: 1, epoch: 1, batch: 2 };
    service.emit(ev);
    expect(window.sent).toContainEqual([EVENT_CHANNEL, 'onRunEvent', ev]);
    undo();
    expect(handlers.size).toBe(0);
  });

  it('refuses foreign senders, subframes and pages outside the app', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const service = new FakeLabService();
    registerIpc(ipc, service, () => fakeWindow());
    const handle = handlers.get(INVOKE_CHANNEL)!;
    // Another window, a web origin, a subframe of ours, a file: page (origin "file://" or
    // "null"), a look-alike host, and the same scheme on another host.
    for (const e of [event(8, APP_ORIGIN), event(7, 'https://evil.example'), event(7, APP_ORIGIN, {}), event(7, 'file://'), event(7, 'null'), event(7, 'app://layerlab.evil'), event(7, 'app://other')]) {
      expect(await handle(e, 'deleteRun', { runId: 1 })).toEqual({ ok: false, error: 'refused: the request did not come from the Layerlab window' });
    }
    expect(service.calls).toHaveLength(0);
  });

  it('validates payloads with the contract', async () => {
    const { ipc, handlers } = fakeIpcMain();
    registerIpc(ipc, new FakeLabService(), () => fakeWindow());
    const reply = (await handlers.get(INVOKE_CHANNEL)!(event(7, APP_ORIGIN), 'stopRun', { runId: 'all' })) as { ok: boolean; error: string };
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(/^invalid stopRun payload: runId/);
    expect(await handlers.get(INVOKE_CHANNEL)!(event(7, APP_ORIGIN), 'eval', 'x')).toEqual({ ok: false, error: 'unknown command "eval"' });
  });
});

describe('preload', () => {
  it('exposes exactly one object with a transport the typed client can use', async () => {
    const exposed: Record<string, unknown> = {};
    const listeners: ((...args: unknown[]) => void)[] = [];
    const ipc = {
      invoke: async (channel: string, command: string, payload: unknown) => ({ ok: true, result: { channel, command, payload } }),
      on: (_c: string, l: (...args: unknown[]) => void) => listeners.push(l),
      removeListener: (_c: string, l: (...args: unknown[]) => void) => listeners.splice(listeners.indexOf(l), 1),
    };
    exposeTransport({ exposeInMainWorld: (key, value) => (exposed[key] = value) }, ipc as never);
    expect(Object.keys(exposed)).toEqual([PRELOAD_KEY]);
    expect(Object.keys(exposed[PRELOAD_KEY] as object).sort()).toEqual(['invoke', 'subscribe']);
    const api = createApi(createIpcTransport(ipc as never));
    for (const name of COMMAND_NAMES) expect(typeof api[name]).toBe('function');
    expect(await api.listRuns({})).toEqual({ channel: INVOKE_CHANNEL, command: 'listRuns', payload: {} });
    const got: RunEvent[] = [];
    const off = api.onRunEvent((e) => got.push(e));
    listeners[0]!({ sender: 'hidden' }, 'onRunEvent', { type: 'paused', runId: 1, epoch: 1, batch: 1 });
    expect(got).toEqual([{ type: 'paused', runId: 1, epoch: 1, batch: 1 }]);
    off();
    expect(listeners).toHaveLength(0);
  });
});

describe('security', () => {
  it('keeps navigation on app://layerlab and opens only https links, outside the app', () => {
    const on = new Map<string, (e: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const opened: string[] = [];
    applyContentsSecurity({ on: ((name: string, l: never) => on.set(name, l)) as never, setWindowOpenHandler: ((h: never) => (openHandler = h)) as never }, (url) => opened.push(url));
    let prevented = 0;
    const e = { preventDefault: () => prevented++ };
    for (const url of ['https://evil.example', 'file:///C:/Users/me/layerlab/dist/renderer/index.html', 'app://other/index.html']) on.get('will-navigate')!(e, url);
    on.get('will-navigate')!(e, APP_INDEX_URL);
    on.get('will-redirect')!(e, `${APP_ORIGIN}/#/runs`);
    expect(prevented).toBe(3);
    expect(openHandler!({ url: 'https://www.tensorflow.org/js' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://www.tensorflow.org/js']);
  });

  it('has a menu with the usual roles and an About with versions and backend', () => {
    const menu = menuTemplate({ isMac: false, showAbout: () => {}, openDataFolder: () => {} });
    expect(menu.map((m) => m.role ?? m.label)).toEqual(['File', 'editMenu', 'viewMenu', 'windowMenu', 'help']);
    expect(aboutText({ version: '0.1.0', electron: '45', chrome: '140', node: '22', backend: 'wasm (skipped …)', home: '/h' })).toMatch(/Layerlab 0\.1\.0\nElectron 45 · Chromium 140 · Node 22\nTraining backend: wasm/);
  });
});

describe('packaging', () => {
  it('electron-builder.yml is valid against electron-builder\'s own schema', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
    const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(config).toMatchObject({ appId: 'dev.layerlab.app', productName: 'Layerlab', electronFuses: { runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false } });
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**', 'node_modules/@tensorflow/tfjs-node-gpu/**']));
    // The threaded wasm build's workers load these from disk.
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/**', 'dist-electron/wasm-pthread-worker.cjs']));
    expect(config.asarUnpack).toContain('node_modules/webgpu/dist/**');
    expect(validate({ ...config, appId: 42 })).toBe(false);
  });

  it('the bundled trainer code starts the threaded wasm build from dist-electron/', async () => {
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build-electron.js')], { cwd: ROOT, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    expect(readFileSync(join(ROOT, 'dist-electron/wasm-pthread-worker.cjs'), 'utf8')).toBe(readFileSync(join(ROOT, 'src-main/lab/engine/wasm-threads/wasm-pthread-worker.cjs'), 'utf8'));
    // Bundled with build-electron's settings, next to trainer.mjs.
    const probe = join(ROOT, 'dist-electron', `probe-${process.pid}.mjs`);
    try {
      await build({ entryPoints: [join(ROOT, 'test/electron/fixtures/threaded-wasm-probe.ts')], outfile: probe, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
      const r = spawnSync(process.execPath, [probe], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}')).toEqual({ detail: 'threaded SIMD build, 2 threads', sum: 64 * 64 * 64 });
    } finally {
      rmSync(probe, { force: true });
    }
  });
});

describe('window state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-window-'));
  const file = join(dir, 'window.json');

  it('remembers size, position and maximized, and ignores a broken file', () => {
    expect(loadWindowState(file)).toEqual({});
    saveWindowState(file, { x: 40, y: 50, width: 1400, height: 900, maximized: true });
    expect(loadWindowState(file)).toEqual({ x: 40, y: 50, width: 1400, height: 900, maximized: true });
    writeFileSync(file, '{"width":"wide"}');
    expect(loadWindowState(file)).toEqual({});
  });

  it("saves a maximized window's normal bounds, not the screen it fills", () => {
    const maximized = { getBounds: () => ({ x: 0, y: 0, width: 1920, height: 1080 }), getNormalBounds: () => ({ x: 200, y: 100, width: 1280, height: 860 }), isMaximized: () => true };
    expect(windowState(maximized)).toEqual({ x: 200, y: 100, width: 1280, height: 860, maximized: true });
    const normal = { getNormalBounds: () => ({ x: 10, y: 20, width: 1000, height: 700 }), isMaximized: () => false };
    expect(windowState(normal)).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: false });
    // The options open it at the normal size; main.ts maximizes it after.
    expect(mainWindowOptions('/p', windowState(maximized))).toMatchObject({ x: 200, y: 100, width: 1280, height: 860 });
  });

  it('forgets a position no display shows any more, keeping size and maximized', () => {
    const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(onScreen({ x: 40, y: 50, width: 800, height: 600 }, screen)).toEqual({ x: 40, y: 50, width: 800, height: 600 });
    expect(onScreen({ x: 2500, y: 50, width: 800, height: 600, maximized: true }, screen)).toEqual({ width: 800, height: 600, maximized: true });
  });
});
