// The generated SIMD kernel modules (*.wasm.ts) must be exactly what their .wat sources compile to: a kernel edited
// without `npm run build:kernels` fails here instead of shipping stale code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWat, expectedModules, SHARED_MEMORY_IMPORT } from '../../scripts/build-wasm-kernels.ts';

describe('build-wasm-kernels', () => {
  it('every generated kernel module matches its .wat source', async () => {
    const modules = await expectedModules();
    expect(modules.length).toBeGreaterThan(0);
    for (const m of modules) expect(readFileSync(m.tsPath, 'utf8'), `${m.tsPath} is stale: run npm run build:kernels`).toBe(m.text);
  });

  it('builds a shared-heap and a plain-heap variant that both validate', async () => {
    const wat = `(module ${SHARED_MEMORY_IMPORT} (func (export "f") (result i32) (i32.load (i32.const 0))))`;
    const { shared, unshared } = await compileWat('t.wat', wat);
    expect(WebAssembly.validate(shared)).toBe(true);
    expect(WebAssembly.validate(unshared)).toBe(true);
    expect(Buffer.from(shared).equals(Buffer.from(unshared))).toBe(false);
  });

  it('refuses a source that does not import the heap', async () => {
    await expect(compileWat('t.wat', '(module (memory 1))')).rejects.toThrow(/must import its memory/);
  });
});
