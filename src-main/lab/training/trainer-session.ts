// Runs one job inside the trainer process: backend, dataset, the loop, and the control state
// fed by the parent's messages.
import { DatasetRegistry } from '../data/dataset-registry.ts';
import { loadBackend, realEnvironment, type LoadedBackend } from '../engine/backends.ts';
import { installFastWasmKernels } from '../engine/wasm-kernels/index.ts';
import { defaultWasmThreads } from '../engine/wasm-threads/threaded-wasm-backend.ts';
import { prepareData } from './prepare-data.ts';
import { runTraining, timeTrainingSteps, type TrainingControl } from './run-training.ts';
import type { TrainerPort } from './trainer-port.ts';
import type { ParentToTrainer, TrainJob } from './trainer-protocol.ts';

class ControlState implements TrainingControl {
  private stop = false;
  private pause = false;
  private learningRate: number | null = null;
  private wake: (() => void) | null = null;

  handle(message: ParentToTrainer): void {
    if (message.type === 'stop') this.stop = true;
    else if (message.type === 'pause') this.pause = true;
    else if (message.type === 'resume') this.pause = false;
    else if (message.type === 'setLearningRate') this.learningRate = message.learningRate;
    if (this.stop || !this.pause) {
      this.wake?.();
      this.wake = null;
    }
  }
  stopRequested = () => this.stop;
  paused = () => this.pause;
  waitUntilResumed(): Promise<void> {
    if (this.stop || !this.pause) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }
  takeLearningRate(): number | null {
    const lr = this.learningRate;
    this.learningRate = null;
    return lr;
  }
}

/** The trainer's backend: on wasm, the threaded build on every core, with Layerlab's fast kernels (stock tfjs-wasm is
 *  ~10× slower on transposed matmuls and lacks Conv2DBackpropFilter). */
async function loadTrainingBackend(job: TrainJob): Promise<LoadedBackend> {
  const loaded = await loadBackend(job.backend, realEnvironment, { wasmThreads: defaultWasmThreads() });
  if (loaded.report.chosen === 'wasm') installFastWasmKernels(loaded.tf);
  return loaded;
}

export async function runTrainerSession(port: TrainerPort, job: TrainJob, control: ControlState): Promise<void> {
  const { tf, report } = await loadTrainingBackend(job);
  port.send({ type: 'backend', report });
  const dataset = new DatasetRegistry(job.home).load(job.dataset);
  const data = prepareData(dataset, job.train);
  const status = await runTraining(tf, job, data, control, {
    event: (event) => port.send({ type: 'event', event }),
    checkpoint: (kind, epoch, valLoss, weights) => port.send({ type: 'checkpoint', kind, epoch, valLoss, weights }),
    evaluation: (evaluation, predictions) => port.send({ type: 'evaluation', evaluation, predictions }),
    weightHistograms: (epoch, params) => port.send({ type: 'weightHistograms', epoch, params }),
  }, { backend: report.chosen, backendDetail: report.detail });
  port.send({ type: 'event', event: { type: 'finished', runId: job.runId, status, reason: status === 'stopped' ? 'stopped on request' : null, evaluation: null } });
}

export function createControlState(): ControlState {
  return new ControlState();
}

export async function runEstimateSession(port: TrainerPort, job: TrainJob, batches: number): Promise<void> {
  const { tf, report } = await loadTrainingBackend(job);
  const secondsPerBatch = await timeTrainingSteps(tf, job, batches);
  port.send({ type: 'estimate', report, secondsPerBatch });
}
