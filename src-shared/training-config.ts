// Compile and fit settings in Keras words, with the seed tutorial's values as defaults.
import { z } from 'zod';

export const LOSSES = ['categoricalCrossentropy'] as const;

const learningRate = z.number().positive().max(10);

export const SgdOptimizerSchema = z.strictObject({
  name: z.literal('sgd'),
  learningRate: learningRate.default(0.01),
  momentum: z.number().min(0).max(1).default(0),
  nesterov: z.boolean().default(false),
});
export const AdamOptimizerSchema = z.strictObject({
  name: z.literal('adam'),
  learningRate: learningRate.default(0.001),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().max(1).default(1e-7),
});
export const RmspropOptimizerSchema = z.strictObject({
  name: z.literal('rmsprop'),
  learningRate: learningRate.default(0.001),
  rho: z.number().min(0).lt(1).default(0.9),
  momentum: z.number().min(0).max(1).default(0),
  epsilon: z.number().positive().max(1).default(1e-7),
});
export const AdagradOptimizerSchema = z.strictObject({
  name: z.literal('adagrad'),
  learningRate: learningRate.default(0.01),
  initialAccumulatorValue: z.number().positive().default(0.1),
});

export const OptimizerSchema = z.discriminatedUnion('name', [
  SgdOptimizerSchema,
  AdamOptimizerSchema,
  RmspropOptimizerSchema,
  AdagradOptimizerSchema,
]);
export type OptimizerConfig = z.output<typeof OptimizerSchema>;
export type OptimizerName = OptimizerConfig['name'];
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam', 'rmsprop', 'adagrad'];

export const CompileConfigSchema = z.strictObject({
  loss: z.enum(LOSSES).default('categoricalCrossentropy'),
  optimizer: OptimizerSchema.default({ name: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false }),
  metrics: z.array(z.literal('accuracy')).max(1).default(['accuracy']),
});
export type CompileConfig = z.output<typeof CompileConfigSchema>;

export const ValidationSchema = z.discriminatedUnion('kind', [
  /** validation_data=(x_test, y_test), as the seed does. */
  z.strictObject({ kind: z.literal('testSet') }),
  /** validation_split: the last fraction of the (subsampled) training set, as Keras takes it. */
  z.strictObject({ kind: z.literal('split'), fraction: z.number().gt(0).lt(1) }),
  z.strictObject({ kind: z.literal('none') }),
]);
export type ValidationConfig = z.output<typeof ValidationSchema>;

export const MAX_EPOCHS = 1000;

/** What a callback watches, in Keras' names (the epoch history's columns). */
export const MONITORS = ['val_loss', 'val_acc', 'loss', 'acc'] as const;
export type Monitor = (typeof MONITORS)[number];
/** Keras' `mode`: "auto" takes max for accuracies and min for losses. */
export const MONITOR_MODES = ['auto', 'min', 'max'] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];

/** keras.callbacks.EarlyStopping. Patience and deltas are bounded by the epoch limit and a sane scale. */
export const EarlyStoppingSchema = z.strictObject({
  monitor: z.enum(MONITORS).default('val_loss'),
  mode: z.enum(MONITOR_MODES).default('auto'),
  minDelta: z.number().min(0).max(1000).default(0),
  patience: z.number().int().min(0).max(MAX_EPOCHS).default(0),
  restoreBestWeights: z.boolean().default(false),
});
export type EarlyStoppingConfig = z.output<typeof EarlyStoppingSchema>;

/**
 * A learning-rate schedule, applied at the start of each epoch as keras.callbacks.LearningRateScheduler does
 * (epoch counted from 0 there; the optimizer's learningRate is the initial rate), or ReduceLROnPlateau at each
 * epoch's end.
 */
export const LrScheduleSchema = z.discriminatedUnion('kind', [
  /** lr0 · factor^floor(epoch / everyEpochs) */
  z.strictObject({ kind: z.literal('stepDecay'), factor: z.number().gt(0).lt(1).default(0.5), everyEpochs: z.number().int().min(1).max(MAX_EPOCHS).default(10) }),
  /** lr0 · decayRate^(epoch / decayEpochs), keras.optimizers.schedules.ExponentialDecay counted in epochs */
  z.strictObject({ kind: z.literal('exponentialDecay'), decayRate: z.number().gt(0).lt(1).default(0.96), decayEpochs: z.number().int().min(1).max(MAX_EPOCHS).default(1) }),
  /**
   * Linear warm-up to lr0 over warmupEpochs (epoch e < W uses lr0 · (e + 1) / W), then
   * lr0 · (alpha + (1 − alpha) · ½(1 + cos(π · min(e − W, D) / D))) with D = decayEpochs, or the run's remaining
   * epochs (epochs − W) when absent: keras.optimizers.schedules.CosineDecay counted in epochs.
   */
  z.strictObject({
    kind: z.literal('cosineDecay'),
    alpha: z.number().min(0).max(1).default(0),
    warmupEpochs: z.number().int().min(0).max(MAX_EPOCHS).default(0),
    decayEpochs: z.number().int().min(1).max(MAX_EPOCHS).optional(),
  }),
  /** keras.callbacks.ReduceLROnPlateau */
  z.strictObject({
    kind: z.literal('reduceOnPlateau'),
    monitor: z.enum(MONITORS).default('val_loss'),
    mode: z.enum(MONITOR_MODES).default('auto'),
    factor: z.number().gt(0).lt(1).default(0.1),
    patience: z.number().int().min(0).max(MAX_EPOCHS).default(10),
    minDelta: z.number().min(0).max(1000).default(1e-4),
    cooldown: z.number().int().min(0).max(MAX_EPOCHS).default(0),
    minLr: z.number().min(0).max(10).default(0),
  }),
]);
export type LrScheduleConfig = z.output<typeof LrScheduleSchema>;
export type LrScheduleKind = LrScheduleConfig['kind'];
export const LR_SCHEDULE_KINDS: readonly LrScheduleKind[] = ['stepDecay', 'exponentialDecay', 'cosineDecay', 'reduceOnPlateau'];
/** Bounds of each augmentation: beyond them an image stops looking like its class. */
export const AUGMENTATION_LIMITS = { shift: 0.3, rotation: 45, zoom: 0.5 } as const;

/**
 * Random changes to each training image, drawn afresh every epoch from the run's seed and
 * applied on the fly (validation and test images are never changed). Absent: off, as for the seed.
 */
export const AugmentationSchema = z.strictObject({
  /** Largest shift up/down and left/right, as a fraction of the image's height and width. */
  shift: z.number().min(0).max(AUGMENTATION_LIMITS.shift).default(0),
  /** Largest rotation either way, in degrees. */
  rotation: z.number().min(0).max(AUGMENTATION_LIMITS.rotation).default(0),
  /** Largest zoom in or out, as a fraction (0.1: scale 0.9 to 1.1). */
  zoom: z.number().min(0).max(AUGMENTATION_LIMITS.zoom).default(0),
  /** Mirror left-right half of the time: off for digits, whose mirror images are other shapes. */
  horizontalFlip: z.boolean().default(false),
});
export type AugmentationConfig = z.output<typeof AugmentationSchema>;

/** Whether an augmentation config changes anything. */
export function augmentationActive(a: AugmentationConfig | undefined): a is AugmentationConfig {
  return a !== undefined && (a.shift > 0 || a.rotation > 0 || a.zoom > 0 || a.horizontalFlip);
}

/** "shift ±10%, rotate ±10°, zoom ±10%, flip" or "off". */
export function describeAugmentation(a: AugmentationConfig | undefined): string {
  if (!augmentationActive(a)) return 'off';
  const parts: string[] = [];
  if (a.shift > 0) parts.push(`shift ±${Math.round(a.shift * 100)}%`);
  if (a.rotation > 0) parts.push(`rotate ±${a.rotation}°`);
  if (a.zoom > 0) parts.push(`zoom ±${Math.round(a.zoom * 100)}%`);
  if (a.horizontalFlip) parts.push('flip');
  return parts.join(', ');
}

export const TrainConfigSchema = z.strictObject({
  batchSize: z.number().int().min(1).max(65_536).default(128),
  epochs: z.number().int().min(1).max(MAX_EPOCHS).default(10),
  validation: ValidationSchema.default({ kind: 'testSet' }),
  /** TRAIN_EXAMPLES of the seed: a random choice without replacement from the training set. */
  trainExamples: z.number().int().min(1).default(60_000),
  /** TEST_EXAMPLES of the seed. */
  testExamples: z.number().int().min(1).default(10_000),
  shuffle: z.boolean().default(true),
  /** Seeds the subsampling, the shuffle, dropout, the initial weights and the augmentation. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
  /** Absent: every epoch runs (the seed's behaviour). Optional, not defaulted, so runs stored before it read the same. */
  earlyStopping: EarlyStoppingSchema.optional(),
  /** Absent: the optimizer's learning rate throughout. */
  lrSchedule: LrScheduleSchema.optional(),
  /** Off when absent, so configs from before augmentation existed read as they were. */
  augmentation: AugmentationSchema.optional(),
});
export type TrainConfig = z.output<typeof TrainConfigSchema>;

/**
 * How Keras' validation_split divides n examples: `split_at = int(n * (1 - f))`, the first split_at
 * train and the last n - split_at validate (keras/engine/data_adapter.py, train_validation_split).
 * The one copy: the trainer slices by it and the renderer counts batches by it.
 */
export function validationSplit(examples: number, fraction: number): { train: number; validation: number } {
  const train = Math.trunc(examples * (1 - fraction));
  return { train, validation: examples - train };
}

/**
 * What the callbacks cannot do with this config, as sentences (empty: fine). A val_ monitor needs validation data:
 * Keras would only warn and never act, which here would be a silent no-op, so it is refused instead.
 */
export function callbackProblems(train: Pick<TrainConfig, 'validation' | 'earlyStopping' | 'lrSchedule'>): string[] {
  const problems: string[] = [];
  const noValidation = train.validation.kind === 'none';
  if (train.earlyStopping && noValidation && train.earlyStopping.monitor.startsWith('val_')) {
    problems.push(`early stopping monitors ${train.earlyStopping.monitor} but the run has no validation data; monitor loss or acc, or validate`);
  }
  const schedule = train.lrSchedule;
  if (schedule?.kind === 'reduceOnPlateau' && noValidation && schedule.monitor.startsWith('val_')) {
    problems.push(`ReduceLROnPlateau monitors ${schedule.monitor} but the run has no validation data; monitor loss or acc, or validate`);
  }
  return problems;
}

/** The examples fitted each epoch: all of the training subsample, less a validation split. */
export function fitExamples(train: Pick<TrainConfig, 'trainExamples' | 'validation'>): number {
  return train.validation.kind === 'split' ? validationSplit(train.trainExamples, train.validation.fraction).train : train.trainExamples;
}
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
export type CompileConfigInput = z.input<typeof CompileConfigSchema>;

export function describeOptimizer(o: OptimizerConfig): string {
  switch (o.name) {
    case 'sgd':
      return `SGD(lr=${o.learningRate}${o.momentum ? `, momentum=${o.momentum}` : ''}${o.nesterov ? ', nesterov' : ''})`;
    case 'adam':
      return `Adam(lr=${o.learningRate})`;
    case 'rmsprop':
      return `RMSprop(lr=${o.learningRate})`;
    case 'adagrad':
      return `Adagrad(lr=${o.learningRate})`;
  }
}

/** Keras' metric names in TF 2.x for what the history calls acc / val_acc (the seed's era's names). */
export function kerasMonitorName(monitor: Monitor): string {
  return monitor === 'acc' ? 'accuracy' : monitor === 'val_acc' ? 'val_accuracy' : monitor;
}

/** "EarlyStopping(monitor=val_loss, min_delta=0.001, patience=3, restore_best_weights)" or "off". */
export function describeEarlyStopping(config: EarlyStoppingConfig | undefined): string {
  if (!config) return 'off';
  const parts = [`monitor=${config.monitor}`];
  if (config.mode !== 'auto') parts.push(`mode=${config.mode}`);
  if (config.minDelta > 0) parts.push(`min_delta=${config.minDelta}`);
  parts.push(`patience=${config.patience}`);
  if (config.restoreBestWeights) parts.push('restore_best_weights');
  return `EarlyStopping(${parts.join(', ')})`;
}

/** "step decay ×0.5 every 10 epochs", "ReduceLROnPlateau(val_loss, factor=0.1, patience=10)" or "constant". */
export function describeLrSchedule(schedule: LrScheduleConfig | undefined): string {
  if (!schedule) return 'constant';
  switch (schedule.kind) {
    case 'stepDecay':
      return `step decay ×${schedule.factor} every ${schedule.everyEpochs} epoch${schedule.everyEpochs === 1 ? '' : 's'}`;
    case 'exponentialDecay':
      return `exponential decay ×${schedule.decayRate} per ${schedule.decayEpochs === 1 ? 'epoch' : `${schedule.decayEpochs} epochs`}`;
    case 'cosineDecay':
      return `cosine decay${schedule.warmupEpochs > 0 ? ` after ${schedule.warmupEpochs} warm-up epoch${schedule.warmupEpochs === 1 ? '' : 's'}` : ''}${schedule.decayEpochs !== undefined ? ` over ${schedule.decayEpochs} epochs` : ''}${schedule.alpha > 0 ? `, alpha=${schedule.alpha}` : ''}`;
    case 'reduceOnPlateau':
      return `ReduceLROnPlateau(${schedule.monitor}${schedule.mode !== 'auto' ? `, mode=${schedule.mode}` : ''}, factor=${schedule.factor}, patience=${schedule.patience}${schedule.minDelta !== 1e-4 ? `, min_delta=${schedule.minDelta}` : ''}${schedule.cooldown > 0 ? `, cooldown=${schedule.cooldown}` : ''}${schedule.minLr > 0 ? `, min_lr=${schedule.minLr}` : ''})`;
  }
}
