// The app's life around its one window: a second launch focuses it, closing it quits except on
// macOS, where the app stays in the Dock and activating it (Dock click, Cmd-Tab) with no
// window open opens one; quitting stops trainers and closes the lab first.
import type { App, BrowserWindow } from 'electron';

export type AppEvents = Pick<App, 'on' | 'quit'>;
type WindowLike = Pick<BrowserWindow, 'isMinimized' | 'restore' | 'focus'>;

export function registerLifecycle(
  app: AppEvents,
  options: {
    platform: NodeJS.Platform;
    getWindow: () => WindowLike | null;
    /** Opens the main window; only called once the lab is open (`isReady`). */
    openWindow: () => void;
    isReady: () => boolean;
    /** Starts closing the lab (running trainers stop, their finished epochs are saved, the
     *  database closes); null when no lab is open. */
    closeLab: () => Promise<void> | null;
  },
): void {
  app.on('second-instance', () => {
    const window = options.getWindow();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    } else if (options.isReady()) {
      options.openWindow();
    }
  });
  app.on('activate', () => {
    if (!options.getWindow() && options.isReady()) options.openWindow();
  });
  app.on('window-all-closed', () => {
    if (options.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    const closing = options.closeLab();
    if (!closing) return;
    event.preventDefault();
    quitting = true;
    void closing.finally(() => app.quit());
  });
}
