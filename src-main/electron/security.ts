// Locks the window down: the page only from app://layerlab (with the contract's CSP, set by the
// protocol handler), no navigation or new windows outside it, and every permission denied but
// the one the app uses: writing text to the clipboard ("Copy as text"), for its own page only.
import type { Session, WebContents } from 'electron';
import { isAppUrl } from './app-protocol.ts';

/** navigator.clipboard.writeText needs it in Electron; a sanitized write cannot read anything. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** The one decision both handlers make: this permission, for a page of the app's own origin. */
export function isPermissionAllowed(permission: string, requestingUrl: string | undefined): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && requestingUrl !== undefined && isAppUrl(requestingUrl);
}

export function applySessionSecurity(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  // Chromium checks first and requests when the check says no, so both must agree.
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => callback(isPermissionAllowed(permission, details.requestingUrl)));
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin));
}

export function applyContentsSecurity(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (/^https:\/\//.test(url)) openExternal(url);
    return { action: 'deny' };
  });
}
