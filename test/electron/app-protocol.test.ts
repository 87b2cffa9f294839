// The app:// scheme: which URLs are the app's, which file a request names (POSIX and Windows
// paths, including a lowercase drive letter as `npm start` from `c:\…` gives), and the
// protocol handler's answers with the contract's CSP header.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, APP_ORIGIN, APP_SCHEME_PRIVILEGES, appProtocolHandler, isAppUrl, rendererFileFor } from '../../src-main/electron/app-protocol.ts';
import { HEADER_CSP } from '../../src-shared/content-security-policy.ts';

describe('isAppUrl', () => {
  it('accepts the app origin and its pages, nothing else', () => {
    for (const url of [APP_ORIGIN, APP_INDEX_URL, `${APP_ORIGIN}/assets/index-abc.js`, `${APP_ORIGIN}/#/runs/3`]) expect(isAppUrl(url), url).toBe(true);
    for (const url of ['https://layerlab', 'app://layerlab.evil.example/', 'app://other/index.html', 'app://user@layerlab/', 'app://layerlab:81/', 'file:///C:/layerlab/index.html', 'null', '', 'not a url']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('registers the scheme as standard and secure, not readable cross-origin', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } });
  });
});

describe('rendererFileFor', () => {
  it('maps a request to a file inside the folder on Windows, whatever the drive letter case', () => {
    const win = path.win32;
    expect(rendererFileFor(`${APP_ORIGIN}/`, 'c:\\Users\\me\\layerlab\\dist\\renderer', win)).toBe('c:\\Users\\me\\layerlab\\dist\\renderer\\index.html');
    expect(rendererFileFor(`${APP_ORIGIN}/assets/index-abc.js`, 'C:\\Users\\me\\layerlab\\dist\\renderer', win)).toBe('C:\\Users\\me\\layerlab\\dist\\renderer\\assets\\index-abc.js');
    // A decoded %5C is a separator there (the URL parser does not resolve it): refused.
    for (const url of [`${APP_ORIGIN}/..%5c..%5csecret.txt`, `${APP_ORIGIN}/assets/..%5C..%5C..%5Cwindows%5Cwin.ini`]) {
      expect(rendererFileFor(url, 'c:\\app\\dist\\renderer', win), url).toBeNull();
    }
    // Drive and UNC spellings end up inside the folder or refused, never elsewhere.
    for (const url of [`${APP_ORIGIN}/C:%5Cwindows%5Cwin.ini`, `${APP_ORIGIN}/%5C%5Cserver%5Cshare`, `${APP_ORIGIN}/c:/windows/win.ini`]) {
      const file = rendererFileFor(url, 'c:\\app\\dist\\renderer', win);
      expect(file === null || file.startsWith('c:\\app\\dist\\renderer\\'), `${url} -> ${file}`).toBe(true);
    }
  });

  it('refuses traversal, NUL and malformed escapes on POSIX', () => {
    const posix = path.posix;
    expect(rendererFileFor(`${APP_ORIGIN}/favicon.svg`, '/opt/Layerlab/resources/app.asar/dist/renderer', posix)).toBe('/opt/Layerlab/resources/app.asar/dist/renderer/favicon.svg');
    for (const url of [`${APP_ORIGIN}/assets/..%2f..%2f..%2fsecret`, `${APP_ORIGIN}/x%00.js`, `${APP_ORIGIN}/%E0%A4%A`]) {
      expect(rendererFileFor(url, '/app/dist/renderer', posix), url).toBeNull();
    }
    // The URL parser resolves dot segments (also %2e%2e) before the handler sees the path.
    expect(rendererFileFor(`${APP_ORIGIN}/%2e%2e/%2e%2e/etc/passwd`, '/app/dist/renderer', posix)).toBe('/app/dist/renderer/etc/passwd');
    expect(rendererFileFor(`${APP_ORIGIN}/..foo.js`, '/app/dist/renderer', posix)).toBe('/app/dist/renderer/..foo.js');
  });
});

describe('appProtocolHandler', () => {
  let dir = '';
  const fetched: string[] = [];
  // Stands in for net.fetch(file:…): reads the file, types it by extension as Chromium does.
  const fetchFile = async (file: string) => {
    fetched.push(file);
    const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
    return new Response(readFileSync(file), { headers: { 'content-type': type } });
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layerlab-protocol-'));
    mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Layerlab</title>');
    writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'export {}');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the page and its assets with the CSP header and nosniff', async () => {
    const handle = appProtocolHandler(join(dir, 'renderer'), fetchFile);
    for (const [url, type, body] of [
      [APP_INDEX_URL, 'text/html', '<!doctype html><title>Layerlab</title>'],
      [`${APP_ORIGIN}/`, 'text/html', '<!doctype html><title>Layerlab</title>'],
      [`${APP_ORIGIN}/assets/app.js?v=1`, 'text/javascript', 'export {}'],
    ] as const) {
      const res = await handle(new Request(url));
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-security-policy')).toBe(HEADER_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe(body);
    }
  });

  it('answers 403/404/405 and never reads outside the folder', async () => {
    fetched.length = 0;
    const handle = appProtocolHandler(join(dir, 'renderer'), fetchFile);
    const cases: [Request, number][] = [
      [new Request(`${APP_ORIGIN}/%2e%2e/secret.txt`), 404],
      [new Request(`${APP_ORIGIN}/assets/..%2f..%2fsecret.txt`), 403],
      [new Request(`${APP_ORIGIN}/missing.js`), 404],
      [new Request('app://other/index.html'), 404],
      [new Request(APP_INDEX_URL, { method: 'POST', body: 'x' }), 405],
    ];
    for (const [request, status] of cases) {
      const res = await handle(request);
      expect(res.status, request.url).toBe(status);
      expect(res.headers.get('content-security-policy')).toBe(HEADER_CSP);
      expect(await res.text()).not.toContain('secret');
    }
    expect(fetched).toEqual([join(dir, 'renderer', 'secret.txt'), join(dir, 'renderer', 'missing.js')]);
  });
});
