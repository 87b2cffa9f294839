// Dev-only: builds the renderer over a simulated lab (no server) for looking at screens.
// Never shipped: `npx vite build -c test/renderer/harness/vite.config.ts` writes to /tmp.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { cspMeta } from '../../../src-renderer/csp-meta-plugin.ts';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: fileURLToPath(new URL('../../../src-renderer/public', import.meta.url)),
  plugins: [svelte({ configFile: false }), cspMeta()],
  build: { outDir: '/tmp/layerlab-harness', emptyOutDir: true, modulePreload: { polyfill: false }, assetsInlineLimit: 0 },
});
