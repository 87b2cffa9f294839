// The lean train step: Keras' loss, the same gradients/updates as the stock path, every tf.layers layer type,
// no tensor leaks; and batched predict/evaluate.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFastWasmKernels, uninstallFastWasmKernels } from '../../../src-main/lab/engine/wasm-kernels/index.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { predictProbabilities, scorePredictions } from '../../../src-main/lab/training/evaluate.ts';
import { softmaxCrossEntropyRows } from '../../../src-main/lab/training/softmax-crossentropy.ts';
import { categoricalCrossentropyFromProbs, createTrainStep, softmaxCrossEntropyFromLogits } from '../../../src-main/lab/training/train-step.ts';

function mlp(): tf.Sequential {
  return tf.sequential({
    layers: [tf.layers.dense({ inputShape: [20], units: 16, activation: 'relu' }), tf.layers.dense({ units: 5, activation: 'softmax' })],
  });
}

function data(n: number, width: number, classes: number, seed: number): { x: Float32Array; y: Float32Array } {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const x = new Float32Array(n * width).map(() => r() * 2 - 1);
  const y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) y[i * classes + Math.floor(r() * classes)] = 1;
  return { x, y };
}

/** One lean step from fixed initial weights; returns the updated weights and the loss. */
function stepOnce(initial: tf.Tensor[], batch: { x: Float32Array; y: Float32Array }) {
  return tf.tidy(() => {
    const model = mlp();
    model.setWeights(initial);
    const step = createTrainStep(model, tf.train.sgd(0.1));
    const { loss, correct } = step(tf.tensor2d(batch.x, [32, 20]), tf.tensor2d(batch.y, [32, 5]));
    const out = { loss, correct, weights: model.getWeights().map((w) => Array.from(w.dataSync())) };
    model.dispose();
    return out;
  });
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});
afterAll(() => {
  uninstallFastWasmKernels(tf);
});

describe('softmax crossentropy from logits', () => {
  it("equals Keras' clipped crossentropy on the softmax, value and gradient", () => {
    const { x, y } = data(16, 5, 5, 7);
    const logits = tf.mul(tf.tensor2d(x, [16, 5]), 4);
    const labels = tf.tensor2d(y, [16, 5]);
    const ours = tf.valueAndGrad((z: tf.Tensor) => softmaxCrossEntropyFromLogits(z, labels))(logits);
    const keras = tf.valueAndGrad((z: tf.Tensor) => categoricalCrossentropyFromProbs(tf.softmax(z), labels))(logits);
    expect(ours.value.dataSync()[0]).toBeCloseTo(keras.value.dataSync()[0] ?? NaN, 5);
    const diff = tf.max(tf.abs(tf.sub(ours.grad, keras.grad))).dataSync()[0] ?? NaN;
    expect(diff).toBeLessThan(1e-6);
    tf.dispose([logits, labels, ours.value, ours.grad, keras.value, keras.grad]);
  });

  it('counts correct rows as tf.argMax does, ties to the first maximum', () => {
    const { x, y } = data(64, 5, 5, 11);
    // Rounded logits make ties common.
    const z = Float32Array.from(x, (v) => Math.round(v * 2));
    const expected = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(tf.tensor2d(z, [64, 5]), -1), tf.argMax(tf.tensor2d(y, [64, 5]), -1)), 'float32')).dataSync()[0]);
    expect(softmaxCrossEntropyRows(z, y, 64, 5).correct).toBe(expected);
    let reported = -1;
    tf.tidy(() => softmaxCrossEntropyFromLogits(tf.tensor2d(z, [64, 5]), tf.tensor2d(y, [64, 5]), (r) => (reported = r.correct)));
    expect(reported).toBe(expected);
  });

  it('stays finite and caps like Keras for hopeless logits', () => {
    const loss = tf.tidy(() => softmaxCrossEntropyFromLogits(tf.tensor2d([[1000, -1000]]), tf.tensor2d([[0, 1]])).dataSync()[0]);
    expect(loss).toBeCloseTo(-Math.log(1e-7), 3);
  });
});

describe('createTrainStep', () => {
  it('fast wasm kernels give the same update as stock wasm and the cpu backend', async () => {
    await tf.setBackend('cpu');
    const init = tf.tidy(() => mlp().getWeights().map((w) => tf.keep(w.clone())));
    const initData = init.map((w) => ({ data: w.dataSync().slice(), shape: w.shape }));
    const batch = data(32, 20, 5, 3);
    const cpu = stepOnce(init, batch);
    tf.dispose(init);
    const runOnWasm = () => {
      const w = initData.map((d) => tf.tensor(d.data, d.shape));
      const r = stepOnce(w, batch);
      tf.dispose(w);
      return r;
    };
    await tf.setBackend('wasm');
    uninstallFastWasmKernels(tf);
    const stock = runOnWasm();
    installFastWasmKernels(tf);
    const fast = runOnWasm();
    for (const other of [stock, cpu]) {
      expect(fast.loss).toBeCloseTo(other.loss, 5);
      expect(fast.correct).toBe(other.correct);
      fast.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - (other.weights[i]?.[j] ?? NaN))).toBeLessThan(1e-5)));
    }
    // and the step actually moved the weights
    expect(fast.weights[0]).not.toEqual(Array.from(initData[0]?.data ?? []));
  });

  it('trains every tf.layers layer type in training mode without leaking tensors', async () => {
    await tf.setBackend('wasm');
    installFastWasmKernels(tf);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.dense({ units: 10, activation: 'tanh' }),
        tf.layers.dense({ units: 4 }),
        tf.layers.activation({ activation: 'softmax' }),
      ],
    });
    const step = createTrainStep(model, tf.train.adam(0.01));
    const { x, y } = data(16, 144, 4, 11);
    const xs = tf.tensor4d(x, [16, 12, 12, 1]);
    const ys = tf.tensor2d(y, [16, 4]);
    const movingMean = () => (model.layers[1]?.getWeights()[2]?.dataSync() ?? new Float32Array()).slice();
    const meanBefore = movingMean();
    const firstLoss = step(xs, ys).loss;
    const before = tf.memory().numTensors;
    let last = NaN;
    for (let i = 0; i < 15; i++) {
      const { loss, correct } = step(xs, ys);
      last = loss;
      expect(correct).toBeGreaterThanOrEqual(0);
      expect(correct).toBeLessThanOrEqual(16);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(firstLoss); // it learns the (random) labels of a fixed batch
    expect(movingMean()).not.toEqual(meanBefore); // batch norm ran in training mode
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('seed MLP: no tensor leak over many steps', async () => {
    await tf.setBackend('wasm');
    installFastWasmKernels(tf);
    const model = mlp();
    const step = createTrainStep(model, tf.train.sgd(0.01));
    const { x, y } = data(32, 20, 5, 5);
    const xs = tf.tensor2d(x, [32, 20]);
    const ys = tf.tensor2d(y, [32, 5]);
    step(xs, ys);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) step(xs, ys);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('predictProbabilities / scorePredictions', () => {
  it('match model.predict on an uneven last batch, without leaks', async () => {
    await tf.setBackend('wasm');
    installFastWasmKernels(tf);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })] });
    const { x, y } = data(103, 784, 10, 9);
    const labels = new Uint8Array(103).map((_, i) => Array.from(y.subarray(i * 10, i * 10 + 10)).indexOf(1));
    const before = tf.memory().numTensors;
    const ours = predictProbabilities(tf as unknown as Tf, model, x, 103, [784], 25);
    const stock = tf.tidy(() => (model.predict(tf.tensor2d(x, [103, 784])) as tf.Tensor).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    expect(ours).toHaveLength(1030);
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - stock[i]!));
    expect(maxDiff).toBeLessThan(1e-6);
    let correct = 0;
    let loss = 0;
    for (let i = 0; i < 103; i++) {
      const row = Array.from(stock.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
      loss -= Math.log(Math.min(Math.max(row[labels[i]!]!, 1e-7), 1 - 1e-7));
    }
    const scored = scorePredictions(ours, labels);
    expect(scored.accuracy).toBeCloseTo(correct / 103, 6);
    expect(scored.loss).toBeCloseTo(loss / 103, 4);
    model.dispose();
  });
});
