// Compile and fit settings in Keras words. The form holds what the user typed; the contract's
// zod schemas judge it, and their messages land on the offending field.
import type { DatasetInfo } from '../../src-shared/api.ts';
import type { Architecture } from '../../src-shared/architecture.ts';
import type { TrainingPlan } from '../../src-shared/model-memory.ts';
import type { BackendChoice } from '../../src-shared/runs.ts';
import type { StartRunRequest } from '../../src-shared/schemas.ts';
import {
  callbackProblems,
  CompileConfigSchema,
  EarlyStoppingSchema,
  fitExamples,
  LrScheduleSchema,
  type EarlyStoppingConfig,
  type LrScheduleKind,
  OptimizerSchema,
  TrainConfigSchema,
  type CompileConfig,
  type OptimizerName,
  type TrainConfig,
} from '../../src-shared/training-config.ts';

export const DEFAULT_COMPILE: CompileConfig = CompileConfigSchema.parse({});
export const DEFAULT_TRAIN: TrainConfig = TrainConfigSchema.parse({});

/** Each optimizer's parameters, as the schema defaults them. */
export function optimizerDefaults(name: OptimizerName): Record<string, unknown> {
  const { name: _name, ...params } = OptimizerSchema.parse({ name });
  return params;
}

export const OPTIMIZER_TITLES: Record<OptimizerName, string> = {
  sgd: 'SGD',
  adam: 'Adam',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
};

export const OPTIMIZER_PARAM_LABELS: Record<string, string> = {
  learningRate: 'Learning rate',
  momentum: 'Momentum',
  nesterov: 'Nesterov',
  beta1: 'β₁ (beta_1)',
  beta2: 'β₂ (beta_2)',
  epsilon: 'Epsilon',
  rho: 'ρ (rho)',
  initialAccumulatorValue: 'Initial accumulator',
};

export type ValidationKind = 'testSet' | 'split' | 'none';

/** A schedule's parameters as the schema defaults them (cosine's optional decayEpochs stays absent: the run's length). */
export function scheduleDefaults(kind: LrScheduleKind): Record<string, unknown> {
  const { kind: _kind, ...params } = LrScheduleSchema.parse({ kind });
  return params;
}

export const SCHEDULE_TITLES: Record<LrScheduleKind | 'constant', string> = {
  constant: 'Constant',
  stepDecay: 'Step decay',
  exponentialDecay: 'Exponential decay',
  cosineDecay: 'Cosine decay (optional warm-up)',
  reduceOnPlateau: 'ReduceLROnPlateau',
};

/** Field labels in Keras' argument names, so the form reads like the callback's signature. */
export const CALLBACK_PARAM_LABELS: Record<string, string> = {
  monitor: 'monitor',
  mode: 'mode',
  minDelta: 'min_delta',
  patience: 'patience',
  restoreBestWeights: 'restore_best_weights',
  factor: 'factor',
  everyEpochs: 'every (epochs)',
  decayRate: 'decay_rate',
  decayEpochs: 'decay (epochs)',
  alpha: 'alpha',
  warmupEpochs: 'warm-up (epochs)',
  cooldown: 'cooldown',
  minLr: 'min_lr',
};

export const DEFAULT_EARLY_STOPPING: EarlyStoppingConfig = EarlyStoppingSchema.parse({ patience: 3 });

export interface TrainForm {
  batchSize: unknown;
  epochs: unknown;
  validation: ValidationKind;
  fraction: unknown;
  trainExamples: unknown;
  testExamples: unknown;
  shuffle: boolean;
  seed: unknown;
  /** Keras' RandomTranslation (fraction), RandomRotation (degrees here), RandomZoom (fraction), RandomFlip('horizontal'). */
  augShift: unknown;
  augRotation: unknown;
  augZoom: unknown;
  augFlip: boolean;
}

/** The form at the seed tutorial's values (the split fraction, unused by the seed, at Keras' usual 0.1). */
function defaultForm(): TrainForm {
  return {
    batchSize: DEFAULT_TRAIN.batchSize,
    epochs: DEFAULT_TRAIN.epochs,
    validation: DEFAULT_TRAIN.validation.kind,
    fraction: 0.1,
    trainExamples: DEFAULT_TRAIN.trainExamples,
    testExamples: DEFAULT_TRAIN.testExamples,
    shuffle: DEFAULT_TRAIN.shuffle,
    seed: DEFAULT_TRAIN.seed,
    // Off, as for the seed: digits are not flipped, and the seed's numbers come out the same.
    augShift: 0,
    augRotation: 0,
    augZoom: 0,
    augFlip: false,
  };
}

/** Augmentation as the form holds it: absent while everything is 0 and unflipped, so such runs record none. */
function augmentationOf(form: TrainForm): Record<string, unknown> | undefined {
  const off = form.augShift === 0 && form.augRotation === 0 && form.augZoom === 0 && !form.augFlip;
  return off ? undefined : { shift: form.augShift, rotation: form.augRotation, zoom: form.augZoom, horizontalFlip: form.augFlip };
}

export class TrainSettings {
  runName = $state('');
  dataset = $state('mnist');
  backend = $state<BackendChoice>('auto');
  optimizer = $state<OptimizerName>(DEFAULT_COMPILE.optimizer.name);
  optimizerParams = $state<Record<string, unknown>>(optimizerDefaults(DEFAULT_COMPILE.optimizer.name));
  form = $state<TrainForm>(defaultForm());
  /** keras.callbacks.EarlyStopping; off by default (the seed has none). */
  earlyStoppingOn = $state(false);
  earlyStopping = $state<Record<string, unknown>>({ ...DEFAULT_EARLY_STOPPING });
  /** The learning-rate schedule; constant by default. */
  scheduleKind = $state<LrScheduleKind | 'constant'>('constant');
  scheduleParams = $state<Record<string, unknown>>({});
  /** Known datasets (from getSystemInfo), for example-count limits. */
  datasets = $state.raw<DatasetInfo[]>([]);

  readonly #compileResult = $derived(
    CompileConfigSchema.safeParse({ loss: 'categoricalCrossentropy', optimizer: { name: this.optimizer, ...this.optimizerParams }, metrics: ['accuracy'] }),
  );

  readonly #trainResult = $derived(
    TrainConfigSchema.safeParse({
      batchSize: this.form.batchSize,
      epochs: this.form.epochs,
      validation: this.form.validation === 'split' ? { kind: 'split', fraction: this.form.fraction } : { kind: this.form.validation },
      trainExamples: this.form.trainExamples,
      testExamples: this.form.testExamples,
      shuffle: this.form.shuffle,
      seed: this.form.seed,
      ...(this.earlyStoppingOn ? { earlyStopping: this.earlyStopping } : {}),
      ...(this.scheduleKind !== 'constant' ? { lrSchedule: { kind: this.scheduleKind, ...this.scheduleParams } } : {}),
      augmentation: augmentationOf(this.form),
    }),
  );

  /** Messages by field key: "batchSize", "fraction", "optimizer.learningRate", "runName"… */
  readonly issues: ReadonlyMap<string, string> = $derived.by(() => {
    const out = new Map<string, string>();
    const put = (key: string, message: string) => {
      if (!out.has(key)) out.set(key, message);
    };
    if (!this.#compileResult.success) {
      for (const issue of this.#compileResult.error.issues) {
        const [, field] = issue.path.map(String);
        put(field ? `optimizer.${field}` : 'optimizer', issue.message);
      }
    }
    if (!this.#trainResult.success) {
      for (const issue of this.#trainResult.error.issues) {
        const path = issue.path.map(String);
        const callback = path[0] === 'earlyStopping' || path[0] === 'lrSchedule';
        put(path[0] === 'validation' ? 'fraction' : path[0] === 'augmentation' ? `augmentation.${path[1] ?? ''}` : callback ? path.slice(0, 2).join('.') : (path[0] ?? 'train'), issue.message);
      }
    } else {
      const [stopping, schedule] = [this.#trainResult.data.earlyStopping, this.#trainResult.data.lrSchedule];
      for (const problem of callbackProblems(this.#trainResult.data)) {
        put(problem.startsWith('early') && stopping ? 'earlyStopping.monitor' : schedule ? 'lrSchedule.monitor' : 'train', problem);
      }
    }
    const info = this.datasets.find((d) => d.name === this.dataset);
    if (info) {
      const { trainExamples, testExamples } = this.form;
      if (typeof trainExamples === 'number' && trainExamples > info.trainExamples) {
        put('trainExamples', `${info.title} has ${info.trainExamples.toLocaleString('en-US')} training examples`);
      }
      if (typeof testExamples === 'number' && testExamples > info.testExamples) {
        put('testExamples', `${info.title} has ${info.testExamples.toLocaleString('en-US')} test examples`);
      }
    }
    if (this.runName.length > 200) put('runName', 'a run name has at most 200 characters');
    return out;
  });

  readonly ok = $derived(this.issues.size === 0);

  /** Batch size and optimizer once both are valid: what the model's training memory depends on. */
  readonly trainingPlan: TrainingPlan | null = $derived(
    this.#compileResult.success && this.#trainResult.success ? { batchSize: this.#trainResult.data.batchSize, optimizer: this.#compileResult.data.optimizer } : null,
  );

  /** Why these settings cannot be used, or null. */
  readonly blocker: string | null = $derived.by(() => {
    const first = this.issues.entries().next();
    return first.done ? null : `${labelOf(first.value[0])}: ${first.value[1]}`;
  });

  /** Examples actually fitted per epoch (Keras keeps the first 1 − fraction for training). */
  readonly fitExamples: number | null = $derived.by(() => (this.#trainResult.success ? fitExamples(this.#trainResult.data) : null));

  readonly batchesPerEpoch: number | null = $derived.by(() => {
    if (!this.#trainResult.success || this.fitExamples === null) return null;
    return Math.ceil(this.fitExamples / this.#trainResult.data.batchSize);
  });

  get learningRate(): number {
    const lr = this.optimizerParams.learningRate;
    return typeof lr === 'number' ? lr : DEFAULT_COMPILE.optimizer.learningRate;
  }

  setOptimizer(name: OptimizerName): void {
    if (name === this.optimizer) return;
    this.optimizer = name;
    this.optimizerParams = optimizerDefaults(name);
  }

  setScheduleKind(kind: LrScheduleKind | 'constant'): void {
    if (kind === this.scheduleKind) return;
    this.scheduleKind = kind;
    this.scheduleParams = kind === 'constant' ? {} : scheduleDefaults(kind);
  }

  setScheduleParam(name: string, value: unknown): void {
    const next = { ...this.scheduleParams };
    if (value === undefined) delete next[name];
    else next[name] = value;
    this.scheduleParams = next;
  }

  setEarlyStoppingParam(name: string, value: unknown): void {
    this.earlyStopping = { ...this.earlyStopping, [name]: value };
  }

  setOptimizerParam(name: string, value: unknown): void {
    const next = { ...this.optimizerParams };
    if (value === undefined) delete next[name];
    else next[name] = value;
    this.optimizerParams = next;
  }

  /** Takes a run's compile and fit settings (a sweep's winner promoted to the editor). */
  adopt(compile: CompileConfig, train: TrainConfig): void {
    const { name, ...params } = compile.optimizer;
    this.optimizer = name;
    this.optimizerParams = params;
    this.form = {
      batchSize: train.batchSize,
      epochs: train.epochs,
      validation: train.validation.kind,
      fraction: train.validation.kind === 'split' ? train.validation.fraction : 0.1,
      trainExamples: train.trainExamples,
      testExamples: train.testExamples,
      shuffle: train.shuffle,
      seed: train.seed,
      augShift: train.augmentation?.shift ?? 0,
      augRotation: train.augmentation?.rotation ?? 0,
      augZoom: train.augmentation?.zoom ?? 0,
      augFlip: train.augmentation?.horizontalFlip ?? false,
    };
    this.earlyStoppingOn = train.earlyStopping !== undefined;
    this.earlyStopping = { ...(train.earlyStopping ?? DEFAULT_EARLY_STOPPING) };
    if (train.lrSchedule) {
      const { kind, ...scheduleParams } = train.lrSchedule;
      this.scheduleKind = kind;
      this.scheduleParams = scheduleParams;
    } else {
      this.setScheduleKind('constant');
    }
  }

  /** Back to the seed tutorial's values. */
  reset(): void {
    this.optimizer = DEFAULT_COMPILE.optimizer.name;
    this.optimizerParams = optimizerDefaults(this.optimizer);
    this.form = defaultForm();
    this.earlyStoppingOn = false;
    this.earlyStopping = { ...DEFAULT_EARLY_STOPPING };
    this.setScheduleKind('constant');
  }

  /** The startRun payload for a valid architecture, or null while a setting is invalid. */
  request(architecture: Architecture): StartRunRequest | null {
    if (!this.#compileResult.success || !this.#trainResult.success || !this.ok) return null;
    const name = this.runName.trim();
    return {
      ...(name ? { name } : {}),
      architecture,
      compile: this.#compileResult.data,
      train: this.#trainResult.data,
      dataset: this.dataset,
      backend: this.backend,
    };
  }
}

const LABELS: Record<string, string> = {
  batchSize: 'Batch size',
  epochs: 'Epochs',
  fraction: 'Validation split',
  trainExamples: 'Train examples',
  testExamples: 'Test examples',
  seed: 'Seed',
  runName: 'Run name',
  'augmentation.shift': 'Shift (RandomTranslation)',
  'augmentation.rotation': 'Rotation (RandomRotation)',
  'augmentation.zoom': 'Zoom (RandomZoom)',
};

export function labelOf(key: string): string {
  if (key.startsWith('optimizer.')) return OPTIMIZER_PARAM_LABELS[key.slice(10)] ?? key;
  if (key.startsWith('earlyStopping.')) return `EarlyStopping ${CALLBACK_PARAM_LABELS[key.slice(14)] ?? key.slice(14)}`;
  if (key.startsWith('lrSchedule.')) return `Schedule ${CALLBACK_PARAM_LABELS[key.slice(11)] ?? key.slice(11)}`;
  return LABELS[key] ?? key;
}
