// Messages between LabService (parent) and the trainer process. The same protocol runs over
// child_process.fork (CLI, web mode, tests) and Electron's utilityProcess (desktop app).
import type { Architecture, BackendChoice, BackendProbe, BackendReport, CompileConfig, Evaluation, GpuAdapterReport, ParamHistogram, RunEvent, TrainConfig } from '../../../src-shared/index.ts';
import type { CheckpointKind } from '../../../src-shared/runs.ts';

export interface TrainJob {
  runId: number;
  architecture: Architecture;
  compile: CompileConfig;
  train: TrainConfig;
  dataset: string;
  /** Lab home, so the trainer can load imported datasets. */
  home: string;
  backend: BackendChoice;
  /** Serialized weights to start from (fork from a checkpoint), or null for a fresh init. */
  initialWeights: Uint8Array | null;
}

export type ParentToTrainer =
  | { type: 'start'; job: TrainJob }
  /** Time a few batches of the job on random data instead of training (pre-flight estimate). */
  | { type: 'estimate'; job: TrainJob; batches: number }
  /** Look for a WebGPU adapter (for the backend doctor) and exit: Dawn is loaded where training runs, not in the app. */
  | { type: 'probeWebGpu' }
  | { type: 'stop' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'setLearningRate'; learningRate: number };

export interface TestPredictions {
  /** Index into the dataset's test set of each evaluated example. */
  testIndices: Uint32Array;
  predicted: Uint8Array;
  confidence: Float32Array;
}

export type TrainerToParent =
  | { type: 'ready' }
  | { type: 'backend'; report: BackendReport }
  | { type: 'event'; event: RunEvent }
  | { type: 'checkpoint'; kind: CheckpointKind; epoch: number; valLoss: number | null; weights: Uint8Array }
  | { type: 'evaluation'; evaluation: Evaluation; predictions: TestPredictions }
  | { type: 'weightHistograms'; epoch: number; params: ParamHistogram[] }
  | { type: 'estimate'; report: BackendReport; secondsPerBatch: number }
  | { type: 'webgpuProbe'; probe: BackendProbe; adapter?: GpuAdapterReport }
  | { type: 'fatal'; message: string }
  | { type: 'exiting'; code: number };

/** One running trainer, whatever kind of process hosts it. */
export interface TrainerChannel {
  send(message: ParentToTrainer): void;
  onMessage(listener: (message: TrainerToParent) => void): void;
  /** Fires once when the process ends, for any reason. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  /** What the process said last (stderr tail), to explain a crash. */
  diagnostics?(): string;
}

/** The seam: the CLI and web mode fork a Node process, Electron uses utilityProcess. */
export interface TrainerLauncher {
  launch(): TrainerChannel;
}
