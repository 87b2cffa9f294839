import { describe, expect, it } from 'vitest';
import { halfBitsToFloat, toHalfBits } from '../../../src-main/lab/model/float16.ts';

describe('float16', () => {
  it('round-trips every half value exactly', () => {
    for (let h = 0; h < 65536; h++) {
      const v = halfBitsToFloat(h);
      if (Number.isNaN(v)) expect(Number.isNaN(halfBitsToFloat(toHalfBits(v)))).toBe(true);
      else expect(toHalfBits(v)).toBe(h);
    }
  });

  it('rounds to the nearest half, ties to even, with the known edges', () => {
    expect(halfBitsToFloat(toHalfBits(1))).toBe(1);
    expect(halfBitsToFloat(toHalfBits(65504))).toBe(65504);
    expect(halfBitsToFloat(toHalfBits(70000))).toBe(Infinity);
    expect(halfBitsToFloat(toHalfBits(-1e-9))).toBe(-0);
    expect(halfBitsToFloat(toHalfBits(2 ** -24))).toBe(2 ** -24);
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
    expect(halfBitsToFloat(toHalfBits(1 + 2 ** -11))).toBe(1);
    expect(halfBitsToFloat(toHalfBits(1 + 3 * 2 ** -11))).toBe(1 + 2 * 2 ** -10);
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 4;
    for (let i = 0; i < 20_000; i++) {
      const x = Math.fround(rand());
      const h = toHalfBits(x);
      const err = Math.abs(halfBitsToFloat(h) - x);
      // No neighbour is nearer.
      expect(err).toBeLessThanOrEqual(Math.abs(halfBitsToFloat(h + 1) - x));
      expect(err).toBeLessThanOrEqual(Math.abs(halfBitsToFloat(h - 1) - x));
    }
  });
});
