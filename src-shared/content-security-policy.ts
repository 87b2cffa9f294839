// The page's Content Security Policy: one copy, used by the page's <meta> tag (injected at
// build time by vite.config.ts), the web bridge's header and the desktop app's protocol handler.
//
// connect-src 'self' is the whole network allowance. Under CSP Level 3, 'self' also matches
// ws:/wss: to the page's own host and port, so the web bridge's event socket is allowed and no
// other host is, while the desktop page (app://layerlab) can open no socket at all.

const PAGE_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
] as const;

/** For the <meta> tag: everything a meta-delivered policy can carry. */
export const PAGE_CSP = PAGE_DIRECTIVES.join('; ');

/** For the response header: the same policy plus frame-ancestors, which a <meta> tag cannot
 *  deliver (browsers ignore it there, with a console error). */
export const HEADER_CSP = [...PAGE_DIRECTIVES, "frame-ancestors 'none'"].join('; ');
