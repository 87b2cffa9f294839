// Per-kernel profile of one training step of a bench workload on tfjs-wasm.
//   node --import tsx bench/profile-step.ts [--workload seed-mlp|deep-mlp|small-cnn|keras-cnn] [--stock] [--steps N]
//     [--threads N] [--tape] [--no-helper]   (threads: the wasm build's, default 1; --tape: the generic tape step;
//     --no-helper: every JS or SIMD pass on the main thread alone, none handed to the heap helper thread)
//   PROFILE_SHAPES=1 splits kernels by input shapes; PROFILE_CPU=1 times by CPU time (steadier under load).
// Wraps every wasm kernel with a timer (wasm kernels are synchronous, so wall time per call is the kernel's time).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installFastWasmKernels } from '../src-main/lab/engine/wasm-kernels/index.ts';
import { setHeapHelperMinimumWork } from '../src-main/lab/engine/wasm-kernels/heap-helper-thread.ts';
import { loadBackend, realEnvironment } from '../src-main/lab/engine/backends.ts';
import { buildModel } from '../src-main/lab/model/build-model.ts';
import { createOptimizer } from '../src-main/lab/training/optimizers.ts';
import { createTapeTrainStep, createTrainStep, type TrainInput } from '../src-main/lab/training/train-step.ts';
import { isWorkloadName, WORKLOADS } from './workloads.ts';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const stock = process.argv.includes('--stock');
const steps = Number(argValue('steps') ?? 20);
const threads = Number(argValue('threads') ?? 1);
const workloadName = argValue('workload') ?? 'seed-mlp';
if (!isWorkloadName(workloadName)) throw new Error(`unknown workload ${workloadName}`);
const workload = WORKLOADS[workloadName];
console.log(`wasm: ${(await loadBackend('wasm', realEnvironment, { wasmThreads: threads })).report.detail ?? '?'}`);
if (!stock) console.log(installFastWasmKernels(tf).replaced.map((r) => r.kernel).join(', '));
if (process.argv.includes('--no-helper')) setHeapHelperMinimumWork(Number.POSITIVE_INFINITY);

// PROFILE_CPU=1: time by the process's CPU time (all threads) instead of wall time — steadier on a loaded machine.
const cpuClock = process.env['PROFILE_CPU'] === '1';
const now = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const stats = new Map<string, { ms: number; calls: number }>();
for (const k of tf.getKernelsForBackend('wasm')) {
  const inner = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({
    ...k,
    kernelFunc: (args) => {
      const t0 = now();
      const r = inner(args);
      let key = k.kernelName;
      if (process.env['PROFILE_SHAPES'] === '1' && key !== 'BatchMatMul' && key !== '_FusedMatMul') key += ' ' + Object.values(args.inputs as Record<string, tf.TensorInfo | undefined>).flatMap((t) => (t == null ? [] : [t.shape.join('x')])).join(',');
      if (key === 'BatchMatMul' || key === '_FusedMatMul') {
        const { a, b } = args.inputs as Record<string, tf.TensorInfo>;
        const at = args.attrs as { transposeA?: boolean; transposeB?: boolean };
        key += ` ${a?.shape.join('x')}${at.transposeA ? 'T' : ''}·${b?.shape.join('x')}${at.transposeB ? 'T' : ''}`;
      }
      const s = stats.get(key) ?? { ms: 0, calls: 0 };
      s.ms += now() - t0;
      s.calls++;
      stats.set(key, s);
      return r;
    },
  });
}

const model = buildModel(tf, workload.architecture, 1);
const opt = createOptimizer(tf, workload.optimizer);
const step = process.argv.includes('--tape') ? createTapeTrainStep(model, opt) : createTrainStep(model, opt);
const inputShape: number[] = [128, ...workload.architecture.inputShape];
const xs = Array.from({ length: 8 }, (): TrainInput => tf.randomUniform<tf.Rank>(inputShape) as TrainInput);
const ys = Array.from({ length: 8 }, () => tf.oneHot(tf.randomUniform([128], 0, 10, 'int32') as tf.Tensor1D, 10).toFloat() as tf.Tensor2D);
for (let i = 0; i < 3; i++) step(xs[i % 8]!, ys[i % 8]!);
stats.clear();
const t0 = now();
for (let i = 0; i < steps; i++) step(xs[i % 8]!, ys[i % 8]!); // each step reads its loss back
const total = (now() - t0) / steps;
const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
let kernelMs = 0;
for (const [name, s] of rows) {
  kernelMs += s.ms / steps;
  console.log(name.padEnd(60), (s.ms / steps).toFixed(3).padStart(8), 'ms/step', String(s.calls / steps).padStart(5), 'calls/step');
}
console.log(`${workload.title}: step ${total.toFixed(2)} ms${cpuClock ? ' of CPU time' : ''} (${((total * 469) / 1000).toFixed(1)} s/epoch), in kernels ${kernelMs.toFixed(2)} ms, outside kernels ${(total - kernelMs).toFixed(2)} ms (${stock ? 'stock' : 'fast'} kernels)`);
