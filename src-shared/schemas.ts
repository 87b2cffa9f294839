// Runtime schemas for every payload that crosses a process or network boundary.
import { z } from 'zod';
import { analyzeArchitecture } from './analyze-architecture.ts';
import type { Architecture } from './architecture.ts';
import { INVERT_MODES, MAX_TEST_FRACTION, PIXEL_RANGES, RESIZE_POLICIES } from './dataset-import.ts';
import { MAX_CLASSES, MAX_DATASET_SIDE, MIN_DATASET_SIDE } from './dataset-shape.ts';
import { IMAGE_PIXELS, IMAGE_SIDE } from './mnist-shape.ts';
import { BackendChoiceSchema, RUN_SORT_KEYS, RUN_STATUSES } from './runs.ts';
import { CompileConfigSchema, TrainConfigSchema } from './training-config.ts';

/**
 * Accepts only specs that analyzeArchitecture finds valid for some dataset, with its precise messages;
 * whether a spec fits the dataset it is run on is checked where that dataset is loaded (the run supervisor).
 */
export const ArchitectureSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    for (const issue of analyzeArchitecture(value, null).issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.layer === null ? [issue.field] : ['layers', issue.layer - 1, issue.field] });
    }
  })
  .transform((value) => value as Architecture);

export const RunIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const DatasetNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'dataset names are lowercase letters, digits, - and _ (at most 64)');
/**
 * A class by its label, 0 to MAX_CLASSES − 1: any dataset's. Whether the run in question has that
 * class is the service's check (checkClassLabel), which knows the run's own class count.
 */
export const ClassLabelSchema = z.number().int().min(0).max(MAX_CLASSES - 1);
const RunNameSchema = z.string().trim().min(1).max(200);

export const StartRunSchema = z.strictObject({
  name: RunNameSchema.optional(),
  architecture: ArchitectureSchema,
  compile: CompileConfigSchema.default(CompileConfigSchema.parse({})),
  train: TrainConfigSchema.default(TrainConfigSchema.parse({})),
  dataset: DatasetNameSchema.default('mnist'),
  backend: BackendChoiceSchema.default('auto'),
  /** The run this one re-runs or forks from. */
  parentRunId: RunIdSchema.optional(),
  /** Start from this checkpoint of the parent instead of fresh weights (a fork). */
  parentCheckpoint: z.lazy(() => CheckpointRefSchema).optional(),
});
export type StartRunRequest = z.input<typeof StartRunSchema>;
export type StartRunParsed = z.output<typeof StartRunSchema>;

export const RunRefSchema = z.strictObject({ runId: RunIdSchema });

export const SetLearningRateSchema = z.strictObject({ runId: RunIdSchema, learningRate: z.number().positive().max(10) });

export const UpdateRunSchema = z.strictObject({
  runId: RunIdSchema,
  name: RunNameSchema.optional(),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  notes: z.string().max(10_000).optional(),
});

export const ListRunsSchema = z
  .strictObject({
    status: z.enum(['queued', 'running', 'completed', 'stopped', 'failed', 'interrupted']).optional(),
    search: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .default({});

/** Rows of one run page at most (a screenful or a CLI page, never the whole lab). */
export const MAX_RUN_PAGE = 500;
/** Runs one bulk delete takes at most. */
export const MAX_DELETE_RUNS = 10_000;

/** A page of lean run rows: filtered, searched and sorted in the store. */
export const QueryRunsSchema = z
  .strictObject({
    /** Words matched in names, tags, notes, the architecture line, optimizer and backend (every word must match); a number also matches that run id. */
    search: z.string().max(200).optional(),
    status: z.enum(RUN_STATUSES).optional(),
    tag: z.string().max(40).optional(),
    /** Only runs with saved weights (Draw), or with a test evaluation (Evaluate). */
    has: z.enum(['weights', 'evaluation']).optional(),
    sort: z.enum(RUN_SORT_KEYS).default('id'),
    descending: z.boolean().default(true),
    limit: z.number().int().min(1).max(MAX_RUN_PAGE).default(100),
    offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  })
  .default({ sort: 'id', descending: true, limit: 100, offset: 0 });
export type RunQueryParsed = z.output<typeof QueryRunsSchema>;

/** Polling: what changed since a version, and which of the shown runs are gone. */
export const RunChangesSchema = z.strictObject({
  since: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  shown: z.array(RunIdSchema).max(MAX_RUN_PAGE).default([]),
});

export const DeleteRunsSchema = z.strictObject({
  runIds: z.array(RunIdSchema).min(1).max(MAX_DELETE_RUNS).refine((ids) => new Set(ids).size === ids.length, 'each run once'),
});

/** csv/json: the history; keras: a Python snippet rebuilding architecture + compile. */
export const EXPORT_RUN_FORMATS = ['csv', 'json', 'keras'] as const;
export const ExportRunSchema = z.strictObject({ runId: RunIdSchema, format: z.enum(EXPORT_RUN_FORMATS) });

export const MAX_COMPARE_RUNS = 10;
export const CompareRunsSchema = z.strictObject({
  runIds: z
    .array(RunIdSchema)
    .min(2, 'compare needs at least 2 runs')
    .max(MAX_COMPARE_RUNS, `compare at most ${MAX_COMPARE_RUNS} runs at once`)
    .refine((ids) => new Set(ids).size === ids.length, 'each run once'),
});

/** All the chosen runs' histories as one CSV (a row per run and epoch). */
export const ExportRunsSchema = z.strictObject({ runIds: z.array(RunIdSchema).min(1).max(10_000), format: z.literal('csv').default('csv') });

export const CheckpointRefSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('final') }),
  z.strictObject({ kind: z.literal('best') }),
  z.strictObject({ kind: z.literal('epoch'), epoch: z.number().int().min(1) }),
]);
export type CheckpointRef = z.output<typeof CheckpointRefSchema>;

export const MAX_PREDICT_IMAGES = 256;
export const PredictSchema = z.strictObject({
  runId: RunIdSchema,
  checkpoint: CheckpointRefSchema.default({ kind: 'final' }),
  /**
   * Images as values in [0, 1], row-major like the training data: 784 grey ones (28×28) for MNIST,
   * H×W×C for other datasets. The service checks each against the run's model input.
   */
  images: z
    .array(
      z
        .array(z.number().min(0).max(1))
        .min(MIN_DATASET_SIDE ** 2, `each image must have the model's input size: ${IMAGE_PIXELS} values (${IMAGE_SIDE}×${IMAGE_SIDE}) for MNIST`)
        .max(MAX_DATASET_SIDE ** 2 * 3, `each image must have the model's input size: ${IMAGE_PIXELS} values (${IMAGE_SIDE}×${IMAGE_SIDE}) for MNIST, at most ${MAX_DATASET_SIDE}×${MAX_DATASET_SIDE}×3`),
    )
    .min(1)
    .max(MAX_PREDICT_IMAGES),
});

export const TestImagesSchema = z.strictObject({
  dataset: DatasetNameSchema.default('mnist'),
  indices: z.array(z.number().int().min(0)).min(1).max(1000),
});

/** Samples of each class the Data screen shows at most (with 100 classes: 2,400 small images). */
export const MAX_SAMPLES_PER_CLASS = 24;
/** A dataset's classes: counts per split and the first test images of each. */
export const DatasetOverviewSchema = z.strictObject({
  dataset: DatasetNameSchema,
  samplesPerClass: z.number().int().min(0).max(MAX_SAMPLES_PER_CLASS).default(12),
});

/** One class's test images of a run, by the confidence of the run's final predictions (the Data screen). */
export const ClassByConfidenceSchema = z.strictObject({
  runId: RunIdSchema,
  /** The true class, by label (checked against the run's dataset). */
  label: ClassLabelSchema,
  /** most: the model's surest predictions first; least: its least sure first. */
  order: z.enum(['most', 'least']).default('most'),
  limit: z.number().int().min(1).max(200).default(48),
});

export const MisclassifiedSchema = z.strictObject({
  runId: RunIdSchema,
  trueLabel: ClassLabelSchema.optional(),
  predictedLabel: ClassLabelSchema.optional(),
  limit: z.number().int().min(1).max(500).default(60),
  /** Misclassified by this checkpoint (its predictions on the run's test subsample); absent or 'final': the stored final predictions. */
  checkpoint: CheckpointRefSchema.optional(),
});

/** Two runs' stored test predictions, image by image (same dataset, shared test indices). */
export const ComparePredictionsSchema = z.strictObject({
  runA: RunIdSchema,
  runB: RunIdSchema,
  /** Only images of this true class. */
  trueLabel: ClassLabelSchema.optional(),
  /** Only images that entered or left this predicted column between A and B. */
  predictedLabel: ClassLabelSchema.optional(),
  limit: z.number().int().min(1).max(500).default(60),
});

/** The trained model in TensorFlow.js layers format, from a checkpoint. */
export const ExportModelSchema = z.strictObject({ runId: RunIdSchema, checkpoint: CheckpointRefSchema.default({ kind: 'final' }) });

/** Evaluation of a stored checkpoint on the run's own test subsample. */
export const EvaluateCheckpointSchema = z.strictObject({ runId: RunIdSchema, checkpoint: CheckpointRefSchema });

/** A path on the machine the lab runs on (in a browser: the server's). */
const ImportPathSchema = z.string().min(1, 'give a path').max(4096, 'paths are at most 4096 characters');
const ImportSizeSchema = z.strictObject({ height: z.number().int().min(MIN_DATASET_SIDE).max(MAX_DATASET_SIDE), width: z.number().int().min(MIN_DATASET_SIDE).max(MAX_DATASET_SIDE) });
const ImportCommonSchema = {
  name: DatasetNameSchema,
  title: z.string().max(200).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  testFraction: z.number().gt(0).max(MAX_TEST_FRACTION).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
};

/** Import a dataset from an image folder or a CSV (src-shared/dataset-import.ts says what each option means). */
export const ImportDatasetSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('folder'),
    folder: ImportPathSchema,
    size: z.union([ImportSizeSchema, z.literal('keep')]).optional(),
    resize: z.enum(RESIZE_POLICIES).optional(),
    invert: z.enum(INVERT_MODES).optional(),
    ...ImportCommonSchema,
  }),
  z.strictObject({
    source: z.literal('csv'),
    csv: ImportPathSchema,
    testCsv: ImportPathSchema.optional(),
    labelColumn: z.string().min(1).max(200).optional(),
    pixelRange: z.enum(PIXEL_RANGES).optional(),
    size: ImportSizeSchema.optional(),
    ...ImportCommonSchema,
  }),
]);
export type ImportDatasetRequest = z.input<typeof ImportDatasetSchema>;
