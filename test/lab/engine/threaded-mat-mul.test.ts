// The matmul helper threads (installFastWasmKernels({ threads })): split products must give the cpu reference's
// numbers (and one thread's, bit for bit) for random shapes, every transpose combination, batch dims and the fused
// op; leave no tensor or wasm buffer behind; and never keep a process alive.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastWasmMatMulPool, installFastWasmKernels, uninstallFastWasmKernels } from '../../../src-main/lab/engine/wasm-kernels/index.ts';

let seed = 777;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
type Data = { data: Float32Array; shape: number[] };
function randomData(shape: number[]): Data {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rand() * 2 - 1;
  return { data, shape };
}
const transposed = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s[s.length - 1] ?? 1, s[s.length - 2] ?? 1] : s);

function matMul(a: Data, b: Data, ta: boolean, tb: boolean): Data {
  return tf.tidy(() => {
    const r = tf.matMul(tf.tensor(a.data, a.shape), tf.tensor(b.data, b.shape), ta, tb);
    return { data: r.dataSync() as Float32Array, shape: r.shape };
  });
}

function worstDiff(x: Data, y: Data): number {
  expect(x.shape).toEqual(y.shape);
  let worst = 0;
  for (let i = 0; i < y.data.length; i++) worst = Math.max(worst, Math.abs((x.data[i] ?? NaN) - (y.data[i] ?? NaN)));
  return worst;
}

/** Tensors and wasm buffers alive now: a kernel that forgets a temporary shows in the second. */
function live(): [number, number] {
  return [tf.memory().numTensors, tf.engine().backend.numDataIds()];
}

async function useThreads(threads: number): Promise<void> {
  await tf.setBackend('wasm');
  // minSplitMacs 1: split every product the pool can take, so small test shapes exercise the threaded path.
  installFastWasmKernels(tf, { threads, minSplitMacs: 1 });
  if (threads > 1) expect(await fastWasmMatMulPool()?.whenReady()).toBe(true);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  await useThreads(2);
});

afterAll(async () => {
  await tf.setBackend('wasm');
  uninstallFastWasmKernels(tf);
});

describe('split matmul across a helper thread', () => {
  const cases: { name: string; a: number[]; b: number[] }[] = [];
  for (let i = 0; i < 4; i++) {
    const m = randInt(40, 150);
    const k = randInt(1, 120);
    const n = randInt(33, 170);
    cases.push({ name: `random ${m}×${k}·${k}×${n}`, a: [m, k], b: [k, n] });
  }
  cases.push({ name: 'few columns, split by rows 200×40·40×10', a: [200, 40], b: [40, 10] });
  cases.push({ name: 'seed-sized 128×784·784×512', a: [128, 784], b: [784, 512] });
  cases.push({ name: 'batched 3×40×30·3×30×50', a: [3, 40, 30], b: [3, 30, 50] });
  cases.push({ name: 'broadcast 2×1×33×20·1×3×20×40', a: [2, 1, 33, 20], b: [1, 3, 20, 40] });

  for (const c of cases) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`${c.name} transposeA=${ta} transposeB=${tb}`, async () => {
        const a = randomData(transposed(c.a, ta));
        const b = randomData(transposed(c.b, tb));
        await tf.setBackend('cpu');
        const expected = c.a.length === c.b.length && c.a.slice(0, -2).every((d, i) => d === c.b[i]) ? matMul(a, b, ta, tb) : null;
        await useThreads(1);
        const single = matMul(a, b, ta, tb);
        await useThreads(2);
        const pool = fastWasmMatMulPool();
        const splitBefore = pool?.stats.split ?? 0;
        const before = live();
        const threaded = matMul(a, b, ta, tb);
        expect(live()).toEqual(before);
        expect(pool?.stats.split ?? 0).toBeGreaterThan(splitBefore);
        expect(pool?.stats.helperFailures).toBe(0);
        // Each output element is the same dot product, by the same XNNPACK kernel: identical to one thread.
        expect(worstDiff(threaded, single)).toBe(0);
        const k = c.a[c.a.length - 1] ?? 1;
        // tfjs-cpu's own broadcasting of unequal batch dims is not numpy's; there one thread is the reference.
        if (expected != null) expect(worstDiff(threaded, expected)).toBeLessThanOrEqual(1e-5 * Math.max(1, k));
      });
    }
  }

  for (const activation of ['relu', 'linear', 'leakyrelu', 'sigmoid'] as const) {
    for (const [ta, tb, withBias] of [
      [false, false, true],
      [true, true, true],
      [false, false, false],
    ] as const) {
      it(`fused matmul ${activation} transposeA=${ta} transposeB=${tb} bias=${withBias}`, async () => {
        const a = randomData(transposed([60, 45], ta));
        const b = randomData(transposed([45, 70], tb));
        const bias = randomData([70]);
        const run = () =>
          tf.tidy(() => {
            const r = tf.fused.matMul({
              a: tf.tensor(a.data, a.shape),
              b: tf.tensor(b.data, b.shape),
              transposeA: ta,
              transposeB: tb,
              ...(withBias ? { bias: tf.tensor(bias.data, bias.shape) } : {}),
              activation,
              leakyreluAlpha: 0.1,
            });
            return { data: r.dataSync() as Float32Array, shape: r.shape };
          });
        await tf.setBackend('cpu');
        const expected = run();
        await useThreads(1);
        const single = run();
        await useThreads(2);
        const splitBefore = fastWasmMatMulPool()?.stats.split ?? 0;
        const before = live();
        const threaded = run();
        expect(live()).toEqual(before);
        expect(fastWasmMatMulPool()?.stats.split ?? 0).toBeGreaterThan(splitBefore);
        expect(worstDiff(threaded, single)).toBe(0);
        expect(worstDiff(threaded, expected)).toBeLessThanOrEqual(1e-4);
      });
    }
  }

  it('keeps small products on one thread at the default threshold', async () => {
    await tf.setBackend('wasm');
    installFastWasmKernels(tf, { threads: 1 });
    installFastWasmKernels(tf, { threads: 2 });
    await fastWasmMatMulPool()?.whenReady();
    const pool = fastWasmMatMulPool();
    tf.tidy(() => tf.matMul(tf.ones([32, 32]), tf.ones([32, 32])).dataSync());
    expect(pool?.stats.split).toBe(0);
    await useThreads(2);
  });

  it('threads: 1 runs no helper; uninstalling stops the helpers', async () => {
    await tf.setBackend('wasm');
    installFastWasmKernels(tf, { threads: 1 });
    expect(fastWasmMatMulPool()).toBeNull();
    await useThreads(2);
    expect(fastWasmMatMulPool()?.ready).toBe(true);
    const pool = fastWasmMatMulPool();
    uninstallFastWasmKernels(tf);
    expect(fastWasmMatMulPool()).toBeNull();
    expect(pool?.ready).toBe(false);
    // After disposal the kernels (reinstalled) still compute, on this thread.
    await useThreads(2);
  });

  it('a process that never cleans up still exits (the helper does not hold it open)', () => {
    const child = fileURLToPath(new URL('./fixtures/threaded-exit-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/split [1-9]/);
  });
});
