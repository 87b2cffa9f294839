// The one way a dataset gets into <home>/datasets/<name>/, whatever it was imported from:
// check everything in memory, write the IDX files and dataset.json to a temp folder, read
// them back and validate them as a load would, then appear by one rename. A failure at any
// step leaves no half-imported dataset behind.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  classNamesProblem,
  DIGIT_CLASS_NAMES,
  imageShapeProblem,
  MAX_CLASS_NAME_LENGTH,
  MAX_CLASSES,
  MAX_DATASET_EXAMPLES,
  MAX_DATASET_PIXEL_BYTES,
  type ImageShape,
} from '../../../../src-shared/dataset-shape.ts';
import { DATASET_PARTS, hashDatasetFiles, imageDims, MNIST_IMAGE_SHAPE, validateDatasetParts, type DatasetPart } from '../dataset.ts';
import { DatasetError, encodeIdx, readIdxFile, type IdxFile } from '../idx.ts';
import { IDX_FILE_NAMES, MNIST_NAME } from '../mnist.ts';

export const DATASET_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const MAX_TITLE_LENGTH = 200;
export const META_FILE = 'dataset.json';
// Starts with a dot, so it can never be taken for a dataset name.
const TEMP_PREFIX = '.import-';

export const DATASET_SOURCES = ['idx', 'folder', 'csv'] as const;
export type DatasetSource = (typeof DATASET_SOURCES)[number];

const MetaV1Schema = z.strictObject({
  format: z.literal(1),
  title: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  trainCount: z.number().int().positive(),
  testCount: z.number().int().positive(),
  importedAt: z.string(),
});
const MetaV2Schema = MetaV1Schema.extend({
  format: z.literal(2),
  imageShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  classNames: z.array(z.string().max(MAX_CLASS_NAME_LENGTH)).max(MAX_CLASSES),
  source: z.enum(DATASET_SOURCES),
});
/** dataset.json: format 1 (IDX imports before datasets carried a shape: 28×28×1, digits) or 2. */
export const DatasetMetaSchema = z.union([MetaV1Schema, MetaV2Schema]);

/** A dataset description with the defaults of format 1 filled in. */
export interface DatasetMeta {
  title: string;
  hash: string;
  trainCount: number;
  testCount: number;
  importedAt: string;
  imageShape: ImageShape;
  classNames: string[];
  source: DatasetSource;
}

export function normalizeMeta(meta: z.infer<typeof DatasetMetaSchema>): DatasetMeta {
  const { title, hash, trainCount, testCount, importedAt } = meta;
  if (meta.format === 1) return { title, hash, trainCount, testCount, importedAt, imageShape: [...MNIST_IMAGE_SHAPE], classNames: [...DIGIT_CLASS_NAMES], source: 'idx' };
  return { title, hash, trainCount, testCount, importedAt, imageShape: meta.imageShape, classNames: meta.classNames, source: meta.source };
}

/** Images and labels of one part of a dataset, in memory. */
export interface ImageSet {
  /** count × H×W×C bytes. */
  images: Uint8Array;
  labels: Uint8Array;
}

export interface NewDataset {
  title: string;
  imageShape: ImageShape;
  classNames: string[];
  source: DatasetSource;
  train: ImageSet;
  test: ImageSet;
}

/** A name a new dataset may take in this folder, or a DatasetError saying why not. */
export function checkNewDatasetName(datasetsDir: string, name: string): void {
  if (typeof name !== 'string' || !DATASET_NAME_PATTERN.test(name)) {
    throw new DatasetError(
      `dataset name "${String(name)}" is not allowed: use 1 to 64 lowercase letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
  if (name === MNIST_NAME) throw new DatasetError(`"${MNIST_NAME}" is the built-in dataset; choose another name`);
  if (existsSync(join(datasetsDir, name))) throw new DatasetError(`a dataset named "${name}" already exists`);
}

/** The title to store: the given one trimmed, else the name. */
export function checkTitle(name: string, title: string | undefined): string {
  const finalTitle = (title ?? '').trim() || name;
  if (finalTitle.length > MAX_TITLE_LENGTH) {
    throw new DatasetError(`the dataset title is too long (${finalTitle.length} characters; at most ${MAX_TITLE_LENGTH})`);
  }
  return finalTitle;
}

/** Save a dataset atomically as `name`; returns its description. */
export function saveDataset(datasetsDir: string, name: string, data: NewDataset): DatasetMeta {
  checkNewDatasetName(datasetsDir, name);
  const title = checkTitle(name, data.title);
  const shapeProblem = imageShapeProblem(data.imageShape);
  if (shapeProblem !== null) throw new DatasetError(shapeProblem);
  const classProblem = classNamesProblem(data.classNames);
  if (classProblem !== null) throw new DatasetError(classProblem);
  const trainCount = data.train.labels.length;
  const testCount = data.test.labels.length;
  if (trainCount + testCount > MAX_DATASET_EXAMPLES) {
    throw new DatasetError(`${trainCount + testCount} images are more than the ${MAX_DATASET_EXAMPLES} a dataset may hold`);
  }
  if (data.train.images.length + data.test.images.length > MAX_DATASET_PIXEL_BYTES) {
    throw new DatasetError(`the images take ${((data.train.images.length + data.test.images.length) / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_DATASET_PIXEL_BYTES / 2 ** 20} MiB a dataset may`);
  }
  const files: Record<DatasetPart, Uint8Array> = {
    trainImages: encodeIdxChecked(imageDims(trainCount, data.imageShape), data.train.images, 'training images'),
    trainLabels: encodeIdx([trainCount], data.train.labels),
    testImages: encodeIdxChecked(imageDims(testCount, data.imageShape), data.test.images, 'test images'),
    testLabels: encodeIdx([testCount], data.test.labels),
  };
  const expectation = { imageShape: data.imageShape, classCount: data.classNames.length };
  const labels = { trainLabels: 'training labels', testLabels: 'test labels' };
  if (trainCount === 0) throw new DatasetError('the dataset has no training images');
  if (testCount === 0) throw new DatasetError('the dataset has no test images');
  const meta: DatasetMeta = {
    title,
    hash: hashDatasetFiles(DATASET_PARTS.map((p) => files[p])),
    trainCount,
    testCount,
    importedAt: new Date().toISOString(),
    imageShape: data.imageShape,
    classNames: data.classNames,
    source: data.source,
  };

  const target = join(datasetsDir, name);
  let temp: string | undefined;
  try {
    mkdirSync(datasetsDir, { recursive: true });
    temp = mkdtempSync(join(datasetsDir, TEMP_PREFIX));
    for (const part of DATASET_PARTS) writeFileSync(join(temp, IDX_FILE_NAMES[part]), files[part], { flag: 'wx' });
    writeFileSync(join(temp, META_FILE), `${JSON.stringify({ format: 2, ...meta }, null, 2)}\n`, { flag: 'wx' });
    // Validate what is on disk, as loading it will: a short write or a full disk shows here, not at training.
    const written = {} as Record<DatasetPart, IdxFile>;
    for (const part of DATASET_PARTS) written[part] = readIdxFile(join(temp, IDX_FILE_NAMES[part]), `the new dataset's ${IDX_FILE_NAMES[part]}`);
    validateDatasetParts(written, labels, expectation);
    if (hashDatasetFiles(DATASET_PARTS.map((p) => written[p].bytes)) !== meta.hash) {
      throw new DatasetError(`the files written to ${temp} do not read back as written`);
    }
    renameSync(temp, target);
    temp = undefined;
  } catch (err) {
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
    if (err instanceof DatasetError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    // Someone else took the name between our check and the rename.
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new DatasetError(`a dataset named "${name}" already exists`, { cause: err });
    throw new DatasetError(`could not save dataset "${name}" in ${datasetsDir}: ${(err as Error).message}`, { cause: err });
  }
  return meta;
}

function encodeIdxChecked(dims: number[], data: Uint8Array, what: string): Uint8Array {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new DatasetError(`${what}: ${data.length} bytes do not make ${dims[0]} images of ${dims.slice(1).join('×')}`);
  return encodeIdx(dims, data);
}
