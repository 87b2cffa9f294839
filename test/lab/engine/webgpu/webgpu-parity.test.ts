// The webgpu tier computes what cpu computes: three training steps of the seed MLP and of a small CNN give the same
// losses and weights (within float32 rounding), on Dawn's software adapter.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset, type Architecture } from '../../../../src-shared/index.ts';
import { buildModel } from '../../../../src-main/lab/model/build-model.ts';
import type { Tf } from '../../../../src-main/lab/model/tf-types.ts';
import { createDeviceTrainStep, readDeviceStepResult } from '../../../../src-main/lab/training/device-train-step.ts';
import { createTrainStep, type TrainStepResult } from '../../../../src-main/lab/training/train-step.ts';
import { loadSoftwareWebGpu, releaseSoftwareWebGpu } from './software-webgpu.ts';

const STEPS = 3;
const BATCH = 16;

function batches(inputShape: readonly number[]): { x: Float32Array; y: Float32Array }[] {
  let s = 12345;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const width = inputShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: STEPS }, () => {
    const x = new Float32Array(BATCH * width).map(() => r());
    const y = new Float32Array(BATCH * 10);
    for (let i = 0; i < BATCH; i++) y[i * 10 + Math.floor(r() * 10)] = 1;
    return { x, y };
  });
}

interface Trace {
  losses: number[];
  correct: number[];
  weights: Float32Array[];
}

/** Three steps with the production step of the active backend: the synchronous one on cpu, the device one on webgpu. */
async function threeSteps(architecture: Architecture): Promise<Trace> {
  const model = buildModel(tf as unknown as Tf, architecture, 7);
  const optimizer = tf.train.adam(0.01);
  const onDevice = tf.getBackend() === 'webgpu';
  const step: (x: tf.Tensor2D, y: tf.Tensor2D) => TrainStepResult | tf.Tensor = onDevice ? createDeviceTrainStep(model, optimizer) : createTrainStep(model, optimizer);
  const trace: Trace = { losses: [], correct: [], weights: [] };
  for (const b of batches(architecture.inputShape)) {
    const out = tf.tidy(() => {
      const x: tf.Tensor = tf.tensor(b.x, [BATCH, ...architecture.inputShape]);
      return step(x as tf.Tensor2D, tf.tensor2d(b.y, [BATCH, 10]));
    });
    const { loss, correct } = out instanceof tf.Tensor ? await readDeviceStepResult(out) : out;
    trace.losses.push(loss);
    trace.correct.push(correct);
  }
  for (const w of model.getWeights()) trace.weights.push((await w.data()) as Float32Array);
  optimizer.dispose();
  model.dispose();
  return trace;
}

function expectSame(gpu: Trace, cpu: Trace): void {
  expect(gpu.correct).toEqual(cpu.correct);
  gpu.losses.forEach((loss, i) => expect(loss).toBeCloseTo(cpu.losses[i] ?? NaN, 4));
  expect(gpu.weights).toHaveLength(cpu.weights.length);
  gpu.weights.forEach((w, i) => {
    const c = cpu.weights[i]!;
    let worst = 0;
    for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs((w[j] ?? NaN) - (c[j] ?? NaN)));
    expect(worst).toBeLessThan(2e-4);
  });
}

describe('webgpu (software adapter) against cpu', () => {
  beforeAll(async () => {
    await loadSoftwareWebGpu();
  });
  afterAll(releaseSoftwareWebGpu);

  for (const [name, architecture] of [
    ['the seed MLP', findPreset('keras-mlp')!.architecture],
    ['the Small CNN', findPreset('small-cnn')!.architecture],
  ] as const) {
    it(`gives the same 3 steps for ${name}`, async () => {
      await tf.setBackend('cpu');
      const cpu = await threeSteps(architecture);
      await tf.setBackend('webgpu');
      const before = tf.memory().numTensors;
      const gpu = await threeSteps(architecture);
      expect(tf.memory().numTensors).toBe(before);
      expect(gpu.losses.every(Number.isFinite)).toBe(true);
      expectSame(gpu, cpu);
    });
  }
});
