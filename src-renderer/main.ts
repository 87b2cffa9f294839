// Entry point: find the transport (Electron preload or the web bridge) and mount the app.
import './lib/strict-csp.ts';
import './styles/app.css';
import { boot, showFatal } from './boot.ts';
import { pickTransport } from './lib/transport/pick-transport.ts';

const target = document.getElementById('app');
if (target) {
  Promise.resolve()
    .then(() => boot(target, pickTransport()))
    .catch((err: unknown) => showFatal(target, err instanceof Error ? err.message : String(err)));
}
