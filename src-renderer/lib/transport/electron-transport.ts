// In the desktop app the preload exposes `window.layerlab` with exactly this shape.
import type { Transport } from '../../../src-shared/create-api.ts';
import { PRELOAD_KEY } from '../../../src-shared/ipc-channels.ts';

export function electronTransport(): Transport | null {
  const exposed = (globalThis as unknown as Record<string, unknown>)[PRELOAD_KEY] as Partial<Transport> | undefined;
  if (!exposed || typeof exposed.invoke !== 'function' || typeof exposed.subscribe !== 'function') return null;
  return exposed as Transport;
}
