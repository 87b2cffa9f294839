// The one-pass dropout multiplier must equal tf.dropout's (tf.randomUniform with the layer's seed, Add, Floor, RealDiv)
// bit for bit, for any rate and seed: the written-out steps rely on it to train exactly as the tape step.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fillDropoutMultiplier } from '../../../src-main/lab/training/dropout-mask.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fillDropoutMultiplier', () => {
  const seeds = [0, 1, 7, 42, 123456789, 4294967295, 2.5, -3];
  const rates = [0, 0.1, 0.2, 0.25, 0.5, 0.9, 0.999];
  for (const rate of rates) {
    it(`rate ${rate}: tf.dropout's multiplier for every seed`, () => {
      for (const seed of seeds) {
        for (const n of [1, 97, 4096]) {
          const expected = tf.tidy(() => tf.dropout(tf.ones([n]), rate, undefined, seed).dataSync() as Float32Array);
          const out = new Float32Array(n);
          fillDropoutMultiplier(out, rate, seed);
          expect(Array.from(out), `seed ${seed}, ${n} values`).toEqual(Array.from(expected));
        }
      }
    });
  }

  it('keeps about the kept share, and the mask changes with the seed', () => {
    const a = new Float32Array(65536);
    const b = new Float32Array(65536);
    fillDropoutMultiplier(a, 0.2, 11);
    fillDropoutMultiplier(b, 0.2, 12);
    const kept = a.reduce((k, x) => k + (x > 0 ? 1 : 0), 0) / a.length;
    expect(kept).toBeGreaterThan(0.79);
    expect(kept).toBeLessThan(0.81);
    expect(a.some((x, i) => x !== b[i])).toBe(true);
  });

  it('refuses a rate outside [0, 1)', () => {
    expect(() => fillDropoutMultiplier(new Float32Array(4), 1, 3)).toThrow(/dropout rate 1 is not in \[0, 1\)/);
    expect(() => fillDropoutMultiplier(new Float32Array(4), Number.NaN, 3)).toThrow(/not in \[0, 1\)/);
  });
});
