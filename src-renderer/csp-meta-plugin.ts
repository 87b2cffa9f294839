// A Vite plugin (build-time only, never bundled into the page): writes the page's CSP <meta>
// tag from the contract's one copy, first in <head> so it governs every script and style.
import type { Plugin } from 'vite';
import { PAGE_CSP } from '../src-shared/content-security-policy.ts';

export function cspMeta(): Plugin {
  return {
    name: 'layerlab-csp-meta',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: PAGE_CSP }, injectTo: 'head-prepend' }],
  };
}
