import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFastWasmKernels, uninstallFastWasmKernels } from '../../../src-main/lab/engine/wasm-kernels/index.ts';
import { FUSED_MAX_ELEMENTS, FusedAdagradOptimizer, FusedAdamOptimizer, FusedRmsPropOptimizer } from '../../../src-main/lab/engine/wasm-kernels/fused-optimizers.ts';
import { setLearningRate } from '../../../src-main/lab/training/optimizers.ts';

const LARGE = [300, 250];
const SHAPES = [[7, 5], [13], [3, 3, 2, 4], [1], [64, 33], LARGE];
const STEPS = 6;

interface Kind {
  stock: () => tf.Optimizer;
  fused: () => tf.Optimizer;
}

const KINDS: Record<string, Kind> = {
  'adam (Keras defaults)': { stock: () => tf.train.adam(0.001, 0.9, 0.999, 1e-7), fused: () => new FusedAdamOptimizer(0.001, 0.9, 0.999, 1e-7) },
  'adam (large lr, odd betas)': { stock: () => tf.train.adam(0.3, 0.5, 0.77, 1e-3), fused: () => new FusedAdamOptimizer(0.3, 0.5, 0.77, 1e-3) },
  adagrad: { stock: () => tf.train.adagrad(0.05, 0.1), fused: () => new FusedAdagradOptimizer(0.05, 0.1) },
  rmsprop: { stock: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7), fused: () => new FusedRmsPropOptimizer(0.01, 0.9, 0, 1e-7) },
  'rmsprop (momentum, centered)': { stock: () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-4, true), fused: () => new FusedRmsPropOptimizer(0.01, 0.8, 0.5, 1e-4, true) },
};

/** Seeded values in [−scale, scale), a few exact zeros among them. */
function values(n: number, seed: number, scale: number): Float32Array {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  return new Float32Array(n).map((_, i) => (i % 11 === 3 ? 0 : (r() * 2 - 1) * scale));
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Trains one variable per shape for STEPS steps; the learning rate changes after step 3, and variable 1 has no gradient at step 2. */
function train(backend: 'cpu' | 'wasm', make: () => tf.Optimizer, prefix: string) {
  return (async () => {
    await tf.setBackend(backend);
    const vars = SHAPES.map((shape, k) => tf.tidy(() => tf.variable(tf.tensor(values(size(shape), 100 + k, 1), shape), true, `${prefix}-${k}`)));
    const opt = make();
    for (let step = 0; step < STEPS; step++) {
      if (step === 3) setLearningRate(opt, 0.02); // the app's way of changing a live optimizer's rate
      const grads: tf.NamedTensorMap = {};
      SHAPES.forEach((shape, k) => {
        // A null gradient (tfjs skips the variable but keeps its slot): variable 1 at step 2.
        grads[`${prefix}-${k}`] = step === 2 && k === 1 ? (null as unknown as tf.Tensor) : tf.tensor(values(size(shape), 7 * step + k + 1, step % 2 === 0 ? 3 : 1e-3), shape);
      });
      opt.applyGradients(grads);
      tf.dispose(Object.values(grads).filter((g) => g != null));
    }
    const weights = vars.map((v) => Array.from(v.dataSync()));
    const slots = (await opt.getWeights()).map((w) => ({ name: w.name.replace(prefix, ''), data: Array.from(w.tensor.dataSync()) }));
    opt.dispose();
    tf.dispose(vars);
    return { weights, slots };
  })();
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  installFastWasmKernels(tf); // the shared Identity: clones share buffers, as in the app
});

afterAll(async () => {
  await tf.setBackend('wasm');
  uninstallFastWasmKernels(tf);
});

describe('fused optimizers = tfjs optimizers on cpu', () => {
  it('covers both routes', () => {
    expect(LARGE[0]! * LARGE[1]!).toBeGreaterThan(FUSED_MAX_ELEMENTS);
    expect(SHAPES.filter((sh) => size(sh) <= FUSED_MAX_ELEMENTS).length).toBeGreaterThan(1);
  });
  for (const [name, kind] of Object.entries(KINDS)) {
    it(`${name}: same values and slots, bit for bit`, async () => {
      const stock = await train('cpu', kind.stock, `stock-${name}`);
      const fused = await train('wasm', kind.fused, `fused-${name}`);
      expect(fused.slots.map((s) => s.name)).toEqual(stock.slots.map((s) => s.name));
      // Counted, not diffed: a failing diff of 75,000-element arrays takes minutes to print.
      const differing = (a: number[][], b: number[][]) => a.map((xs, k) => xs.filter((x, j) => !Object.is(x, b[k]?.[j])).length);
      expect(differing(fused.weights, stock.weights)).toEqual(stock.weights.map(() => 0));
      expect(differing(fused.slots.map((x) => x.data), stock.slots.map((x) => x.data))).toEqual(stock.slots.map(() => 0));
    });
  }
});

describe('fused optimizers on wasm', () => {
  it('setWeights resumes the same updates (checkpointed optimizer state)', async () => {
    await tf.setBackend('wasm');
    const w = (name: string) => tf.variable(tf.tensor(values(60, 5, 1), [6, 10]), true, name);
    const grad = (i: number) => tf.tensor(values(60, 9 + i, 2), [6, 10]);
    const a = w('resume-a');
    const b = w('resume-b');
    const first = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
    for (let i = 0; i < 3; i++) tf.tidy(() => first.applyGradients({ 'resume-a': grad(i) }));
    b.assign(a);
    const saved = await first.getWeights();
    const second = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
    await second.setWeights(saved.map((s) => ({ name: s.name, tensor: s.tensor.clone() })));
    tf.tidy(() => first.applyGradients({ 'resume-a': grad(3) }));
    tf.tidy(() => second.applyGradients([{ name: 'resume-b', tensor: grad(3) }]));
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(Array.from(b.dataSync())).not.toEqual(values(60, 5, 1).map((x) => Math.fround(x)));
    first.dispose();
    second.dispose();
    tf.dispose([a, b]);
  });

  it('leaves tensors that share a variable\'s or a slot\'s buffer unchanged', async () => {
    await tf.setBackend('wasm');
    for (const make of [() => new FusedAdamOptimizer(0.5, 0.9, 0.999, 1e-7), () => new FusedAdagradOptimizer(0.5), () => new FusedRmsPropOptimizer(0.5, 0.9, 0.5, 1e-7, true)]) {
      const v = tf.tidy(() => tf.variable(tf.tensor([1, 2, 3, 4]), true, 'shared-cow'));
      const copy = v.clone(); // the shared Identity: the same buffer, one more reference
      const opt = make();
      tf.tidy(() => opt.applyGradients({ 'shared-cow': tf.tensor([1, 1, 1, 1]) }));
      const slotCopies = (await opt.getWeights()).slice(1).map((w) => w.tensor.clone());
      const slotsBefore = slotCopies.map((t) => Array.from(t.dataSync()));
      tf.tidy(() => opt.applyGradients({ 'shared-cow': tf.tensor([1, 1, 1, 1]) }));
      expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4]);
      expect(Array.from(v.dataSync())).not.toEqual([1, 2, 3, 4]);
      expect(slotCopies.map((t) => Array.from(t.dataSync()))).toEqual(slotsBefore);
      const slotsNow = (await opt.getWeights()).slice(1).map((w) => Array.from(w.tensor.dataSync()));
      slotsNow.forEach((now, i) => expect(now).not.toEqual(slotsBefore[i]));
      opt.dispose();
      tf.dispose([v, copy, ...slotCopies]);
    }
  });

  it('a matrix product and a convolution after an update use the new weights (the backend caches per weight buffer)', async () => {
    await tf.setBackend('wasm');
    for (const make of [() => new FusedAdamOptimizer(0.5, 0.9, 0.999, 1e-7), () => new FusedAdagradOptimizer(0.5), () => new FusedRmsPropOptimizer(0.5, 0.9, 0.5)]) {
      const w = tf.tidy(() => tf.variable(tf.tensor(values(24, 21, 1), [6, 4]), true, 'cached-w'));
      const f = tf.tidy(() => tf.variable(tf.tensor(values(18, 22, 1), [3, 3, 1, 2]), true, 'cached-f'));
      const x = tf.tensor(values(12, 23, 1), [2, 6]);
      const image = tf.tensor4d(values(25, 24, 1), [1, 5, 5, 1]);
      const opt = make();
      const products = () => tf.tidy(() => [tf.matMul(x, w), tf.fused.matMul({ a: x, b: w, bias: tf.ones([4]), activation: 'relu' }), tf.conv2d(image, f as tf.Tensor4D, 1, 'valid'), tf.fused.conv2d({ x: image, filter: f as tf.Tensor4D, strides: 1, pad: 'valid', activation: 'relu', bias: tf.ones([2]) })].map((t) => Array.from(t.dataSync())));
      products(); // the backend packs the weights
      tf.tidy(() => opt.applyGradients({ 'cached-w': tf.ones([6, 4]), 'cached-f': tf.ones([3, 3, 1, 2]) }));
      const after = products();
      const fresh = tf.tidy(() => {
        const w2 = tf.tensor(w.dataSync(), w.shape);
        const f2 = tf.tensor4d(f.dataSync(), [3, 3, 1, 2]);
        return [tf.matMul(x, w2), tf.fused.matMul({ a: x, b: w2, bias: tf.ones([4]), activation: 'relu' }), tf.conv2d(image, f2, 1, 'valid'), tf.fused.conv2d({ x: image, filter: f2, strides: 1, pad: 'valid', activation: 'relu', bias: tf.ones([2]) })].map((t) => Array.from(t.dataSync()));
      });
      expect(after).toEqual(fresh);
      opt.dispose();
      tf.dispose([w, f, x, image]);
    }
  });

  it('leaks no tensor, through either route', async () => {
    await tf.setBackend('wasm');
    const makers = [() => new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-7), () => new FusedAdagradOptimizer(0.1), () => new FusedRmsPropOptimizer(0.01, 0.9, 0.5, 1e-7, true)];
    for (const make of makers) {
      const baseline = tf.memory().numTensors;
      const small = tf.tidy(() => tf.variable(tf.tensor(values(40, 3, 1), [4, 10]), true, 'leak-small'));
      const large = tf.tidy(() => tf.variable(tf.tensor(values(size(LARGE), 5, 1), LARGE), true, 'leak-large'));
      const opt = make();
      const step = () => tf.tidy(() => opt.applyGradients({ 'leak-small': tf.tensor(values(40, 4, 1), [4, 10]), 'leak-large': tf.tensor(values(size(LARGE), 6, 1), LARGE) }));
      step(); // slots are made on the first update
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
      tf.dispose([small, large]);
      expect(tf.memory().numTensors).toBe(baseline);
    }
  });

  it('refuses a backend other than wasm', async () => {
    await tf.setBackend('cpu');
    const v = tf.variable(tf.tensor([1, 2]), true, 'cpu-var');
    const opt = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
    expect(() => tf.tidy(() => opt.applyGradients({ 'cpu-var': tf.tensor([1, 1]) }))).toThrow(/wasm backend.*active backend is cpu/);
    opt.dispose();
    v.dispose();
    await tf.setBackend('wasm');
  });
});
