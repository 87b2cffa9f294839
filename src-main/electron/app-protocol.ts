// The desktop app's page comes from a privileged custom scheme, app://layerlab/, served from
// the built renderer folder, not from file://. Two reasons (Electron's security guide):
// response headers apply (file:// ignores them, so its CSP header was never in force), and
// "is this our page?" becomes an origin comparison, which a path's spelling cannot break
// (Chromium uppercases a Windows drive letter in file URLs; pathToFileURL keeps `c:`).
import type { CustomScheme } from 'electron';
import path from 'node:path';
import { HEADER_CSP } from '../../src-shared/content-security-policy.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'layerlab';
/** Chromium's serialization of the page's origin (a standard scheme has a tuple origin). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Registered before 'ready'. standard: relative URLs and a real origin; secure: a secure
 *  context like https; supportFetchAPI: the page's module scripts load through fetch.
 *  corsEnabled stays off, so no other origin can read the app's files. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } };

/** True for a URL or origin on the app's own scheme and host. WHATWG URL gives a non-special
 *  scheme the origin "null" in Node, so scheme and host are compared instead. */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '' && parsed.port === '';
}

export type FileFetcher = (filePath: string) => Promise<Response>;

const refuse = (status: number, text: string) => new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': HEADER_CSP } });

/** The file a request names inside rendererDir, or null when it would leave the folder.
 *  `pathApi` is the platform's path module (path.win32 in tests of Windows behaviour). */
export function rendererFileFor(url: string, rendererDir: string, pathApi: path.PlatformPath = path): string | null {
  let relative: string;
  try {
    relative = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (relative.includes('\0')) return null;
  const root = pathApi.resolve(rendererDir);
  const file = pathApi.resolve(root, `.${relative === '/' ? '/index.html' : relative}`);
  const inside = pathApi.relative(root, file);
  // A decoded %5C is a separator on Windows: relative() sees through it either way.
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${pathApi.sep}`) && !pathApi.isAbsolute(inside) ? file : null;
}

/**
 * The protocol.handle handler: GET app://layerlab/<path> answers the file under rendererDir
 * with the contract's CSP and nosniff; anything else is 400/403/404. `fetchFile` reads a file
 * (Electron's net.fetch on its file: URL, which also reads inside app.asar and sets the MIME type).
 */
export function appProtocolHandler(rendererDir: string, fetchFile: FileFetcher, pathApi: path.PlatformPath = path): (request: Request) => Promise<Response> {
  return async (request) => {
    if (!isAppUrl(request.url)) return refuse(404, 'not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    const file = rendererFileFor(request.url, rendererDir, pathApi);
    if (!file) return refuse(403, 'forbidden');
    let upstream: Response;
    try {
      upstream = await fetchFile(file);
    } catch {
      return refuse(404, 'not found');
    }
    if (!upstream.ok) return refuse(404, 'not found');
    const headers = new Headers({ 'Content-Security-Policy': HEADER_CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' });
    const type = upstream.headers.get('content-type');
    if (type) headers.set('Content-Type', type);
    return new Response(request.method === 'HEAD' ? null : upstream.body, { status: 200, headers });
  };
}
