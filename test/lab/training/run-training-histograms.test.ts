// The trainer's epoch-end weight histograms: one set per epoch, binned, covering every parameter,
// and they follow the weights as they change.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CompileConfigSchema, findPreset, TrainConfigSchema, type ParamHistogram } from '../../../src-shared/index.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { prepareData } from '../../../src-main/lab/training/prepare-data.ts';
import { runTraining, type TrainingControl } from '../../../src-main/lab/training/run-training.ts';
import type { TrainJob } from '../../../src-main/lab/training/trainer-protocol.ts';
import { syntheticDataset } from './synthetic-dataset.ts';

const neverStop: TrainingControl = { stopRequested: () => false, paused: () => false, waitUntilResumed: async () => {}, takeLearningRate: () => null };

describe('runTraining weight histograms', () => {
  it('records every parameter once per epoch, binned', async () => {
    await tf.setBackend('cpu');
    const job: TrainJob = {
      runId: 1,
      architecture: findPreset('deep-mlp')!.architecture,
      compile: CompileConfigSchema.parse({ optimizer: { name: 'sgd', learningRate: 0.1 } }),
      train: TrainConfigSchema.parse({ epochs: 2, batchSize: 50, trainExamples: 200, testExamples: 50, seed: 3 }),
      dataset: 'synthetic',
      home: '/nonexistent',
      backend: 'cpu',
      initialWeights: null,
    };
    const recorded: { epoch: number; params: ParamHistogram[] }[] = [];
    await runTraining(tf as unknown as Tf, job, prepareData(syntheticDataset(), job.train), neverStop, {
      event: () => {},
      checkpoint: () => {},
      evaluation: () => {},
      weightHistograms: (epoch, params) => recorded.push({ epoch, params }),
    }, { backend: 'cpu' });
    expect(recorded.map((r) => r.epoch)).toEqual([1, 2]);
    for (const { params } of recorded) {
      expect(params.reduce((s, p) => s + p.bins.reduce((a, b) => a + b, 0), 0)).toBe(669_706);
      expect(params.map((p) => `${p.layer}/${p.param}`)).toEqual(['0/kernel', '0/bias', '2/kernel', '2/bias', '4/kernel', '4/bias']);
    }
    // Biases start at zero and move: the second epoch's bias spread is not the first's.
    const bias = (i: number) => recorded[i]!.params.find((p) => p.layer === 0 && p.param === 'bias')!;
    expect(bias(1).std).not.toBe(bias(0).std);
  });
});
