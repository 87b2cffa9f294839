// The SIMD kernels' loader (src-main/lab/engine/wasm-kernels/simd/simd-kernels.ts): one instance per heap, built for
// the heap's kind, and — where the engine cannot compile them — no kernels and a reason, not a crash.
import { describe, expect, it } from 'vitest';
import { sharedHeapModules, simdKernelsFor, simdKernelsStatus } from '../../../../src-main/lab/engine/wasm-kernels/simd/simd-kernels.ts';

describe('the SIMD kernels loader', () => {
  it('instantiates every kernel on a plain heap and on a shared one, once per heap', () => {
    const plain = new WebAssembly.Memory({ initial: 2 });
    const shared = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
    for (const memory of [plain, shared]) {
      const kernels = simdKernelsFor(memory);
      expect(typeof kernels?.conv2d_filter_grad).toBe('function');
      expect(typeof kernels?.activation_grad).toBe('function');
      expect(simdKernelsFor(memory)).toBe(kernels);
    }
    expect(sharedHeapModules().every((bytes) => WebAssembly.validate(bytes))).toBe(true);
  });

  it('runs a kernel on the heap in place: column sums of a 3×5 matrix in float64', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new Float32Array(memory.buffer);
    heap.set([1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500]);
    const accBytes = 64; // past the matrix, 8-aligned
    simdKernelsFor(memory)?.sum_rows(0, accBytes, 5, 0, 3);
    expect(Array.from(new Float64Array(memory.buffer, accBytes, 5))).toEqual([111, 222, 333, 444, 555]);
  });

  it('gives no kernels and says why where the engine cannot compile them', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const noSimd = {
      Module: class {
        constructor() {
          throw new WebAssembly.CompileError('SIMD unsupported');
        }
      },
      Instance: WebAssembly.Instance as never,
    };
    expect(simdKernelsFor(memory, noSimd)).toBeNull();
    expect(simdKernelsStatus({ wasm: { asm: { memory } } })).toBe('SIMD kernels off (SIMD unsupported)');
    expect(simdKernelsStatus({ wasm: {} })).toMatch(/heap was not found/);
    expect(simdKernelsStatus({ wasm: { wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true }) } })).toBe('SIMD kernels on');
  });
});
