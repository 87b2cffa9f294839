// The app menu with the usual roles and shortcuts, plus About with versions and the backend.
import type { MenuItemConstructorOptions } from 'electron';

export function menuTemplate(options: { isMac: boolean; showAbout: () => void; openDataFolder: () => void }): MenuItemConstructorOptions[] {
  const { isMac } = options;
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [{ label: 'Open Data Folder', click: options.openDataFolder }, { type: 'separator' }, isMac ? { role: 'close' } : { role: 'quit' }],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About Layerlab', click: options.showAbout }] },
  ];
}

export function aboutText(info: { version: string; electron: string; chrome: string; node: string; backend: string; home: string }): string {
  return [
    `Layerlab ${info.version}`,
    `Electron ${info.electron} · Chromium ${info.chrome} · Node ${info.node}`,
    `Training backend: ${info.backend}`,
    `Lab data: ${info.home}`,
  ].join('\n');
}
