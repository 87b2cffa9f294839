// A sandboxed preload can require only Electron's own short list: the bundle must be
// CommonJS and self-contained except for 'electron'.
import { build } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('preload bundle', () => {
  it('is CommonJS that requires nothing but electron', async () => {
    const result = await build({
      absWorkingDir: join(import.meta.dirname, '../..'),
      entryPoints: ['src-main/electron/preload.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['electron'],
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
    expect(code).not.toMatch(/\bimport\s*\(|import\.meta/);
    expect(code).toContain('exposeInMainWorld');
  });
});
