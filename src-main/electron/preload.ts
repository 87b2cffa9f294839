// Runs in the sandboxed preload (bundled to CommonJS): exposes exactly one object,
// window.layerlab, a Transport over two IPC channels. The renderer builds the typed API on it.
import { contextBridge, ipcRenderer } from 'electron';
import { exposeTransport } from './preload-transport.ts';

exposeTransport(contextBridge, ipcRenderer);
