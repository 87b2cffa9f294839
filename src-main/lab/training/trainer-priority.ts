// Training is background work next to the app's windows: the trainer runs at a lower scheduling priority, so that
// when it keeps every core busy (the threaded wasm build) the UI and the serving process still get the CPU first.
import { getPriority, setPriority } from 'node:os';

/** Unix niceness (0 normal … 19 lowest); Node maps it to "below normal" on Windows. */
export const TRAINER_NICENESS = 10;

/**
 * Lowers this process's priority to TRAINER_NICENESS (never raises it). Call before any thread starts: on Linux
 * niceness is per thread, and threads inherit their creator's. Returns why it could not, or null.
 */
export function lowerTrainerPriority(): string | null {
  try {
    if (getPriority() < TRAINER_NICENESS) setPriority(TRAINER_NICENESS);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
