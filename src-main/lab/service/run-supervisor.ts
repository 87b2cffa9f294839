// The runs this process trains: checks a request before anything is recorded, starts each run
// in its own trainer process (the launcher), forwards stop/pause/resume/learning rate to it, and
// stops them all on close. It also holds the lab's limit on runs training at once.
import { availableParallelism } from 'node:os';
import { ArchitectureError, assertValidArchitecture, checkTrainingMemory, type CommandOutput, type CommandParsed, type RunEvent } from '../../../src-shared/index.ts';
import type { DatasetRegistry } from '../data/dataset-registry.ts';
import { BackendError, precheck, realEnvironment } from '../engine/backends.ts';
import { describeOwner, StoreError, type LabStore, type LiveRun } from '../store/lab-store.ts';
import { checkTrainConfig } from '../training/prepare-data.ts';
import type { TrainerLauncher, TrainerToParent, TrainJob } from '../training/trainer-protocol.ts';
import { ActiveRun } from './active-run.ts';
import { LabAtCapacityError, RunStateError } from './run-state-error.ts';

const STOP_GRACE_MS = 10_000;
const ESTIMATE_BATCHES = 5;
const ESTIMATE_TIMEOUT_MS = 60_000;

/**
 * The default limit on runs training at once in one lab: one per two cores, at least one. A
 * trainer takes every core it is given (wasm threads, native kernels); more runs than that only
 * slow each other down and starve the UI.
 */
export function defaultMaxConcurrentRuns(cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

export interface RunSupervisorOptions {
  home: string;
  store: LabStore;
  datasets: DatasetRegistry;
  launcher: TrainerLauncher;
  emit: (event: RunEvent) => void;
  /** Runs queued or training at once in this lab, counting other live processes' runs. */
  maxConcurrentRuns: number;
  /** The training memory a run may plan for (weights, optimizer state, one batch of activations). */
  memoryBudgetBytes: number;
}

function describeLive(run: LiveRun): string {
  return run.mine || !run.owner ? `run ${run.id} here` : `run ${run.id} in ${describeOwner(run.owner)}`;
}

export class RunSupervisor {
  private readonly active = new Map<number, ActiveRun>();
  private closed = false;

  constructor(private readonly options: RunSupervisorOptions) {
    if (!Number.isInteger(options.maxConcurrentRuns) || options.maxConcurrentRuns < 1) {
      throw new RangeError(`maxConcurrentRuns must be a whole number ≥ 1, got ${options.maxConcurrentRuns}`);
    }
  }

  /** Checks what can be checked before a trainer starts; returns the dataset and analysis. */
  private preflight(input: CommandParsed<'startRun'>) {
    if (this.closed) throw new RunStateError('the lab is shutting down');
    const dataset = this.options.datasets.load(input.dataset);
    const { analysis } = assertValidArchitecture(input.architecture, { imageShape: dataset.imageShape, classCount: dataset.classNames.length });
    const tooBig = checkTrainingMemory(input.architecture, analysis, { batchSize: input.train.batchSize, optimizer: input.compile.optimizer }, this.options.memoryBudgetBytes);
    if (tooBig) throw new ArchitectureError([tooBig]);
    if (input.backend !== 'auto') {
      // Refuse a backend that cannot load here before a run is recorded (the trainer re-checks).
      const reason = precheck(input.backend, realEnvironment);
      if (reason) throw new BackendError(`the ${input.backend} backend cannot be used: ${reason}`);
    }
    // Every config mistake the trainer would hit is refused here, before a run is recorded.
    const sizes = checkTrainConfig(dataset, input.train);
    return { analysis, dataset, sizes };
  }

  /** What startRun checks before recording a run, without starting one (a sweep checks every variant up front). */
  check(input: CommandParsed<'startRun'>): void {
    this.preflight(input);
  }

  async estimateEpoch(input: CommandParsed<'estimateEpoch'>): Promise<CommandOutput<'estimateEpoch'>> {
    const { analysis, sizes } = this.preflight(input);
    const batchesPerEpoch = Math.ceil(sizes.train / input.train.batchSize);
    const channel = this.options.launcher.launch();
    const job: TrainJob = { runId: 0, architecture: input.architecture, compile: input.compile, train: input.train, dataset: input.dataset, home: this.options.home, backend: input.backend, initialWeights: null };
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<Extract<TrainerToParent, { type: 'estimate' }>>((resolve, reject) => {
      timer = setTimeout(() => {
        channel.kill();
        reject(new RunStateError('the estimate took longer than a minute; the model is very slow on this backend'));
      }, ESTIMATE_TIMEOUT_MS);
      channel.onMessage((m) => {
        if (m.type === 'estimate') resolve(m);
        else if (m.type === 'fatal') reject(new RunStateError(`could not time the model: ${m.message}`));
      });
      channel.onExit((code, signal) => reject(new RunStateError(`the estimating process ended early (${signal ?? `code ${code}`})`)));
      channel.send({ type: 'estimate', job, batches: ESTIMATE_BATCHES });
    }).finally(() => {
      clearTimeout(timer);
      channel.kill();
    });
    return {
      backend: reply.report.chosen,
      secondsPerBatch: reply.secondsPerBatch,
      batchesPerEpoch,
      secondsPerEpoch: reply.secondsPerBatch * batchesPerEpoch,
      totalParams: analysis.totalParams,
      weightBytes: analysis.totalParams * 4,
    };
  }

  /** Refuses a new run while the lab already trains its limit (checked inside the store's write transaction). */
  private admit(live: LiveRun[]): void {
    const limit = this.options.maxConcurrentRuns;
    if (live.length < limit) return;
    throw new LabAtCapacityError(
      `this lab already trains ${live.length === 1 ? 'a run' : `${live.length} runs`} (${live.map(describeLive).join(', ')}) and its limit is ` +
        `${limit} at once; wait for one to finish or stop one, then start again`,
    );
  }

  /** `tags`: what the run starts tagged with (a sweep's runs). Admission is the same for every caller. */
  startRun(input: CommandParsed<'startRun'>, tags: readonly string[] = []): CommandOutput<'startRun'> {
    const { analysis, dataset } = this.preflight(input);
    const { store } = this.options;
    let initialWeights: Uint8Array | null = null;
    if (input.parentRunId !== undefined) {
      if (!store.getRun(input.parentRunId)) throw new StoreError(`run ${input.parentRunId} does not exist`, 'not-found');
      if (input.parentCheckpoint) {
        const stored = store.loadCheckpoint(input.parentRunId, input.parentCheckpoint);
        if (!stored) throw new RunStateError(`run ${input.parentRunId} has no such checkpoint to start from`);
        initialWeights = stored.weights;
      }
    } else if (input.parentCheckpoint) {
      throw new RunStateError('parentCheckpoint needs parentRunId');
    }
    const runId = store.createRun(
      {
        name: input.name ?? '',
        architecture: input.architecture,
        compile: input.compile,
        train: input.train,
        dataset: { name: dataset.name, hash: dataset.hash },
        totalParams: analysis.totalParams,
        parentRunId: input.parentRunId ?? null,
        tags,
      },
      (live) => this.admit(live),
    );
    const run = new ActiveRun(
      { runId, architecture: input.architecture, compile: input.compile, train: input.train, dataset: dataset.name, home: this.options.home, backend: input.backend, initialWeights },
      this.options.launcher.launch(),
      store,
      this.options.emit,
    );
    this.active.set(runId, run);
    void run.whenDone().then(() => this.active.delete(runId));
    return { runId };
  }

  /** Whether this process trains the run now. */
  isActive(runId: number): boolean {
    return this.active.has(runId);
  }

  private activeRun(runId: number): ActiveRun {
    const run = this.active.get(runId);
    if (!run) {
      const stored = this.options.store.getRun(runId);
      throw stored ? new RunStateError(`run ${runId} is not running (it is ${stored.status})`) : new StoreError(`run ${runId} does not exist`, 'not-found');
    }
    return run;
  }

  stopRun({ runId }: CommandParsed<'stopRun'>): CommandOutput<'stopRun'> {
    this.activeRun(runId).stop();
    return { runId, stopping: true };
  }

  pauseRun({ runId }: CommandParsed<'pauseRun'>): CommandOutput<'pauseRun'> {
    this.activeRun(runId).pause();
    return { runId };
  }

  resumeRun({ runId }: CommandParsed<'resumeRun'>): CommandOutput<'resumeRun'> {
    this.activeRun(runId).resume();
    return { runId };
  }

  setLearningRate({ runId, learningRate }: CommandParsed<'setLearningRate'>): CommandOutput<'setLearningRate'> {
    const run = this.activeRun(runId);
    if (!run.paused) throw new RunStateError('pause the run before changing its learning rate');
    run.setLearningRate(learningRate);
    return { runId, learningRate };
  }

  /** Resolves when the run ends (for the CLI and tests). */
  async waitForRun(runId: number): Promise<void> {
    await this.active.get(runId)?.whenDone();
  }

  /** Stops every run (status stopped), killing a trainer that doesn't stop within the grace period. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const runs = [...this.active.values()];
    for (const run of runs) run.stop();
    await Promise.all(runs.map((run) => Promise.race([run.whenDone(), new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS))]).then(() => run.kill())));
  }
}
