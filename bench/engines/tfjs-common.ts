import * as tf from '@tensorflow/tfjs';
import { predictProbabilities, scorePredictions } from '../../src-main/lab/training/evaluate.ts';
import type { MnistSplit } from '../mnist.ts';

export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(name);
  await tf.ready();
}

/** The seed model: 784-512relu-10softmax, Keras defaults (glorot-uniform kernels, zero biases). */
export function seedModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** Test-set accuracy through Layerlab's own batched predict (the same scoring for every tfjs engine). */
export function valAccuracy(model: tf.LayersModel, test: MnistSplit): number {
  return scorePredictions(predictProbabilities(tf, model, test.images, test.n, [784], 1000), test.labels).accuracy;
}

/** Mean latency of predicting one image, tensor creation and read-back included. */
export function singlePredictMs(predictOne: (i: number) => void): number {
  for (let i = 0; i < 20; i++) predictOne(i);
  const n = 200;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) predictOne(i);
  return (performance.now() - t0) / n;
}

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
