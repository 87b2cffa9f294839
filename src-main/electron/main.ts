// The desktop app's main process: one window over the built renderer, the contract on IPC,
// training in a utilityProcess, data in userData (same schema as the CLI's lab home).
import { app, BrowserWindow, dialog, ipcMain, Menu, screen, session, shell, utilityProcess } from 'electron';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describeBackendReport } from '../lab/engine/backends.ts';
import { LabService } from '../lab/service/lab-service.ts';
import { registerIpc } from './ipc.ts';
import { aboutText, menuTemplate } from './menu.ts';
import { ensureElectronSqlite } from './native-sqlite.ts';
import { applyContentsSecurity, applySessionSecurity } from './security.ts';
import { utilityTrainerLauncher } from './utility-trainer-launcher.ts';
import { rendererIndexUrl } from './app-url.ts';
import { mainWindowOptions } from './window-options.ts';
import { loadWindowBounds, onScreen, saveWindowBounds } from './window-state.ts';

const appRoot = app.getAppPath();
const rendererDir = join(appRoot, 'dist', 'renderer');
const bundleDir = join(appRoot, 'dist-electron');

let window: BrowserWindow | null = null;
let service: LabService | null = null;

async function openService(): Promise<LabService> {
  const nativeBinding = await ensureElectronSqlite({
    cacheDir: join(app.getPath('userData'), 'native'),
    electronVersion: process.versions.electron ?? '',
    // electron-builder rebuilt it for this Electron when packaging.
    ...(app.isPackaged ? { packagedBinding: join(process.resourcesPath, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node') } : {}),
    // A devDependency: loaded only in a development checkout, never by the packaged app.
    rebuild: async (options) => (await import('@electron/rebuild')).rebuild(options),
    // require() caches it: LabService's Database then uses this very load.
    verify: (binding) => createRequire(import.meta.url)(binding),
  });
  return LabService.open({
    home: app.getPath('userData'),
    nativeBinding,
    trainerLauncher: utilityTrainerLauncher((path, args, options) => utilityProcess.fork(path, args, options), join(bundleDir, 'trainer.cjs')),
  });
}

function createWindow(): BrowserWindow {
  const boundsFile = join(app.getPath('userData'), 'window.json');
  const bounds = onScreen(loadWindowBounds(boundsFile), screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow(mainWindowOptions(join(bundleDir, 'preload.cjs'), bounds));
  applyContentsSecurity(win.webContents, rendererDir, (url) => void shell.openExternal(url));
  win.once('ready-to-show', () => win.show());
  win.on('close', () => saveWindowBounds(boundsFile, win.getBounds()));
  win.on('closed', () => {
    window = null;
  });
  void win.loadURL(rendererIndexUrl(rendererDir));
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
  try {
    service = await openService();
  } catch (error) {
    dialog.showErrorBox('Layerlab cannot open its lab', error instanceof Error ? error.message : String(error));
    app.exit(1);
    return;
  }
  const lab = service;
  registerIpc(ipcMain, lab, () => window, rendererDir);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate({ isMac: process.platform === 'darwin', showAbout: () => void showAbout(lab), openDataFolder: () => void shell.openPath(app.getPath('userData')) })),
  );
  window = createWindow();
  lab.warmUp();
  app.on('activate', () => {
    if (!window) window = createWindow();
  });
}

if (!app.requestSingleInstanceLock()) {
  // One lab per user: a second instance would share the database and the trainers.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !service) return;
    // Stop running trainers (their finished epochs are saved) and close the database first.
    event.preventDefault();
    quitting = true;
    void service.close().finally(() => app.quit());
  });
  void start();
}
