// Turns a dataset and a train config into the arrays the loop feeds: the seed's subsampling
// (numpy.random.choice without replacement, train mask first, then test mask), /255, and the
// validation set (the test subsample, or the last fraction of the training subsample as Keras
// takes validation_split).
import { callbackProblems, IMAGE_PIXELS, validationSplit, type TrainConfig } from '../../../src-shared/index.ts';
import { pixelsOf, type ImageShape } from '../../../src-shared/dataset-shape.ts';
import type { Dataset } from '../data/dataset.ts';
import { SeededRandom } from '../util/seeded-random.ts';

export const PIXELS = IMAGE_PIXELS;

export interface ExampleSet {
  /** n × H·W·C floats in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  /** Index of each example in the dataset's own train or test set. */
  sourceIndices: Uint32Array;
}

export interface PreparedData {
  train: ExampleSet;
  validation: ExampleSet | null;
  test: ExampleSet;
  /** The images' height, width, channels (what augmentation moves); absent only in hand-made test data. */
  imageShape?: ImageShape;
}

export class TrainConfigError extends Error {
  override name = 'TrainConfigError';
}

/** The examples at these indices of a dataset's images (`pixels` values each) and labels, pixels scaled to [0, 1]. */
export function gatherExamples(images: Uint8Array, labels: Uint8Array, indices: Uint32Array, pixels: number = PIXELS): ExampleSet {
  const out = new Float32Array(indices.length * pixels);
  const outLabels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = (indices[i] as number) * pixels;
    const dst = i * pixels;
    for (let p = 0; p < pixels; p++) out[dst + p] = (images[src + p] as number) / 255;
    outLabels[i] = labels[indices[i] as number] as number;
  }
  return { images: out, labels: outLabels, count: indices.length, sourceIndices: indices };
}

function sliceSet(set: ExampleSet, start: number, end: number, pixels: number): ExampleSet {
  return {
    images: set.images.subarray(start * pixels, end * pixels),
    labels: set.labels.subarray(start, end),
    count: end - start,
    sourceIndices: set.sourceIndices.subarray(start, end),
  };
}

/** Sizes of the train and validation sets of a config, or a TrainConfigError naming what cannot be. */
export function checkTrainConfig(dataset: Pick<Dataset, 'name' | 'trainCount' | 'testCount'>, config: TrainConfig): { train: number; validation: number } {
  if (config.trainExamples > dataset.trainCount) {
    throw new TrainConfigError(`trainExamples is ${config.trainExamples} but ${dataset.name} has ${dataset.trainCount} training images`);
  }
  if (config.testExamples > dataset.testCount) {
    throw new TrainConfigError(`testExamples is ${config.testExamples} but ${dataset.name} has ${dataset.testCount} test images`);
  }
  const callbacks = callbackProblems(config);
  if (callbacks.length > 0) throw new TrainConfigError(callbacks.join('; '));
  if (config.validation.kind !== 'split') return { train: config.trainExamples, validation: config.validation.kind === 'testSet' ? config.testExamples : 0 };
  const { train, validation } = validationSplit(config.trainExamples, config.validation.fraction);
  if (validation < 1 || train < 1) {
    throw new TrainConfigError(`a validation split of ${config.validation.fraction} of ${config.trainExamples} examples leaves an empty set`);
  }
  return { train, validation };
}

export function prepareData(dataset: Dataset, config: TrainConfig): PreparedData {
  const sizes = checkTrainConfig(dataset, config);
  const rng = new SeededRandom(config.seed);
  const trainMask = rng.choice(dataset.trainCount, config.trainExamples);
  const testMask = rng.choice(dataset.testCount, config.testExamples);
  const pixels = pixelsOf(dataset.imageShape);
  const allTrain = gatherExamples(dataset.trainImages, dataset.trainLabels, trainMask, pixels);
  const test = gatherExamples(dataset.testImages, dataset.testLabels, testMask, pixels);
  switch (config.validation.kind) {
    case 'testSet':
      return { train: allTrain, validation: test, test, imageShape: dataset.imageShape };
    case 'none':
      return { train: allTrain, validation: null, test, imageShape: dataset.imageShape };
    case 'split':
      return { train: sliceSet(allTrain, 0, sizes.train, pixels), validation: sliceSet(allTrain, sizes.train, allTrain.count, pixels), test, imageShape: dataset.imageShape };
  }
}
