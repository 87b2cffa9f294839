// Entry point: find the transport (Electron preload or the web bridge) and mount the app.
import './lib/strict-csp.ts';
import './styles/app.css';
import type { Transport } from '../src-shared/create-api.ts';
import { boot, showFatal } from './boot.ts';

// pick-transport.ts is written alongside the bridge; until it exists this finds nothing.
const modules = import.meta.glob<Record<string, unknown>>('./lib/transport/pick-transport.ts', { eager: true });

async function findTransport(): Promise<Transport> {
  for (const mod of Object.values(modules)) {
    for (const value of Object.values(mod)) {
      if (typeof value === 'function') return (await (value as () => Transport | Promise<Transport>)()) as Transport;
    }
  }
  throw new Error('no transport: this build has no pick-transport module');
}

const target = document.getElementById('app');
if (target) {
  findTransport()
    .then((transport) => boot(target, transport))
    .catch((err: unknown) => showFatal(target, err instanceof Error ? err.message : String(err)));
}
