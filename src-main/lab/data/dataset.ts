// A dataset in memory (images of any H×W×C shape within the limits, byte labels naming its
// classes) and the checks that four IDX arrays must pass to become one.
import { createHash } from 'node:crypto';
import type { DatasetInfo } from '../../../src-shared/api.ts';
import { formatImageShape, pixelsOf, type ImageShape } from '../../../src-shared/dataset-shape.ts';
import { IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES } from '../../../src-shared/mnist-shape.ts';
import { DatasetError, type IdxArray } from './idx.ts';

export const IMAGE_HEIGHT = IMAGE_SIDE;
export const IMAGE_WIDTH = IMAGE_SIDE;
export { IMAGE_PIXELS, NUM_CLASSES };
/** MNIST's shape, the default of every IDX dataset. */
export const MNIST_IMAGE_SHAPE: ImageShape = [IMAGE_SIDE, IMAGE_SIDE, 1];

export interface Dataset extends ValidatedParts {
  name: string;
  title: string;
  /** sha256 (hex) over the four IDX files in DATASET_PARTS order. */
  hash: string;
  /** Height, width, channels of every image. */
  imageShape: ImageShape;
  /** Name of each class, by label. */
  classNames: string[];
  builtIn: boolean;
}

/** The fixed order of a dataset's files: for hashing, storing and messages. */
export const DATASET_PARTS = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;
export type DatasetPart = (typeof DATASET_PARTS)[number];

export const PART_TITLES: Record<DatasetPart, string> = {
  trainImages: 'training images',
  trainLabels: 'training labels',
  testImages: 'test images',
  testLabels: 'test labels',
};

export interface ValidatedParts {
  /** n × H×W×C bytes, row-major (height, width, channel). */
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
  trainCount: number;
  testCount: number;
}

/** What the parts must hold: MNIST's 28×28×1 and 10 classes unless said otherwise. */
export interface PartsExpectation {
  imageShape: ImageShape;
  classCount: number;
}
const MNIST_EXPECTATION: PartsExpectation = { imageShape: MNIST_IMAGE_SHAPE, classCount: NUM_CLASSES };

export function toDatasetInfo(d: Dataset): DatasetInfo {
  return {
    name: d.name,
    title: d.title,
    hash: d.hash,
    trainExamples: d.trainCount,
    testExamples: d.testCount,
    imageShape: [...d.imageShape],
    classNames: [...d.classNames],
    builtIn: d.builtIn,
  };
}

/** sha256 (hex) over the given file contents, in the order given. */
export function hashDatasetFiles(files: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(f);
  return hash.digest('hex');
}

const shape = (dims: readonly number[]): string => `[${dims.join(', ')}]`;

/** The IDX dimensions images of this shape are stored with: [n, h, w] for grey (as MNIST), [n, h, w, c] otherwise. */
export function imageDims(count: number, imageShape: ImageShape): number[] {
  const [h, w, c] = imageShape;
  return c === 1 ? [count, h, w] : [count, h, w, c];
}

/** Images must be [n, h, w] (grey) or [n, h, w, c] of the expected shape with n ≥ 1; returns n. */
export function checkImages(images: IdxArray, label: string, imageShape: ImageShape = MNIST_IMAGE_SHAPE): number {
  const [n, ...rest] = images.dims;
  const expected = imageDims(0, imageShape).slice(1);
  if (n === undefined || rest.length !== expected.length || rest.some((d, i) => d !== expected[i])) {
    throw new DatasetError(`${label}: expected images of shape [count, ${expected.join(', ')}], got ${shape(images.dims)} (this dataset's images are ${formatImageShape(imageShape)})`);
  }
  if (n === 0) throw new DatasetError(`${label} holds no images`);
  if (images.data.length !== n * pixelsOf(imageShape)) throw new DatasetError(`${label}: its data does not match its dimensions`);
  return n;
}

/** Labels must be [n] with every value a class index; returns n. */
export function checkLabels(labels: IdxArray, label: string, classCount: number = NUM_CLASSES): number {
  if (labels.dims.length !== 1) {
    throw new DatasetError(`${label}: expected a flat list of labels (1 dimension), got shape ${shape(labels.dims)}`);
  }
  checkLabelRange(labels.data, label, classCount);
  return labels.data.length;
}

/** Every label must be a class 0..classCount-1; names the first offender and counts the rest. */
export function checkLabelRange(labels: Uint8Array, label: string, classCount: number = NUM_CLASSES): void {
  let first = -1;
  let bad = 0;
  for (let i = 0; i < labels.length; i++) {
    if ((labels[i] ?? 0) >= classCount) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (first < 0) return;
  const more = bad > 1 ? ` (${bad} labels out of range in all)` : '';
  throw new DatasetError(
    `${label}: label at index ${first} is ${labels[first]}, but labels must be 0 to ${classCount - 1}${more}`,
  );
}

/**
 * Check four parsed IDX arrays form a dataset of the expected shape and class count. `labels`
 * names each part's source (usually its file) in messages.
 */
export function validateDatasetParts(
  parts: Record<DatasetPart, IdxArray>,
  labels: Partial<Record<DatasetPart, string>> = {},
  expect: PartsExpectation = MNIST_EXPECTATION,
): ValidatedParts {
  const name = (p: DatasetPart): string => labels[p] ?? PART_TITLES[p];
  const trainCount = checkImages(parts.trainImages, name('trainImages'), expect.imageShape);
  const trainLabelCount = checkLabels(parts.trainLabels, name('trainLabels'), expect.classCount);
  const testCount = checkImages(parts.testImages, name('testImages'), expect.imageShape);
  const testLabelCount = checkLabels(parts.testLabels, name('testLabels'), expect.classCount);
  if (trainLabelCount !== trainCount) {
    throw new DatasetError(
      `${name('trainImages')} holds ${trainCount} images but ${name('trainLabels')} holds ${trainLabelCount} labels; they must match`,
    );
  }
  if (testLabelCount !== testCount) {
    throw new DatasetError(
      `${name('testImages')} holds ${testCount} images but ${name('testLabels')} holds ${testLabelCount} labels; they must match`,
    );
  }
  return {
    trainImages: parts.trainImages.data,
    trainLabels: parts.trainLabels.data,
    testImages: parts.testImages.data,
    testLabels: parts.testLabels.data,
    trainCount,
    testCount,
  };
}
