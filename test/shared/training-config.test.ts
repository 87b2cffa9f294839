// The validation split, the one copy the trainer and the renderer share, against Keras' own rule.
import { describe, expect, it } from 'vitest';
import { fitExamples, TrainConfigSchema, validationSplit } from '../../src-shared/index.ts';

describe('validationSplit', () => {
  it('splits as Keras does: split_at = int(n * (1 - f)), the last part validates', () => {
    // int(10 * 0.75) = 7 in Python: 7 train, 3 validate (a copy that floored n·f gave 8 and 2).
    expect(validationSplit(10, 0.25)).toEqual({ train: 7, validation: 3 });
    expect(validationSplit(60_000, 0.2)).toEqual({ train: 48_000, validation: 12_000 });
    // Python: int(100 * (1 - 0.29)) == 71, int(3 * (1 - 0.1)) == 2 (truncation, not rounding), int(1 * 0.5) == 0.
    expect(validationSplit(100, 0.29)).toEqual({ train: 71, validation: 29 });
    expect(validationSplit(3, 0.1)).toEqual({ train: 2, validation: 1 });
    expect(validationSplit(1, 0.5)).toEqual({ train: 0, validation: 1 });
  });

  it('gives the examples fitted per epoch for every kind of validation', () => {
    const config = (validation: object) => TrainConfigSchema.parse({ trainExamples: 10, validation });
    expect(fitExamples(config({ kind: 'split', fraction: 0.25 }))).toBe(7);
    expect(fitExamples(config({ kind: 'testSet' }))).toBe(10);
    expect(fitExamples(config({ kind: 'none' }))).toBe(10);
  });
});
