// The heap helper thread (src-main/lab/engine/wasm-kernels/heap-helper-thread.ts): a pass split between the main
// thread and a worker over one shared heap gives the same elements as the main thread alone, the worker really does
// its share, and a failure in its share is reported, not swallowed. The fast kernels' use of it (im2col, MaxPoolGrad)
// is held to the cpu reference by the threaded kernel suite (fast-wasm-kernels-threaded.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { heapHelperReady, heapHelperSimdProblem, runOnHeap, setHeapHelperMinimumWork, startHeapHelper, stopHeapHelper } from '../../../src-main/lab/engine/wasm-kernels/heap-helper-thread.ts';
import type { SimdKernels } from '../../../src-main/lab/engine/wasm-kernels/simd/simd-kernels.ts';

/** out[i] = in[i]·params[0] + i for i in [begin, end). */
function scaleAndIndex(arrays: Float32Array[], params: Int32Array, begin: number, end: number): void {
  const input = arrays[0] as Float32Array;
  const out = arrays[1] as Float32Array;
  for (let i = begin; i < end; i++) out[i] = (input[i] ?? 0) * (params[0] ?? 0) + i;
}

/** Throws in any share that does not start at 0: only the helper thread's share. */
function throwsPastZero(arrays: Float32Array[], params: Int32Array, begin: number, end: number): void {
  if (begin > 0) throw new Error(`share ${begin}–${end}`);
  (arrays[0] as Float32Array).fill(1, begin, end);
}

/** A backend whose heap is a SharedArrayBuffer, as the threaded wasm build's is. */
function sharedBackend(floats: number) {
  return { wasm: { wasmMemory: { buffer: new SharedArrayBuffer(floats * 4) } } };
}

async function untilReady(): Promise<void> {
  for (let i = 0; i < 200 && !heapHelperReady(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(heapHelperReady()).toBe(true);
}

/** A helper thread over a fresh shared heap of 1024 floats, ready, splitting passes of any size: the heap's view. */
async function readyHelper(tasks: Parameters<typeof startHeapHelper>[1]): Promise<Float32Array> {
  const backend = sharedBackend(1024);
  startHeapHelper(backend, tasks);
  await untilReady();
  setHeapHelperMinimumWork(0);
  return new Float32Array(backend.wasm.wasmMemory.buffer);
}

// These heaps are bare SharedArrayBuffers: every worker here warns that it has no SIMD kernels (asserted once below).
let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  stopHeapHelper();
  setHeapHelperMinimumWork();
  warn.mockRestore();
});

describe('heap helper thread', () => {
  it('is not started for a heap that is not shared (the single-threaded build)', () => {
    expect(startHeapHelper({ wasm: { wasmMemory: { buffer: new ArrayBuffer(64) } } }, [scaleAndIndex])).toBe(false);
    expect(heapHelperReady()).toBe(false);
  });

  it('splits a pass with the worker and gives the same elements as the main thread alone', async () => {
    const backend = sharedBackend(4096);
    expect(startHeapHelper(backend, [scaleAndIndex, throwsPastZero])).toBe(true);
    await untilReady();
    setHeapHelperMinimumWork(0);
    const heap = new Float32Array(backend.wasm.wasmMemory.buffer);
    const input = heap.subarray(0, 1000);
    input.forEach((_, i) => (input[i] = Math.sin(i)));
    const split = heap.subarray(1024, 2024);
    runOnHeap(scaleAndIndex, [input, split], [3], 1000, 1000, 400);
    const alone = new Float32Array(1000);
    scaleAndIndex([input, alone], Int32Array.of(3), 0, 1000);
    expect(Array.from(split)).toEqual(Array.from(alone));
  });

  it('reports a failure in the worker’s share and stops the helper (later passes run on the main thread)', async () => {
    const heap = await readyHelper([throwsPastZero]);
    expect(() => runOnHeap(throwsPastZero, [heap.subarray(0, 100)], [], 100, 100)).toThrow(/helper thread's share of throwsPastZero threw/);
    expect(heapHelperReady()).toBe(false);
    runOnHeap(throwsPastZero, [heap.subarray(0, 100)], [], 100, 100); // the main thread does all: no share past 0
    expect(heap.subarray(0, 100).every((v) => v === 1)).toBe(true);
  });

  it('runs small passes, unknown tasks and views of other memory on the main thread', async () => {
    const backend = sharedBackend(1024);
    startHeapHelper(backend, [throwsPastZero]);
    await untilReady();
    const heap = new Float32Array(backend.wasm.wasmMemory.buffer);
    runOnHeap(throwsPastZero, [heap.subarray(0, 100)], [], 100, 100); // under the default minimum work
    setHeapHelperMinimumWork(0);
    runOnHeap(throwsPastZero, [new Float32Array(100)], [], 100, 100); // not a view of the shared heap
    const out = new Float32Array(10);
    runOnHeap(scaleAndIndex, [new Float32Array(10).fill(2), out], [5], 10, 10); // not one of the helper's tasks
    expect(Array.from(out)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    expect(heapHelperReady()).toBe(true);
  });

  it('never keeps its process alive: a process that started it and has nothing left to do exits', () => {
    // Through a real worker that posts its message (no SIMD kernels on a bare SharedArrayBuffer) after the listener
    // was added: a listener added after unref() would ref the worker's port again and the process would never exit.
    const module = fileURLToPath(new URL('../../../src-main/lab/engine/wasm-kernels/heap-helper-thread.ts', import.meta.url));
    const script = `import { startHeapHelper } from ${JSON.stringify(module)};
      startHeapHelper({ wasm: { wasmMemory: { buffer: new SharedArrayBuffer(4096) } } }, []);
      setTimeout(() => console.log('done'), 300);`;
    const file = join(mkdtempSync(join(tmpdir(), 'layerlab-helper-exit-')), 'start-helper.mts'); // a file: an eval'd module would make the eval worker one too
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 20_000 });
    expect(r.error).toBeUndefined(); // a timeout would be an error here
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('done');
    expect(r.stderr).toContain('no SIMD kernels');
  });

  it('keeps a SIMD share on the main thread when the worker could not instantiate the SIMD kernels', async () => {
    // This heap is a bare SharedArrayBuffer, not a WebAssembly.Memory: the worker starts without the kernels, and says why.
    const heap = await readyHelper([throwsPastZero]);
    for (let i = 0; i < 200 && heapHelperSimdProblem() == null; i++) await new Promise((r) => setTimeout(r, 25));
    expect(heapHelperSimdProblem()).toBe('the heap is not a WebAssembly.Memory');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/no SIMD kernels \(the heap is not a WebAssembly.Memory\)/));
    const mainThreadKernels = {} as SimdKernels; // what the caller has on its side
    runOnHeap(throwsPastZero, [heap.subarray(0, 100)], [], 100, 1 << 24, 50, mainThreadKernels); // the worker's share would throw
    expect(heap.subarray(0, 100).every((v) => v === 1)).toBe(true);
    expect(heapHelperReady()).toBe(true);
    // A JS pass still goes to it.
    expect(() => runOnHeap(throwsPastZero, [heap.subarray(0, 100)], [], 100, 1 << 24)).toThrow(/share of throwsPastZero threw/);
  });
});
