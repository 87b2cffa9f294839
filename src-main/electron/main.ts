// The desktop app's main process: one window over the built renderer (served on app://layerlab),
// the contract on IPC, training in a utilityProcess, data in userData (same schema as the CLI's
// lab home). In a checkout, `npm start` prepares SQLite for Electron and the page while this
// process shows their progress; a packaged app ships both.
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, screen, session, shell, utilityProcess } from 'electron';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeBackendReport } from '../lab/engine/backends.ts';
import { LabService } from '../lab/service/lab-service.ts';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './app-protocol.ts';
import { registerLifecycle } from './app-lifecycle.ts';
import { registerIpc } from './ipc.ts';
import { aboutText, menuTemplate } from './menu.ts';
import { checkedBinding, NativeModuleError } from './native-sqlite.ts';
import { preparingPageUrl } from './preparing-page.ts';
import { applyContentsSecurity, applySessionSecurity } from './security.ts';
import { START_ENV, waitForStart } from './start-status.ts';
import { utilityTrainerLauncher } from './utility-trainer-launcher.ts';
import { mainWindowOptions } from './window-options.ts';
import { loadWindowState, onScreen, saveWindowState, windowState } from './window-state.ts';

const appRoot = app.getAppPath();
const rendererDir = join(appRoot, 'dist', 'renderer');
const bundleDir = join(appRoot, 'dist-electron');

let window: BrowserWindow | null = null;
let service: LabService | null = null;

// Before 'ready': the scheme's privileges are fixed when Chromium starts.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

/** A small window with the current step, opened only if preparing takes a moment; it stays
 *  until the main window exists (closing the last window would otherwise quit the app). */
function progressWindow() {
  let win: BrowserWindow | null = null;
  return {
    show(message: string) {
      if (!win) {
        win = new BrowserWindow({ width: 520, height: 200, resizable: false, title: 'Layerlab', webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false } });
        applyContentsSecurity(win.webContents, (url) => void shell.openExternal(url));
        // Closed by the user: don't wait, quit instead of opening the app later.
        win.on('closed', () => {
          if (win) app.exit(0);
        });
      }
      void win.loadURL(preparingPageUrl(message));
    },
    close() {
      const closing = win;
      win = null;
      closing?.destroy();
    },
  };
}

async function sqliteBinding(showProgress: (message: string) => void): Promise<string> {
  const electronVersion = process.versions.electron ?? '';
  // require() caches the addon: LabService's Database then uses this very load.
  const verify = (binding: string) => void createRequire(import.meta.url)(binding);
  if (app.isPackaged) {
    // electron-builder rebuilt it for this Electron when packaging (in its staging folder).
    const packaged = join(process.resourcesPath, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    return checkedBinding(packaged, electronVersion, verify, false);
  }
  const binding = process.env[START_ENV.sqliteBinding];
  if (!binding) throw new NativeModuleError('start the desktop app with "npm start": it prepares SQLite for Electron first');
  const statusFile = process.env[START_ENV.statusFile];
  if (statusFile) await waitForStart(statusFile, showProgress);
  return checkedBinding(binding, electronVersion, verify, true);
}

async function openService(showProgress: (message: string) => void): Promise<LabService> {
  return LabService.open({
    home: app.getPath('userData'),
    nativeBinding: await sqliteBinding(showProgress),
    processKind: 'the Layerlab app',
    runSweeps: true,
    trainerLauncher: utilityTrainerLauncher((path, args, options) => utilityProcess.fork(path, args, options), join(bundleDir, 'trainer.cjs')),
    projectionWorkerScript: join(bundleDir, 'projection-worker.mjs'),
  });
}

function createWindow(): BrowserWindow {
  const stateFile = join(app.getPath('userData'), 'window.json');
  const state = onScreen(loadWindowState(stateFile), screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow(mainWindowOptions(join(bundleDir, 'preload.cjs'), state));
  if (state.maximized) win.maximize();
  applyContentsSecurity(win.webContents, (url) => void shell.openExternal(url));
  win.once('ready-to-show', () => win.show());
  // Normal bounds and the maximized flag: a maximized window's own bounds are the screen's.
  win.on('close', () => saveWindowState(stateFile, windowState(win)));
  win.on('closed', () => {
    window = null;
  });
  void win.loadURL(APP_INDEX_URL);
  return win;
}

async function showAbout(lab: LabService): Promise<void> {
  const info = await lab.getSystemInfo();
  void dialog.showMessageBox({
    type: 'info',
    title: 'About Layerlab',
    message: 'Layerlab',
    detail: aboutText({
      version: info.version,
      electron: process.versions.electron ?? '?',
      chrome: process.versions.chrome ?? '?',
      node: process.versions.node,
      backend: describeBackendReport(info.backend),
      home: info.home,
    }),
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  applySessionSecurity(session.defaultSession);
  // The page and its assets: files under dist/renderer (inside app.asar when packaged), with
  // the contract's CSP as a real response header.
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir, (file) => net.fetch(pathToFileURL(file).href)));
  const progress = progressWindow();
  try {
    service = await openService((message) => progress.show(message));
  } catch (error) {
    dialog.showErrorBox('Layerlab cannot open its lab', error instanceof Error ? error.message : String(error));
    app.exit(1);
    return;
  }
  const lab = service;
  registerIpc(ipcMain, lab, () => window);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate({ isMac: process.platform === 'darwin', showAbout: () => void showAbout(lab), openDataFolder: () => void shell.openPath(app.getPath('userData')) })),
  );
  window = createWindow();
  progress.close();
  lab.warmUp();
}

if (!app.requestSingleInstanceLock()) {
  // One lab per user: a second instance would share the database and the trainers.
  app.quit();
} else {
  registerLifecycle(app, {
    platform: process.platform,
    getWindow: () => window,
    isReady: () => service !== null,
    openWindow: () => {
      window = createWindow();
    },
    closeLab: () => service?.close() ?? null,
  });
  void start();
}
