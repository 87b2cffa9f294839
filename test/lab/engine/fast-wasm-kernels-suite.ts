// Correctness guard for Layerlab's fast wasm kernels: they must match tfjs's cpu backend (the reference) numerically,
// on random shapes, all transpose combinations, batch dims and broadcast batch dims; and installing must be idempotent.
// Run by two test files: on the stock single-threaded wasm build and on the threaded build (kernel and backend
// registration are process-global, and each test file runs in its own process).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fastWasmKernelsInstalled,
  installFastWasmKernels,
  uninstallFastWasmKernels,
} from '../../../src-main/lab/engine/wasm-kernels/index.ts';
import { col2imShare, itemsPerChunk, makeConv2DBackpropFilter, makeConv2DBackpropInput } from '../../../src-main/lab/engine/wasm-kernels/conv2d-backprop.ts';
import { threadedWasmState, useThreadedWasm } from '../../../src-main/lab/engine/wasm-threads/threaded-wasm-backend.ts';
import { heapHelperHasTask, heapHelperReady, setHeapHelperMinimumWork } from '../../../src-main/lab/engine/wasm-kernels/heap-helper-thread.ts';
import { gatherTapsByPixel, gatherTapsByRow } from '../../../src-main/lab/engine/wasm-kernels/conv-im2col.ts';
import { fusedMaxPoolGradAvailable, MAX_POOL_GRAD_BIAS, maxPoolGrad2x2, maxPoolGradShare } from '../../../src-main/lab/engine/wasm-kernels/max-pool-grad.ts';
import { sumColumns, sumRowsShare } from '../../../src-main/lab/engine/wasm-kernels/leading-axes-sum.ts';
import { avgPoolGradItems, avgPoolGradShare } from '../../../src-main/lab/engine/wasm-kernels/avg-pool-grad.ts';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN, channelAffineShare, fusedBatchNormAvailable, sumProductsShare } from '../../../src-main/lab/engine/wasm-kernels/batch-norm.ts';
import { ACTIVATION_FORWARD, ACTIVATION_GRAD, activationShare, simdActivationAvailable } from '../../../src-main/lab/engine/wasm-kernels/activation-kernels.ts';
import { filterGradientShare } from '../../../src-main/lab/engine/wasm-kernels/conv-filter-gradient.ts';
import { DROPOUT_MULTIPLIER, dropoutKernelAvailable } from '../../../src-main/lab/engine/wasm-kernels/dropout-kernel.ts';
import { dropoutDraw } from '../../../src-main/lab/training/dropout-mask.ts';
import { CONV_POOL_GRAD, convPoolBackwardAvailable, convPoolBackwardShare } from '../../../src-main/lab/engine/wasm-kernels/conv-pool-backward.ts';
import { setSimdKernelsEnabled, simdKernelsOf } from '../../../src-main/lab/engine/wasm-kernels/simd/simd-kernels.ts';

let rng = 12345;
function rand(): number {
  rng = (rng * 1103515245 + 12345) % 2147483648;
  return rng / 2147483648;
}
function randInt(lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}
function randomData(shape: number[]): { data: Float32Array; shape: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rand() * 2 - 1;
  return { data, shape };
}

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  await tf.setBackend(name);
  return f();
}

/** `run` on the cpu backend (the reference), then on wasm with the fast kernels: [expected, actual]. */
async function cpuThenFastWasm<T>(run: () => T): Promise<[T, T]> {
  const expected = await onBackend('cpu', run);
  await tf.setBackend('wasm');
  installFastWasmKernels(tf);
  return [expected, run()];
}

/** With `explicitBroadcast`, batch dims are broadcast (numpy rules) before the product: tfjs-cpu's own batch
 *  broadcasting indexes by modulo, which is right only when one side has batch 1 or the batches are equal. */
function matMulOn(a: { data: Float32Array; shape: number[] }, b: { data: Float32Array; shape: number[] }, ta: boolean, tb: boolean, explicitBroadcast = false) {
  return tf.tidy(() => {
    let at = tf.tensor(a.data, a.shape);
    let bt = tf.tensor(b.data, b.shape);
    if (explicitBroadcast) {
      const rank = Math.max(at.rank, bt.rank);
      const outer = (t: tf.Tensor) => [...new Array<number>(rank - t.rank).fill(1), ...t.shape.slice(0, -2)];
      const oa = outer(at);
      const ob = outer(bt);
      const o = oa.map((d, i) => Math.max(d, ob[i] ?? 1));
      at = tf.broadcastTo(at, [...o, ...at.shape.slice(-2)]);
      bt = tf.broadcastTo(bt, [...o, ...bt.shape.slice(-2)]);
    }
    const r = tf.matMul(at, bt, ta, tb);
    return { data: r.dataSync() as Float32Array, shape: r.shape };
  });
}

function expectClose(actual: { data: Float32Array; shape: number[] }, expected: { data: Float32Array; shape: number[] }, k: number) {
  expect(actual.shape).toEqual(expected.shape);
  const tol = 1e-5 * Math.max(1, k);
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs((actual.data[i] ?? NaN) - (expected.data[i] ?? NaN)));
  expect(worst).toBeLessThanOrEqual(tol);
}

export function fastKernelSuite(threads: number): void {
  beforeAll(async () => {
    useThreadedWasm(tf, threads);
    await tf.setBackend('wasm');
    await tf.ready();
    expect(threadedWasmState()).toEqual({ threads, reason: null });
    await tf.setBackend('cpu');
    await tf.ready();
  });

  afterAll(async () => {
    await tf.setBackend('wasm');
    uninstallFastWasmKernels(tf);
    setHeapHelperMinimumWork();
  });

  describe('installFastWasmKernels', () => {
    it('installs once, reports what it replaced, and is idempotent', async () => {
      await tf.setBackend('wasm');
      const first = installFastWasmKernels(tf);
      expect(first.active).toBe(true);
      const second = installFastWasmKernels(tf);
      expect(second.alreadyInstalled).toBe(true);
      expect(second.replaced.map((r) => r.kernel)).toEqual(expect.arrayContaining(['BatchMatMul', 'Slice']));
      expect(fastWasmKernelsInstalled(tf)).toBe(true);
      // other backends keep their kernels
      const cpuKernel = tf.getKernel('BatchMatMul', 'cpu') as unknown as Record<string, unknown>;
      expect(cpuKernel['__layerlabFastKernel']).toBeUndefined();
    });

    it(threads > 1 ? 'starts the heap helper thread (shared heap); every JS pass below is split with it' : 'starts no heap helper thread (the heap is not shared)', async () => {
      for (let i = 0; i < 200 && threads > 1 && !heapHelperReady(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(heapHelperReady()).toBe(threads > 1);
      // Every JS pass of the kernels below is one the helper was given (registered by its module).
      for (const task of [gatherTapsByRow, gatherTapsByPixel, maxPoolGrad2x2, maxPoolGradShare, sumColumns, sumRowsShare, avgPoolGradItems, avgPoolGradShare, filterGradientShare, sumProductsShare, channelAffineShare, activationShare, col2imShare, convPoolBackwardShare]) expect(heapHelperHasTask(task)).toBe(threads > 1);
      setHeapHelperMinimumWork(0); // split even the tests' small passes
    });

    it("instantiates the SIMD kernels on the backend's own heap (shared or not), once", async () => {
      await tf.setBackend('wasm');
      const kernels = simdKernelsOf(tf.backend());
      expect(typeof kernels?.conv2d_filter_grad).toBe('function');
      expect(simdKernelsOf(tf.backend())).toBe(kernels);
    });
  });

  describe('fast BatchMatMul matches the cpu reference', () => {
    const cases: { name: string; a: number[]; b: number[] }[] = [];
    for (let i = 0; i < 4; i++) {
      const m = randInt(1, 70);
      const k = randInt(1, 90);
      const n = randInt(1, 60);
      cases.push({ name: `2-D ${m}×${k}·${k}×${n}`, a: [m, k], b: [k, n] });
    }
    cases.push({ name: 'seed-sized 128×784·784×512', a: [128, 784], b: [784, 512] });
    cases.push({ name: 'batched 3×17×23·3×23×9', a: [3, 17, 23], b: [3, 23, 9] });
    cases.push({ name: 'batched small 5×4×3·5×3×2', a: [5, 4, 3], b: [5, 3, 2] });
    cases.push({ name: 'broadcast 4×20×30·1×30×25', a: [4, 20, 30], b: [1, 30, 25] });
    cases.push({ name: 'broadcast rank 3·rank 2', a: [3, 20, 30], b: [30, 25] });
    cases.push({ name: 'broadcast 2×1×8×12·1×3×12×7', a: [2, 1, 8, 12], b: [1, 3, 12, 7] });

    for (const c of cases) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        it(`${c.name} transposeA=${ta} transposeB=${tb}`, async () => {
          const swap = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s[s.length - 1] ?? 1, s[s.length - 2] ?? 1] : s);
          const a = randomData(swap(c.a, ta));
          const b = randomData(swap(c.b, tb));
          const expected = await onBackend('cpu', () => matMulOn(a, b, ta, tb, true));
          const before = await onBackend('wasm', () => tf.memory().numTensors);
          installFastWasmKernels(tf);
          const actual = matMulOn(a, b, ta, tb);
          expect(tf.memory().numTensors).toBe(before);
          expectClose(actual, expected, c.a[c.a.length - 1] ?? 1);
        });
      }
    }

    it('fused matmul (bias + relu) with transposed operands', async () => {
      const a = randomData([40, 33]);
      const b = randomData([50, 40]);
      const bias = randomData([50]);
      const run = () =>
        tf.tidy(() => {
          const r = tf.fused.matMul({ a: tf.tensor(a.data, a.shape), b: tf.tensor(b.data, b.shape), transposeA: true, transposeB: true, bias: tf.tensor(bias.data, bias.shape), activation: 'relu' });
          return { data: r.dataSync() as Float32Array, shape: r.shape };
        });
      const [expected, actual] = await cpuThenFastWasm(run);
      expectClose(actual, expected, 40);
    });
  });

  describe('fast Slice matches the cpu reference', () => {
    const cases: { shape: number[]; begin: number[]; size: number[] }[] = [
      { shape: [100, 784], begin: [10, 0], size: [32, 784] },
      { shape: [100, 784], begin: [10, 5], size: [32, 700] },
      { shape: [7, 9, 11], begin: [1, 2, 3], size: [4, 5, -1] },
      { shape: [4, 6, 5, 3], begin: [1, 0, 2, 1], size: [2, 6, 3, 2] },
      { shape: [30], begin: [4], size: [10] },
    ];
    for (const c of cases) {
      it(`shape ${c.shape.join('×')} begin ${c.begin.join(',')} size ${c.size.join(',')}`, async () => {
        const x = randomData(c.shape);
        const run = () =>
          tf.tidy(() => {
            const r = tf.slice(tf.tensor(x.data, x.shape), c.begin, c.size);
            return { data: r.dataSync() as Float32Array, shape: r.shape };
          });
        const [expected, actual] = await cpuThenFastWasm(run);
        expect(actual.shape).toEqual(expected.shape);
        expect(Array.from(actual.data)).toEqual(Array.from(expected.data));
      });
    }

    it('int32 slices too', async () => {
      await tf.setBackend('wasm');
      installFastWasmKernels(tf);
      const r = tf.tidy(() => tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), [1, 0], [2, 2]).arraySync());
      expect(r).toEqual([
        [3, 4],
        [5, 6],
      ]);
    });
  });

  describe('shared Identity', () => {
    it('gives the same values, outlives its input, and frees the buffer with the last reference', async () => {
      await tf.setBackend('wasm');
      installFastWasmKernels(tf);
      const buffers = () => tf.engine().backend.numDataIds();
      const before = buffers();
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const y = tf.clone(x); // clone runs the Identity kernel
      expect(buffers()).toBe(before + 1);
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
      y.dispose();
      expect(buffers()).toBe(before);
    });

    it('gradients through Identity match the cpu reference', async () => {
      const x = randomData([4, 5]);
      const run = () =>
        tf.tidy(() => {
          const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.clone(v))))(tf.tensor(x.data, x.shape));
          return { data: g.dataSync() as Float32Array, shape: g.shape };
        });
      const [expected, actual] = await cpuThenFastWasm(run);
      expectClose(actual, expected, 1);
    });
  });

  /** Random convolution cases: odd sizes, strides 1–3 (per axis), same/valid padding, batch 1, 1 to 5 channels. */
  const convCases = (() => {
    const cases: { x: number[]; f: number[]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
      { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
      { x: [3, 10, 11, 2], f: [3, 2, 2, 5], strides: [2, 2], pad: 'valid' },
      { x: [2, 8, 8, 1], f: [5, 5, 1, 3], strides: [2, 2], pad: 'same' },
      { x: [1, 7, 5, 2], f: [3, 3, 2, 3], strides: [1, 2], pad: 'same' },
      // stride 1 (the input gradient as a convolution): even filters pad 'same' unevenly
      { x: [2, 8, 7, 3], f: [4, 2, 3, 2], strides: [1, 1], pad: 'same' },
      { x: [1, 6, 9, 2], f: [1, 1, 2, 3], strides: [1, 1], pad: 'valid' },
      { x: [3, 9, 8, 4], f: [2, 3, 4, 5], strides: [1, 1], pad: 'valid' },
      // 8 or more channels: the column gather goes pixel by pixel (padding rows and columns, strides, odd sizes)
      { x: [2, 9, 7, 8], f: [3, 3, 8, 4], strides: [2, 1], pad: 'same' },
      { x: [2, 6, 6, 16], f: [3, 3, 16, 5], strides: [1, 1], pad: 'valid' },
      // the SIMD filter gradient's out-channel blocks: 16 + 4 + 1 channels, and 32 over an odd batch (uneven shares)
      { x: [2, 7, 6, 2], f: [3, 3, 2, 21], strides: [1, 1], pad: 'same' },
      { x: [3, 6, 5, 3], f: [3, 3, 3, 32], strides: [2, 1], pad: 'valid' },
      // stride 1 with 64 out channels: the input gradient by the product and the SIMD col2im
      { x: [2, 7, 6, 5], f: [3, 3, 5, 64], strides: [1, 1], pad: 'same' },
      { x: [1, 5, 8, 9], f: [2, 4, 9, 3], strides: [2, 3], pad: 'same' },
    ];
    for (let i = 0; i < 6; i++) {
      const fh = randInt(1, 4);
      const fw = randInt(1, 4);
      const pad = rand() < 0.5 ? 'same' : 'valid';
      cases.push({ x: [randInt(1, 3), randInt(fh, 13), randInt(fw, 13), randInt(1, 5)], f: [fh, fw, 0, randInt(1, 6)], strides: [randInt(1, 3), randInt(1, 3)], pad });
    }
    for (const c of cases) c.f[2] = c.x[3] ?? 1;
    return cases;
  })();
  const convName = (c: (typeof convCases)[number]) => `x ${c.x.join('×')} filter ${c.f.join('×')} strides ${c.strides.join(',')} ${c.pad}`;

  /** Compares after scaling by the largest expected magnitude (sums of many products). */
  function expectCloseScaled(actual: { data: Float32Array; shape: number[] }, expected: { data: Float32Array; shape: number[] }) {
    const scale = Math.max(1, ...Array.from(expected.data, Math.abs));
    expectClose({ data: actual.data.map((v) => v / scale), shape: actual.shape }, { data: expected.data.map((v) => v / scale), shape: expected.shape }, 10);
  }

  /** Gradients of Σ conv2d(x, w)·r (r random, so every output position weighs differently) for x and w. */
  function convGrads(c: (typeof convCases)[number], x: { data: Float32Array }, f: { data: Float32Array }, r: { data: Float32Array }) {
    return tf.tidy(() => {
      const xt = tf.tensor4d(x.data, c.x as [number, number, number, number]);
      const wt = tf.tensor4d(f.data, c.f as [number, number, number, number]);
      const out = tf.conv2d(xt, wt, c.strides, c.pad);
      const rt = tf.tensor(r.data.subarray(0, out.size), out.shape);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), rt)))([xt, wt]);
      return [dx, dw].map((g) => ({ data: g?.dataSync() as Float32Array, shape: g?.shape ?? [] }));
    });
  }

  describe('the activation kernels match tfjs on cpu (forward: elu, selu; derivatives: elu, selu, softplus, tanh, sigmoid, softsign, relu)', () => {
    const reference: Record<string, { f: (z: tf.Tensor) => tf.Tensor }> = {
      elu: { f: (z) => tf.elu(z) },
      selu: { f: (z) => tf.selu(z) },
      softplus: { f: (z) => tf.softplus(z) },
      tanh: { f: (z) => tf.tanh(z) },
      sigmoid: { f: (z) => tf.sigmoid(z) },
      softsign: { f: (z) => tf.div(z, tf.add(tf.abs(z), 1)) },
      relu: { f: (z) => tf.relu(z) },
    };
    for (const n of [4, 5, 37, 4099]) {
      for (const name of Object.keys(reference)) {
        it(`${name}, ${n} elements (extremes included)`, async () => {
          const z = randomData([n]);
          z.data.forEach((v, i) => (z.data[i] = v * 12));
          const extremes = [-100, -87.5, -20, -1e-7, 0, 1e-7, 20, 88.5, 100];
          extremes.forEach((v, i) => (z.data[(i * 7) % n] = v));
          const dy = randomData([n]);
          const run = (useKernels: boolean) =>
            tf.tidy(() => {
              const zt = tf.tensor1d(z.data);
              const ht = reference[name]!.f(zt);
              // The derivative as tfjs's tape differentiates f, for the reference.
              const grad = useKernels ? (tf.engine().runKernel(ACTIVATION_GRAD, { dy: tf.tensor1d(dy.data), y: ht, x: zt }, { activation: name }) as tf.Tensor) : tf.grad((a: tf.Tensor) => tf.sum(tf.mul(reference[name]!.f(a), tf.tensor1d(dy.data))))(zt);
              const forward = useKernels && (name === 'elu' || name === 'selu') ? (tf.engine().runKernel(ACTIVATION_FORWARD, { x: zt }, { activation: name }) as tf.Tensor) : ht;
              return [forward, grad].map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
            });
          const expected = await onBackend('cpu', () => run(false));
          await tf.setBackend('wasm');
          installFastWasmKernels(tf);
          expect(simdActivationAvailable(tf, name, n, true)).toBe(true);
          const actual = run(true);
          // relative to the value's size: exp's polynomial and the stock kernels differ by a few ulps
          for (let k = 0; k < 2; k++) {
            const a = actual[k]!.data;
            const e = expected[k]!.data;
            for (let i = 0; i < n; i++) expect(Math.abs((a[i] ?? NaN) - (e[i] ?? NaN)), `${['forward', 'derivative'][k]} at z = ${z.data[i]}`).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(e[i] ?? 0)));
          }
        });
      }
    }
  });

  describe('the fused batch normalization kernels match the same formulas as tf ops on cpu', () => {
    const shapes = [[3, 5, 7, 4], [2, 6, 6, 16], [5, 3, 3, 21], [1, 4, 4, 3], [7, 1, 1, 1], [128, 3, 3, 8]];
    for (const shape of shapes) {
      it(`x ${shape.join('×')}`, async () => {
        const width = shape[3] ?? 1;
        const x = randomData(shape);
        x.data.forEach((v, i) => (x.data[i] = 3 + 2 * v)); // a mean far from 0: the variance must not cancel away
        const dy = randomData(shape);
        const gamma = randomData([width]);
        const beta = randomData([width]);
        const epsilon = 1e-3;
        const reference = await onBackend('cpu', () =>
          tf.tidy(() => {
            const xt = tf.tensor(x.data, shape);
            const dyt = tf.tensor(dy.data, shape);
            const { mean, variance } = tf.moments(xt, [0, 1, 2]);
            const invStd = tf.rsqrt(tf.add(variance, epsilon));
            const y = tf.batchNorm(xt, mean, variance, tf.tensor1d(beta.data), tf.tensor1d(gamma.data), epsilon);
            const xHat = tf.mul(tf.sub(xt, mean), invStd);
            const n = xt.size / width;
            const sumDy = tf.sum(dyt, [0, 1, 2]);
            const sumDyXHat = tf.sum(tf.mul(dyt, xHat), [0, 1, 2]);
            const dx = tf.mul(tf.sub(tf.sub(tf.mul(dyt, n), sumDy), tf.mul(xHat, sumDyXHat)), tf.div(tf.mul(tf.tensor1d(gamma.data), invStd), n));
            return [y, mean, variance, invStd, dx, sumDyXHat, sumDy].map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
          }),
        );
        await tf.setBackend('wasm');
        installFastWasmKernels(tf);
        expect(fusedBatchNormAvailable(tf)).toBe(true);
        const before = tf.memory().numTensors;
        const actual = tf.tidy(() => {
          const xt = tf.tensor(x.data, shape);
          const [y, mean, variance, invStd] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: xt, gamma: tf.tensor1d(gamma.data), beta: tf.tensor1d(beta.data) }, { epsilon }) as tf.Tensor[];
          const [dx, dGamma, dBeta] = tf.engine().runKernel(BATCH_NORM_GRAD, { dy: tf.tensor(dy.data, shape), x: xt, mean: mean!, invStd: invStd!, gamma: tf.tensor1d(gamma.data) }) as tf.Tensor[];
          return [y!, mean!, variance!, invStd!, dx!, dGamma!, dBeta!].map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
        });
        expect(tf.memory().numTensors).toBe(before);
        const rows = x.data.length / width;
        actual.forEach((a, i) => expectClose(a, reference[i]!, i >= 4 ? rows : 10));
      });

      it(`x ${shape.join('×')}: the gradient through the relu conv layer below (its mask) in the same pass`, async () => {
        const width = shape[3] ?? 1;
        const x = randomData(shape);
        x.data.forEach((v, i) => (x.data[i] = Math.max(0, Math.round(4 * v) / 2))); // a relu's output: zeros and ties
        const dy = randomData(shape);
        const gamma = randomData([width]);
        const beta = randomData([width]);
        const run = () =>
          tf.tidy(() => {
            const xt = tf.tensor(x.data, shape);
            const dyt = tf.tensor(dy.data, shape);
            const [, mean, , invStd] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: xt, gamma: tf.tensor1d(gamma.data), beta: tf.tensor1d(beta.data) }, { epsilon: 1e-3 }) as tf.Tensor[];
            const inputs = { dy: dyt, x: xt, mean: mean!, invStd: invStd!, gamma: tf.tensor1d(gamma.data) };
            const [dx] = tf.engine().runKernel(BATCH_NORM_GRAD, inputs) as tf.Tensor[];
            const fused = tf.engine().runKernel(BATCH_NORM_GRAD, inputs, { relu: true }) as tf.Tensor[];
            const dz = tf.mul(dx!, tf.step(xt)); // what the step ran before: the mask apart
            return [dz, fused[0]!].map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
          });
        await tf.setBackend('wasm');
        installFastWasmKernels(tf);
        const before = tf.memory().numTensors;
        const [dz, fusedDz] = run();
        expect(tf.memory().numTensors).toBe(before);
        expect(Array.from(fusedDz!.data, String)).toEqual(Array.from(dz!.data, String)); // the same mask, bit for bit
      });
    }
  });

  for (const simd of [true, false]) {
  describe(`Conv2DBackpropFilter (added on wasm${simd ? ', by the SIMD kernel' : ', by im2col and the product'}) and Conv2DBackpropInput match the cpu reference`, () => {
    beforeAll(() => setSimdKernelsEnabled(simd));
    afterAll(() => setSimdKernelsEnabled(true));
    for (const c of convCases) {
      it(convName(c), async () => {
        const x = randomData(c.x);
        const f = randomData(c.f);
        const r = randomData([c.x.reduce((a, b) => a * b, 1) * (c.f[3] ?? 1)]);
        const before = await onBackend('wasm', () => tf.memory().numTensors);
        const [expected, actual] = await cpuThenFastWasm(() => convGrads(c, x, f, r));
        expect(tf.memory().numTensors).toBe(before);
        expectCloseScaled(actual[0]!, expected[0]!); // input gradient
        expectCloseScaled(actual[1]!, expected[1]!); // filter gradient
      });
    }

    it('in chunks of batch items (a column matrix capped at a few items) the result is the same', async () => {
      const c = { x: [5, 9, 8, 3], f: [3, 3, 3, 4], strides: [2, 1] as [number, number], pad: 'same' as const };
      const x = randomData(c.x);
      const dy = randomData([5, 5, 8, 4]);
      const f = randomData(c.f);
      await tf.setBackend('wasm');
      installFastWasmKernels(tf);
      const backend = tf.backend();
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
      const run = (chunkFloats: number) =>
        tf.tidy(() => {
          const xt = tf.tensor(x.data, c.x);
          const dyt = tf.tensor(dy.data, dy.shape);
          const ft = tf.tensor(f.data, c.f);
          const dw = makeConv2DBackpropFilter(tf, chunkFloats)({ inputs: { x: xt, dy: dyt }, backend, attrs: { ...attrs, filterShape: c.f } }) as tf.TensorInfo;
          const dx = makeConv2DBackpropInput(tf, chunkFloats)({ inputs: { dy: dyt, filter: ft }, backend, attrs: { ...attrs, inputShape: c.x } }) as tf.TensorInfo;
          return [dw, dx].map((t) => {
            const tensor = tf.engine().makeTensorFromTensorInfo(t);
            return { data: tensor.dataSync() as Float32Array, shape: tensor.shape };
          });
        });
      expect(itemsPerChunk({ batch: 5, outHeight: 5, outWidth: 8, filterHeight: 3, filterWidth: 3, inChannels: 3 } as Parameters<typeof itemsPerChunk>[0], 2 * 5 * 8 * 27)).toBe(2);
      const whole = run(1 << 24);
      const chunked = run(2 * 5 * 8 * 27); // two batch items per chunk: chunks of 2, 2, 1
      expectClose(chunked[0]!, whole[0]!, 50);
      expectClose(chunked[1]!, whole[1]!, 50);
    });
  });
  }

  for (const simd of [true, false]) {
  describe(`Sum and Mean match the cpu reference (leading axes on the fast path${simd ? ', by the SIMD kernel' : ', by the JS pass'}, the rest on the stock kernel)`, () => {
    beforeAll(() => setSimdKernelsEnabled(simd));
    afterAll(() => setSimdKernelsEnabled(true));
    const cases: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
      { shape: [7, 5, 6, 3], axis: [0, 1, 2], keepDims: false },
      { shape: [7, 5, 6, 3], axis: [2, 0, 1], keepDims: true },
      { shape: [33, 17], axis: 0, keepDims: false },
      { shape: [1, 4, 9], axis: [0, 1], keepDims: false },
      { shape: [6, 4, 5], axis: [1, 2], keepDims: false },
      { shape: [6, 4, 5], axis: -1, keepDims: true },
      { shape: [6, 4], axis: [0, 1], keepDims: false },
      { shape: [3, 7, 5, 16], axis: [0, 1, 2], keepDims: false }, // 105 rows: thirteen blocks of eight and a rest
      { shape: [8, 70], axis: 0, keepDims: false },
    ];
    for (const c of cases) {
      for (const op of ['sum', 'mean'] as const) {
        it(`${op} shape ${c.shape.join('×')} axis ${String(c.axis)}${c.keepDims ? ' keepDims' : ''}`, async () => {
          const x = randomData(c.shape);
          const run = () =>
            tf.tidy(() => {
              const r = tf[op](tf.tensor(x.data, x.shape), c.axis, c.keepDims);
              return { data: r.dataSync() as Float32Array, shape: r.shape };
            });
          const [expected, actual] = await cpuThenFastWasm(run);
          expectClose(actual, expected, c.shape[0] ?? 1);
        });
      }
    }
  });
  }

  for (const simd of [true, false]) {
  describe(`AvgPoolGrad matches the cpu reference${simd ? '' : ' (SIMD kernels off: the JS pass)'}`, () => {
    beforeAll(() => setSimdKernelsEnabled(simd));
    afterAll(() => setSimdKernelsEnabled(true));
    const cases: { x: number[]; pool: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
      { x: [2, 8, 8, 3], pool: [2, 2], strides: [2, 2], pad: 'valid' },
      { x: [3, 11, 11, 16], pool: [2, 2], strides: [2, 2], pad: 'valid' }, // odd size: a row and column in no window
      { x: [2, 9, 7, 4], pool: [3, 3], strides: [2, 2], pad: 'same' }, // overlapping, cut by the padding
      { x: [1, 7, 5, 2], pool: [2, 3], strides: [1, 2], pad: 'same' },
      { x: [2, 6, 6, 5], pool: [3, 2], strides: [3, 3], pad: 'valid' },
    ];
    for (const c of cases) {
      it(`x ${c.x.join('×')} pool ${c.pool.join('×')} strides ${c.strides.join(',')} ${c.pad}`, async () => {
        const x = randomData(c.x);
        const r = randomData([x.data.length]);
        const run = () =>
          tf.tidy(() => {
            const xt = tf.tensor4d(x.data, c.x as [number, number, number, number]);
            const g = tf.grad((a: tf.Tensor) => {
              const y = tf.avgPool(a as tf.Tensor4D, c.pool, c.strides, c.pad);
              return tf.sum(tf.mul(y, tf.tensor(r.data.subarray(0, y.size), y.shape)));
            })(xt);
            return { data: g.dataSync() as Float32Array, shape: g.shape };
          });
        const [expected, actual] = await cpuThenFastWasm(run);
        expectClose(actual, expected, 1);
      });
    }
  });
  }

  describe('Tile matches the cpu reference', () => {
    const cases: { shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
      { shape: [1, 1, 1, 16], reps: [4, 5, 6, 1], dtype: 'float32' }, // batch normalization's gradient
      { shape: [3, 1, 2, 1], reps: [2, 7, 1, 40], dtype: 'float32' }, // short last-axis rows, many repeats
      { shape: [2, 3], reps: [3, 1], dtype: 'int32' },
      { shape: [5], reps: [9], dtype: 'bool' },
      { shape: [2, 2, 3], reps: [1, 1, 1], dtype: 'float32' },
      { shape: [1, 33], reps: [3, 2], dtype: 'float32' }, // a long last-axis row, copied by memmove
      { shape: [0, 3], reps: [2, 2], dtype: 'float32' },
    ];
    for (const c of cases) {
      it(`${c.dtype} ${c.shape.join('×')} by ${c.reps.join('×')}`, async () => {
        const x = randomData(c.shape);
        const run = () =>
          tf.tidy(() => {
            const t = c.dtype === 'float32' ? tf.tensor(x.data, c.shape) : c.dtype === 'int32' ? tf.tensor(Array.from(x.data, (v) => Math.round(v * 100)), c.shape, 'int32') : tf.tensor(Array.from(x.data, (v) => (v > 0 ? 1 : 0)), c.shape, 'bool');
            const r = tf.tile(t, c.reps);
            return { data: Float32Array.from(r.dataSync() as ArrayLike<number>), shape: r.shape, dtype: r.dtype };
          });
        const [expected, actual] = await cpuThenFastWasm(run);
        expect(actual.dtype).toBe(expected.dtype);
        expect(actual.shape).toEqual(expected.shape);
        expect(Array.from(actual.data)).toEqual(Array.from(expected.data));
      });
    }
  });

  for (const simd of [true, false]) {
  describe(`MaxPoolGrad matches the cpu reference, ties included${simd ? '' : ' (SIMD kernels off: the JS passes)'}`, () => {
    beforeAll(() => setSimdKernelsEnabled(simd));
    afterAll(() => setSimdKernelsEnabled(true));
    const cases: { x: number[]; pool: [number, number]; strides: [number, number]; pad: 'same' | 'valid'; ties: boolean }[] = [
      { x: [2, 8, 8, 3], pool: [2, 2], strides: [2, 2], pad: 'valid', ties: false },
      { x: [1, 7, 9, 2], pool: [2, 2], strides: [2, 2], pad: 'same', ties: false },
      { x: [2, 9, 7, 4], pool: [3, 3], strides: [2, 2], pad: 'same', ties: true },
      { x: [3, 11, 11, 5], pool: [2, 3], strides: [1, 2], pad: 'valid', ties: true },
      // 2×2 windows on odd sizes: whole windows take the written-out path, edge windows the general one
      { x: [2, 11, 9, 16], pool: [2, 2], strides: [2, 2], pad: 'valid', ties: true },
      { x: [1, 7, 5, 3], pool: [2, 2], strides: [2, 2], pad: 'same', ties: true },
      { x: [2, 6, 7, 2], pool: [2, 2], strides: [1, 1], pad: 'same', ties: false },
    ];
    for (let i = 0; i < 4; i++) {
      const ph = randInt(1, 3);
      const pw = randInt(1, 3);
      cases.push({ x: [randInt(1, 3), randInt(ph, 12), randInt(pw, 12), randInt(1, 6)], pool: [ph, pw], strides: [randInt(1, 3), randInt(1, 3)], pad: rand() < 0.5 ? 'same' : 'valid', ties: rand() < 0.5 });
    }
    for (const c of cases) {
      it(`x ${c.x.join('×')} pool ${c.pool.join('×')} strides ${c.strides.join(',')} ${c.pad}${c.ties ? ', many ties' : ''}`, async () => {
        const x = randomData(c.x);
        // Rounded values (as after a relu, many zeros) make equal maxima in one window common.
        if (c.ties) x.data.forEach((v, i) => (x.data[i] = Math.max(0, Math.round(v * 2))));
        const r = randomData([x.data.length]);
        const run = () =>
          tf.tidy(() => {
            const xt = tf.tensor4d(x.data, c.x as [number, number, number, number]);
            const g = tf.grad((a: tf.Tensor) => {
              const y = tf.maxPool(a as tf.Tensor4D, c.pool, c.strides, c.pad);
              return tf.sum(tf.mul(y, tf.tensor(r.data.subarray(0, y.size), y.shape)));
            })(xt);
            return { data: g.dataSync() as Float32Array, shape: g.shape };
          });
        const [expected, actual] = await cpuThenFastWasm(run);
        expectClose(actual, expected, 1);
      });
    }

    // 3 channels: every window one channel at a time in the SIMD kernel; 9: two groups of four and one left over.
    for (const ch of [3, 9])
    it(`2×2 pools with a window of −∞ and infinite or NaN gradients follow the cpu rule (the branch-free path skips them), ${ch} channels`, async () => {
      const shape: [number, number, number, number] = [2, 6, 8, ch];
      const x = randomData(shape);
      x.data.forEach((v, i) => (x.data[i] = Math.max(0, Math.round(v * 2)))); // ties, as after a relu
      // One whole window (item 0, rows 2–3, columns 4–5, channel 1) is −∞.
      for (const [r, c] of [[2, 4], [2, 5], [3, 4], [3, 5]] as const) x.data[((0 * 6 + r) * 8 + c) * ch + 1] = -Infinity;
      const pooled = [2, 3, 4, ch];
      const r = randomData(pooled);
      r.data[0] = Infinity;
      r.data[7] = -Infinity;
      r.data[11] = NaN;
      r.data[(1 * 4 + 2) * ch + 1] = 5; // the −∞ window's gradient goes nowhere
      const run = () =>
        tf.tidy(() => {
          const xt = tf.tensor4d(x.data, shape);
          const y = tf.maxPool(xt, [2, 2], [2, 2], 'valid');
          const g = tf.engine().runKernel('MaxPoolGrad', { dy: tf.tensor4d(r.data, pooled as [number, number, number, number]), input: xt, output: y }, { filterSize: [2, 2], strides: [2, 2], pad: 'valid' }) as tf.Tensor;
          return { data: g.dataSync() as Float32Array, shape: g.shape };
        });
      const [expected, actual] = await cpuThenFastWasm(run);
      expect(actual.shape).toEqual(expected.shape);
      expect(Array.from(actual.data, String)).toEqual(Array.from(expected.data, String));
    });
  });
  }

  describe(`${MAX_POOL_GRAD_BIAS} = relu's derivative, MaxPoolGrad and the bias Sum on the cpu backend`, () => {
    // The reference: the three kernels the conv step ran before the fused one, on cpu.
    const reference = (xt: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, strides: [number, number], pad: 'same' | 'valid', relu: boolean) => {
      const masked = relu ? tf.mul(dy, tf.step(y)) : dy;
      const dx = tf.engine().runKernel('MaxPoolGrad', { dy: masked, input: xt, output: y }, { filterSize: [2, 2], strides, pad }) as tf.Tensor4D;
      return [dx, tf.sum(dx, [0, 1, 2])];
    };
    const cases: { x: [number, number, number, number]; strides: [number, number]; pad: 'same' | 'valid'; relu: boolean; nonFinite?: boolean }[] = [
      { x: [2, 8, 8, 16], strides: [2, 2], pad: 'valid', relu: true },
      { x: [3, 11, 11, 32], strides: [2, 2], pad: 'valid', relu: true }, // the Small CNN's second pool: an odd size
      { x: [1, 6, 10, 9], strides: [2, 2], pad: 'same', relu: true }, // two groups of four channels and one left over
      { x: [2, 9, 7, 3], strides: [2, 3], pad: 'valid', relu: false },
      { x: [2, 7, 9, 5], strides: [3, 2], pad: 'valid', relu: true, nonFinite: true },
      { x: [1, 4, 4, 8], strides: [2, 2], pad: 'valid', relu: true, nonFinite: true },
    ];
    for (const c of cases) {
      it(`x ${c.x.join('×')} strides ${c.strides.join(',')} ${c.pad}${c.relu ? ', relu' : ''}${c.nonFinite ? ', NaN and ±∞ in x and dy' : ''}`, async () => {
        const x = randomData(c.x);
        x.data.forEach((v, i) => (x.data[i] = Math.max(0, Math.round(v * 3)) - (c.relu ? 0 : 1))); // ties and zeros, as after a relu
        if (c.nonFinite === true) {
          x.data[1] = NaN;
          x.data[c.x[3] + 2] = Infinity;
          x.data[5 * c.x[3] + 1] = -Infinity;
        }
        // The pooled y from the cpu backend for both runs (wasm's own max pool treats NaN its own way).
        await tf.setBackend('cpu');
        const { pooledShape, yData } = tf.tidy(() => {
          const y = tf.maxPool(tf.tensor4d(x.data, c.x), [2, 2], c.strides, c.pad);
          return { pooledShape: y.shape, yData: y.dataSync() as Float32Array };
        });
        const dyData = randomData(pooledShape);
        if (c.nonFinite === true) {
          dyData.data[0] = Infinity;
          dyData.data[3] = NaN;
          dyData.data[c.x[3] + 1] = -Infinity;
        }
        const run = () =>
          tf.tidy(() => {
            const xt = tf.tensor4d(x.data, c.x);
            const y = tf.tensor4d(yData, pooledShape);
            const dy = tf.tensor4d(dyData.data, pooledShape);
            const fused = tf.getBackend() === 'wasm';
            if (fused) expect(fusedMaxPoolGradAvailable(tf, c.x, [2, 2], c.strides, c.pad)).toBe(simdKernelsOf(tf.backend()) != null);
            const [dx, sums] = fused
              ? (tf.engine().runKernel(MAX_POOL_GRAD_BIAS, { dy, input: xt, output: y }, { filterSize: [2, 2], strides: c.strides, pad: c.pad, relu: c.relu }) as tf.Tensor[])
              : reference(xt, y, dy, c.strides, c.pad, c.relu);
            return { dx: { data: (dx as tf.Tensor).dataSync() as Float32Array, shape: (dx as tf.Tensor).shape }, sums: { data: (sums as tf.Tensor).dataSync() as Float32Array, shape: (sums as tf.Tensor).shape } };
          });
        const [expected, actual] = await cpuThenFastWasm(run);
        expect(actual.dx.shape).toEqual(expected.dx.shape);
        expect(Array.from(actual.dx.data, String)).toEqual(Array.from(expected.dx.data, String)); // the same rule, bit for bit
        expect(actual.sums.shape).toEqual([c.x[3]]);
        // float64 sums in another order: close to the cpu's float32 Sum; a non-finite sum the same one
        expected.sums.data.forEach((e, i) => {
          const a = actual.sums.data[i] ?? NaN;
          if (Number.isFinite(e)) expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(e)));
          else expect(String(a)).toBe(String(e));
        });
      });
    }
    it('is not offered for windows that overlap, are not 2×2 or are cut by padding', async () => {
      await tf.setBackend('wasm');
      expect(fusedMaxPoolGradAvailable(tf, [1, 8, 8, 4], [2, 2], [1, 1], 'valid')).toBe(false);
      expect(fusedMaxPoolGradAvailable(tf, [1, 9, 9, 4], [3, 3], [3, 3], 'valid')).toBe(false);
      expect(fusedMaxPoolGradAvailable(tf, [1, 7, 7, 4], [2, 2], [2, 2], 'same')).toBe(false); // 'same' pads an odd size
      expect(() => tf.engine().runKernel(MAX_POOL_GRAD_BIAS, { dy: tf.zeros([1, 7, 7, 4]), input: tf.zeros([1, 8, 8, 4]), output: tf.zeros([1, 7, 7, 4]) }, { filterSize: [2, 2], strides: [1, 1], pad: 'valid', relu: true })).toThrow(/2×2 windows that neither overlap/);
    });
  });

  describe(`${DROPOUT_MULTIPLIER} = tf.dropout's multiplier, bit for bit`, () => {
    for (const rate of [0, 0.25, 0.5, 0.8]) {
      it(`rate ${rate}, seeds and sizes (odd, one, large)`, async () => {
        for (const [seed, n] of [[0, 1], [1, 7], [42, 1000], [123456789, 128 * 1600], [2.5, 33], [-3, 4]] as const) {
          const expected = await onBackend('cpu', () => tf.tidy(() => tf.dropout(tf.ones([n]), rate, undefined, seed).dataSync() as Float32Array));
          await tf.setBackend('wasm');
          installFastWasmKernels(tf);
          expect(dropoutKernelAvailable(tf)).toBe(simdKernelsOf(tf.backend()) != null);
          const { keep, scale, state } = dropoutDraw(rate, seed);
          const actual = tf.tidy(() => (tf.engine().runKernel(DROPOUT_MULTIPLIER, {}, { shape: [n], keep, scale, state }) as tf.Tensor).dataSync() as Float32Array);
          expect(Array.from(actual), `seed ${seed}, ${n} values`).toEqual(Array.from(expected));
        }
      });
    }
  });

  describe(`${CONV_POOL_GRAD} = MaxPoolGrad, then the filter and input gradients and the bias Sum on the cpu backend`, () => {
    type Case = { x: [number, number, number, number]; filter: [number, number, number, number]; strides: [number, number]; relu: boolean; dx: boolean; nonFinite?: boolean };
    const cases: Case[] = [
      { x: [2, 12, 12, 16], filter: [3, 3, 16, 32], strides: [2, 2], relu: true, dx: true }, // the Small CNN's second block, smaller
      { x: [3, 13, 13, 4], filter: [3, 3, 4, 8], strides: [2, 2], relu: true, dx: true }, // an odd conv output (11): a row and column in no window
      { x: [2, 9, 10, 5], filter: [2, 3, 5, 6], strides: [2, 3], relu: false, dx: true }, // rows of 15 taps, a channel past the groups of four
      { x: [1, 6, 6, 8], filter: [1, 1, 8, 4], strides: [2, 2], relu: true, dx: false }, // batch 1, a 1×1 filter
      { x: [2, 8, 8, 1], filter: [3, 3, 1, 4], strides: [2, 2], relu: true, dx: false }, // one input channel: padded rows read past x's end
      { x: [2, 8, 8, 4], filter: [3, 3, 4, 4], strides: [2, 2], relu: true, dx: true, nonFinite: true },
    ];
    for (const c of cases) {
      it(`x ${c.x.join('×')} filter ${c.filter.join('×')} pool strides ${c.strides.join(',')}${c.relu ? ', relu' : ''}${c.dx ? ', with dx' : ''}${c.nonFinite ? ', NaN and ±∞ in dy, −∞ windows' : ''}`, async () => {
        const xd = randomData(c.x);
        const wd = randomData(c.filter);
        // z, y on the cpu backend for both runs: the conv's output after the activation, rounded for ties, and its pool
        await tf.setBackend('cpu');
        const { zData, zShape, yData, yShape } = tf.tidy(() => {
          const conv = tf.conv2d(tf.tensor4d(xd.data, c.x), tf.tensor4d(wd.data, c.filter), 1, 'valid');
          let z = tf.div(tf.round(tf.mul(c.relu ? tf.relu(conv) : conv, 2)), 2) as tf.Tensor4D;
          if (c.nonFinite === true) z = tf.where(tf.tensor4d(Array.from({ length: z.size }, (_, i) => i % 37 === 5 ? 1 : 0), z.shape).cast('bool'), tf.fill(z.shape, -Infinity), z) as tf.Tensor4D;
          const y = tf.maxPool(z, [2, 2], c.strides, 'valid');
          return { zData: z.dataSync() as Float32Array, zShape: z.shape, yData: y.dataSync() as Float32Array, yShape: y.shape };
        });
        const dyd = randomData(yShape);
        if (c.nonFinite === true) {
          dyd.data[1] = NaN;
          dyd.data[6] = Infinity;
          dyd.data[yShape[3] + 2] = -Infinity;
        }
        const run = () =>
          tf.tidy(() => {
            const x = tf.tensor4d(xd.data, c.x);
            const filter = tf.tensor4d(wd.data, c.filter);
            const z = tf.tensor4d(zData, zShape);
            const y = tf.tensor4d(yData, yShape);
            const dy = tf.tensor4d(dyd.data, yShape);
            const convAttrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC' };
            let outs: tf.Tensor[];
            if (tf.getBackend() === 'wasm') {
              outs = tf.engine().runKernel(CONV_POOL_GRAD, { x, z, y, dy, filter }, { filterSize: [2, 2], strides: c.strides, pad: 'valid', relu: c.relu, inputGradient: c.dx }) as tf.Tensor[];
            } else {
              const dz = tf.engine().runKernel('MaxPoolGrad', { dy: c.relu ? tf.mul(dy, tf.step(y)) : dy, input: z, output: y }, { filterSize: [2, 2], strides: c.strides, pad: 'valid' }) as tf.Tensor4D;
              outs = [tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...convAttrs, filterShape: c.filter }) as tf.Tensor, tf.sum(dz, [0, 1, 2])];
              if (c.dx) outs.push(tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter }, { ...convAttrs, inputShape: c.x }) as tf.Tensor);
            }
            return outs.map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
          });
        const [expected, actual] = await cpuThenFastWasm(run);
        expect(actual.length).toBe(c.dx ? 3 : 2);
        actual.forEach((a, k) => {
          const e = expected[k] as { data: Float32Array; shape: number[] };
          expect(a.shape).toEqual(e.shape);
          // sums in another order: close where finite; the same non-finite value where not
          e.data.forEach((v, i) => {
            const got = a.data[i] ?? NaN;
            if (Number.isFinite(v)) expect(Math.abs(got - v)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v)));
            else expect(String(got)).toBe(String(v));
          });
        });
      });
    }
    it('is offered only for stride-1 unpadded convolutions over 4+ channels under a whole, non-overlapping 2×2 pool', async () => {
      await tf.setBackend('wasm');
      const simd = simdKernelsOf(tf.backend()) != null;
      const conv = { filterShape: [3, 3, 16, 32], strides: [1, 1] as [number, number], padding: 'valid' as const };
      expect(convPoolBackwardAvailable(tf, conv, [8, 11, 11, 32], [2, 2], [2, 2], 'valid')).toBe(simd);
      expect(convPoolBackwardAvailable(tf, { ...conv, strides: [2, 2] }, [8, 11, 11, 32], [2, 2], [2, 2], 'valid')).toBe(false);
      expect(convPoolBackwardAvailable(tf, { ...conv, padding: 'same' }, [8, 11, 11, 32], [2, 2], [2, 2], 'valid')).toBe(false);
      expect(convPoolBackwardAvailable(tf, { ...conv, filterShape: [3, 3, 1, 32] }, [8, 11, 11, 32], [2, 2], [2, 2], 'valid')).toBe(false);
      expect(convPoolBackwardAvailable(tf, conv, [8, 11, 11, 32], [3, 3], [3, 3], 'valid')).toBe(false);
      const t = tf.zeros([1, 6, 6, 4]);
      expect(() => tf.engine().runKernel(CONV_POOL_GRAD, { x: t, z: tf.zeros([1, 5, 5, 4]), y: tf.zeros([1, 2, 2, 4]), dy: tf.zeros([1, 2, 2, 4]), filter: tf.zeros([3, 3, 4, 4]) }, { filterSize: [2, 2], strides: [2, 2], pad: 'valid', relu: true, inputGradient: true })).toThrow(/not a stride-1 unpadded convolution/);
    });
  });
}
