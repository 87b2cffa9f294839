// A trainer launcher whose processes do nothing until told: the test decides when a run ends.
import type { FinalStatus } from '../../../src-shared/index.ts';
import type { ParentToTrainer, TrainerChannel, TrainerLauncher, TrainerToParent } from '../../../src-main/lab/training/trainer-protocol.ts';

export interface FakeTrainer extends TrainerChannel {
  received: ParentToTrainer[];
  /** Ends the run as the trainer would, with a 'finished' event. */
  finish(status: FinalStatus): void;
}

export function fakeTrainerLauncher(): TrainerLauncher & { trainers: FakeTrainer[] } {
  const trainers: FakeTrainer[] = [];
  return {
    trainers,
    launch() {
      const listeners: ((message: TrainerToParent) => void)[] = [];
      const received: ParentToTrainer[] = [];
      let runId = 0;
      const trainer: FakeTrainer = {
        received,
        send(message) {
          received.push(message);
          if (message.type === 'start') runId = message.job.runId;
        },
        onMessage: (listener) => listeners.push(listener),
        onExit: () => {},
        kill: () => {},
        finish(status) {
          for (const listener of listeners) listener({ type: 'event', event: { type: 'finished', runId, status, reason: null, evaluation: null } });
        },
      };
      trainers.push(trainer);
      return trainer;
    },
  };
}
