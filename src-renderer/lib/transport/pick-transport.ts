// Electron's preload when present, else the web bridge the page was served from.
import type { Transport } from '../../../src-shared/create-api.ts';
import { electronTransport } from './electron-transport.ts';
import { createWebTransport } from './web-transport.ts';

export function pickTransport(): Transport {
  return electronTransport() ?? createWebTransport();
}
