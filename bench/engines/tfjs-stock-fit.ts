// Stock TensorFlow.js on wasm: model.compile + model.fit as shipped, stock kernels, stock predict (batch 32).
import * as tf from '@tensorflow/tfjs';
import { gatherRows, loadMnist, shuffledIndices } from '../mnist.ts';
import { peakRssMb, seedModel, singlePredictMs, useBackend, valAccuracy } from './tfjs-common.ts';
import type { BenchWorkload, Engine, EngineResult } from './types.ts';

export const engine: Engine = {
  name: 'tfjs-wasm-stock-fit',
  describe: 'tfjs 4.22 wasm, stock kernels, model.fit',
  // Stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter: model.fit cannot train a conv net there at all.
  unavailable: async (workload) => (workload === 'seed-mlp' ? null : 'benched on the seed MLP only (stock wasm cannot train conv nets: no Conv2DBackpropFilter)'),
  async run(w: BenchWorkload): Promise<EngineResult> {
    await useBackend('wasm');
    const { train, test } = loadMnist();
    const stepsPerEpoch = Math.ceil(train.n / w.batchSize);
    const steps = Math.min(stepsPerEpoch, w.maxSteps ?? stepsPerEpoch);
    const n = steps === stepsPerEpoch ? train.n : steps * w.batchSize;
    // model.fit gets the (first n) training images as whole tensors and shuffles them itself, as a user would do.
    const order = shuffledIndices(train.n, w.seed);
    const xs = tf.tensor2d(gatherRows(train.images, 784, order, 0, n), [n, 784]);
    const ys = tf.tensor2d(gatherRows(train.oneHot, 10, order, 0, n), [n, 10]);
    const model = seedModel();
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const t0 = performance.now();
    const h = await model.fit(xs, ys, { batchSize: w.batchSize, epochs: 1, shuffle: true, verbose: 0 });
    const seconds = (performance.now() - t0) / 1000;
    const testX = tf.tensor2d(test.images, [test.n, 784]);
    const p0 = performance.now();
    const pred = model.predict(testX) as tf.Tensor; // default batchSize 32
    pred.dataSync();
    const predictSeconds = (performance.now() - p0) / 1000;
    pred.dispose();
    const extrapolated = steps < stepsPerEpoch;
    return {
      engine: this.name,
      epochSeconds: (seconds * stepsPerEpoch) / steps,
      steps,
      stepsPerEpoch,
      extrapolated,
      valAcc: extrapolated ? null : valAccuracy(model, test),
      trainLoss: Number(h.history['loss']?.[0] ?? NaN),
      predict10kSeconds: predictSeconds,
      predictBatchSize: 32,
      singlePredictMs: singlePredictMs((i) =>
        tf.tidy(() => {
          (model.predict(tf.tensor2d(test.images.subarray(i * 784, i * 784 + 784), [1, 784])) as tf.Tensor).dataSync();
        }),
      ),
      peakRssMb: peakRssMb(),
      notes: [],
    };
  },
};
