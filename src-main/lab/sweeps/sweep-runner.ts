// Runs the sweeps' queue inside the lab's run supervisor: every start goes through the supervisor's startRun, so
// the lab's limit on concurrent trainers, the memory check and the preflight hold for sweep runs exactly as for
// any other. The runner only decides what starts next and records how each item ended.
import { describeSweepParams, type FinalStatus, type StartRunParsed } from '../../../src-shared/index.ts';
import { LabAtCapacityError } from '../service/run-state-error.ts';
import type { SweepQueue } from '../store/sweep-queue.ts';

export interface SweepRunnerOptions {
  queue: SweepQueue;
  /** The supervisor's startRun (admission and limits included). */
  startRun: (request: StartRunParsed, tags: readonly string[]) => { runId: number };
  /** Only this sweep's items are started (the CLI runs its own sweep); absent: every active sweep. */
  onlySweep?: number;
  /** Told when an item's state changes (a run started, ended, failed to start). */
  onChange?: (sweepId: number) => void;
}

export const sweepTag = (sweepId: number) => `sweep:${sweepId}`;

export class SweepRunner {
  private pumping = false;
  private stopped = false;

  constructor(private readonly options: SweepRunnerOptions) {}

  /** After a restart: items whose process died are re-queued (once) or marked; then the queue runs on. */
  recover(): { requeued: number[]; failed: number[] } {
    return this.options.queue.recover();
  }

  /** Starts queued items while the sweeps' `parallel` and the lab's limit allow. */
  pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      for (;;) {
        const item = this.options.queue.claimNext(this.options.onlySweep);
        if (!item) return;
        try {
          // Named by its sweep and values, so the Runs list and Compare read as the sweep's points.
          const name = `${item.sweepName}: ${describeSweepParams(item.params)}`.slice(0, 200);
          const { runId } = this.options.startRun({ ...item.request, name }, [sweepTag(item.sweepId)]);
          this.options.queue.attachRun(item.id, runId);
        } catch (error) {
          if (error instanceof LabAtCapacityError) {
            // The lab is full (other runs, other processes): wait for a run to end, then try again.
            this.options.queue.release(item.id);
            return;
          }
          this.options.queue.fail(item.id, `could not start: ${error instanceof Error ? error.message : String(error)}`);
        }
        this.options.onChange?.(item.sweepId);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** A run ended (any run: room in the lab may let a queued item start). */
  runFinished(runId: number, status: FinalStatus, reason: string | null): void {
    // Stopped by the lab closing, not by the user: the item goes back to the queue (once), as after a crash.
    const sweepId = this.stopped && status === 'stopped' ? this.options.queue.interruptRun(runId, 'the lab closed while it trained') : this.options.queue.finishRun(runId, status, reason);
    if (sweepId !== null) this.options.onChange?.(sweepId);
    // After the supervisor has let go of the run (its finished handler runs first).
    setImmediate(() => this.pump());
  }

  /** No more starts (the lab is closing); what is queued stays queued for the next start. */
  stop(): void {
    this.stopped = true;
  }
}
