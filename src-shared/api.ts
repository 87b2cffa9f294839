// The whole Layerlab API as one contract: commands (input schema + output type) and events.
// Electron IPC and the web bridge are both built from this table; a member missing on
// either side is a compile error (see LabCommands / createApi).
import type { z } from 'zod';
import type { ArchitectureAnalysis } from './analyze-architecture.ts';
import type { BackendName, BackendReport, Evaluation, PredictionComparison, RunChanges, RunComparison, RunDetail, RunEvent, RunPage, RunSummary } from './runs.ts';
import {
  ComparePredictionsSchema,
  ClassByConfidenceSchema,
  CompareRunsSchema,
  DatasetOverviewSchema,
  DeleteRunsSchema,
  EvaluateCheckpointSchema,
  ExportModelSchema,
  ExportRunsSchema,
  ExportRunSchema,
  ImportDatasetSchema,
  ListRunsSchema,
  MisclassifiedSchema,
  PredictSchema,
  QueryRunsSchema,
  RunChangesSchema,
  RunRefSchema,
  SetLearningRateSchema,
  StartRunSchema,
  TestImagesSchema,
  UpdateRunSchema,
} from './schemas.ts';
import { z as zod } from 'zod';
import { CreateSweepSchema, ReorderSweepSchema, SweepRefSchema, type SweepDetail, type SweepSummary } from './sweeps.ts';
import type { ImportProgress } from './dataset-import.ts';
import { InspectImageSchema, InspectWeightsSchema, ProjectEmbeddingSchema, WeightHistorySchema, type EmbeddingProjection, type ImageInspection, type WeightHistory, type WeightInspection } from './inside.ts';

interface CommandDef<I extends z.ZodType, O> {
  input: I;
  /** Phantom: the output type travels in the type system only (a function so null survives). */
  output?: () => O;
}
const command = <O>() => <I extends z.ZodType>(input: I): CommandDef<I, O> => ({ input });
const NoInput = zod.union([zod.undefined(), zod.null(), zod.strictObject({})]).optional();

export interface DatasetInfo {
  name: string;
  title: string;
  hash: string;
  trainExamples: number;
  testExamples: number;
  /** Height, width, channels of every image (MNIST: 28, 28, 1). */
  imageShape: [number, number, number];
  /** Name of each class, by label (MNIST: "0" … "9"). */
  classNames: string[];
  builtIn: boolean;
  /** Set when the dataset's files or description are damaged: what is wrong and what to do (it cannot be trained on). */
  damaged?: string;
}

/** A dataset's class balance and samples, for the Data screen. */
export interface DatasetOverview {
  name: string;
  classNames: string[];
  /** Images of each class (by label) in the training and the test set. */
  trainCounts: number[];
  testCounts: number[];
  /** The first test images of each class (by label), at most samplesPerClass each. */
  samples: TestImage[][];
}

/** The import under way: which dataset, and how far. */
export interface ImportStatus {
  name: string;
  source: 'folder' | 'csv';
  progress: ImportProgress;
}

export interface SystemInfo {
  version: string;
  home: string;
  databasePath: string;
  backend: BackendReport;
  datasets: DatasetInfo[];
  /** The most memory one run may plan to train with (half of this machine's); bigger models are refused. */
  memoryBudgetBytes: number;
}

/** Pre-flight: what one epoch of a planned run will cost on the backend that would run it. */
export interface EpochEstimate {
  backend: BackendName;
  secondsPerBatch: number;
  batchesPerEpoch: number;
  secondsPerEpoch: number;
  totalParams: number;
  weightBytes: number;
}

export interface ExportedFile {
  filename: string;
  mimeType: string;
  content: string;
}

/**
 * A trained model in TensorFlow.js layers format: model.json (Keras-compatible topology and a
 * weightsManifest naming one shard) plus that shard's bytes in base64. Save both side by side
 * and `tf.loadLayersModel('…/model.json')` (or tensorflowjs_converter to Keras .h5) loads it.
 */
export interface ModelExport {
  modelJson: ExportedFile;
  weights: { filename: string; mimeType: string; base64: string; bytes: number };
}

export interface CheckpointEvaluation extends Evaluation {
  runId: number;
  epoch: number;
}

export interface TestImage {
  index: number;
  label: number;
  /** The image's bytes (0–255, height × width × channels), base64: 784 for MNIST. */
  pixels: string;
  /** Height, width, channels; absent for MNIST-shaped (28×28×1) images. */
  shape?: [number, number, number];
}

export interface MisclassifiedImage extends TestImage {
  predicted: number;
  confidence: number;
}

/** A bulk delete: what went, and what was refused (a running run) with why. */
export interface DeletedRuns {
  deleted: number[];
  refused: { runId: number; reason: string }[];
}

export const commands = {
  getSystemInfo: command<SystemInfo>()(NoInput),
  listDatasets: command<DatasetInfo[]>()(NoInput),
  // Own data: one import at a time per lab service; its progress is polled while the import command runs.
  importDataset: command<DatasetInfo>()(ImportDatasetSchema),
  getImportProgress: command<ImportStatus | null>()(NoInput),
  getDatasetOverview: command<DatasetOverview>()(DatasetOverviewSchema),
  analyzeArchitecture: command<ArchitectureAnalysis>()(zod.unknown()),
  estimateEpoch: command<EpochEstimate>()(StartRunSchema),
  startRun: command<{ runId: number }>()(StartRunSchema),
  stopRun: command<{ runId: number; stopping: boolean }>()(RunRefSchema),
  pauseRun: command<{ runId: number }>()(RunRefSchema),
  resumeRun: command<{ runId: number }>()(RunRefSchema),
  setLearningRate: command<{ runId: number; learningRate: number }>()(SetLearningRateSchema),
  listRuns: command<RunSummary[]>()(ListRunsSchema),
  getRun: command<RunDetail>()(RunRefSchema),
  updateRun: command<RunSummary>()(UpdateRunSchema),
  deleteRun: command<{ runId: number; deleted: boolean }>()(RunRefSchema),
  exportRun: command<ExportedFile>()(ExportRunSchema),
  getEvaluation: command<Evaluation | null>()(RunRefSchema),
  predict: command<{ probabilities: number[][] }>()(PredictSchema),
  getTestImages: command<TestImage[]>()(TestImagesSchema),
  getMisclassified: command<MisclassifiedImage[]>()(MisclassifiedSchema),
  // One class's test images as the run's final predictions judged them: predicted class and its confidence, sorted.
  getClassByConfidence: command<MisclassifiedImage[]>()(ClassByConfidenceSchema),
  compareRuns: command<RunComparison>()(CompareRunsSchema),
  comparePredictions: command<PredictionComparison>()(ComparePredictionsSchema),
  exportRuns: command<ExportedFile>()(ExportRunsSchema),
  exportModel: command<ModelExport>()(ExportModelSchema),
  evaluateCheckpoint: command<CheckpointEvaluation>()(EvaluateCheckpointSchema),
  // Lists that stay fast at any lab size: lean rows, paged in the store, and polling by version.
  queryRuns: command<RunPage>()(QueryRunsSchema),
  getRunChanges: command<RunChanges>()(RunChangesSchema),
  deleteRuns: command<DeletedRuns>()(DeleteRunsSchema),
  // Inside the network (src-shared/inside.ts): computed in the serving process, cached per checkpoint.
  inspectImage: command<ImageInspection>()(InspectImageSchema),
  inspectWeights: command<WeightInspection>()(InspectWeightsSchema),
  getWeightHistory: command<WeightHistory>()(WeightHistorySchema),
  projectEmbedding: command<EmbeddingProjection>()(ProjectEmbeddingSchema),
  // Sweeps (src-shared/sweeps.ts): a search space queued as runs in the store, run by the lab's supervisor.
  createSweep: command<{ sweepId: number; runs: number }>()(CreateSweepSchema),
  listSweeps: command<SweepSummary[]>()(NoInput),
  getSweep: command<SweepDetail>()(SweepRefSchema),
  pauseSweep: command<SweepSummary>()(SweepRefSchema),
  resumeSweep: command<SweepSummary>()(SweepRefSchema),
  cancelSweep: command<SweepSummary>()(SweepRefSchema),
  reorderSweep: command<SweepDetail>()(ReorderSweepSchema),
} as const;

export type CommandName = keyof typeof commands;
export type CommandInput<K extends CommandName> = z.input<(typeof commands)[K]['input']>;
export type CommandParsed<K extends CommandName> = z.output<(typeof commands)[K]['input']>;
export type CommandOutput<K extends CommandName> = ReturnType<NonNullable<(typeof commands)[K]['output']>>;

export const events = {
  onRunEvent: 'run-event',
} as const;
export type EventName = keyof typeof events;
export interface EventPayloads {
  onRunEvent: RunEvent;
}

export type Unsubscribe = () => void;

/** What the renderer holds: call a command, subscribe to an event. */
export type LabApi = {
  [K in CommandName]: (input: CommandInput<K>) => Promise<CommandOutput<K>>;
} & {
  [E in EventName]: (listener: (payload: EventPayloads[E]) => void) => Unsubscribe;
};

/** What the Node side implements: every command with its parsed input. */
export type LabCommands = {
  [K in CommandName]: (input: CommandParsed<K>) => Promise<CommandOutput<K>> | CommandOutput<K>;
};

export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** The one place a raw payload becomes a typed command input. */
export function parseCommandInput<K extends CommandName>(name: K, payload: unknown): CommandParsed<K> {
  const def = commands[name];
  const result = def.input.safeParse(payload);
  if (!result.success) {
    throw new PayloadError(name, result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)));
  }
  return result.data as CommandParsed<K>;
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}

export class PayloadError extends Error {
  constructor(
    readonly command: string,
    readonly problems: string[],
  ) {
    super(`invalid ${command} payload: ${problems.join('; ')}`);
    this.name = 'PayloadError';
  }
}
