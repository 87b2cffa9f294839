import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPreset, TrainConfigSchema, CompileConfigSchema, type RunEvent } from '../../../src-shared/index.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { prepareData } from '../../../src-main/lab/training/prepare-data.ts';
import { runTraining, type TrainingControl, type TrainingSink } from '../../../src-main/lab/training/run-training.ts';
import type { TrainJob } from '../../../src-main/lab/training/trainer-protocol.ts';
import { syntheticDataset } from './synthetic-dataset.ts';

const dataset = syntheticDataset();

function job(overrides: Partial<TrainJob['train']> = {}, architecture = findPreset('keras-mlp')!.architecture): TrainJob {
  return {
    runId: 1,
    architecture,
    compile: CompileConfigSchema.parse({ optimizer: { name: 'sgd', learningRate: 0.1 } }),
    train: TrainConfigSchema.parse({ epochs: 2, batchSize: 32, trainExamples: 400, testExamples: 100, seed: 5, ...overrides }),
    dataset: 'synthetic',
    home: '/nonexistent',
    backend: 'cpu',
    initialWeights: null,
  };
}

const neverStop: TrainingControl = { stopRequested: () => false, paused: () => false, waitUntilResumed: async () => {}, takeLearningRate: () => null };

function recorder() {
  const events: RunEvent[] = [];
  const checkpoints: { kind: string; epoch: number }[] = [];
  let evaluation: Parameters<TrainingSink['evaluation']>[0] | null = null;
  let endedEarly: string | null = null;
  const sink: TrainingSink = {
    event: (e) => events.push(e),
    endedEarly: (reason) => (endedEarly = reason),
    checkpoint: (kind, epoch) => checkpoints.push({ kind, epoch }),
    evaluation: (e) => (evaluation = e),
  };
  return { events, checkpoints, sink, evaluation: () => evaluation, endedEarly: () => endedEarly };
}

async function train(backend: 'cpu' | 'wasm', j: TrainJob, control = neverStop) {
  await tf.setBackend(backend);
  const r = recorder();
  const status = await runTraining(tf as unknown as Tf, j, prepareData(dataset, j.train), control, r.sink, { backend });
  return { status, ...r };
}

const epochs = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { type: 'epoch' }> => e.type === 'epoch');

describe('runTraining', () => {
  beforeAll(async () => {
    await tf.ready();
  });

  it('learns, streams events in order, checkpoints and evaluates', async () => {
    const r = await train('cpu', job());
    expect(r.status).toBe('completed');
    expect(r.events[0]).toMatchObject({ type: 'started', backend: 'cpu', epochs: 2, batchesPerEpoch: 13, trainExamples: 400, validationExamples: 100 });
    const eps = epochs(r.events);
    expect(eps.map((e) => e.epoch)).toEqual([1, 2]);
    expect(eps[1]!.val_acc!).toBeGreaterThan(0.9);
    const progress = r.events.filter((e) => e.type === 'progress');
    const losses = progress.flatMap((p) => (p.type === 'progress' ? p.losses : []));
    expect(losses).toHaveLength(26);
    expect(r.checkpoints).toContainEqual({ kind: 'final', epoch: 2 });
    expect(r.checkpoints.filter((c) => c.kind === 'epoch')).toHaveLength(2);
    const evaluation = r.evaluation()!;
    expect(evaluation.examples).toBe(100);
    expect(evaluation.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(100);
    expect(evaluation.accuracy).toBeCloseTo(eps[1]!.val_acc!, 6);
  });

  it('gives the same history for the same seed, on cpu and on wasm', async () => {
    const withDropout = findPreset('deep-mlp')!.architecture;
    const a = epochs((await train('cpu', job({ epochs: 1 }, withDropout))).events);
    const b = epochs((await train('cpu', job({ epochs: 1 }, withDropout))).events);
    const w = epochs((await train('wasm', job({ epochs: 1 }, withDropout))).events);
    const strip = (e: (typeof a)[number]) => ({ loss: e.loss, acc: e.acc, val_loss: e.val_loss, val_acc: e.val_acc });
    expect(a.map(strip)).toEqual(b.map(strip));
    expect(w[0]!.loss).toBeCloseTo(a[0]!.loss, 4);
    expect(w[0]!.val_acc).toBe(a[0]!.val_acc);
    const other = epochs((await train('cpu', job({ epochs: 1, seed: 6 }, withDropout))).events);
    expect(other[0]!.loss).not.toBe(a[0]!.loss);
  });

  it('stops after the current batch and keeps the finished epochs', async () => {
    let batches = 0;
    const control: TrainingControl = { ...neverStop, stopRequested: () => ++batches > 20 };
    const r = await train('cpu', job({ epochs: 3 }), control);
    expect(r.status).toBe('stopped');
    expect(epochs(r.events)).toHaveLength(1);
    expect(r.checkpoints).toContainEqual({ kind: 'final', epoch: 1 });
  });

  it('pauses, applies a new learning rate, and resumes', async () => {
    let calls = 0;
    let pausedOnce = false;
    const control: TrainingControl = {
      stopRequested: () => false,
      paused: () => {
        calls++;
        if (calls === 5 && !pausedOnce) {
          pausedOnce = true;
          return true;
        }
        return false;
      },
      waitUntilResumed: async () => {},
      takeLearningRate: () => 0.05,
    };
    const r = await train('cpu', job({ epochs: 1 }), control);
    const types = r.events.map((e) => e.type);
    expect(types).toContain('paused');
    expect(r.events.find((e) => e.type === 'learningRate')).toMatchObject({ learningRate: 0.05, epoch: 1, batch: 4 });
    expect(types.indexOf('resumed')).toBeGreaterThan(types.indexOf('paused'));
  });

  it('trains a small CNN with batch norm and a validation split', async () => {
    const r = await train('cpu', job({ epochs: 1, trainExamples: 200, validation: { kind: 'split', fraction: 0.25 } }, {
      inputShape: [28, 28, 1],
      layers: [
        { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    }));
    expect(r.status).toBe('completed');
    expect(r.events[0]).toMatchObject({ trainExamples: 150, validationExamples: 50 });
  });

  it('leaks no tensors over a run', async () => {
    await tf.setBackend('cpu');
    await train('cpu', job({ epochs: 1 }));
    const before = tf.memory().numTensors;
    await train('cpu', job({ epochs: 2 }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fails clearly when the loss diverges', async () => {
    const j = job({ epochs: 1 });
    // Beyond what the contract accepts, to force an overflow.
    j.compile = { ...j.compile, optimizer: { name: 'sgd', learningRate: 1e38, momentum: 0, nesterov: false } };
    await expect(train('cpu', j)).rejects.toThrow(/the loss became (NaN|Infinity).*smaller learning rate/);
  });

  it('stops early as Keras does, restores the best weights and evaluates those, leaking nothing', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    // mode max on a falling loss: epoch 1 is the best, epochs 2 and 3 wait → stop after 3 of 6, restore epoch 1.
    const r = await train('cpu', job({ epochs: 6, earlyStopping: { monitor: 'loss', mode: 'max', patience: 2, minDelta: 0, restoreBestWeights: true } }));
    expect(r.status).toBe('completed');
    const eps = epochs(r.events);
    expect(eps.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(eps[2]!.loss).toBeLessThan(eps[0]!.loss);
    expect(r.endedEarly()).toBe('stopped early at epoch 3: loss has not improved for 2 epochs; restored epoch 1');
    // The test set is the validation set here: the restored weights score as epoch 1 did, not as epoch 3.
    expect(r.evaluation()!.loss).toBeCloseTo(eps[0]!.val_loss!, 5);
    expect(r.evaluation()!.loss).not.toBeCloseTo(eps[2]!.val_loss!, 3);
    // The final checkpoint holds epoch 1's weights and says so.
    expect(r.checkpoints).toContainEqual({ kind: 'final', epoch: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('without restoreBestWeights keeps the last weights', async () => {
    const r = await train('cpu', job({ epochs: 6, earlyStopping: { monitor: 'loss', mode: 'max', patience: 1, minDelta: 0, restoreBestWeights: false } }));
    expect(epochs(r.events).map((e) => e.epoch)).toEqual([1, 2]);
    expect(r.endedEarly()).toBe('stopped early at epoch 2: loss has not improved for 1 epoch');
    expect(r.evaluation()!.loss).toBeCloseTo(epochs(r.events)[1]!.val_loss!, 5);
  });

  it('sets the scheduled rate at each epoch start, logs it, and trains with it', async () => {
    const r = await train('cpu', job({ epochs: 3, lrSchedule: { kind: 'stepDecay', factor: 0.5, everyEpochs: 1 } }));
    const changes = r.events.filter((e) => e.type === 'learningRate');
    expect(changes).toEqual([
      { type: 'learningRate', runId: 1, epoch: 2, batch: 0, learningRate: 0.05 },
      { type: 'learningRate', runId: 1, epoch: 3, batch: 0, learningRate: 0.025 },
    ]);
    // Logged before the epoch's first progress event.
    const firstOfEpoch2 = r.events.findIndex((e) => e.type === 'progress' && e.epoch === 2);
    expect(r.events.indexOf(changes[0]!)).toBeLessThan(firstOfEpoch2);

    // Warm-up's first epoch at lr0/2 trains exactly as a plain run at that rate.
    const warm = await train('cpu', job({ epochs: 2, lrSchedule: { kind: 'cosineDecay', warmupEpochs: 2, alpha: 0 } }));
    expect(warm.events.filter((e) => e.type === 'learningRate').map((e) => (e.type === 'learningRate' ? [e.epoch, e.learningRate] : null))).toEqual([[1, 0.05], [2, 0.1]]);
    const plain = job({ epochs: 1 });
    plain.compile = { ...plain.compile, optimizer: { name: 'sgd', learningRate: 0.05, momentum: 0, nesterov: false } };
    const half = await train('cpu', plain);
    expect(epochs(warm.events)[0]!.loss).toBe(epochs(half.events)[0]!.loss);
    expect(epochs(warm.events)[0]!.loss).not.toBe(epochs((await train('cpu', job({ epochs: 1 }))).events)[0]!.loss);
  });

  it('without callbacks logs no learning-rate change and ends without a reason', async () => {
    const r = await train('cpu', job({ epochs: 2 }));
    expect(r.events.some((e) => e.type === 'learningRate')).toBe(false);
    expect(r.endedEarly()).toBeNull();
  });
});
