// The app's one ELK instance, running elkjs' layout in a web worker so that laying out a large
// graph never blocks the canvas. Vite bundles the worker as its own file (the page's CSP allows
// scripts from 'self' only, and elkjs needs no eval). Loaded on first use: the Design view's
// stack mode never pays for it.
import type { ELK } from 'elkjs/lib/elk-api.js';

let instance: Promise<ELK> | null = null;

export function sharedElk(): Promise<ELK> {
  instance ??= (async () => {
    const [{ default: ElkApi }, { default: ElkWorker }] = await Promise.all([import('elkjs/lib/elk-api.js'), import('elkjs/lib/elk-worker.min.js?worker')]);
    return new ElkApi({ workerFactory: () => new ElkWorker() });
  })();
  return instance;
}
