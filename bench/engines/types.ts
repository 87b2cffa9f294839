// An engine is a small module: the bench runs each one in its own child process (kernel registration in tfjs is
// global, so engines must not share a process) and reads back one EngineResult.
import type { WorkloadName } from '../workloads.ts';

export interface BenchWorkload {
  /** Which network and optimizer (bench/workloads.ts). */
  workload: WorkloadName;
  batchSize: number;
  /** Epochs to train (the accuracy guard trains several); timings are of the first. */
  epochs: number;
  /** Score the test set after every epoch (the accuracy guard); `valAcc` is then the last epoch's. */
  validateEachEpoch: boolean;
  /** torch.set_num_threads for the PyTorch engine. */
  torchThreads: number;
  /** Limit on training steps for this run; fewer than a full epoch means the epoch time is extrapolated. */
  maxSteps: number | null;
  seed: number;
}

export interface EngineResult {
  engine: string;
  /** Seconds of one epoch over all training images (extrapolated from `steps` when partial). */
  epochSeconds: number;
  steps: number;
  stepsPerEpoch: number;
  extrapolated: boolean;
  /** Accuracy on the 10k test set after the (full) last epoch; null when the epoch was partial. */
  valAcc: number | null;
  /** Test accuracy after each epoch, when the workload asked for it. */
  valAccByEpoch?: number[];
  /** Which training path the step took (layerlab engines), e.g. "tape + fast wasm kernels". */
  path?: string;
  trainLoss: number | null;
  predict10kSeconds: number;
  predictBatchSize: number;
  singlePredictMs: number;
  peakRssMb: number;
  notes: string[];
  /** layerlab-serving only: the serving process's view of a run training in a forked trainer. */
  serving?: ServingFigures;
}

export interface ServingFigures {
  /** Event-loop delay of the serving process while the epoch trains (monitorEventLoopDelay, 10 ms resolution). */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Progress messages received per second of training (the loop sends at most one per 200 ms). */
  progressPerSecond: number;
  progressMessages: number;
  /** VmHWM of the trainer process. */
  trainerPeakRssMb: number;
  /** One-image predictions in the serving process while the epoch trains (Draw's path: the service's Predictor),
   *  one every 100 ms: latency median, 99th percentile and count. */
  drawPredictP50Ms: number;
  drawPredictP99Ms: number;
  drawPredictions: number;
}

export interface Engine {
  name: string;
  describe: string;
  /** null when it can run here, otherwise why not. */
  unavailable(workload: WorkloadName): Promise<string | null>;
  run(workload: BenchWorkload): Promise<EngineResult>;
}
