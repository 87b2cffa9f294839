// Learning-rate schedules as pure functions of the epoch history: the rate an epoch trains with, from the
// optimizer's initial rate, the schedule, the epoch number and the epochs before it.
//
// Step, exponential and cosine decay follow keras.callbacks.LearningRateScheduler (set at each epoch's start,
// the epoch counted from 0 in the formulas); ReduceLROnPlateau is Keras 2's callback replayed over the history
// (it acts at an epoch's end, so its cut shows from the next epoch on).
import type { EpochMetrics, LrScheduleConfig } from '../../../../src-shared/index.ts';
import { directionOf, improves, monitoredValue, worstOf } from './monitor.ts';

export interface ScheduleContext {
  /** The compile settings' learning rate. */
  initialLearningRate: number;
  /** The run's planned epochs (the cosine decay's default length). */
  epochs: number;
}

/** The rate epoch `epoch` (1-based) trains with; `history` holds the epochs before it (at least those). */
export function scheduledLearningRate(schedule: LrScheduleConfig, context: ScheduleContext, epoch: number, history: readonly EpochMetrics[]): number {
  const lr0 = context.initialLearningRate;
  const e = epoch - 1; // Keras' 0-based epoch index
  switch (schedule.kind) {
    case 'stepDecay':
      return lr0 * schedule.factor ** Math.floor(e / schedule.everyEpochs);
    case 'exponentialDecay':
      return lr0 * schedule.decayRate ** (e / schedule.decayEpochs);
    case 'cosineDecay': {
      const warmup = schedule.warmupEpochs;
      if (e < warmup) return (lr0 * (e + 1)) / warmup;
      const length = schedule.decayEpochs ?? Math.max(1, context.epochs - warmup);
      const progress = Math.min(e - warmup, length) / length;
      return lr0 * (schedule.alpha + (1 - schedule.alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
    case 'reduceOnPlateau':
      return plateauRate(schedule, lr0, history.filter((m) => m.epoch < epoch));
  }
}

function plateauRate(schedule: Extract<LrScheduleConfig, { kind: 'reduceOnPlateau' }>, lr0: number, history: readonly EpochMetrics[]): number {
  const direction = directionOf(schedule.monitor, schedule.mode);
  let lr = lr0;
  let best = worstOf(direction);
  let wait = 0;
  let cooldown = 0;
  for (const metrics of history) {
    const current = monitoredValue(metrics, schedule.monitor);
    if (current === null) continue;
    if (cooldown > 0) {
      cooldown -= 1;
      wait = 0;
    }
    if (improves(direction, current, best, schedule.minDelta)) {
      best = current;
      wait = 0;
    } else if (cooldown === 0) {
      wait += 1;
      if (wait >= schedule.patience) {
        // As Keras: at the floor nothing changes and the wait is not reset (it has no effect there).
        if (lr > schedule.minLr) {
          lr = Math.max(lr * schedule.factor, schedule.minLr);
          cooldown = schedule.cooldown;
          wait = 0;
        }
      }
    }
  }
  return lr;
}
