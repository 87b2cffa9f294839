// A dataset in memory (MNIST-shaped: 28×28 grey images, labels 0–9) and the checks that
// four IDX arrays must pass to become one.
import { createHash } from 'node:crypto';
import type { DatasetInfo } from '../../../src-shared/api.ts';
import { IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES } from '../../../src-shared/mnist-shape.ts';
import { DatasetError, type IdxArray } from './idx.ts';

export const IMAGE_HEIGHT = IMAGE_SIDE;
export const IMAGE_WIDTH = IMAGE_SIDE;
export { IMAGE_PIXELS, NUM_CLASSES };

export interface Dataset extends ValidatedParts {
  name: string;
  title: string;
  /** sha256 (hex) over the four IDX files in DATASET_PARTS order. */
  hash: string;
  imageShape: [number, number];
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
  /** n × 784 bytes, row-major 28×28. */
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
  trainCount: number;
  testCount: number;
}

export function toDatasetInfo(d: Dataset): DatasetInfo {
  return {
    name: d.name,
    title: d.title,
    hash: d.hash,
    trainExamples: d.trainCount,
    testExamples: d.testCount,
    imageShape: [d.imageShape[0], d.imageShape[1]],
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

/** Images must be [n, 28, 28] with n ≥ 1; returns n. */
export function checkImages(images: IdxArray, label: string): number {
  const [n, h, w] = images.dims;
  if (images.dims.length !== 3 || h !== IMAGE_HEIGHT || w !== IMAGE_WIDTH || n === undefined) {
    throw new DatasetError(
      `${label}: expected images of shape [count, ${IMAGE_HEIGHT}, ${IMAGE_WIDTH}], got ${shape(images.dims)}`,
    );
  }
  if (n === 0) throw new DatasetError(`${label} holds no images`);
  return n;
}

/** Labels must be [n] with every value in 0..9; returns n. */
export function checkLabels(labels: IdxArray, label: string): number {
  if (labels.dims.length !== 1) {
    throw new DatasetError(`${label}: expected a flat list of labels (1 dimension), got shape ${shape(labels.dims)}`);
  }
  checkLabelRange(labels.data, label);
  return labels.data.length;
}

/** Every label must be a class 0..9; names the first offender and counts the rest. */
export function checkLabelRange(labels: Uint8Array, label: string): void {
  let first = -1;
  let bad = 0;
  for (let i = 0; i < labels.length; i++) {
    if ((labels[i] ?? 0) >= NUM_CLASSES) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (first < 0) return;
  const more = bad > 1 ? ` (${bad} labels out of range in all)` : '';
  throw new DatasetError(
    `${label}: label at index ${first} is ${labels[first]}, but labels must be 0 to ${NUM_CLASSES - 1}${more}`,
  );
}

/**
 * Check four parsed IDX arrays form a dataset. `labels` names each part's source
 * (usually its file) in messages.
 */
export function validateDatasetParts(
  parts: Record<DatasetPart, IdxArray>,
  labels: Partial<Record<DatasetPart, string>> = {},
): ValidatedParts {
  const name = (p: DatasetPart): string => labels[p] ?? PART_TITLES[p];
  const trainCount = checkImages(parts.trainImages, name('trainImages'));
  const trainLabelCount = checkLabels(parts.trainLabels, name('trainLabels'));
  const testCount = checkImages(parts.testImages, name('testImages'));
  const testLabelCount = checkLabels(parts.testLabels, name('testLabels'));
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
