// The weights grid's "change since initialisation" rebuilds a run's starting weights from its seed
// (inside-service.ts) instead of storing them: that is only honest if the trainer, on any
// backend, starts from exactly those values. Here the trainer runs on wasm with a step that
// changes nothing, and its final checkpoint must equal buildModel(seed) built on cpu.
import * as tfjs from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CompileConfigSchema, findPreset, TrainConfigSchema } from '../../../src-shared/index.ts';
import { loadBackend } from '../../../src-main/lab/engine/backends.ts';
import { buildModel } from '../../../src-main/lab/model/build-model.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { encodeWeights } from '../../../src-main/lab/model/weights-codec.ts';
import { prepareData } from '../../../src-main/lab/training/prepare-data.ts';
import { runTraining, type TrainingControl } from '../../../src-main/lab/training/run-training.ts';
import type { TrainJob } from '../../../src-main/lab/training/trainer-protocol.ts';
import { syntheticDataset } from '../training/synthetic-dataset.ts';

const neverStop: TrainingControl = { stopRequested: () => false, paused: () => false, waitUntilResumed: async () => {}, takeLearningRate: () => null };

describe('a run’s initial weights', () => {
  it('are buildModel(architecture, its seed), whatever backend trained it', async () => {
    const { tf: wasm } = await loadBackend('wasm');
    const job: TrainJob = {
      runId: 1,
      architecture: findPreset('keras-mlp')!.architecture,
      compile: CompileConfigSchema.parse({}),
      train: TrainConfigSchema.parse({ epochs: 1, batchSize: 100, trainExamples: 200, testExamples: 50, seed: 1234 }),
      dataset: 'synthetic',
      home: '/nonexistent',
      backend: 'wasm',
      initialWeights: null,
    };
    let final: Uint8Array | null = null;
    // A step that leaves the weights alone: what the trainer saves is what it started from.
    await runTraining(wasm, job, prepareData(syntheticDataset(), job.train), neverStop, {
      event: () => {},
      checkpoint: (kind, _epoch, _loss, weights) => {
        if (kind === 'final') final = weights;
      },
      evaluation: () => {},
    }, { backend: 'wasm', createStep: () => () => ({ loss: 1, correct: 0 }) });
    expect(final).not.toBeNull();

    await tfjs.setBackend('cpu');
    const rebuilt = buildModel(tfjs as unknown as Tf, job.architecture, job.train.seed);
    expect(Buffer.from(encodeWeights(rebuilt)).equals(Buffer.from(final!))).toBe(true);
    const other = buildModel(tfjs as unknown as Tf, job.architecture, job.train.seed + 1);
    expect(Buffer.from(encodeWeights(other)).equals(Buffer.from(final!))).toBe(false);
    rebuilt.dispose();
    other.dispose();
  });
});
