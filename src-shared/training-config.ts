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
