import { describe, expect, it } from 'vitest';
import { LrScheduleSchema, type EpochMetrics } from '../../../../src-shared/index.ts';
import { scheduledLearningRate } from '../../../../src-main/lab/training/callbacks/lr-schedule.ts';

function valLosses(values: number[]): EpochMetrics[] {
  return values.map((v, i) => ({ epoch: i + 1, loss: 1, acc: 0.5, val_loss: v, val_acc: 0.5, seconds: 1 }));
}

/** The rate of epochs 1..n, each computed from the epochs before it. */
function rates(schedule: Parameters<typeof LrScheduleSchema.parse>[0], n: number, epochs = n, history: EpochMetrics[] = []): number[] {
  const s = LrScheduleSchema.parse(schedule);
  return Array.from({ length: n }, (_, i) => scheduledLearningRate(s, { initialLearningRate: 0.1, epochs }, i + 1, history.slice(0, i)));
}

function expectRates(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((r, i) => expect(r, `epoch ${i + 1}`).toBeCloseTo(expected[i]!, 9));
}

describe('scheduledLearningRate (hand-computed, lr0 = 0.1)', () => {
  it('step decay halves every 2 epochs', () => {
    expectRates(rates({ kind: 'stepDecay', factor: 0.5, everyEpochs: 2 }, 6), [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  });

  it('exponential decay: 0.1 · 0.5^(e/2)', () => {
    expectRates(rates({ kind: 'exponentialDecay', decayRate: 0.5, decayEpochs: 2 }, 5), [0.1, 0.0707106781, 0.05, 0.0353553391, 0.025]);
  });

  it('cosine decay over the run (5 epochs, alpha 0)', () => {
    // 0.1 · ½(1 + cos(π e / 5)), e = 0..4
    expectRates(rates({ kind: 'cosineDecay' }, 5), [0.1, 0.0904508497, 0.0654508497, 0.0345491503, 0.0095491503]);
  });

  it('cosine decay with 2 warm-up epochs and alpha 0.1 (6 epochs: decays over the 4 after warm-up)', () => {
    // warm-up 0.05, 0.1; then 0.1 · (0.1 + 0.9 · ½(1 + cos(π p))), p = 0, ¼, ½, ¾
    expectRates(rates({ kind: 'cosineDecay', warmupEpochs: 2, alpha: 0.1 }, 6), [0.05, 0.1, 0.1, 0.0868198052, 0.055, 0.0231801948]);
  });

  it('cosine decay holds alpha · lr0 after decayEpochs', () => {
    expectRates(rates({ kind: 'cosineDecay', decayEpochs: 2, alpha: 0.2 }, 4, 10), [0.1, 0.06, 0.02, 0.02]);
  });

  it('ReduceLROnPlateau: patience, cooldown and min_lr as Keras counts them', () => {
    // Traced by hand: epochs 3–4 worse than 0.9 → cut after 4 (0.05), cooldown 1 swallows epoch 5's count,
    // epochs 5–6 → cut after 6 (0.025); 0.85 at 8 is a new best; 9–10 → cut after 10, floored at 0.02;
    // 11–12 would cut again but the rate is already at min_lr.
    const h = valLosses([1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 0.85, 0.9, 0.91, 0.92, 0.93, 0.94]);
    const schedule = { kind: 'reduceOnPlateau', factor: 0.5, patience: 2, cooldown: 1, minLr: 0.02, minDelta: 0 } as const;
    expectRates(rates(schedule, 13, 13, h), [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02]);
  });

  it('ReduceLROnPlateau without cooldown counts min_delta: 0.895 is no improvement on 0.9 by 0.01', () => {
    const h = valLosses([1.0, 0.9, 0.895, 0.899, 0.8]);
    expectRates(rates({ kind: 'reduceOnPlateau', factor: 0.1, patience: 2, minDelta: 0.01 }, 5, 5, h), [0.1, 0.1, 0.1, 0.1, 0.01]);
  });

  it('refuses schedules outside their limits', () => {
    expect(() => LrScheduleSchema.parse({ kind: 'stepDecay', factor: 1 })).toThrow();
    expect(() => LrScheduleSchema.parse({ kind: 'stepDecay', everyEpochs: 0 })).toThrow();
    expect(() => LrScheduleSchema.parse({ kind: 'exponentialDecay', decayRate: 0 })).toThrow();
    expect(() => LrScheduleSchema.parse({ kind: 'cosineDecay', alpha: 2 })).toThrow();
    expect(() => LrScheduleSchema.parse({ kind: 'reduceOnPlateau', factor: 0.1, extra: 1 })).toThrow();
    expect(() => LrScheduleSchema.parse({ kind: 'linear' })).toThrow();
  });
});
