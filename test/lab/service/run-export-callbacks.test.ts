// The callbacks in a run's exports, Keras snippet and config diff.
import { describe, expect, it } from 'vitest';
import { CompileConfigSchema, findPreset, learningRatePerEpoch, TrainConfigSchema, type RunDetail, type TrainConfigInput } from '../../../src-shared/index.ts';
import { configDiff } from '../../../src-main/lab/service/run-compare.ts';
import { exportRun, historyCsv, kerasSnippet } from '../../../src-main/lab/service/run-export.ts';

function run(id: number, train: TrainConfigInput, log: RunDetail['log'] = []): RunDetail {
  const epochs = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, acc: 0.5, val_loss: 1, val_acc: 0.5, seconds: 1 }));
  return {
    id,
    name: `run ${id}`,
    status: 'completed',
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    architecture: findPreset('keras-mlp')!.architecture,
    compile: CompileConfigSchema.parse({ optimizer: { name: 'sgd', learningRate: 0.1 } }),
    train: TrainConfigSchema.parse({ epochs: 3, ...train }),
    seed: 42,
    dataset: { name: 'mnist', hash: 'abcdef0123456789' },
    backend: 'cpu',
    epochsCompleted: 3,
    last: epochs[2]!,
    testAccuracy: null,
    testLoss: null,
    statusReason: null,
    totalParams: 407050,
    tags: [],
    notes: '',
    parentRunId: null,
    epochs,
    batchLosses: [],
    evaluation: null,
    checkpoints: [],
    log,
    backendReport: null,
  };
}

const scheduled: RunDetail['log'] = [
  { at: 't', epoch: 2, batch: 0, kind: 'learningRate', learningRate: 0.05 },
  { at: 't', epoch: 3, batch: 0, kind: 'learningRate', learningRate: 0.025 },
];

describe('callbacks in exports', () => {
  it('reads the rate of each epoch from the log: the compile rate until a change, hand changes mid-epoch counted', () => {
    expect(learningRatePerEpoch(0.1, scheduled, [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }])).toEqual([0.1, 0.05, 0.025]);
    const byHand: RunDetail['log'] = [{ at: 't', epoch: 1, batch: 0, kind: 'pause' }, { at: 't', epoch: 2, batch: 7, kind: 'learningRate', learningRate: 0.3 }];
    expect(learningRatePerEpoch(0.1, byHand, [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }])).toEqual([0.1, 0.3, 0.3]);
  });

  it("adds Keras' lr column to the history only where the rate changed", () => {
    expect(historyCsv(run(1, {})).split('\n')[0]).toBe('epoch,loss,acc,val_loss,val_acc,seconds');
    const csv = historyCsv(run(1, { lrSchedule: { kind: 'stepDecay', factor: 0.5, everyEpochs: 1 } }, scheduled)).trim().split('\n');
    expect(csv[0]).toBe('epoch,loss,acc,val_loss,val_acc,seconds,lr');
    expect(csv.slice(1).map((l) => l.split(',').at(-1))).toEqual(['0.1', '0.05', '0.025']);
    const json = JSON.parse(exportRun(run(1, { lrSchedule: { kind: 'stepDecay', factor: 0.5, everyEpochs: 1 } }, scheduled), 'json').content) as { history: { lr: number }[] };
    expect(json.history.map((h) => h.lr)).toEqual([0.1, 0.05, 0.025]);
  });

  it('writes the callbacks into the Keras snippet, with TF 2 metric names', () => {
    const plain = kerasSnippet(run(1, {}));
    expect(plain).not.toContain('callbacks');
    const s = kerasSnippet(run(1, { earlyStopping: { monitor: 'val_acc', patience: 3, minDelta: 0.001, restoreBestWeights: true }, lrSchedule: { kind: 'reduceOnPlateau', factor: 0.5, patience: 2, minLr: 0.001 } }));
    expect(s).toContain('keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="auto", min_delta=0.001, patience=3, restore_best_weights=True)');
    expect(s).toContain('keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode="auto", factor=0.5, patience=2, min_delta=0.0001, cooldown=0, min_lr=0.001)');
    expect(s).toContain('callbacks=callbacks)');
    const cosine = kerasSnippet(run(1, { epochs: 6, lrSchedule: { kind: 'cosineDecay', warmupEpochs: 2, alpha: 0.1 } }));
    expect(cosine).toContain('import math');
    expect(cosine).toContain('keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 * (epoch + 1) / 2 if epoch < 2 else 0.1 * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(epoch - 2, 4) / 4))))');
    expect(kerasSnippet(run(1, { lrSchedule: { kind: 'stepDecay', factor: 0.5, everyEpochs: 10 } }))).toContain('LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** (epoch // 10))');
  });

  it('shows each callback as one row of the config diff, "off" where a run has none', () => {
    const rows = configDiff([run(1, {}), run(2, { earlyStopping: { patience: 3, minDelta: 0.001, restoreBestWeights: true }, lrSchedule: { kind: 'exponentialDecay', decayRate: 0.9 } })]);
    expect(rows.find((r) => r.key === 'train.earlyStopping')).toMatchObject({ label: 'early stopping', values: ['off', 'EarlyStopping(monitor=val_loss, min_delta=0.001, patience=3, restore_best_weights)'], differs: true });
    expect(rows.find((r) => r.key === 'train.lrSchedule')).toMatchObject({ label: 'learning-rate schedule', values: ['constant', 'exponential decay ×0.9 per epoch'], differs: true });
    expect(rows.some((r) => r.key.startsWith('train.earlyStopping.'))).toBe(false);
  });
});
