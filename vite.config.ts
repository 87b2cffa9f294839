import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { cspMeta } from './src-renderer/csp-meta-plugin.ts';

// Builds the renderer (src-renderer) into dist/renderer. base './' keeps every asset URL
// relative, so the same build loads from file:// in Electron and from `layerlab serve`.
export default defineConfig({
  root: fileURLToPath(new URL('./src-renderer', import.meta.url)),
  base: './',
  plugins: [svelte({ configFile: false }), cspMeta()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script>/<style> and no data: module preloads: the page's CSP forbids them.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  server: { host: '127.0.0.1', strictPort: true },
});
