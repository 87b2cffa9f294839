// The inside views' numbers: activations equal tfjs's own forward pass, saliency of a linear
// model is its weights × input, integrated gradients agree there, and nothing leaks tensors.
import * as tfjs from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPreset, type Architecture } from '../../../src-shared/index.ts';
import { classScores, inspectImage } from '../../../src-main/lab/inside/activations.ts';
import { buildModel } from '../../../src-main/lab/model/build-model.ts';
import type { LayersModel, Tensor, Tf } from '../../../src-main/lab/model/tf-types.ts';
import { SeededRandom } from '../../../src-main/lab/util/seeded-random.ts';

const tf = tfjs as unknown as Tf;
beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomImage(n: number, seed: number): number[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => rng.next());
}

/** Each layer's output by tfjs itself: a functional model ending at that layer, predicted. */
function directOutputs(model: LayersModel, image: number[], inputShape: number[]): Float32Array[] {
  return model.layers.map((layer) =>
    tf.tidy(() => {
      const sub = tf.model({ inputs: model.inputs, outputs: layer.output as tfjs.SymbolicTensor });
      return (sub.predict(tf.tensor(image, [1, ...inputShape])) as Tensor).dataSync() as Float32Array;
    }),
  );
}

const linear: Architecture = { inputShape: [784], layers: [{ type: 'dense', units: 10, activation: 'softmax' }] };
const cnn: Architecture = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

// The serving process runs these on wasm (the Predictor's backend); cpu is tfjs's reference.
describe.each(['cpu', 'wasm'])('inspectImage on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it('every dense layer of the seed MLP equals a direct tfjs forward pass, with its statistics', () => {
    const arch = findPreset('keras-mlp')!.architecture;
    const model = buildModel(tf, arch, 5);
    const image = randomImage(784, 1);
    const result = inspectImage(tf, model, arch, model.layers.map((l) => l.name), image, 'gradient-x-input', null);
    const direct = directOutputs(model, image, [784]);
    expect(result.layers.map((l) => l.outputShape)).toEqual([[512], [10]]);
    result.layers.forEach((layer, i) => {
      const want = direct[i]!;
      expect(layer.values).toHaveLength(want.length);
      layer.values.forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 5));
      expect(layer.stats.min).toBeCloseTo(Math.min(...want), 6);
      expect(layer.stats.max).toBeCloseTo(Math.max(...want), 6);
      expect(layer.stats.zeroFraction).toBeCloseTo(want.filter((v) => v === 0).length / want.length, 9);
    });
    // ReLU outputs: some units are dead for a random image.
    expect(result.layers[0]!.stats.zeroFraction).toBeGreaterThan(0);
    expect(result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(result.predicted).toBe(result.probabilities.indexOf(Math.max(...result.probabilities)));
    model.dispose();
  });

  it('conv feature maps come channel-major and equal the direct pass (dropout off)', () => {
    const model = buildModel(tf, cnn, 2);
    const image = randomImage(784, 2);
    const result = inspectImage(tf, model, cnn, model.layers.map((l) => l.name), image, 'gradient-x-input', 3);
    const direct = directOutputs(model, image, [28, 28, 1]);
    const conv = result.layers[0]!;
    expect(conv.outputShape).toEqual([26, 26, 4]);
    expect(conv.channels).toBe(4);
    const hwc = direct[0]!;
    for (const [c, y, x] of [[0, 0, 0], [1, 5, 7], [3, 25, 25], [2, 13, 1]] as const) {
      expect(conv.values[c * 26 * 26 + y * 26 + x]).toBeCloseTo(hwc[(y * 26 + x) * 4 + c]!, 5);
    }
    result.layers.slice(2).forEach((layer, i) => layer.values.forEach((v, j) => expect(v).toBeCloseTo(direct[i + 2]![j]!, 5)));
    expect(result.saliency.target).toBe(3);
    expect(result.saliency.shape).toEqual([28, 28]);
    model.dispose();
  });

  it('saliency of a linear model is its weights × input, for gradient × input and integrated gradients', () => {
    const model = buildModel(tf, linear, 9);
    // Non-zero bias, so the score is not homogeneous in the input (integrated gradients still equals W × x).
    const [kernel, bias] = model.getWeights();
    model.setWeights([kernel!, tf.fill(bias!.shape, 0.3)]);
    const w = kernel!.dataSync() as Float32Array;
    const image = randomImage(784, 3);
    for (const method of ['gradient-x-input', 'integrated-gradients'] as const) {
      const result = inspectImage(tf, model, linear, ['dense_1'], image, method, 7);
      expect(result.saliency.values).toHaveLength(784);
      result.saliency.values.forEach((v, p) => expect(v).toBeCloseTo(w[p * 10 + 7]! * image[p]!, 5));
    }
    model.dispose();
  });

  it('explains the pre-softmax score of the last dense layer', () => {
    const model = buildModel(tf, linear, 4);
    const image = randomImage(784, 4);
    const scores = tf.tidy(() => classScores(tf, model, linear, tf.tensor(image, [1, 784])).dataSync() as Float32Array);
    const probs = tf.tidy(() => (model.predict(tf.tensor(image, [1, 784])) as Tensor).dataSync() as Float32Array);
    const softmax = Array.from(scores).map((s) => Math.exp(s));
    const total = softmax.reduce((a, b) => a + b, 0);
    softmax.forEach((s, i) => expect(s / total).toBeCloseTo(probs[i]!, 5));
    model.dispose();
  });

  it('leaves no tensors behind', () => {
    const model = buildModel(tf, cnn, 1);
    const image = randomImage(784, 5);
    inspectImage(tf, model, cnn, [], image, 'integrated-gradients', null);
    const before = tf.memory().numTensors;
    inspectImage(tf, model, cnn, [], image, 'gradient-x-input', null);
    inspectImage(tf, model, cnn, [], image, 'integrated-gradients', 2);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses an image of the wrong size with a clear error', () => {
    const model = buildModel(tf, linear, 1);
    expect(() => inspectImage(tf, model, linear, [], [0.5, 0.5], 'gradient-x-input', null)).toThrow(/takes 784 input values \(784\), the image has 2/);
    model.dispose();
  });
});
