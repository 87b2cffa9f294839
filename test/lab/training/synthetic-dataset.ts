// A small learnable dataset for fast tests: each class lights up its own band of pixels.
import type { Dataset } from '../../../src-main/lab/data/dataset.ts';
import { SeededRandom } from '../../../src-main/lab/util/seeded-random.ts';

function makeImages(count: number, rng: SeededRandom): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    labels[i] = label;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const inBand = row >= label * 2 + 4 && row < label * 2 + 7;
      images[i * 784 + p] = inBand ? 150 + rng.nextInt(100) : rng.nextInt(40);
    }
  }
  return { images, labels };
}

export function syntheticDataset(trainCount = 600, testCount = 200): Dataset {
  const rng = new SeededRandom(99);
  const train = makeImages(trainCount, rng);
  const test = makeImages(testCount, rng);
  return {
    name: 'synthetic',
    title: 'Synthetic bands',
    hash: 'synthetic',
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: test.images,
    testLabels: test.labels,
    trainCount,
    testCount,
    imageShape: [28, 28, 1],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    builtIn: false,
  };
}
