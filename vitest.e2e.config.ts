import { defineConfig } from 'vitest/config';

// End-to-end tests: the built renderer served by `layerlab serve`, driven in headless Chromium.
export default defineConfig({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
