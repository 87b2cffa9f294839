// One training run as the Train screen sees it: commands out (start, stop, pause, resume,
// learning rate), RunEvents in, reduced to progress, ETA, history rows and curve points.
import type { LabApi, Unsubscribe } from '../../src-shared/api.ts';
import { lastLearningRate, learningRatePerEpoch, logEntryOf, type BackendName, type EpochMetrics, type Evaluation, type RunDetail, type RunEvent, type RunLogEntry } from '../../src-shared/runs.ts';
import type { StartRunRequest } from '../../src-shared/schemas.ts';
import { CompileConfigSchema, fitExamples } from '../../src-shared/training-config.ts';

export type RunPhase = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'completed' | 'stopped' | 'failed';

export interface Point {
  x: number;
  y: number;
}

export interface Curves {
  loss: Point[];
  valLoss: Point[];
  acc: Point[];
  valAcc: Point[];
  /** The learning rate each epoch used (from the run's learning-rate log). */
  lr: Point[];
}

export type Clock = () => number;

const ACTIVE: readonly RunPhase[] = ['starting', 'running', 'paused', 'stopping'];

export class RunState {
  runId = $state<number | null>(null);
  phase = $state<RunPhase>('idle');
  backend = $state<BackendName | null>(null);
  /** How the backend computes (e.g. "threaded SIMD build, 2 threads"), when the trainer said. */
  backendDetail = $state<string | null>(null);
  /** Planned epochs and batches. */
  epochs = $state(0);
  batchesPerEpoch = $state(0);
  trainExamples = $state(0);
  validationExamples = $state(0);
  /** Epoch in progress (1-based) and the last batch done in it. */
  epoch = $state(0);
  batch = $state(0);
  lastBatchLoss = $state<number | null>(null);
  lastBatchAcc = $state<number | null>(null);
  /** The per-epoch history (the seed's DataFrame), in arrival order. */
  rows = $state.raw<EpochMetrics[]>([]);
  /** The compile settings' learning rate: the start of the per-epoch rate curve. */
  initialLearningRate = $state<number | null>(null);
  log = $state.raw<RunLogEntry[]>([]);
  learningRate = $state<number | null>(null);
  /** Set while paused; the trainer applies (and logs) it when the run resumes. */
  pendingLearningRate = $state<number | null>(null);
  evaluation = $state.raw<Evaluation | null>(null);
  /** Why the run ended as it did (failed, stopped…). */
  reason = $state<string | null>(null);
  /** The last command that failed, in words. */
  error = $state<string | null>(null);
  /** A command is in flight; buttons wait for it. */
  busy = $state(false);
  etaSeconds = $state<number | null>(null);
  elapsedSeconds = $state(0);
  /** Bumped whenever batchPoints grows, so charts can redraw without copying the array. */
  revision = $state(0);

  /** Batch-level loss on an epoch axis (epoch − 1 + batch / batchesPerEpoch). Plain array: charts read it. */
  #batchPoints: Point[] = [];
  #buffer: RunEvent[] = [];
  #startedAt: number | null = null;
  #pausedAt: number | null = null;
  #pausedMs = 0;
  #unsubscribe: Unsubscribe | null = null;

  readonly doneBatches = $derived(
    this.batchesPerEpoch === 0 ? 0 : Math.min(this.epochs * this.batchesPerEpoch, Math.max(0, this.epoch - 1) * this.batchesPerEpoch + this.batch),
  );
  readonly totalBatches = $derived(this.epochs * this.batchesPerEpoch);
  readonly fraction = $derived(this.totalBatches === 0 ? 0 : this.doneBatches / this.totalBatches);
  readonly active = $derived(ACTIVE.includes(this.phase));
  readonly finished = $derived(this.phase === 'completed' || this.phase === 'stopped' || this.phase === 'failed');

  readonly curves: Curves = $derived.by(() => {
    const c: Curves = { loss: [], valLoss: [], acc: [], valAcc: [], lr: [] };
    if (this.initialLearningRate !== null) {
      const rates = learningRatePerEpoch(this.initialLearningRate, this.log, this.rows);
      this.rows.forEach((r, i) => c.lr.push({ x: r.epoch, y: rates[i] as number }));
    }
    for (const r of this.rows) {
      c.loss.push({ x: r.epoch, y: r.loss });
      c.acc.push({ x: r.epoch, y: r.acc });
      if (r.val_loss !== null) c.valLoss.push({ x: r.epoch, y: r.val_loss });
      if (r.val_acc !== null) c.valAcc.push({ x: r.epoch, y: r.val_acc });
    }
    return c;
  });

  constructor(
    private readonly api: LabApi,
    private readonly now: Clock = () => performance.now(),
  ) {}

  get batchPoints(): readonly Point[] {
    return this.#batchPoints;
  }

  /** Listens to run events; returns the unsubscribe. */
  connect(): Unsubscribe {
    this.#unsubscribe?.();
    const off = this.api.onRunEvent((event) => this.handle(event));
    this.#unsubscribe = () => {
      off();
      this.#unsubscribe = null;
    };
    return this.#unsubscribe;
  }

  disconnect(): void {
    this.#unsubscribe?.();
  }

  /** Follows a run already in progress (started earlier, elsewhere, or before a reload). */
  async follow(): Promise<boolean> {
    try {
      const running = await this.api.listRuns({ status: 'running', limit: 1 });
      const run = running[0];
      if (!run || this.active) return false;
      this.hydrate(await this.api.getRun({ runId: run.id }));
      return true;
    } catch {
      return false;
    }
  }

  /** Shows a stored run (finished, or running elsewhere) unless one is in flight here. */
  async open(runId: number): Promise<boolean> {
    if (this.active) return false;
    this.busy = true;
    this.error = null;
    try {
      const detail = await this.api.getRun({ runId });
      if (this.active) return false;
      this.hydrate(detail);
      return true;
    } catch (err) {
      this.error = `Could not open run #${runId}: ${messageOf(err)}`;
      return false;
    } finally {
      this.busy = false;
    }
  }

  /**
   * After the connection to the lab came back: events may have been missed, so the run on
   * screen is read again from the store (it may have finished, or died with the server).
   */
  async resync(): Promise<void> {
    const runId = this.runId;
    if (runId === null || !this.active || this.phase === 'starting') return;
    try {
      const detail = await this.api.getRun({ runId });
      if (this.runId === runId) this.hydrate(detail);
    } catch (err) {
      this.error = `Lost track of run #${runId}: ${messageOf(err)}`;
    }
  }

  async start(request: StartRunRequest): Promise<number | null> {
    if (this.active) return null;
    this.#reset();
    this.phase = 'starting';
    this.busy = true;
    // The request is the contract's input: an absent compile or rate means the schema's default, as the lab reads it.
    this.initialLearningRate = CompileConfigSchema.parse(request.compile ?? {}).optimizer.learningRate;
    try {
      const { runId } = await this.api.startRun(request);
      this.runId = runId;
      const buffered = this.#buffer.filter((e) => e.runId === runId);
      this.#buffer = [];
      for (const event of buffered) this.apply(event);
      return runId;
    } catch (err) {
      this.phase = 'idle';
      this.error = `Could not start: ${messageOf(err)}`;
      return null;
    } finally {
      this.busy = false;
      this.#buffer = [];
    }
  }

  async stop(): Promise<void> {
    const runId = this.runId;
    if (runId === null || !this.active) return;
    const previous = this.phase;
    this.phase = 'stopping';
    await this.#command(() => this.api.stopRun({ runId }), () => {
      if (this.phase === 'stopping') this.phase = previous;
    });
  }

  async pause(): Promise<void> {
    const runId = this.runId;
    if (runId === null || this.phase !== 'running') return;
    await this.#command(() => this.api.pauseRun({ runId }));
  }

  async resume(): Promise<void> {
    const runId = this.runId;
    if (runId === null || this.phase !== 'paused') return;
    await this.#command(() => this.api.resumeRun({ runId }));
  }

  async setLearningRate(learningRate: number): Promise<boolean> {
    const runId = this.runId;
    if (runId === null || this.phase !== 'paused') return false;
    const ok = await this.#command(() => this.api.setLearningRate({ runId, learningRate }));
    if (ok) this.pendingLearningRate = learningRate;
    return ok;
  }

  /** Routes an event: buffered while startRun is in flight, ignored when it is another run's. */
  handle(event: RunEvent): void {
    if (this.runId === null) {
      if (this.phase === 'starting') this.#buffer.push(event);
      return;
    }
    if (event.runId === this.runId) this.apply(event);
  }

  /** The reducer: one event of the current run into state. */
  apply(event: RunEvent): void {
    const t = this.now();
    switch (event.type) {
      case 'started':
        this.phase = 'running';
        this.backend = event.backend;
        this.backendDetail = event.backendDetail ?? null;
        this.epochs = event.epochs;
        this.batchesPerEpoch = event.batchesPerEpoch;
        this.trainExamples = event.trainExamples;
        this.validationExamples = event.validationExamples;
        this.epoch = 1;
        this.batch = 0;
        this.#startedAt = t;
        break;
      case 'progress': {
        this.#startedAt ??= t;
        this.batchesPerEpoch = event.batchesPerEpoch;
        this.epoch = event.epoch;
        this.batch = event.batch;
        const bpe = event.batchesPerEpoch || 1;
        event.losses.forEach((loss, k) => {
          this.#batchPoints.push({ x: event.epoch - 1 + (event.firstBatch + k) / bpe, y: loss });
        });
        this.lastBatchLoss = event.losses.at(-1) ?? this.lastBatchLoss;
        this.lastBatchAcc = event.acc;
        this.revision += 1;
        break;
      }
      case 'epoch': {
        const { type: _t, runId: _r, ...row } = event;
        this.rows = [...this.rows.filter((r) => r.epoch !== row.epoch), row].sort((a, b) => a.epoch - b.epoch);
        if (event.epoch >= this.epoch) {
          this.epoch = event.epoch;
          this.batch = this.batchesPerEpoch;
        }
        break;
      }
      case 'paused':
        this.phase = 'paused';
        this.#pausedAt = t;
        this.#log(event);
        break;
      case 'resumed':
        if (this.#pausedAt !== null) this.#pausedMs += t - this.#pausedAt;
        this.#pausedAt = null;
        if (this.phase === 'paused') this.phase = 'running';
        this.#log(event);
        break;
      case 'learningRate':
        this.learningRate = event.learningRate;
        this.pendingLearningRate = null;
        this.#log(event);
        break;
      case 'evaluated':
        this.evaluation = event.evaluation;
        break;
      case 'finished':
        this.phase = event.status;
        this.pendingLearningRate = null;
        this.reason = event.reason;
        if (event.evaluation) this.evaluation = event.evaluation;
        if (this.#pausedAt !== null) this.#pausedMs += t - this.#pausedAt;
        this.#pausedAt = null;
        break;
    }
    this.#tick(t);
  }

  /** Loads a stored run (running or finished) into the screen. */
  hydrate(detail: RunDetail): void {
    this.#reset();
    this.runId = detail.id;
    this.phase = detail.status === 'queued' ? 'starting' : detail.status === 'interrupted' ? 'failed' : detail.status;
    this.backend = detail.backend;
    this.backendDetail = detail.backendReport?.detail ?? null;
    this.epochs = detail.train.epochs;
    const fit = fitExamples(detail.train);
    this.batchesPerEpoch = Math.ceil(fit / detail.train.batchSize);
    this.trainExamples = fit;
    this.rows = [...detail.epochs].sort((a, b) => a.epoch - b.epoch);
    const lastBatch = detail.batchLosses.at(-1);
    this.epoch = lastBatch?.epoch ?? this.rows.at(-1)?.epoch ?? (this.phase === 'running' ? 1 : 0);
    this.batch = lastBatch?.batch ?? (this.rows.length ? this.batchesPerEpoch : 0);
    const bpe = this.batchesPerEpoch || 1;
    this.#batchPoints = detail.batchLosses.map((b) => ({ x: b.epoch - 1 + b.batch / bpe, y: b.loss }));
    this.lastBatchLoss = lastBatch?.loss ?? null;
    this.log = detail.log;
    this.evaluation = detail.evaluation;
    this.reason = detail.statusReason;
    this.learningRate = lastLearningRate(detail.log) ?? detail.compile.optimizer.learningRate;
    this.initialLearningRate = detail.compile.optimizer.learningRate;
    this.#startedAt = this.now();
    this.revision += 1;
    this.#tick(this.now());
  }

  /** Forget the run on screen (not the stored one). */
  clear(): void {
    if (this.active) return;
    this.#reset();
  }

  #reset(): void {
    this.runId = null;
    this.phase = 'idle';
    this.backend = null;
    this.backendDetail = null;
    this.epochs = 0;
    this.batchesPerEpoch = 0;
    this.trainExamples = 0;
    this.validationExamples = 0;
    this.epoch = 0;
    this.batch = 0;
    this.lastBatchLoss = null;
    this.lastBatchAcc = null;
    this.rows = [];
    this.initialLearningRate = null;
    this.log = [];
    this.learningRate = null;
    this.pendingLearningRate = null;
    this.evaluation = null;
    this.reason = null;
    this.error = null;
    this.etaSeconds = null;
    this.elapsedSeconds = 0;
    this.#batchPoints = [];
    this.#buffer = [];
    this.#startedAt = null;
    this.#pausedAt = null;
    this.#pausedMs = 0;
    this.revision += 1;
  }

  /** The same entry the store records, so a live log and a reloaded one read the same. */
  #log(event: Extract<RunEvent, { type: 'paused' | 'resumed' | 'learningRate' }>): void {
    this.log = [...this.log, logEntryOf(event, new Date().toISOString())];
  }

  /** Elapsed (pauses excluded) and ETA, from mean epoch time once known, else from batch rate. */
  #tick(t: number): void {
    if (this.#startedAt === null) return;
    const pausedNow = this.#pausedAt !== null ? t - this.#pausedAt : 0;
    const active = Math.max(0, (t - this.#startedAt - this.#pausedMs - pausedNow) / 1000);
    this.elapsedSeconds = active;
    if (this.finished) {
      this.etaSeconds = 0;
      return;
    }
    if (this.totalBatches === 0) {
      this.etaSeconds = null;
      return;
    }
    const done = this.rows.length;
    if (done > 0) {
      const perEpoch = this.rows.reduce((s, r) => s + r.seconds, 0) / done;
      const inEpoch = this.epoch > done && this.batchesPerEpoch > 0 ? this.batch / this.batchesPerEpoch : 0;
      this.etaSeconds = Math.max(0, (this.epochs - done - inEpoch) * perEpoch);
    } else if (this.doneBatches > 0 && active > 0) {
      this.etaSeconds = ((this.totalBatches - this.doneBatches) * active) / this.doneBatches;
    } else {
      this.etaSeconds = null;
    }
  }

  async #command(call: () => Promise<unknown>, onError?: () => void): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await call();
      return true;
    } catch (err) {
      this.error = messageOf(err);
      onError?.();
      return false;
    } finally {
      this.busy = false;
    }
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
