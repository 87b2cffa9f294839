// Conv nets must train exactly like tfjs's cpu backend runs the tape step — same loss, correct count and weights after
// several updates, for strides, same/valid padding, odd sizes, overlapping pools, average pools, every hidden
// activation, batch normalization (its moving averages too), dropout, batch 1 — both through the
// written-out conv step (conv-net-step.ts) on cpu, and through whichever step createTrainStep picks on wasm with
// Layerlab's fast kernels (conv backprops as matrix products, MaxPoolGrad in one pass); and leak nothing.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { installFastWasmKernels, uninstallFastWasmKernels } from '../../../src-main/lab/engine/wasm-kernels/index.ts';
import { createTapeTrainStep, createTrainStep, trainStepPath } from '../../../src-main/lab/training/train-step.ts';
import { randomBatches } from './random-batches.ts';

// Deterministic initial weights: tfjs's initializers seed from Math.random, and an unlucky init can leave every relu
// feeding the first layers dead for a batch, so that the first layer rightly does not move and the "it moved" check
// below fails at random (seen about once in six runs). This file's own process (vitest forks one per file) draws from
// a fixed sequence instead.
let seed = 20261204;
Math.random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

type ModelFactory = () => tf.Sequential;

type Path = ReturnType<typeof trainStepPath>;
const CONV: Path = 'conv net (written-out backward)';

const MODELS: Record<string, { inputShape: [number, number, number]; classes: number; path: Path; make: ModelFactory }> = {
  'small-cnn shape (valid, pool 2)': {
    inputShape: [12, 12, 1],
    path: CONV,
    classes: 5,
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 8, activation: 'relu' }),
          tf.layers.dense({ units: 5, activation: 'softmax' }),
        ],
      }),
  },
  'odd sizes, strides, same padding, overlapping pool, dropout, tanh (applied after the fused conv)': {
    inputShape: [11, 9, 2],
    classes: 4,
    path: CONV,
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [11, 9, 2], filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'tanh' }),
          tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
          tf.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu', useBias: false }),
          tf.layers.flatten(),
          tf.layers.dropout({ rate: 0.3, seed: 7 }),
          tf.layers.dense({ units: 4, activation: 'softmax' }),
        ],
      }),
  },
};

Object.assign(MODELS, {
  'relu, odd sizes, strides, same padding, overlapping pool, no bias, dropout': {
    inputShape: [11, 9, 2],
    classes: 4,
    path: CONV,
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [11, 9, 2], filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
          tf.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu', useBias: false }),
          tf.layers.flatten(),
          tf.layers.dropout({ rate: 0.3, seed: 7 }),
          tf.layers.dense({ units: 4, activation: 'softmax' }),
        ],
      }),
  },
  'pool first, linear conv into a pool, two pools in a row, strided valid conv, conv into flatten': {
    inputShape: [15, 13, 3],
    classes: 3,
    path: CONV,
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.maxPooling2d({ inputShape: [15, 13, 3], poolSize: [2, 1] }),
          tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'linear' }),
          tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
          tf.layers.conv2d({ filters: 6, kernelSize: [2, 3], strides: 2, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 7, activation: 'tanh' }),
          tf.layers.dropout({ rate: 0.2, seed: 3 }),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
  'keras mnist_convnet shape': {
    inputShape: [14, 14, 1],
    classes: 5,
    path: CONV,
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [14, 14, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dropout({ rate: 0.5, seed: 11 }),
          tf.layers.dense({ units: 5, activation: 'softmax' }),
        ],
      }),
  },
  // Every other hidden activation, and average pools (whose gradient takes no mask before it).
  'elu and selu convs, average pools (valid, same, strided), sigmoid conv': {
    inputShape: [12, 10, 2],
    classes: 3,
    path: CONV,
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 10, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'elu' }),
          tf.layers.averagePooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 4, kernelSize: 2, activation: 'selu' }),
          tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
          tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'sigmoid' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
  'softplus and softsign convs, relu conv into an average pool, max pool after': {
    inputShape: [10, 10, 1],
    classes: 4,
    path: CONV,
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [10, 10, 1], filters: 3, kernelSize: 3, activation: 'softplus' }),
          tf.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu' }),
          tf.layers.averagePooling2d({ poolSize: 2, strides: 1 }),
          tf.layers.conv2d({ filters: 4, kernelSize: 2, activation: 'softsign' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 6, activation: 'elu' }),
          tf.layers.dense({ units: 4, activation: 'softmax' }),
        ],
      }),
  },
  'batch normalization after relu convs, before pools and into the flatten (moving averages compared too)': {
    inputShape: [12, 12, 2],
    classes: 4,
    path: CONV,
    make: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3, activation: 'relu' }),
          tf.layers.batchNormalization({ momentum: 0.9 }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 5, kernelSize: 2, activation: 'tanh' }),
          tf.layers.batchNormalization({ epsilon: 0.01, betaInitializer: 'randomNormal', gammaInitializer: 'randomNormal' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 4, activation: 'softmax' }),
        ],
      }),
  },
} satisfies typeof MODELS);

const OPTIMIZERS: Record<string, () => tf.Optimizer> = {
  sgd: () => tf.train.sgd(0.1),
  adam: () => tf.train.adam(0.01),
};

function train(name: string, optimizer: string, rows: number, kind: 'picked' | 'tape' = 'picked') {
  const spec = MODELS[name]!;
  const width = spec.inputShape.reduce((a, b) => a * b, 1);
  const data = randomBatches(3, rows, width, spec.classes, 3);
  return tf.tidy(() => {
    const model = spec.make();
    model.setWeights(initialWeights(name).map((w) => tf.tensor(w.data, w.shape)));
    const opt = OPTIMIZERS[optimizer]!();
    expect(trainStepPath(model)).toBe(spec.path);
    const step = kind === 'tape' ? createTapeTrainStep(model, opt) : createTrainStep(model, opt);
    const trace = data.map((b) => step(tf.tensor4d(b.x, [rows, ...spec.inputShape]), tf.tensor2d(b.y, [rows, spec.classes])));
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    opt.dispose();
    model.dispose();
    return { trace, weights };
  });
}

const initial = new Map<string, { data: Float32Array; shape: number[] }[]>();
function initialWeights(name: string) {
  let w = initial.get(name);
  if (w == null) {
    const template = MODELS[name]!.make();
    w = template.getWeights().map((t) => ({ data: t.dataSync().slice() as Float32Array, shape: t.shape }));
    template.dispose();
    initial.set(name, w);
  }
  return w;
}

afterAll(async () => {
  await tf.setBackend('wasm');
  uninstallFastWasmKernels(tf);
});

function expectSameTraining(a: ReturnType<typeof train>, b: ReturnType<typeof train>, name: string, rows: number, lossDigits: number, weightTolerance: number) {
  a.trace.forEach((t, i) => {
    expect(t.loss).toBeCloseTo(b.trace[i]?.loss ?? NaN, lossDigits);
    expect(t.correct).toBe(b.trace[i]?.correct);
  });
  let worst = 0;
  a.weights.forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (b.weights[i]?.[j] ?? NaN))))));
  expect(worst).toBeLessThan(weightTolerance);
  // the steps moved the weights: some weight always; the first layer's too with 6 rows (with one row every relu
  // below the last conv layer can be dead, and then both steps rightly leave the first layers alone)
  const initial = initialWeights(name);
  expect(a.weights.some((w, i) => w.some((v, j) => v !== initial[i]?.data[j]))).toBe(true);
  if (rows > 1) expect(a.weights[0]).not.toEqual(Array.from(initial[0]?.data ?? []));
}

describe('written-out conv step = tape step on cpu', () => {
  for (const name of Object.keys(MODELS).filter((n) => MODELS[n]?.path === CONV)) {
    for (const optimizer of Object.keys(OPTIMIZERS)) {
      for (const rows of [1, 6]) {
        it(`${name}, ${optimizer}, batch ${rows}`, async () => {
          await tf.setBackend('cpu');
          expectSameTraining(train(name, optimizer, rows), train(name, optimizer, rows, 'tape'), name, rows, 5, 2e-5);
        });
      }
    }
  }

  it('leaves other models to the tape', () => {
    const tapeOnly: tf.Sequential[] = [
      tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [6, 6, 1] }), tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu' }), tf.layers.batchNormalization({ axis: 1 }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu' }), tf.layers.batchNormalization({ gammaRegularizer: tf.regularizers.l2() }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu6' }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }), tf.layers.activation({ activation: 'relu' }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, dilationRate: 2, activation: 'relu' }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu', kernelRegularizer: tf.regularizers.l2() }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu' }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'relu' })] }),
      tf.sequential({ layers: [tf.layers.maxPooling2d({ inputShape: [6, 6, 1], poolSize: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
    ];
    for (const model of tapeOnly) {
      expect(trainStepPath(model)).toBe('tape');
      model.dispose();
    }
  });
});

describe('conv net training on fast wasm = cpu tape', () => {
  for (const name of Object.keys(MODELS)) {
    for (const optimizer of Object.keys(OPTIMIZERS)) {
      for (const rows of [1, 6]) {
        it(`${name}, ${optimizer}, batch ${rows}`, async () => {
          await tf.setBackend('cpu');
          initialWeights(name);
          const cpuTape = train(name, optimizer, rows, 'tape');
          await tf.setBackend('wasm');
          installFastWasmKernels(tf);
          expectSameTraining(train(name, optimizer, rows), cpuTape, name, rows, 4, 1e-4);
        });
      }
    }
  }

  // The last two take the fused pool kernels, the sparse block kernel and the dropout kernel on wasm.
  const leakChecked = ['relu, odd sizes, strides, same padding, overlapping pool, no bias, dropout', ...Object.keys(MODELS).filter((n) => /batch norm/i.test(n)), 'small-cnn shape (valid, pool 2)', 'keras mnist_convnet shape'];
  it.each(leakChecked)('leaks no tensor over many steps: %s', async (name) => {
    await tf.setBackend('wasm');
    installFastWasmKernels(tf);
    const spec = MODELS[name]!;
    const model = spec.make();
    const opt = tf.train.adam(0.01);
    const step = createTrainStep(model, opt);
    const [b] = randomBatches(1, 6, spec.inputShape.reduce((a, c) => a * c, 1), spec.classes, 9);
    const x = tf.tensor4d(b!.x, [6, ...spec.inputShape]);
    const y = tf.tensor2d(b!.y, [6, spec.classes]);
    step(x, y);
    const before = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 10; i++) step(x, y);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });
});
