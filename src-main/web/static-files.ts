// Serves the built renderer. Paths are resolved inside the folder only; the CSP is the
// contract's (the same policy as the page's meta tag), so the page cannot load or run anything
// from elsewhere, and its connect-src 'self' admits only this server's own event socket.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { HEADER_CSP } from '../../src-shared/content-security-policy.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', HEADER_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Layerlab</title>
<body>
<h1>Layerlab</h1><p>The app's page is not built yet. Run <code>npm run build:renderer</code> (or <code>npm start</code>, which builds it) and reload.</p>`;

export function serveStatic(staticDir: string | undefined, urlPath: string, res: ServerResponse): void {
  securityHeaders(res);
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad path: malformed percent-encoding');
    return;
  }
  if (!staticDir || !existsSync(join(staticDir, 'index.html'))) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(NOT_BUILT);
    return;
  }
  const root = resolve(staticDir);
  const file = resolve(root, normalize(`.${relative === '/' ? '/index.html' : relative}`));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' }).end(readFileSync(file));
}
