// The datasets a lab knows: the built-in MNIST plus the datasets the user imported (from IDX
// files, image folders or CSV) into <home>/datasets/<name>/: four IDX files and a dataset.json
// with the image shape and class names. Importers live in ./importers/; all of them save
// through importers/save-dataset.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetInfo } from '../../../src-shared/api.ts';
import type { CsvImportOptions, FolderImportOptions, ImportProgress } from '../../../src-shared/dataset-import.ts';
import { DIGIT_CLASS_NAMES } from '../../../src-shared/dataset-shape.ts';
import {
  DATASET_PARTS,
  MNIST_IMAGE_SHAPE,
  PART_TITLES,
  hashDatasetFiles,
  toDatasetInfo,
  validateDatasetParts,
  type Dataset,
  type DatasetPart,
} from './dataset.ts';
import { DatasetError, readIdxFile, type IdxFile } from './idx.ts';
import {
  DATASET_NAME_PATTERN,
  DatasetMetaSchema,
  META_FILE,
  checkNewDatasetName,
  checkTitle,
  normalizeMeta,
  saveDataset,
  type DatasetMeta,
} from './importers/save-dataset.ts';
import { readCsvDataset } from './importers/csv.ts';
import { readImageFolder } from './importers/image-folder.ts';
import { IDX_FILE_NAMES, MNIST_NAME, loadMnist } from './mnist.ts';

export { DATASET_NAME_PATTERN, MAX_TITLE_LENGTH, type DatasetMeta } from './importers/save-dataset.ts';

export type IdxImportFiles = Record<DatasetPart, string>;

export class DatasetRegistry {
  readonly datasetsDir: string;

  constructor(readonly home: string) {
    this.datasetsDir = join(home, 'datasets');
  }

  /** MNIST first, then the imported datasets by name. A damaged one is listed as such, with what to do. */
  list(): DatasetInfo[] {
    const imported = this.importedNames().map((name) => {
      try {
        return metaToInfo(name, this.readMeta(name));
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err;
        return damagedInfo(name, `${err.message}. Delete the folder ${join(this.datasetsDir, name)} and import the dataset again.`);
      }
    });
    return [toDatasetInfo(loadMnist()), ...imported];
  }

  /** 'mnist' or an imported dataset, fully re-validated against its recorded hash. */
  load(name: string): Dataset {
    if (name === MNIST_NAME) return loadMnist();
    if (!DATASET_NAME_PATTERN.test(name) || !existsSync(this.metaPath(name))) {
      const available = [MNIST_NAME, ...this.importedNames()].join(', ');
      throw new DatasetError(`unknown dataset "${name}"; available: ${available}`);
    }
    const meta = this.readMeta(name);
    const dir = join(this.datasetsDir, name);
    const files = {} as Record<DatasetPart, IdxFile>;
    const labels = {} as Record<DatasetPart, string>;
    for (const part of DATASET_PARTS) {
      labels[part] = `dataset "${name}" file ${IDX_FILE_NAMES[part]}`;
      files[part] = readIdxFile(join(dir, IDX_FILE_NAMES[part]), labels[part]);
    }
    const parts = validateDatasetParts(files, labels, { imageShape: meta.imageShape, classCount: meta.classNames.length });
    const hash = hashDatasetFiles(DATASET_PARTS.map((p) => files[p].bytes));
    if (hash !== meta.hash || parts.trainCount !== meta.trainCount || parts.testCount !== meta.testCount) {
      throw new DatasetError(
        `dataset "${name}" changed since it was imported (its files no longer match the recorded hash); import it again under a new name`,
      );
    }
    return { name, title: meta.title, hash, ...parts, imageShape: meta.imageShape, classNames: meta.classNames, builtIn: false };
  }

  /**
   * Copy four IDX files (plain or gzipped) in as dataset `name`. Everything is validated
   * before anything is written, and the folder appears by one rename, so a failure
   * leaves no half-imported dataset behind.
   */
  importIdx(name: string, files: IdxImportFiles, title?: string): DatasetInfo {
    checkNewDatasetName(this.datasetsDir, name);
    checkTitle(name, title);
    const parsed = {} as Record<DatasetPart, IdxFile>;
    const labels = {} as Record<DatasetPart, string>;
    for (const part of DATASET_PARTS) {
      const path = files[part];
      if (typeof path !== 'string' || path === '') throw new DatasetError(`no file given for the ${PART_TITLES[part]}`);
      labels[part] = `${PART_TITLES[part]} file ${path}`;
      parsed[part] = readIdxFile(path, labels[part]);
    }
    const parts = validateDatasetParts(parsed, labels);
    return this.save(name, {
      title: title ?? '',
      imageShape: [...MNIST_IMAGE_SHAPE],
      classNames: [...DIGIT_CLASS_NAMES],
      source: 'idx',
      train: { images: parts.trainImages, labels: parts.trainLabels },
      test: { images: parts.testImages, labels: parts.testLabels },
    });
  }

  /** Import an image folder (see importers/image-folder.ts) as dataset `name`. */
  async importFolder(name: string, root: string, options: FolderImportOptions, title?: string, onProgress?: (p: ImportProgress) => void): Promise<DatasetInfo> {
    this.checkNewName(name);
    checkTitle(name, title);
    const data = await readImageFolder(root, options, onProgress);
    onProgress?.({ phase: 'saving', done: 0, total: 1, unit: 'images' });
    return this.save(name, { title: title ?? '', ...data });
  }

  /** Import a CSV of label and pixel columns (see importers/csv.ts) as dataset `name`. */
  async importCsv(name: string, file: string, options: CsvImportOptions, title?: string, onProgress?: (p: ImportProgress) => void): Promise<DatasetInfo> {
    this.checkNewName(name);
    checkTitle(name, title);
    const data = await readCsvDataset(file, options, onProgress);
    onProgress?.({ phase: 'saving', done: 0, total: 1, unit: 'bytes' });
    return this.save(name, { title: title ?? '', ...data });
  }

  /** Save an imported dataset through the one atomic path; what the importers call. */
  save(name: string, data: Parameters<typeof saveDataset>[2]): DatasetInfo {
    return metaToInfo(name, saveDataset(this.datasetsDir, name, data));
  }

  /** A DatasetError unless `name` is free for a new dataset: importers check before their long work. */
  checkNewName(name: string): void {
    checkNewDatasetName(this.datasetsDir, name);
  }

  private metaPath(name: string): string {
    return join(this.datasetsDir, name, META_FILE);
  }

  /** Names of imported dataset folders (those with a dataset.json), sorted. */
  private importedNames(): string[] {
    let entries;
    try {
      entries = readdirSync(this.datasetsDir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return entries
      .filter((e) => e.isDirectory() && e.name !== MNIST_NAME && DATASET_NAME_PATTERN.test(e.name))
      .map((e) => e.name)
      .filter((name) => existsSync(this.metaPath(name)))
      .sort();
  }

  private readMeta(name: string): DatasetMeta {
    const path = this.metaPath(name);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new DatasetError(`dataset "${name}" is damaged: ${path} could not be read (${(err as Error).message})`, { cause: err });
    }
    const meta = DatasetMetaSchema.safeParse(json);
    if (!meta.success) {
      const issue = meta.error.issues[0];
      const where = issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid';
      throw new DatasetError(`dataset "${name}" is damaged: ${path} is not a valid dataset description (${where})`);
    }
    return normalizeMeta(meta.data);
  }
}

function damagedInfo(name: string, damaged: string): DatasetInfo {
  return { name, title: name, hash: '', trainExamples: 0, testExamples: 0, imageShape: [...MNIST_IMAGE_SHAPE], classNames: [], builtIn: false, damaged };
}

function metaToInfo(name: string, meta: DatasetMeta): DatasetInfo {
  return {
    name,
    title: meta.title,
    hash: meta.hash,
    trainExamples: meta.trainCount,
    testExamples: meta.testCount,
    imageShape: [...meta.imageShape],
    classNames: [...meta.classNames],
    builtIn: false,
  };
}
