// The permission handlers: everything denied except clipboard-sanitized-write (what
// navigator.clipboard.writeText needs in Electron) for the app's own page; the check handler
// and the request handler decide alike, as Chromium asks one and then the other.
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, APP_ORIGIN } from '../../src-main/electron/app-protocol.ts';
import { applySessionSecurity, isPermissionAllowed } from '../../src-main/electron/security.ts';

type RequestHandler = (wc: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void;
type CheckHandler = (wc: unknown, permission: string, requestingOrigin: string, details: unknown) => boolean;

function handlers() {
  let request: RequestHandler | null = null;
  let check: CheckHandler | null = null;
  applySessionSecurity({ setPermissionRequestHandler: ((h: RequestHandler) => (request = h)) as never, setPermissionCheckHandler: ((h: CheckHandler) => (check = h)) as never });
  const requested = (permission: string, requestingUrl?: string) => {
    let granted: boolean | null = null;
    request!(null, permission, (g) => (granted = g), requestingUrl === undefined ? {} : { requestingUrl });
    return granted;
  };
  const checked = (permission: string, origin: string) => check!(null, permission, origin, {});
  return { requested, checked };
}

describe('permissions', () => {
  it("allow writing text to the clipboard for the app's page, by request and by check", () => {
    const { requested, checked } = handlers();
    expect(requested('clipboard-sanitized-write', APP_INDEX_URL)).toBe(true);
    expect(checked('clipboard-sanitized-write', APP_ORIGIN)).toBe(true);
  });

  it('deny it to any other page, and deny every other permission to the app itself', () => {
    const { requested, checked } = handlers();
    for (const url of ['https://evil.example/', 'file:///C:/layerlab/dist/renderer/index.html', 'app://other/', 'null', '']) {
      expect(requested('clipboard-sanitized-write', url), url).toBe(false);
      expect(checked('clipboard-sanitized-write', url), url).toBe(false);
    }
    expect(requested('clipboard-sanitized-write')).toBe(false);
    for (const permission of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fileSystem', 'hid', 'usb', 'serial', 'unknown']) {
      expect(requested(permission, APP_INDEX_URL), permission).toBe(false);
      expect(checked(permission, APP_ORIGIN), permission).toBe(false);
    }
    expect(isPermissionAllowed('clipboard-sanitized-write', APP_INDEX_URL)).toBe(true);
  });
});
