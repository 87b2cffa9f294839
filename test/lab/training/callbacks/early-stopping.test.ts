import { describe, expect, it } from 'vitest';
import { EarlyStoppingSchema, type EpochMetrics } from '../../../../src-shared/index.ts';
import { describeEarlyStop, earlyStoppingVerdict } from '../../../../src-main/lab/training/callbacks/early-stopping.ts';

function history(column: 'val_loss' | 'val_acc' | 'loss', values: (number | null)[]): EpochMetrics[] {
  return values.map((v, i) => ({ epoch: i + 1, loss: column === 'loss' ? (v as number) : 1, acc: 0.5, val_loss: column === 'val_loss' ? v : 1, val_acc: column === 'val_acc' ? v : 0.5, seconds: 1 }));
}

/** The verdict after each epoch, as the trainer asks it. */
function verdicts(config: Parameters<typeof EarlyStoppingSchema.parse>[0], h: EpochMetrics[]) {
  const c = EarlyStoppingSchema.parse(config);
  return h.map((_, i) => earlyStoppingVerdict(c, h.slice(0, i + 1)));
}

describe('earlyStoppingVerdict (Keras EarlyStopping, hand-computed)', () => {
  it("stops at epoch 7 of the issue's example and names epoch 4 as the best", () => {
    // best 0.5 at epoch 4; 0.5005 is not better by 0.001 (wait 1), 0.52 (wait 2), 0.51 (wait 3 = patience).
    const config = { monitor: 'val_loss', minDelta: 0.001, patience: 3, restoreBestWeights: true } as const;
    const v = verdicts(config, history('val_loss', [0.9, 0.7, 0.6, 0.5, 0.5005, 0.52, 0.51, 0.4]));
    expect(v.map((x) => x.stopAfter)).toEqual([null, null, null, null, null, null, 7, 7]);
    expect(v.map((x) => x.bestEpoch).slice(0, 7)).toEqual([1, 2, 3, 4, 4, 4, 4]);
    expect(v.map((x) => x.wait).slice(0, 7)).toEqual([0, 0, 0, 0, 1, 2, 3]);
    const c = EarlyStoppingSchema.parse(config);
    expect(describeEarlyStop(c, { ...v[6]!, stopAfter: 7 }, 4)).toBe('stopped early at epoch 7: val_loss has not improved by 0.001 for 3 epochs; restored epoch 4');
  });

  it('an improvement smaller than min_delta does not reset the wait; a bigger one does', () => {
    // 0.799 is not below 0.8 − 0.001 (wait 1); 0.81 (wait 2); 0.79 < 0.799 resets; then three worse epochs.
    const v = verdicts({ minDelta: 0.001, patience: 3 }, history('val_loss', [1, 0.8, 0.7995, 0.81, 0.79, 0.85, 0.9, 0.95]));
    expect(v.map((x) => x.wait)).toEqual([0, 0, 1, 2, 0, 1, 2, 3]);
    expect(v.map((x) => x.stopAfter)).toEqual([null, null, null, null, null, null, null, 8]);
    expect(v[7]!.bestEpoch).toBe(5);
  });

  it('mode auto maximises an accuracy; min_delta applies upwards', () => {
    const accs = [0.9, 0.92, 0.92, 0.921];
    // 0.921 > 0.92: an improvement with min_delta 0
    expect(verdicts({ monitor: 'val_acc', patience: 2 }, history('val_acc', accs)).map((x) => x.bestEpoch)).toEqual([1, 2, 2, 4]);
    // 0.921 is not above 0.92 + 0.005: the second epoch without improvement stops the run
    const v = verdicts({ monitor: 'val_acc', patience: 2, minDelta: 0.005 }, history('val_acc', accs));
    expect(v.map((x) => x.stopAfter)).toEqual([null, null, null, 4]);
    expect(v[3]!.bestEpoch).toBe(2);
  });

  it('an explicit mode overrides auto (a falling loss in mode max never improves after the first epoch)', () => {
    const v = verdicts({ monitor: 'loss', mode: 'max', patience: 2 }, history('loss', [1, 0.9, 0.8, 0.7]));
    expect(v.map((x) => x.stopAfter)).toEqual([null, null, 3, 3]);
    expect(v[2]!.bestEpoch).toBe(1);
  });

  it('patience 0 stops at the first epoch that does not improve', () => {
    expect(verdicts({ patience: 0 }, history('val_loss', [1, 0.9, 0.95])).map((x) => x.stopAfter)).toEqual([null, null, 3]);
  });

  it('skips epochs without the monitored value, as Keras does', () => {
    const v = verdicts({ patience: 1 }, history('val_loss', [null, 1, null, 1.1]));
    expect(v.map((x) => x.stopAfter)).toEqual([null, null, null, 4]);
    expect(v[3]!.bestEpoch).toBe(2);
  });

  it('says "by" only with a min_delta and counts one epoch in the singular', () => {
    const c = EarlyStoppingSchema.parse({ monitor: 'acc', patience: 1 });
    expect(describeEarlyStop(c, { stopAfter: 2, bestEpoch: 1, wait: 1 }, null)).toBe('stopped early at epoch 2: acc has not improved for 1 epoch');
  });

  it('refuses settings outside its limits', () => {
    expect(() => EarlyStoppingSchema.parse({ monitor: 'val_accuracy' })).toThrow();
    expect(() => EarlyStoppingSchema.parse({ patience: -1 })).toThrow();
    expect(() => EarlyStoppingSchema.parse({ patience: 1.5 })).toThrow();
    expect(() => EarlyStoppingSchema.parse({ minDelta: -0.1 })).toThrow();
    expect(() => EarlyStoppingSchema.parse({ baseline: 1 })).toThrow();
  });
});
