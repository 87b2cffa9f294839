// One run in flight: forwards control to its trainer process and persists what comes back.
// LabService is the only SQLite writer; each epoch is committed with its batch losses as it
// ends, so a crash loses at most the epoch in flight.
import { logEntryOf, type BatchLoss, type Evaluation, type FinalStatus, type RunEvent } from '../../../src-shared/index.ts';
import type { LabStore } from '../store/lab-store.ts';
import type { TrainerChannel, TrainerToParent, TrainJob } from '../training/trainer-protocol.ts';

export class ActiveRun {
  private finished = false;
  private batchLosses: BatchLoss[] = [];
  private evaluation: Evaluation | null = null;
  private readonly done: Promise<FinalStatus>;
  private resolveDone!: (status: FinalStatus) => void;
  paused = false;

  constructor(
    readonly job: TrainJob,
    private readonly channel: TrainerChannel,
    private readonly store: LabStore,
    private readonly emit: (event: RunEvent) => void,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    channel.onMessage((message) => this.onMessage(message));
    channel.onExit((code, signal) => this.onExit(code, signal));
    channel.send({ type: 'start', job });
  }

  get runId(): number {
    return this.job.runId;
  }

  whenDone(): Promise<FinalStatus> {
    return this.done;
  }

  stop(): void {
    this.channel.send({ type: 'stop' });
  }
  pause(): void {
    this.channel.send({ type: 'pause' });
  }
  resume(): void {
    this.channel.send({ type: 'resume' });
  }
  setLearningRate(learningRate: number): void {
    this.channel.send({ type: 'setLearningRate', learningRate });
  }
  kill(): void {
    this.channel.kill();
  }

  private onMessage(message: TrainerToParent): void {
    if (this.finished) return;
    try {
      switch (message.type) {
        case 'backend':
          this.store.markStarted(this.runId, message.report);
          break;
        case 'event':
          this.onEvent(message.event);
          break;
        case 'checkpoint':
          this.store.saveCheckpoint(this.runId, { kind: message.kind, epoch: message.epoch, valLoss: message.valLoss, weights: message.weights });
          break;
        case 'evaluation':
          this.store.saveEvaluation(this.runId, message.evaluation, message.predictions);
          this.evaluation = message.evaluation;
          this.emit({ type: 'evaluated', runId: this.runId, evaluation: message.evaluation });
          break;
        case 'weightHistograms':
          this.store.saveWeightHistograms(this.runId, message.epoch, message.params);
          break;
        case 'fatal':
          this.finish('failed', message.message);
          break;
        case 'ready':
        case 'exiting':
          break;
      }
    } catch (error) {
      // A store failure (full disk) ends the run: training on without saving would lose it.
      this.finish('failed', `could not save the run: ${error instanceof Error ? error.message : String(error)}`);
      this.channel.kill();
    }
  }

  private onEvent(event: RunEvent): void {
    switch (event.type) {
      case 'progress':
        event.losses.forEach((loss, i) => this.batchLosses.push({ epoch: event.epoch, batch: event.firstBatch + i, loss }));
        break;
      case 'epoch': {
        const { type: _t, runId: _r, ...metrics } = event;
        this.store.addEpoch(this.runId, metrics, this.batchLosses);
        this.batchLosses = [];
        break;
      }
      case 'paused':
      case 'resumed':
      case 'learningRate':
        if (event.type !== 'learningRate') this.paused = event.type === 'paused';
        this.store.addLogEntry(this.runId, logEntryOf(event, new Date().toISOString()));
        break;
      case 'finished':
        this.finish(event.status, event.reason);
        return;
      case 'started':
      case 'evaluated':
        break;
    }
    this.emit(event);
  }

  private onExit(code: number | null, signal: string | null): void {
    if (this.finished) return;
    const said = this.channel.diagnostics?.() ?? '';
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    this.finish('failed', `the trainer process ${how} before the run finished${said ? `: ${said.split('\n').slice(-3).join(' ')}` : ''}`);
  }

  private finish(status: FinalStatus, reason: string | null): void {
    if (this.finished) return;
    this.finished = true;
    let said = reason;
    try {
      this.store.finishRun(this.runId, status, reason);
    } catch (error) {
      // The store is unusable (disk full): the run stays 'running' in the file and becomes
      // 'interrupted' on the next open; the user hears why now.
      said = `${reason ?? status}; its end could not be saved: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.emit({ type: 'finished', runId: this.runId, status, reason: said, evaluation: this.evaluation });
    this.resolveDone(status);
  }
}
