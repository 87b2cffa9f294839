// Runs one job inside the trainer process: backend, dataset, the loop, and the control state
// fed by the parent's messages.
import { DatasetRegistry } from '../data/dataset-registry.ts';
import type { BackendChoice, BackendName } from '../../../src-shared/index.ts';
import { loadBackend, precheck, realEnvironment, type LoadedBackend } from '../engine/backends.ts';
import { keepFasterBackend } from '../engine/keep-faster-backend.ts';
import { installFastWasmKernels } from '../engine/wasm-kernels/index.ts';
import { defaultWasmThreads } from '../engine/wasm-threads/threaded-wasm-backend.ts';
import { assertBatchFitsAdapter, maxExamplesPerBatch } from '../engine/webgpu/buffer-limits.ts';
import { releaseWebGpu, webGpuDeviceLost } from '../engine/webgpu/webgpu-backend.ts';
import { createDeviceTrainStep } from './device-train-step.ts';
import { prepareData } from './prepare-data.ts';
import { runTraining, timeTrainingSteps, type TrainingControl, type TrainingOptions } from './run-training.ts';
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

/** Steps timed per backend when "Automatic" compares webgpu with the next tier (after one untimed warm-up step). */
const AUTO_TIMING_STEPS = 3;

/** One backend as the trainer uses it (on wasm: threads on every core and the fast kernels); also the benches'. */
export async function loadTrainerBackend(backend: BackendChoice): Promise<LoadedBackend> {
  const loaded = await loadBackend(backend, realEnvironment, { wasmThreads: defaultWasmThreads() });
  if (loaded.report.chosen === 'wasm') {
    const kernels = installFastWasmKernels(loaded.tf);
    // The run's backend line says whether the SIMD kernels ran (they could not on a WebAssembly without SIMD).
    if (kernels.simd != null) loaded.report.detail = loaded.report.detail == null ? kernels.simd : `${loaded.report.detail}; ${kernels.simd}`;
  }
  return loaded;
}

/** How the loop trains on this backend: the device step, evaluation batches and fault check on webgpu. */
function trainingOptionsFor(loaded: LoadedBackend, job: TrainJob): Pick<TrainingOptions, 'createStep' | 'evaluationBatchSize' | 'backendFault'> {
  if (loaded.report.chosen !== 'webgpu' || !loaded.report.adapter) return {};
  assertBatchFitsAdapter(job.architecture, Math.min(job.train.batchSize, job.train.trainExamples), loaded.report.adapter);
  return {
    createStep: createDeviceTrainStep,
    evaluationBatchSize: Math.max(1, Math.min(1000, maxExamplesPerBatch(job.architecture, loaded.report.adapter.limits))),
    backendFault: webGpuDeviceLost,
  };
}

/** The trainer's backend: on wasm, the threaded build on every core, with Layerlab's fast kernels (stock tfjs-wasm is
 *  ~10× slower on transposed matmuls and lacks Conv2DBackpropFilter); on "Automatic" with a GPU, the faster of the GPU
 *  and the next tier for this model. */
async function loadTrainingBackend(job: TrainJob): Promise<LoadedBackend> {
  return keepFasterBackend(await loadTrainerBackend(job.backend), {
    load: (backend: BackendName) => loadTrainerBackend(backend),
    secondsPerStep: (tf, backend) =>
      timeTrainingSteps(tf, job, AUTO_TIMING_STEPS, backend === 'webgpu' ? createDeviceTrainStep : undefined),
    release: (tf) => releaseWebGpu(tf),
  });
}

export async function runTrainerSession(port: TrainerPort, job: TrainJob, control: ControlState): Promise<void> {
  const { tf, report } = await loadTrainingBackend(job);
  port.send({ type: 'backend', report });
  const dataset = new DatasetRegistry(job.home).load(job.dataset);
  const data = prepareData(dataset, job.train);
  let endedEarly: string | null = null;
  const status = await runTraining(tf, job, data, control, {
    event: (event) => port.send({ type: 'event', event }),
    endedEarly: (reason) => (endedEarly = reason),
    checkpoint: (kind, epoch, valLoss, weights) => port.send({ type: 'checkpoint', kind, epoch, valLoss, weights }),
    evaluation: (evaluation, predictions) => port.send({ type: 'evaluation', evaluation, predictions }),
    weightHistograms: (epoch, params) => port.send({ type: 'weightHistograms', epoch, params }),
  }, { backend: report.chosen, backendDetail: report.timing ? `${report.detail ?? report.chosen}; ${report.timing.reason}` : report.detail, ...trainingOptionsFor({ tf, report }, job) });
  port.send({ type: 'event', event: { type: 'finished', runId: job.runId, status, reason: status === 'stopped' ? 'stopped on request' : endedEarly, evaluation: null } });
}

export function createControlState(): ControlState {
  return new ControlState();
}

export async function runEstimateSession(port: TrainerPort, job: TrainJob, batches: number): Promise<void> {
  const loaded = await loadTrainingBackend(job);
  const { tf, report } = loaded;
  const secondsPerBatch = await timeTrainingSteps(tf, job, batches, trainingOptionsFor(loaded, job).createStep);
  port.send({ type: 'estimate', report, secondsPerBatch });
}

/** What the backend doctor shows for webgpu: the adapter Automatic would use, or why there is none. */
export async function runWebGpuProbe(port: TrainerPort): Promise<void> {
  const missing = precheck('webgpu', realEnvironment);
  if (missing !== null) {
    port.send({ type: 'webgpuProbe', probe: { backend: 'webgpu', available: false, reason: missing } });
    return;
  }
  const search = await realEnvironment.findGpuAdapter(false);
  const adapter = search.found ? search.found.report : search.adapter;
  port.send({ type: 'webgpuProbe', probe: { backend: 'webgpu', available: search.found !== null, reason: search.reason }, ...(adapter ? { adapter } : {}) });
}
