import type { Engine } from './types.ts';

/** Engines by name, loaded lazily: each runs in its own child process. Add an engine here to bench it. */
export const ENGINES: Record<string, () => Promise<Engine>> = {
  'tfjs-wasm-stock-fit': async () => (await import('./tfjs-stock-fit.ts')).engine,
  // What the trainer process gets: the threaded wasm build on every core, with the fast kernels.
  'layerlab-wasm': async () => (await import('./layerlab-training.ts')).layerlabEngine('wasm'),
  // The same on the stock single-threaded build, to show what the threads buy in the same run.
  'layerlab-wasm-1t': async () => (await import('./layerlab-training.ts')).layerlabEngine('wasm', 1),
  'layerlab-cpu': async () => (await import('./layerlab-training.ts')).layerlabEngine('cpu'),
  pytorch: async () => (await import('./pytorch.ts')).engine,
  'layerlab-serving': async () => (await import('./layerlab-serving.ts')).engine,
};
