// Which epochs keep a checkpoint, so a run's storage stays small however long it trains. Final and best
// checkpoints stay float32 (they are what Draw, Evaluate and exports use); per-epoch ones, for the epoch
// scrubber and forks, are float16 and thinned to fit a per-run budget: epoch 1, then every `stride`-th
// epoch, and the last planned one. The scrubber steps between the kept epochs and says which are kept.
import { checkpointValueBytes } from '../model/weights-codec.ts';

/** The per-epoch checkpoints of one run take at most this many bytes (float16 values). */
export const EPOCH_CHECKPOINT_BUDGET_BYTES = 5 * 1024 * 1024;

export interface EpochCheckpointPlan {
  /** Epochs whose checkpoint is kept (ascending); empty when not even two fit the budget. */
  kept: number[];
}

export function planEpochCheckpoints(epochs: number, params: number, budgetBytes = EPOCH_CHECKPOINT_BUDGET_BYTES): EpochCheckpointPlan {
  const fits = Math.floor(budgetBytes / Math.max(1, checkpointValueBytes(params, 'float16')));
  if (epochs <= fits) return { kept: Array.from({ length: epochs }, (_, i) => i + 1) };
  // Two is the least that shows a change; a model too big for that keeps none (final and best remain).
  if (fits < 2) return { kept: [] };
  const stride = Math.ceil((epochs - 1) / (fits - 1));
  const kept: number[] = [];
  for (let e = 1; e <= epochs; e += stride) kept.push(e);
  if (kept.at(-1) !== epochs) kept.push(epochs);
  return { kept };
}
