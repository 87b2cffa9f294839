// Electron's preload when present, else the web bridge the page was served from.
import type { Transport } from '../../../src-shared/create-api.ts';
import { electronTransport } from './electron-transport.ts';
import { createWebTransport } from './web-transport.ts';

/** Dispatched on window when the web bridge's event socket drops or comes back (detail: boolean). */
export const CONNECTION_EVENT = 'layerlab:connection';

export function pickTransport(): Transport {
  return (
    electronTransport() ??
    createWebTransport({ onConnectionChange: (connected) => globalThis.dispatchEvent(new CustomEvent(CONNECTION_EVENT, { detail: connected })) })
  );
}
