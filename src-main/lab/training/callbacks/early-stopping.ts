// keras.callbacks.EarlyStopping as a pure function of the epoch history: the verdict after the last epoch is
// the Keras 2 callback replayed over every epoch so far, so nothing but the history is state.
//
// Semantics (Keras 2.2–2.8's on_epoch_end, identical to later 2.x for patience ≥ 1): an epoch whose monitored
// value improves on the best by more than minDelta resets the wait; any other epoch adds one; the run stops when
// the wait reaches patience (patience 0: at the first epoch that does not improve). restoreBestWeights puts the
// best epoch's weights back when, and only when, the run stops early.
import type { EarlyStoppingConfig, EpochMetrics } from '../../../../src-shared/index.ts';
import { directionOf, improves, monitoredValue, worstOf } from './monitor.ts';

export interface EarlyStoppingVerdict {
  /** The epoch (1-based, as in the history) the run stops after; null: train on. */
  stopAfter: number | null;
  /** The epoch whose monitored value is the best so far; null before any epoch had one. */
  bestEpoch: number | null;
  /** Epochs since the last improvement. */
  wait: number;
}

export function earlyStoppingVerdict(config: EarlyStoppingConfig, history: readonly EpochMetrics[]): EarlyStoppingVerdict {
  const direction = directionOf(config.monitor, config.mode);
  let best = worstOf(direction);
  let bestEpoch: number | null = null;
  let wait = 0;
  for (const metrics of history) {
    const current = monitoredValue(metrics, config.monitor);
    // Keras skips an epoch without the monitored value (with a warning); so does this.
    if (current === null) continue;
    if (improves(direction, current, best, config.minDelta)) {
      best = current;
      bestEpoch = metrics.epoch;
      wait = 0;
    } else {
      wait += 1;
      if (wait >= config.patience) return { stopAfter: metrics.epoch, bestEpoch, wait };
    }
  }
  return { stopAfter: null, bestEpoch, wait };
}

/** "stopped early at epoch 7: val_loss has not improved by 0.001 for 3 epochs; restored epoch 4". */
export function describeEarlyStop(config: EarlyStoppingConfig, verdict: EarlyStoppingVerdict & { stopAfter: number }, restoredEpoch: number | null): string {
  const by = config.minDelta > 0 ? ` by ${config.minDelta}` : '';
  const epochs = `${verdict.wait} epoch${verdict.wait === 1 ? '' : 's'}`;
  return `stopped early at epoch ${verdict.stopAfter}: ${config.monitor} has not improved${by} for ${epochs}${restoredEpoch !== null ? `; restored epoch ${restoredEpoch}` : ''}`;
}
