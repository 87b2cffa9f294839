// Locks the window down: a strict CSP on every response, no navigation or new windows outside
// the app, every permission request denied.
import type { Session, WebContents } from 'electron';
import { CSP } from '../web/static-files.ts';
import { isAppUrl } from './app-url.ts';

export function applySessionSecurity(session: Pick<Session, 'webRequest' | 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function applyContentsSecurity(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, rendererDir: string, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, rendererDir)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, rendererDir)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (/^https:\/\//.test(url)) openExternal(url);
    return { action: 'deny' };
  });
}
