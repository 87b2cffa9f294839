// Names shared by the Electron main process, its preload and the renderer. A file of its own,
// with no imports, so the sandboxed preload bundles nothing else from the contract.

/** The one object the preload exposes on window. */
export const PRELOAD_KEY = 'layerlab';
/** Renderer -> main: (command, payload) -> { ok, result | error }. */
export const INVOKE_CHANNEL = 'layerlab:invoke';
/** Main -> renderer: (eventName, payload). */
export const EVENT_CHANNEL = 'layerlab:event';
