import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src-shared/presets.ts';
import { StartRunSchema } from '../../src-shared/schemas.ts';
import { TrainSettings } from '../../src-renderer/state/train-settings.svelte.ts';
import { MNIST } from './fake-lab.ts';

describe('TrainSettings', () => {
  it('defaults to the seed tutorial: SGD, batch 128, 10 epochs, test set as validation', () => {
    const s = new TrainSettings();
    expect(s.ok).toBe(true);
    expect(s.optimizer).toBe('sgd');
    expect(s.optimizerParams).toEqual({ learningRate: 0.01, momentum: 0, nesterov: false });
    expect(s.form).toMatchObject({ batchSize: 128, epochs: 10, validation: 'testSet', trainExamples: 60_000, testExamples: 10_000, seed: 42 });
    expect(s.batchesPerEpoch).toBe(469);
    const request = s.request(PRESETS[0]!.architecture);
    expect(request).not.toBeNull();
    const parsed = StartRunSchema.parse(request);
    expect(parsed.compile.optimizer).toEqual({ name: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false });
    expect(parsed.train.validation).toEqual({ kind: 'testSet' });
    expect(parsed.train.batchSize).toBe(128);
  });

  it('augmentation is off by default (no config recorded) and, once set, goes into the request in Keras-like terms', () => {
    const s = new TrainSettings();
    expect(StartRunSchema.parse(s.request(PRESETS[0]!.architecture)).train.augmentation).toBeUndefined();
    s.form.augShift = 0.1;
    s.form.augRotation = 10;
    s.form.augFlip = true;
    expect(StartRunSchema.parse(s.request(PRESETS[0]!.architecture)).train.augmentation).toEqual({ shift: 0.1, rotation: 10, zoom: 0, horizontalFlip: true });
    s.form.augRotation = 90;
    expect(s.issues.get('augmentation.rotation')).toMatch(/45/);
    expect(s.blocker).toMatch(/^Rotation \(RandomRotation\):/);
    expect(s.request(PRESETS[0]!.architecture)).toBeNull();
    s.reset();
    expect(s.form).toMatchObject({ augShift: 0, augRotation: 0, augZoom: 0, augFlip: false });
  });

  it('switching optimizer brings that optimizer’s defaults', () => {
    const s = new TrainSettings();
    s.setOptimizer('adam');
    expect(s.optimizerParams).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(s.learningRate).toBe(0.001);
  });

  it('puts schema messages on the field and blocks the request', () => {
    const s = new TrainSettings();
    s.form.batchSize = 0;
    expect(s.issues.get('batchSize')).toMatch(/>=\s*1|too small/i);
    expect(s.blocker).toMatch(/^Batch size:/);
    expect(s.request(PRESETS[0]!.architecture)).toBeNull();
    s.form.batchSize = 64;
    s.setOptimizerParam('learningRate', -1);
    expect(s.issues.has('optimizer.learningRate')).toBe(true);
    s.setOptimizerParam('learningRate', 0.1);
    expect(s.ok).toBe(true);
  });

  it('validation split: fraction checked, fitted examples reduced like Keras', () => {
    const s = new TrainSettings();
    s.form.validation = 'split';
    s.form.fraction = 1.5;
    expect(s.issues.has('fraction')).toBe(true);
    s.form.fraction = 0.2;
    s.form.trainExamples = 1000;
    expect(s.fitExamples).toBe(800);
    expect(s.batchesPerEpoch).toBe(7);
    expect(s.request(PRESETS[0]!.architecture)?.train).toMatchObject({ validation: { kind: 'split', fraction: 0.2 } });
  });

  it('knows the dataset sizes once the lab told them', () => {
    const s = new TrainSettings();
    s.datasets = [MNIST];
    s.form.trainExamples = 70_000;
    expect(s.issues.get('trainExamples')).toBe('MNIST has 60,000 training examples');
  });

  it('adds EarlyStopping and a schedule to the request only when chosen, with the schema judging each field', () => {
    const s = new TrainSettings();
    const arch = PRESETS[0]!.architecture;
    expect(StartRunSchema.parse(s.request(arch)).train).not.toHaveProperty('earlyStopping');
    expect(StartRunSchema.parse(s.request(arch)).train).not.toHaveProperty('lrSchedule');

    s.earlyStoppingOn = true;
    s.setEarlyStoppingParam('minDelta', 0.001);
    s.setEarlyStoppingParam('restoreBestWeights', true);
    s.setScheduleKind('reduceOnPlateau');
    expect(s.scheduleParams).toEqual({ monitor: 'val_loss', mode: 'auto', factor: 0.1, patience: 10, minDelta: 1e-4, cooldown: 0, minLr: 0 });
    s.setScheduleParam('factor', 0.5);
    const train = StartRunSchema.parse(s.request(arch)).train;
    expect(train.earlyStopping).toEqual({ monitor: 'val_loss', mode: 'auto', minDelta: 0.001, patience: 3, restoreBestWeights: true });
    expect(train.lrSchedule).toMatchObject({ kind: 'reduceOnPlateau', factor: 0.5 });

    s.setEarlyStoppingParam('patience', -2);
    expect(s.issues.has('earlyStopping.patience')).toBe(true);
    expect(s.blocker).toMatch(/^EarlyStopping patience:/);
    s.setEarlyStoppingParam('patience', 2);
    s.setScheduleParam('factor', 1.5);
    expect(s.blocker).toMatch(/^Schedule factor:/);
    s.setScheduleParam('factor', 0.5);
    expect(s.ok).toBe(true);

    // A val_ monitor without validation data would never act: refused on the field.
    s.form.validation = 'none';
    expect(s.issues.get('earlyStopping.monitor')).toMatch(/no validation data/);
    s.setEarlyStoppingParam('monitor', 'loss');
    expect(s.issues.get('lrSchedule.monitor')).toMatch(/ReduceLROnPlateau monitors val_loss/);
    s.setScheduleKind('cosineDecay');
    expect(s.ok).toBe(true);
    expect(StartRunSchema.parse(s.request(arch)).train.lrSchedule).toEqual({ kind: 'cosineDecay', alpha: 0, warmupEpochs: 0 });

    s.reset();
    expect(s.earlyStoppingOn).toBe(false);
    expect(s.scheduleKind).toBe('constant');
  });
});
