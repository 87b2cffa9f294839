// The weights grid's colour scale: a high percentile of |value| over the layer, so one outlier
// does not wash every tile out the way a max scale would.
import { describe, expect, it } from 'vitest';
import { robustScale } from '../../../src-main/lab/inside/weight-tiles.ts';

describe('robustScale', () => {
  it('is the percentile of |value|, with the largest value and the share beyond it', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? -1 : 1) * (i + 1) * 0.001);
    values[999] = 50; // one outlier
    const { scale, largest, clipped } = robustScale(values, 99.5);
    expect(scale).toBeCloseTo(0.995, 6);
    expect(largest).toBe(50);
    expect(clipped).toBeCloseTo(0.005, 6);
  });

  it('falls back to the largest value when the percentile is zero, and is zero for nothing', () => {
    const mostlyZero = new Float32Array(1000);
    mostlyZero[3] = -0.25;
    expect(robustScale(mostlyZero, 99.5)).toEqual({ scale: 0.25, largest: 0.25, clipped: 0 });
    expect(robustScale(new Float32Array(0))).toEqual({ scale: 0, largest: 0, clipped: 0 });
  });
});
