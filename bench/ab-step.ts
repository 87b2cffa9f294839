// Paired A/B of two training steps on one workload, on a loaded machine: the tape step (train-step.ts's generic path)
// against the step createTrainStep picks, on two models with the same architecture, one step of each in turn (the
// order alternating), so that load hits both alike; prints the medians and the median of the per-pair time ratios.
//   node --import tsx bench/ab-step.ts [--workload small-cnn,keras-cnn] [--pairs 30] [--threads 2]
// With --pack-cost C, the A side is instead the picked step with the fast matmul's pack cost set to C (the old model
// was 10), against the picked step with today's cost model: a before/after of the matmul route choice.
// With --vs W2, the A side is instead the picked step of workload W2 (same input shape), e.g. the seed MLP against
// the deep MLP: a per-multiply-add comparison of two networks under the same load.
// With --no-helper, the A side is instead the picked step with the heap helper thread kept out (every JS pass on the
// main thread alone): what sharing those passes buys.
// With --no-simd, the A side is instead the picked step with the hand-written SIMD kernels turned off (the filter
// gradient by im2col + XNNPACK's product, as before them): what those kernels save per step.
// With --without K1,K2, the A side is instead the picked step with those wasm kernels unregistered around it (Layerlab's
// own fused kernels, e.g. LayerlabMaxPoolGradBias: the step then takes the path it took before that kernel existed).
// With --stock-optimizer, the A side is instead the picked step with tfjs's own optimizer (tf.train.*) in place of the
// fused wasm one createOptimizer makes (Adam, RMSprop, Adagrad; SGD is tfjs's on both sides): what the fused update
// saves per step.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installFastWasmKernels } from '../src-main/lab/engine/wasm-kernels/index.ts';
import { setMatMulPackCost } from '../src-main/lab/engine/wasm-kernels/fast-batch-mat-mul.ts';
import { heapHelperReady, setHeapHelperMinimumWork } from '../src-main/lab/engine/wasm-kernels/heap-helper-thread.ts';
import { setSimdKernelsEnabled } from '../src-main/lab/engine/wasm-kernels/simd/simd-kernels.ts';
import { loadBackend, realEnvironment } from '../src-main/lab/engine/backends.ts';
import { buildModel } from '../src-main/lab/model/build-model.ts';
import { createOptimizer } from '../src-main/lab/training/optimizers.ts';
import { createTapeTrainStep, createTrainStep, trainStepPath, type TrainInput, type TrainStep } from '../src-main/lab/training/train-step.ts';
import type { OptimizerConfig } from '../src-shared/index.ts';
import { isWorkloadName, WORKLOADS } from './workloads.ts';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const pairs = Number(argValue('pairs') ?? 30);
const oldPackCost = argValue('pack-cost') == null ? null : Number(argValue('pack-cost'));
const vsName = argValue('vs');
const noHelper = process.argv.includes('--no-helper');
const stockOptimizer = process.argv.includes('--stock-optimizer');
const noSimd = process.argv.includes('--no-simd');
const withoutKernels = argValue('without')?.split(',') ?? [];
if (vsName != null && !isWorkloadName(vsName)) throw new Error(`--vs: unknown workload ${vsName}`);
console.log(`wasm: ${(await loadBackend('wasm', realEnvironment, { wasmThreads: Number(argValue('threads') ?? 2) })).report.detail ?? '?'}`);
installFastWasmKernels(tf);
for (let i = 0; i < 100 && !heapHelperReady(); i++) await new Promise((r) => setTimeout(r, 20));
console.log(`heap helper thread: ${heapHelperReady() ? 'ready' : 'not running (single-threaded build)'}`);

/** tfjs's own optimizer for a config (what createOptimizer made before the fused wasm updates). */
function tfjsOptimizer(config: OptimizerConfig): tf.Optimizer {
  switch (config.name) {
    case 'sgd':
      return config.momentum > 0 ? tf.train.momentum(config.learningRate, config.momentum, config.nesterov) : tf.train.sgd(config.learningRate);
    case 'adam':
      return tf.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(config.learningRate, config.rho, config.momentum, config.epsilon);
    case 'adagrad':
      return tf.train.adagrad(config.learningRate, config.initialAccumulatorValue);
  }
}

const withoutConfigs = withoutKernels.map((k) => {
  const config = tf.getKernel(k, 'wasm');
  if (config == null) throw new Error(`--without: no wasm kernel ${k}`);
  return config;
});

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

for (const name of (argValue('workload') ?? 'small-cnn,keras-cnn').split(',')) {
  if (!isWorkloadName(name)) throw new Error(`unknown workload ${name}`);
  const w = WORKLOADS[name];
  const vs = vsName == null ? null : WORKLOADS[vsName as keyof typeof WORKLOADS];
  if (vs != null && vs.architecture.inputShape.join('x') !== w.architecture.inputShape.join('x')) {
    throw new Error(`--vs ${vsName}: input shape ${vs.architecture.inputShape.join('x')} differs from ${name}'s`);
  }
  const tapeModel = buildModel(tf, (vs ?? w).architecture, 1);
  const pickedModel = buildModel(tf, w.architecture, 1);
  /** The picked step with a setting changed around each call (the A side of --no-helper, --no-simd, --pack-cost). */
  const pickedWith = (enter: () => void, leave: () => void): TrainStep => {
    const step = createTrainStep(tapeModel, createOptimizer(tf, w.optimizer));
    return (x: TrainInput, y: tf.Tensor2D) => {
      enter();
      try {
        return step(x, y);
      } finally {
        leave();
      }
    };
  };
  const tape: TrainStep = vs != null
    ? createTrainStep(tapeModel, createOptimizer(tf, vs.optimizer))
    : noHelper
    ? pickedWith(() => setHeapHelperMinimumWork(Infinity), () => setHeapHelperMinimumWork())
    : noSimd
    ? pickedWith(() => setSimdKernelsEnabled(false), () => setSimdKernelsEnabled(true))
    : withoutKernels.length > 0
    ? pickedWith(() => withoutKernels.forEach((k) => tf.unregisterKernel(k, 'wasm')), () => withoutConfigs.forEach((c) => tf.registerKernel(c)))
    : stockOptimizer
    ? createTrainStep(tapeModel, tfjsOptimizer(w.optimizer))
    : oldPackCost == null
    ? createTapeTrainStep(tapeModel, createOptimizer(tf, w.optimizer))
    : pickedWith(() => setMatMulPackCost(oldPackCost), () => setMatMulPackCost());
  const picked = createTrainStep(pickedModel, createOptimizer(tf, w.optimizer));
  const xs = Array.from({ length: 4 }, (): TrainInput => tf.randomUniform<tf.Rank>([128, ...w.architecture.inputShape]) as TrainInput);
  const ys = Array.from({ length: 4 }, () => tf.oneHot(tf.randomUniform([128], 0, 10, 'int32') as tf.Tensor1D, 10).toFloat() as tf.Tensor2D);
  const timed = (step: TrainStep, i: number): number => {
    const t0 = performance.now();
    step(xs[i % 4] as TrainInput, ys[i % 4] as tf.Tensor2D); // reads its loss back: the step's full cost
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) {
    timed(tape, i); // warm-up
    timed(picked, i);
  }
  const tapeMs: number[] = [];
  const pickedMs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const first = i % 2 === 0 ? tape : picked;
    const a = timed(first, i);
    const b = timed(first === tape ? picked : tape, i);
    tapeMs.push(first === tape ? a : b);
    pickedMs.push(first === tape ? b : a);
  }
  const ratio = median(tapeMs.map((t, i) => t / (pickedMs[i] ?? NaN)));
  const aName = vs != null ? vs.title : noHelper ? 'without the heap helper' : noSimd ? 'without the SIMD kernels' : withoutKernels.length > 0 ? `without ${withoutKernels.join(', ')}` : stockOptimizer ? 'tfjs optimizer' : oldPackCost == null ? 'tape' : `pack cost ${oldPackCost}`;
  console.log(`${w.title}: ${aName} ${median(tapeMs).toFixed(1)} ms/step, ${trainStepPath(pickedModel)} ${median(pickedMs).toFixed(1)} ms/step (medians of ${pairs}); median paired ratio ${aName}/picked ${ratio.toFixed(2)}`);
  tf.dispose([...xs, ...ys]);
  tapeModel.dispose();
  pickedModel.dispose();
}
