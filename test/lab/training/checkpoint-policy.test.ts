import { describe, expect, it } from 'vitest';
import { EPOCH_CHECKPOINT_BUDGET_BYTES, planEpochCheckpoints } from '../../../src-main/lab/training/checkpoint-policy.ts';

const SEED_PARAMS = 407_050;

describe('epoch checkpoint plan', () => {
  it('keeps every epoch of a short run and thins a long one to the budget: epoch 1, every stride-th, the last', () => {
    expect(planEpochCheckpoints(5, SEED_PARAMS).kept).toEqual([1, 2, 3, 4, 5]);
    expect(planEpochCheckpoints(20, SEED_PARAMS).kept).toEqual([1, 5, 9, 13, 17, 20]);
    expect(planEpochCheckpoints(30, SEED_PARAMS).kept).toEqual([1, 7, 13, 19, 25, 30]);
    expect(planEpochCheckpoints(50, 1000).kept).toHaveLength(50);
  });

  it('never goes over the budget, and keeps none when two do not fit', () => {
    for (let epochs = 1; epochs <= 120; epochs++) {
      for (const params of [1000, 50_000, SEED_PARAMS, 1_000_000]) {
        const { kept } = planEpochCheckpoints(epochs, params);
        expect(kept.length * params * 2).toBeLessThanOrEqual(EPOCH_CHECKPOINT_BUDGET_BYTES);
        expect(new Set(kept).size).toBe(kept.length);
        if (kept.length) expect([kept[0], kept.at(-1)]).toEqual([1, epochs]);
      }
    }
    expect(planEpochCheckpoints(10, 2_000_000).kept).toEqual([]);
  });
});
