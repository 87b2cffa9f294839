// What a callback watches in the epoch history, and when a value counts as better (Keras' monitor_op with
// min_delta: for "min" current < best − minDelta, for "max" current > best + minDelta).
import type { EpochMetrics, Monitor, MonitorMode } from '../../../../src-shared/index.ts';

export type Direction = 'min' | 'max';

/** Keras' "auto": accuracies are maximised, losses minimised. */
export function directionOf(monitor: Monitor, mode: MonitorMode): Direction {
  if (mode !== 'auto') return mode;
  return monitor === 'acc' || monitor === 'val_acc' ? 'max' : 'min';
}

/** The monitored number of one epoch; null where the run has none (no validation) or it is not finite. */
export function monitoredValue(metrics: EpochMetrics, monitor: Monitor): number | null {
  const value = metrics[monitor];
  return value === null || !Number.isFinite(value) ? null : value;
}

export function improves(direction: Direction, current: number, best: number, minDelta: number): boolean {
  return direction === 'min' ? current < best - minDelta : current > best + minDelta;
}

/** The starting "best" of a replay: anything finite improves on it. */
export function worstOf(direction: Direction): number {
  return direction === 'min' ? Infinity : -Infinity;
}
