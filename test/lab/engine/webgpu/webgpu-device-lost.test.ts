// A GPU device lost mid-run (driver reset, GPU removed): the run fails with that reason, and what finished before it
// (epoch metrics, checkpoints) has already gone to the sink. Its own file: the device stays lost afterwards.
import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, it } from 'vitest';
import { CompileConfigSchema, findPreset, TrainConfigSchema, type RunEvent } from '../../../../src-shared/index.ts';
import { destroyWebGpuDeviceForTest, webGpuDeviceLost } from '../../../../src-main/lab/engine/webgpu/webgpu-backend.ts';
import type { Tf } from '../../../../src-main/lab/model/tf-types.ts';
import { createDeviceTrainStep } from '../../../../src-main/lab/training/device-train-step.ts';
import { prepareData } from '../../../../src-main/lab/training/prepare-data.ts';
import { runTraining, type TrainingControl } from '../../../../src-main/lab/training/run-training.ts';
import type { TrainJob } from '../../../../src-main/lab/training/trainer-protocol.ts';
import { syntheticDataset } from '../../training/synthetic-dataset.ts';
import { loadSoftwareWebGpu, releaseSoftwareWebGpu } from './software-webgpu.ts';

const neverStop: TrainingControl = { stopRequested: () => false, paused: () => false, waitUntilResumed: async () => {}, takeLearningRate: () => null };

afterAll(releaseSoftwareWebGpu);

it('fails the run with the reason and keeps the finished epochs', async () => {
  await loadSoftwareWebGpu();
  const job: TrainJob = {
    runId: 1,
    architecture: findPreset('keras-mlp')!.architecture,
    compile: CompileConfigSchema.parse({ optimizer: { name: 'sgd', learningRate: 0.1 } }),
    train: TrainConfigSchema.parse({ epochs: 3, batchSize: 64, trainExamples: 256, testExamples: 64, seed: 5 }),
    dataset: 'synthetic',
    home: '/nonexistent',
    backend: 'webgpu',
    initialWeights: null,
  };
  const events: RunEvent[] = [];
  const checkpoints: { kind: string; epoch: number }[] = [];
  const sink = {
    event: (e: RunEvent) => {
      events.push(e);
      // The second epoch's first batch is done: the driver resets now.
      if (e.type === 'progress' && e.epoch === 2 && e.batch === 1) destroyWebGpuDeviceForTest();
    },
    checkpoint: (kind: string, epoch: number) => checkpoints.push({ kind, epoch }),
    evaluation: () => {},
  };
  const run = runTraining(tf as unknown as Tf, job, prepareData(syntheticDataset(), job.train), neverStop, sink, {
    backend: 'webgpu',
    createStep: createDeviceTrainStep,
    backendFault: webGpuDeviceLost,
    progressIntervalMs: 0,
  });
  await expect(run).rejects.toThrow(/^the GPU device was lost (during epoch 2, batch \d )?\(destroyed.*\); the finished epochs are kept$/);
  expect(events.filter((e) => e.type === 'epoch').map((e) => (e.type === 'epoch' ? e.epoch : 0))).toEqual([1]);
  expect(checkpoints).toContainEqual({ kind: 'best', epoch: 1 });
  expect(checkpoints.some((c) => c.epoch >= 2 || c.kind === 'final')).toBe(false);
});
