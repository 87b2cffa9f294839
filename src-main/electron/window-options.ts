// The main window's options: the renderer is untrusted web content, so it gets no Node, an
// isolated context, the OS sandbox, and only the preload's one object.
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';

export function mainWindowOptions(preloadPath: string, bounds: Partial<Rectangle>): BrowserWindowConstructorOptions {
  return {
    width: bounds.width ?? 1280,
    height: bounds.height ?? 860,
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 960,
    minHeight: 640,
    title: 'Layerlab',
    show: false,
    backgroundColor: '#f7f7fb',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}
