import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Two projects: the Node side (core, CLI, bridge, shell) and the renderer (Svelte + jsdom).
// End-to-end tests in Chromium live in test/e2e and run with `npm run test:e2e`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/renderer/**', 'test/e2e/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['test/renderer/**/*.test.ts'],
          setupFiles: ['@testing-library/svelte/vitest', 'test/renderer/setup-dom.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
