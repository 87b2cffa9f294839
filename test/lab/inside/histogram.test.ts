// Binned weight histograms: the bins sum to the parameter count, edges and degenerate cases.
import * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPreset, HISTOGRAM_BINS } from '../../../src-shared/index.ts';
import { histogramOf, paramHistogramsOf } from '../../../src-main/lab/inside/histogram.ts';
import { buildModel } from '../../../src-main/lab/model/build-model.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';

const tf = tfjs as unknown as Tf;
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('histogramOf', () => {
  it('counts every value once, the maximum in the last bin', () => {
    const h = histogramOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5);
    expect(h.bins).toEqual([2, 2, 2, 2, 3]);
    expect(h).toMatchObject({ count: 11, min: 0, max: 10, mean: 5 });
    expect(h.std).toBeCloseTo(Math.sqrt(10), 9);
  });

  it('puts all-equal values (a fresh zero bias) in the first bin and skips NaN', () => {
    expect(histogramOf([0, 0, 0], 4).bins).toEqual([3, 0, 0, 0]);
    expect(histogramOf([1, Number.NaN, 2], 2)).toMatchObject({ count: 2, bins: [1, 1] });
    expect(histogramOf([], 3)).toMatchObject({ count: 0, bins: [0, 0, 0] });
  });
});

describe('paramHistogramsOf', () => {
  it('histograms of every layer sum to the model’s parameter count', () => {
    const arch = findPreset('small-cnn')!.architecture;
    const model = buildModel(tf, arch, 1);
    const params = paramHistogramsOf(model, arch);
    expect(params.reduce((s, p) => s + p.bins.reduce((a, b) => a + b, 0), 0)).toBe(model.countParams());
    for (const p of params) {
      expect(p.bins).toHaveLength(HISTOGRAM_BINS);
      expect(p.count).toBe(p.shape.reduce((a, b) => a * b, 1));
      expect(p.layerName).toBe(model.layers[p.layer]!.name);
    }
    expect(params.map((p) => p.param)).toContain('kernel');
    expect(params.map((p) => p.param)).toContain('bias');
    model.dispose();
  });

  it('one layer only, when asked', () => {
    const model = buildModel(tf, findPreset('keras-mlp')!.architecture, 1);
    const first = paramHistogramsOf(model, findPreset('keras-mlp')!.architecture, 0);
    expect(first.map((p) => [p.param, p.count])).toEqual([
      ['kernel', 784 * 512],
      ['bias', 512],
    ]);
    model.dispose();
  });
});
