// Predict speed of a workload's network on wasm: the 10k MNIST test images through the trainer's validation and
// evaluation path (evaluate.ts, batch 1000) and one drawn digit through Draw's (the Predictor's predictFlat, batch of
// one), each the median of --repeats after a warm-up. The weights are the network's initial ones (the time of a
// forward pass does not depend on them).
//   node --import tsx bench/predict-speed.ts [--workload small-cnn,keras-cnn] [--threads 2] [--stock] [--repeats 5]
// --threads: the wasm build's threads (the trainer: every core; the serving process: 1); --stock: without
// installFastWasmKernels (as the serving process runs). Also run by `npm run bench -- --predict`.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadavg } from 'node:os';
import { loadBackend, realEnvironment } from '../src-main/lab/engine/backends.ts';
import { installFastWasmKernels } from '../src-main/lab/engine/wasm-kernels/index.ts';
import { buildModel } from '../src-main/lab/model/build-model.ts';
import { Predictor } from '../src-main/lab/service/predictor.ts';
import { predictProbabilitiesAsync, scorePredictions } from '../src-main/lab/training/evaluate.ts';
import { loadMnist } from './mnist.ts';
import { isWorkloadName, WORKLOADS } from './workloads.ts';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const threads = Number(argValue('threads') ?? 2);
const repeats = Number(argValue('repeats') ?? 5);
const stock = process.argv.includes('--stock');
const loaded = await loadBackend('wasm', realEnvironment, { wasmThreads: threads });
if (!stock) installFastWasmKernels(tf);
// The Predictor on the backend this process loaded (one backend per process): Draw's code path, this bench's threads.
const predictor = new Predictor(() => Promise.resolve(loaded));
const { test } = loadMnist();
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

console.log(`wasm: ${loaded.report.detail ?? '?'}${stock ? ', stock kernels' : ', fast kernels'}; load ${loadavg()[0]?.toFixed(2)}`);
for (const name of (argValue('workload') ?? 'small-cnn,keras-cnn').split(',')) {
  if (!isWorkloadName(name)) throw new Error(`unknown workload ${name}`);
  const w = WORKLOADS[name];
  const model = buildModel(tf, w.architecture, 1);
  const inputShape = w.architecture.inputShape;
  const pixels = inputShape.reduce((a, b) => a * b, 1);
  const before = tf.memory().numTensors;
  const tenK: number[] = [];
  let accuracy = NaN;
  for (let r = 0; r <= repeats; r++) {
    const t0 = performance.now();
    const probs = await predictProbabilitiesAsync(tf, model, test.images, test.n, inputShape, 1000);
    if (r > 0) tenK.push((performance.now() - t0) / 1000); // the first is the warm-up
    accuracy = scorePredictions(probs, test.labels).accuracy;
  }
  const one: number[] = [];
  for (let i = 0; i < 20 + repeats * 20; i++) {
    const image = test.images.slice(i * pixels, (i + 1) * pixels);
    const t0 = performance.now();
    await predictor.predictFlat(model, w.architecture, image, 1);
    if (i >= 20) one.push(performance.now() - t0);
  }
  const leaked = tf.memory().numTensors - before;
  console.log(
    `${w.title}: predict 10k ${median(tenK).toFixed(3)} s (median of ${repeats}, batch 1000; min ${Math.min(...tenK).toFixed(3)}), ` +
      `one drawn digit ${median(one).toFixed(2)} ms (median of ${one.length}; p90 ${[...one].sort((a, b) => a - b)[Math.floor(one.length * 0.9)]?.toFixed(2)}) — ` +
      `untrained accuracy ${(accuracy * 100).toFixed(1)} %, ${leaked === 0 ? 'no tensor leak' : `LEAK ${leaked} tensors`}; load ${loadavg()[0]?.toFixed(2)}`,
  );
  console.log(`RESULT ${JSON.stringify({ workload: name, threads, stock, predict10kSeconds: median(tenK), oneDigitMs: median(one), load: loadavg()[0] })}`);
  model.dispose();
}
