import { describe, expect, it } from 'vitest';
import { buildStartRequest } from '../../src-main/cli/commands/train.ts';
import { UsageError } from '../../src-main/cli/cli-error.ts';

const train = (...flags: string[]) => buildStartRequest(['--preset', 'keras-mlp', ...flags]).request.train;

describe('callback flags of layerlab train', () => {
  it('reads --early-stopping and --restore-best-weights into Keras EarlyStopping', () => {
    expect(train('--early-stopping', 'val_loss:3:0.001', '--restore-best-weights').earlyStopping).toEqual({ monitor: 'val_loss', mode: 'auto', minDelta: 0.001, patience: 3, restoreBestWeights: true });
    expect(train('--early-stopping', 'acc:2').earlyStopping).toEqual({ monitor: 'acc', mode: 'auto', minDelta: 0, patience: 2, restoreBestWeights: false });
    expect(train().earlyStopping).toBeUndefined();
  });

  it('reads each --lr-schedule form', () => {
    expect(train('--lr-schedule', 'step:0.5:10').lrSchedule).toEqual({ kind: 'stepDecay', factor: 0.5, everyEpochs: 10 });
    expect(train('--lr-schedule', 'exp:0.9').lrSchedule).toEqual({ kind: 'exponentialDecay', decayRate: 0.9, decayEpochs: 1 });
    expect(train('--lr-schedule', 'cosine:2:0.1').lrSchedule).toEqual({ kind: 'cosineDecay', warmupEpochs: 2, alpha: 0.1 });
    expect(train('--lr-schedule', 'cosine').lrSchedule).toEqual({ kind: 'cosineDecay', warmupEpochs: 0, alpha: 0 });
    expect(train('--lr-schedule', 'plateau:0.2:4:1e-5').lrSchedule).toMatchObject({ kind: 'reduceOnPlateau', factor: 0.2, patience: 4, minLr: 1e-5 });
  });

  it('refuses malformed values with a usage error naming the form', () => {
    expect(() => train('--early-stopping', 'val_accuracy:3')).toThrow(UsageError);
    expect(() => train('--early-stopping', 'val_loss')).toThrow(/MONITOR:PATIENCE/);
    expect(() => train('--early-stopping', 'val_loss:x')).toThrow(/patience must be an integer/);
    expect(() => train('--restore-best-weights')).toThrow(/needs --early-stopping/);
    expect(() => train('--lr-schedule', 'step:0.5')).toThrow(/step:FACTOR:EVERY_EPOCHS/);
    expect(() => train('--lr-schedule', 'linear:1')).toThrow(UsageError);
    expect(() => train('--lr-schedule', 'step:2:1')).toThrow(/factor/); // the schema's limit: factor < 1
  });
});
