// What a run is, as stored and as shown: records, metrics, evaluation, events.
import { z } from 'zod';
import type { Architecture } from './architecture.ts';
import type { CompileConfig, TrainConfig } from './training-config.ts';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'stopped', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_STATUSES = ['completed', 'stopped', 'failed'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
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

export interface BatchLoss {
  epoch: number;
  batch: number;
  loss: number;
}

export interface RunLogEntry {
  at: string;
  epoch: number;
  batch: number;
  kind: 'learningRate' | 'pause' | 'resume';
  message: string;
}

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
