// The app's pages are the built renderer's files; anything else is foreign.
import { pathToFileURL } from 'node:url';

export function rendererIndexUrl(rendererDir: string): string {
  return pathToFileURL(`${rendererDir}/index.html`).href;
}

/** True for a file:// URL inside the renderer folder (URL parsing has already resolved any ..). */
export function isAppUrl(url: string, rendererDir: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const root = pathToFileURL(rendererDir).pathname.replace(/\/?$/, '/');
  return parsed.protocol === 'file:' && parsed.host === '' && parsed.pathname.startsWith(root);
}
