import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../../src-shared/index.ts';
import { prepareData, TrainConfigError } from '../../../src-main/lab/training/prepare-data.ts';
import { syntheticDataset } from './synthetic-dataset.ts';

const dataset = syntheticDataset(100, 50);
const config = (o: object) => TrainConfigSchema.parse({ trainExamples: 60, testExamples: 20, ...o });

describe('prepareData', () => {
  it('subsamples without replacement, seeded, and normalises to [0, 1]', () => {
    const a = prepareData(dataset, config({ seed: 1 }));
    const b = prepareData(dataset, config({ seed: 1 }));
    const c = prepareData(dataset, config({ seed: 2 }));
    expect(a.train.count).toBe(60);
    expect(new Set(a.train.sourceIndices).size).toBe(60);
    expect(Array.from(a.train.sourceIndices)).toEqual(Array.from(b.train.sourceIndices));
    expect(Array.from(a.train.sourceIndices)).not.toEqual(Array.from(c.train.sourceIndices));
    expect(a.validation).toBe(a.test);
    const first = a.train.sourceIndices[0]!;
    expect(a.train.images[0]).toBeCloseTo(dataset.trainImages[first * 784]! / 255, 6);
    expect(a.train.labels[0]).toBe(dataset.trainLabels[first]);
    expect(Math.max(...a.train.images)).toBeLessThanOrEqual(1);
  });

  it('takes a validation split from the end of the training sample, like Keras', () => {
    const p = prepareData(dataset, config({ validation: { kind: 'split', fraction: 0.25 } }));
    expect(p.train.count).toBe(45);
    expect(p.validation!.count).toBe(15);
    expect(p.test.count).toBe(20);
    // Keras' int(10 * (1 - 0.25)) = 7: the trainer slices exactly what the renderer counts (fitExamples).
    const small = prepareData(dataset, config({ trainExamples: 10, validation: { kind: 'split', fraction: 0.25 } }));
    expect([small.train.count, small.validation!.count]).toEqual([7, 3]);
    const whole = prepareData(dataset, config({ trainExamples: 10, validation: { kind: 'none' } })).train.sourceIndices;
    expect(Array.from(small.validation!.sourceIndices)).toEqual(Array.from(whole.subarray(7)));
  });

  it('refuses more examples than the dataset has', () => {
    expect(() => prepareData(dataset, config({ trainExamples: 101 }))).toThrow(TrainConfigError);
    expect(() => prepareData(dataset, config({ testExamples: 51 }))).toThrow(/testExamples is 51 but synthetic has 50/);
  });
});
