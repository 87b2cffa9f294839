// The datasets a lab knows: the built-in MNIST plus IDX sets the user imported into
// <home>/datasets/<name>/ (the four decompressed IDX files and a dataset.json).
import { IMAGE_SHAPE } from '../../../src-shared/mnist-shape.ts';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DatasetInfo } from '../../../src-shared/api.ts';
import {
  DATASET_PARTS,
  PART_TITLES,
  hashDatasetFiles,
  toDatasetInfo,
  validateDatasetParts,
  type Dataset,
  type DatasetPart,
} from './dataset.ts';
import { DatasetError, readIdxFile, type IdxFile } from './idx.ts';
import { IDX_FILE_NAMES, MNIST_NAME, loadMnist } from './mnist.ts';

export const DATASET_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const MAX_TITLE_LENGTH = 200;
const META_FILE = 'dataset.json';
// Starts with a dot, so it can never be taken for a dataset name.
const TEMP_PREFIX = '.import-';

export type IdxImportFiles = Record<DatasetPart, string>;

const MetaSchema = z.object({
  format: z.literal(1),
  title: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  trainCount: z.number().int().positive(),
  testCount: z.number().int().positive(),
  importedAt: z.string(),
});
export type DatasetMeta = z.infer<typeof MetaSchema>;

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
    const parts = validateDatasetParts(files, labels);
    const hash = hashDatasetFiles(DATASET_PARTS.map((p) => files[p].bytes));
    if (hash !== meta.hash || parts.trainCount !== meta.trainCount || parts.testCount !== meta.testCount) {
      throw new DatasetError(
        `dataset "${name}" changed since it was imported (its files no longer match the recorded hash); import it again under a new name`,
      );
    }
    return { name, title: meta.title, hash, ...parts, imageShape: IMAGE_SHAPE, builtIn: false };
  }

  /**
   * Copy four IDX files (plain or gzipped) in as dataset `name`. Everything is validated
   * before anything is written, and the folder appears by one rename, so a failure
   * leaves no half-imported dataset behind.
   */
  importIdx(name: string, files: IdxImportFiles, title?: string): DatasetInfo {
    this.checkNewName(name);
    const finalTitle = (title ?? '').trim() || name;
    if (finalTitle.length > MAX_TITLE_LENGTH) {
      throw new DatasetError(`the dataset title is too long (${finalTitle.length} characters; at most ${MAX_TITLE_LENGTH})`);
    }

    const parsed = {} as Record<DatasetPart, IdxFile>;
    const labels = {} as Record<DatasetPart, string>;
    for (const part of DATASET_PARTS) {
      const path = files[part];
      if (typeof path !== 'string' || path === '') throw new DatasetError(`no file given for the ${PART_TITLES[part]}`);
      labels[part] = `${PART_TITLES[part]} file ${path}`;
      parsed[part] = readIdxFile(path, labels[part]);
    }
    const parts = validateDatasetParts(parsed, labels);
    const meta: DatasetMeta = {
      format: 1,
      title: finalTitle,
      hash: hashDatasetFiles(DATASET_PARTS.map((p) => parsed[p].bytes)),
      trainCount: parts.trainCount,
      testCount: parts.testCount,
      importedAt: new Date().toISOString(),
    };

    const target = join(this.datasetsDir, name);
    let temp: string | undefined;
    try {
      mkdirSync(this.datasetsDir, { recursive: true });
      temp = mkdtempSync(join(this.datasetsDir, TEMP_PREFIX));
      for (const part of DATASET_PARTS) writeFileSync(join(temp, IDX_FILE_NAMES[part]), parsed[part].bytes, { flag: 'wx' });
      writeFileSync(join(temp, META_FILE), `${JSON.stringify(meta, null, 2)}\n`, { flag: 'wx' });
      renameSync(temp, target);
      temp = undefined;
    } catch (err) {
      if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code;
      // Someone else took the name between our check and the rename.
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new DatasetError(`a dataset named "${name}" already exists`, { cause: err });
      throw new DatasetError(`could not save dataset "${name}" in ${this.datasetsDir}: ${(err as Error).message}`, { cause: err });
    }
    return metaToInfo(name, meta);
  }

  private checkNewName(name: string): void {
    if (typeof name !== 'string' || !DATASET_NAME_PATTERN.test(name)) {
      throw new DatasetError(
        `dataset name "${String(name)}" is not allowed: use 1 to 64 lowercase letters, digits, "-" or "_", starting with a letter or digit`,
      );
    }
    if (name === MNIST_NAME) throw new DatasetError(`"${MNIST_NAME}" is the built-in dataset; choose another name`);
    if (existsSync(join(this.datasetsDir, name))) throw new DatasetError(`a dataset named "${name}" already exists`);
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
    const meta = MetaSchema.safeParse(json);
    if (!meta.success) {
      const issue = meta.error.issues[0];
      const where = issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid';
      throw new DatasetError(`dataset "${name}" is damaged: ${path} is not a valid dataset description (${where})`);
    }
    return meta.data;
  }
}

function damagedInfo(name: string, damaged: string): DatasetInfo {
  return { name, title: name, hash: '', trainExamples: 0, testExamples: 0, imageShape: IMAGE_SHAPE, builtIn: false, damaged };
}

function metaToInfo(name: string, meta: DatasetMeta): DatasetInfo {
  return {
    name,
    title: meta.title,
    hash: meta.hash,
    trainExamples: meta.trainCount,
    testExamples: meta.testCount,
    imageShape: IMAGE_SHAPE,
    builtIn: false,
  };
}
