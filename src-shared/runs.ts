// What a run is, as stored and as shown: records, metrics, evaluation, events.
import { z } from 'zod';
import type { Architecture, LayerSpec } from './architecture.ts';
import { describeOptimizer, type CompileConfig, type TrainConfig } from './training-config.ts';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'stopped', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_STATUSES = ['completed', 'stopped', 'failed'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** Fastest first: the order "Automatic" tries them in (webgpu only on a hardware adapter). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const BackendChoiceSchema = z.enum(['auto', ...BACKEND_NAMES]);
export type BackendChoice = z.output<typeof BackendChoiceSchema>;

/** One row of the seed's history DataFrame, plus the epoch's wall time. */
export interface EpochMetrics {
  epoch: number;
  loss: number;
  acc: number;
  val_loss: number | null;
  val_acc: number | null;
  seconds: number;
}

export interface ClassMetrics {
  label: number;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** confusionMatrix[trueLabel][predictedLabel] = count. */
  confusionMatrix: number[][];
  perClass: ClassMetrics[];
  examples: number;
}

/** Why each backend better than the chosen one was not used. */
export interface BackendProbe {
  backend: BackendName;
  available: boolean;
  /** Why it could not be used (package absent, CUDA library missing, …); null when available. */
  reason: string | null;
}

export interface BackendReport {
  chosen: BackendName;
  requested: BackendChoice;
  probes: BackendProbe[];
  versions: Record<string, string>;
  /** How the chosen backend computes, in words (wasm: its build and threads, or why it runs on one thread). */
  detail?: string;
  /** The WebGPU adapter: the one in use when webgpu was chosen, else the one found and why it was not used. */
  adapter?: GpuAdapterReport;
  /** When "Automatic" timed two available backends on this model and kept the faster: the numbers it decided on. */
  timing?: BackendTiming;
}

/** Set to 1 to let an explicit webgpu request run on a software adapter; "Automatic" never picks one. */
export const WEBGPU_ALLOW_SOFTWARE_VARIABLE = 'LAYERLAB_WEBGPU_ALLOW_SOFTWARE';

/** The WebGPU adapter Dawn offers, as the backend doctor shows it. */
export interface GpuAdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  /** Dawn's description: the driver (e.g. "NVIDIA: 550.54.15", "OpenGL ES 3.2 Mesa 22.3.6"). */
  description: string;
  /** Dawn's backend: 'native' (Vulkan, Metal or D3D12, whichever the platform has) or 'opengles'. */
  api: 'native' | 'opengles';
  featureLevel: 'core' | 'compatibility';
  /** A CPU rasteriser (llvmpipe, SwiftShader, WARP…) or Dawn's fallback adapter: correct but slower than wasm. */
  software: boolean;
  /** The adapter's limits that bound what Layerlab can put on it (bytes or counts). */
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupStorageSize: number; maxComputeInvocationsPerWorkgroup: number };
}

/** Seconds per training step of this model on each timed backend, and the one kept. */
export interface BackendTiming {
  secondsPerStep: Partial<Record<BackendName, number>>;
  kept: BackendName;
  /** In words, for the run's record: "webgpu 4.1 ms/step vs wasm 9.3 ms/step: kept webgpu". */
  reason: string;
}

export interface DatasetRef {
  name: string;
  /** sha256 of the four IDX files, so two runs on "mnist" are known to share data. */
  hash: string;
}

export interface RunSummary {
  id: number;
  name: string;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  architecture: Architecture;
  compile: CompileConfig;
  train: TrainConfig;
  seed: number;
  dataset: DatasetRef;
  backend: BackendName | null;
  epochsCompleted: number;
  last: EpochMetrics | null;
  testAccuracy: number | null;
  testLoss: number | null;
  statusReason: string | null;
  totalParams: number;
  tags: string[];
  notes: string;
  parentRunId: number | null;
}

/** Which saved weights a run has (so pickers never fetch every run to find out). */
export interface WeightsAvailable {
  final: boolean;
  best: boolean;
  /** How many per-epoch checkpoints are kept. */
  epochs: number;
}

/**
 * A run as lists show it (the Runs table, run pickers, `runs list`): no configs, no histories.
 * The full record comes from getRun, on demand.
 */
export interface RunListItem {
  id: number;
  name: string;
  status: RunStatus;
  statusReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** architectureLine() of the run's architecture. */
  architecture: string;
  /** The model's input shape (Draw: can it take a 28×28 drawing). */
  inputShape: number[];
  /** describeOptimizer() of its optimizer. */
  optimizer: string;
  batchSize: number;
  /** Epochs planned. */
  epochs: number;
  seed: number;
  dataset: string;
  backend: BackendName | null;
  totalParams: number;
  tags: string[];
  parentRunId: number | null;
  epochsCompleted: number;
  /** val_acc of the last epoch. */
  valAcc: number | null;
  testAccuracy: number | null;
  weights: WeightsAvailable;
}

/** A run's list row from its summary (the store builds the same row from SQL; the fake lab from this). */
export function runListItem(run: Omit<RunSummary, 'last' | 'notes' | 'testLoss'>, valAcc: number | null, weights: WeightsAvailable): RunListItem {
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    statusReason: run.statusReason,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    architecture: architectureLine(run.architecture),
    inputShape: run.architecture.inputShape,
    optimizer: describeOptimizer(run.compile.optimizer),
    batchSize: run.train.batchSize,
    epochs: run.train.epochs,
    seed: run.seed,
    dataset: run.dataset.name,
    backend: run.backend,
    totalParams: run.totalParams,
    tags: run.tags,
    parentRunId: run.parentRunId,
    epochsCompleted: run.epochsCompleted,
    valAcc,
    testAccuracy: run.testAccuracy,
    weights,
  };
}

/**
 * The kept epoch checkpoint nearest to `epoch` (the later one on a tie), or null when none is kept. Long runs keep
 * a checkpoint every few epochs; a link or a scrubber asking for another epoch lands on this one and says so.
 */
export function nearestKeptEpoch(kept: readonly number[], epoch: number): number | null {
  let best: number | null = null;
  for (const e of kept) if (best === null || Math.abs(e - epoch) < Math.abs(best - epoch) || (Math.abs(e - epoch) === Math.abs(best - epoch) && e > best)) best = e;
  return best;
}

/** Columns a run list sorts by (in the store, so a page is the right page). */
export const RUN_SORT_KEYS = ['id', 'name', 'status', 'valAcc', 'testAcc', 'duration', 'params'] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

/** One page of a run query. */
export interface RunPage {
  runs: RunListItem[];
  /** Runs matching the query (all pages). */
  total: number;
  /** Runs in the lab. */
  labTotal: number;
  /** The lab's change counter when this page was read (ask getRunChanges since it). */
  version: number;
  /** Every tag in the lab, sorted (for the tag filter). */
  tags: string[];
}

/** What changed since a version, for a list that shows some runs. */
export interface RunChanges {
  version: number;
  labTotal: number;
  /** Runs created or changed since (their new list rows); empty with `reload` when too many did. */
  changed: RunListItem[];
  /** Of the runs the caller shows, those that no longer exist. */
  gone: number[];
  /** More changed than one answer carries: query the page again. */
  reload: boolean;
}

export interface BatchLoss {
  epoch: number;
  batch: number;
  loss: number;
}

/**
 * A control change during a run, as data: where it happened and, for a learning-rate change, the
 * new rate. Sentences are made from it (describeLogEntry), never parsed back.
 */
export type RunLogEntry = { at: string; epoch: number; batch: number } & ({ kind: 'pause' } | { kind: 'resume' } | { kind: 'learningRate'; learningRate: number });
export type RunLogKind = RunLogEntry['kind'];

export type CheckpointKind = 'final' | 'best' | 'epoch';
export interface CheckpointInfo {
  kind: CheckpointKind;
  epoch: number;
  /** val_loss of that epoch when known (best-by-val_loss). */
  valLoss: number | null;
  bytes: number;
}

export interface RunDetail extends RunSummary {
  epochs: EpochMetrics[];
  batchLosses: BatchLoss[];
  evaluation: Evaluation | null;
  checkpoints: CheckpointInfo[];
  log: RunLogEntry[];
  backendReport: BackendReport | null;
}

/** Events of a run, in order: started, progress*, epoch*, … finished. */
export type RunEvent =
  | {
      type: 'started';
      runId: number;
      backend: BackendName;
      /** The backend report's detail (wasm: build and threads). */
      backendDetail?: string;
      epochs: number;
      batchesPerEpoch: number;
      trainExamples: number;
      validationExamples: number;
    }
  | {
      /** Throttled: losses of every batch since the previous progress event. */
      type: 'progress';
      runId: number;
      epoch: number;
      /** 1-based index of the last batch done in this epoch. */
      batch: number;
      batchesPerEpoch: number;
      firstBatch: number;
      losses: number[];
      acc: number;
    }
  | ({ type: 'epoch'; runId: number } & EpochMetrics)
  | { type: 'paused' | 'resumed'; runId: number; epoch: number; batch: number }
  | { type: 'learningRate'; runId: number; epoch: number; batch: number; learningRate: number }
  | { type: 'evaluated'; runId: number; evaluation: Evaluation }
  | { type: 'finished'; runId: number; status: FinalStatus; reason: string | null; evaluation: Evaluation | null };

export type RunEventType = RunEvent['type'];

/** The log entry a pause, resume or learning-rate event becomes (the store and the live screen agree). */
export function logEntryOf(event: Extract<RunEvent, { type: 'paused' | 'resumed' | 'learningRate' }>, at: string): RunLogEntry {
  const where = { at, epoch: event.epoch, batch: event.batch };
  switch (event.type) {
    case 'paused':
      return { ...where, kind: 'pause' };
    case 'resumed':
      return { ...where, kind: 'resume' };
    case 'learningRate':
      return { ...where, kind: 'learningRate', learningRate: event.learningRate };
  }
}

/** "Learning rate set to 0.05 (epoch 2, batch 40)", "Paused (epoch 1, batch 3)". */
export function describeLogEntry(entry: RunLogEntry): string {
  const what = entry.kind === 'learningRate' ? `Learning rate set to ${entry.learningRate}` : entry.kind === 'pause' ? 'Paused' : 'Resumed';
  return `${what} (epoch ${entry.epoch}, batch ${entry.batch})`;
}

/** The learning rate the last logged change set, if any. */
export function lastLearningRate(log: readonly RunLogEntry[]): number | null {
  for (let i = log.length - 1; i >= 0; i--) {
    const entry = log[i];
    if (entry?.kind === 'learningRate' && Number.isFinite(entry.learningRate)) return entry.learningRate;
  }
  return null;
}

/** A layer in Keras words, e.g. "Dense(512, relu)" or "Conv2D(32, 3×3, same, relu)". */
export function describeLayer(layer: LayerSpec): string {
  const size = (v: number | [number, number]) => (typeof v === 'number' ? `${v}×${v}` : `${v[0]}×${v[1]}`);
  const parts = (...xs: (string | null | undefined | false)[]) => xs.filter((x): x is string => Boolean(x)).join(', ');
  switch (layer.type) {
    case 'dense':
      return `Dense(${parts(String(layer.units), layer.activation && layer.activation !== 'linear' ? layer.activation : null, layer.useBias === false ? 'no bias' : null)})`;
    case 'dropout':
      return `Dropout(${layer.rate})`;
    case 'activation':
      return `Activation(${layer.activation})`;
    case 'flatten':
      return 'Flatten()';
    case 'conv2d':
      return `Conv2D(${parts(
        String(layer.filters),
        size(layer.kernelSize),
        layer.strides !== undefined && layer.strides !== 1 ? `stride ${size(layer.strides)}` : null,
        layer.padding === 'same' ? 'same' : null,
        layer.activation && layer.activation !== 'linear' ? layer.activation : null,
        layer.useBias === false ? 'no bias' : null,
      )})`;
    case 'maxPooling2d':
      return `MaxPooling2D(${parts(size(layer.poolSize ?? 2), layer.strides !== undefined ? `stride ${size(layer.strides)}` : null, layer.padding === 'same' ? 'same' : null)})`;
    case 'batchNormalization':
      return 'BatchNormalization()';
    case 'add':
      return 'Add()';
    case 'concatenate':
      return 'Concatenate()';
    case 'globalAveragePooling2d':
      return 'GlobalAveragePooling2D()';
    case 'averagePooling2d':
      return `AveragePooling2D(${parts(size(layer.poolSize ?? 2), layer.strides !== undefined ? `stride ${size(layer.strides)}` : null, layer.padding === 'same' ? 'same' : null)})`;
    case 'reshape':
      return `Reshape(${layer.targetShape.join('×')})`;
  }
}

/** The architecture in one line for lists: "784 → dense512 relu → dropout0.2 → dense10 softmax" (a graph in list order, merges with their inputs). */
export function architectureLine(architecture: Architecture): string {
  const short = (l: LayerSpec): string => {
    switch (l.type) {
      case 'dense':
        return `dense${l.units}${l.activation && l.activation !== 'linear' ? ` ${l.activation}` : ''}`;
      case 'dropout':
        return `drop${l.rate}`;
      case 'activation':
        return l.activation;
      case 'flatten':
        return 'flat';
      case 'conv2d':
        return `conv${l.filters}`;
      case 'maxPooling2d':
        return 'pool';
      case 'batchNormalization':
        return 'bn';
      case 'add':
      case 'concatenate':
        // A merge names what it joins, so a graph's line still says where its branches meet.
        return `${l.type === 'add' ? 'add' : 'concat'}(${(l.inbound ?? []).join('+')})`;
      case 'globalAveragePooling2d':
        return 'gap';
      case 'averagePooling2d':
        return 'avgpool';
      case 'reshape':
        return `reshape${l.targetShape.join('×')}`;
    }
  };
  return [architecture.inputShape.join('×'), ...architecture.layers.map(short)].join(' → ');
}

/** Wall time of a run in seconds (start to finish, or to its last epoch while it runs). */
export function runDurationSeconds(run: Pick<RunSummary, 'startedAt' | 'finishedAt'>): number | null {
  if (!run.startedAt || !run.finishedAt) return null;
  const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null;
}

/** One setting across compared runs; `differs` when not every run has the same value. */
export interface ConfigDiffRow {
  key: string;
  label: string;
  /** One per compared run, in order; null where the setting does not apply (another optimizer). */
  values: (string | null)[];
  differs: boolean;
}

export interface LayerDiffCell {
  name: string;
  description: string;
  outputShape: number[];
  params: number;
  /** Functional specs: the layers it takes ("input" is the model's input); absent for Sequential ones. */
  inbound?: string[];
}

/** One row of the aligned architecture diff: the same (or a changed) layer of every run; null where a run lacks it. */
export interface LayerDiffRow {
  /** Row number, from 1 (each cell's `name` says which layer of its run it is). */
  position: number;
  layers: (LayerDiffCell | null)[];
  differs: boolean;
  /**
   * Rows some runs lack come in groups: consecutive rows with the same runs present share a number
   * (from 1), so an added branch is one added block, not rows scattered over a shifted table.
   * Null on rows every run has.
   */
  group: number | null;
}

export interface RunComparison {
  runs: RunSummary[];
  /** Per run, in the order of `runs`. */
  histories: EpochMetrics[][];
  evaluations: (Evaluation | null)[];
  /** Epochs with a saved checkpoint, per run (for the epoch scrubber). */
  checkpointEpochs: number[][];
  config: ConfigDiffRow[];
  layers: LayerDiffRow[];
}

export interface PredictionChange {
  index: number;
  label: number;
  predictedA: number;
  predictedB: number;
  /** 784 bytes, base64. */
  pixels: string;
}

export interface PredictionComparison {
  /** Test images both runs predicted (the same indices). */
  sharedExamples: number;
  /** Wrong in A, right in B. */
  fixed: number;
  /** Right in A, wrong in B. */
  broken: number;
  /** Predicted class differs (fixed + broken + wrong both ways). */
  changed: number;
  /** The changes matching the filter, up to the limit. */
  images: PredictionChange[];
  /** How many changes matched the filter before the limit. */
  matched: number;
}
