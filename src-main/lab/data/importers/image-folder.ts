// Image folders: root/<class>/*.png|jpg|jpeg|webp|bmp, or root/train/<class>/… and
// root/test/<class>/…. Each image is decoded with sharp, brought to one size (fit and pad with
// its border colour, or crop the centre; or kept, when all share one size), made grey or RGB,
// and optionally inverted so light-background scans look like MNIST. Every refusal names the
// file or folder and why; nothing is saved until every image has been read.
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import {
  IMAGE_EXTENSIONS,
  MAX_FOLDER_IMAGES,
  MAX_IMAGE_FILE_BYTES,
  MAX_SOURCE_IMAGE_PIXELS,
  MAX_TEST_FRACTION,
  type FolderImportOptions,
  type ImportProgress,
} from '../../../../src-shared/dataset-import.ts';
import { classNamesProblem, imageShapeProblem, MAX_DATASET_PIXEL_BYTES, type ImageShape } from '../../../../src-shared/dataset-shape.ts';
import { DatasetError } from '../idx.ts';
import { decodeBmp } from './bmp.ts';
import type { NewDataset } from './save-dataset.ts';
import { selectByMask, testMask } from './split.ts';

/** Files an OS leaves in folders; skipped, as a user would not call them images. */
const OS_LITTER = new Set(['thumbs.db', 'desktop.ini']);
/** Images decoded at once: sharp works on its own threads, a few in flight keep them busy. */
const PARALLEL_DECODES = 4;
const classOrder = new Intl.Collator('en', { numeric: true }).compare;

interface ImageFile {
  path: string;
  label: number;
}

interface FolderLayout {
  classNames: string[];
  train: ImageFile[];
  /** null: no test/ folder; the split is made by the test fraction. */
  test: ImageFile[] | null;
}

/** Read an image folder into a dataset (not yet saved). */
export async function readImageFolder(
  root: string,
  options: FolderImportOptions,
  onProgress: (p: ImportProgress) => void = () => {},
): Promise<Omit<NewDataset, 'title'>> {
  checkOptions(options);
  const layout = findImages(root);
  const files = [...layout.train, ...(layout.test ?? [])];
  if (files.length > MAX_FOLDER_IMAGES) throw new DatasetError(`${root} holds ${files.length} images, more than the ${MAX_FOLDER_IMAGES} one import may read`);

  let shape: ImageShape | null = options.size === 'keep' ? null : [options.size.height, options.size.width, options.channels];
  let firstFile = '';
  let pixels: Uint8Array | null = null;
  const borderMeans = new Float64Array(files.length);
  let done = 0;
  onProgress({ phase: 'reading', done, total: files.length, unit: 'images' });
  const decodeAt = async (i: number): Promise<void> => {
    const file = files[i] as ImageFile;
    const image = await decodeImage(file.path, options);
    if (shape === null) {
      shape = [image.height, image.width, options.channels];
      firstFile = file.path;
      const problem = imageShapeProblem(shape);
      if (problem !== null) throw new DatasetError(`${file.path}: ${problem}; give a target size`);
    } else if (options.size === 'keep' && (image.height !== shape[0] || image.width !== shape[1])) {
      throw new DatasetError(
        `${file.path} is ${image.width}×${image.height} but ${firstFile} is ${shape[1]}×${shape[0]}: keeping the size needs every image to have one size; give a target size to resize them`,
      );
    }
    const size = shape[0] * shape[1] * shape[2];
    if (pixels === null) {
      if (files.length * size > MAX_DATASET_PIXEL_BYTES) {
        throw new DatasetError(`${files.length} images of ${shape.join('×')} take more than the ${MAX_DATASET_PIXEL_BYTES / 2 ** 20} MiB a dataset may`);
      }
      pixels = new Uint8Array(files.length * size);
    }
    pixels.set(image.data, i * size);
    borderMeans[i] = image.borderMean;
    done++;
    if (done % 16 === 0 || done === files.length) onProgress({ phase: 'reading', done, total: files.length, unit: 'images' });
  };
  // The first image fixes the size under 'keep', so it is decoded alone.
  await decodeAt(0);
  let next = 1;
  await Promise.all(
    Array.from({ length: PARALLEL_DECODES }, async () => {
      while (next < files.length) await decodeAt(next++);
    }),
  );
  const imageShape = shape as unknown as ImageShape;
  const all = pixels as unknown as Uint8Array;
  if (shouldInvert(options, imageShape, borderMeans)) for (let i = 0; i < all.length; i++) all[i] = 255 - (all[i] as number);

  const labels = Uint8Array.from(files, (f) => f.label);
  const size = imageShape[0] * imageShape[1] * imageShape[2];
  let train;
  let test;
  if (layout.test !== null) {
    const split = layout.train.length;
    train = { images: all.subarray(0, split * size), labels: labels.subarray(0, split) };
    test = { images: all.subarray(split * size), labels: labels.subarray(split) };
  } else {
    const mask = testMask(labels, layout.classNames.length, options.testFraction, options.seed);
    train = selectByMask(all, labels, size, mask, 0);
    test = selectByMask(all, labels, size, mask, 1);
  }
  return { imageShape, classNames: layout.classNames, source: 'folder', train, test };
}

function checkOptions(options: FolderImportOptions): void {
  if (options.size !== 'keep') {
    const problem = imageShapeProblem([options.size.height, options.size.width, options.channels]);
    if (problem !== null) throw new DatasetError(problem);
  } else if (options.channels !== 1 && options.channels !== 3) throw new DatasetError(`channels must be 1 or 3, got ${String(options.channels)}`);
  if (!(options.testFraction > 0 && options.testFraction <= MAX_TEST_FRACTION)) {
    throw new DatasetError(`the test fraction must be above 0 and at most ${MAX_TEST_FRACTION}, got ${options.testFraction}`);
  }
}

/** Invert when asked, or (auto) for grey images whose borders are light on average: MNIST's strokes are light on dark. */
function shouldInvert(options: FolderImportOptions, shape: ImageShape, borderMeans: Float64Array): boolean {
  if (options.invert === 'yes') return true;
  if (options.invert === 'no' || shape[2] !== 1) return false;
  let sum = 0;
  for (const m of borderMeans) sum += m;
  return sum / borderMeans.length > 127.5;
}

function listDir(path: string, what: string): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(`${what} ${path} does not exist`, { cause: err });
    if (code === 'ENOTDIR') throw new DatasetError(`${what} ${path} is a file, not a folder`, { cause: err });
    throw new DatasetError(`${what} ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

const isLitter = (name: string): boolean => name.startsWith('.') || OS_LITTER.has(name.toLowerCase());

/** The class folders under `dir`: name → image files, refusing anything that is neither. */
function classFolders(dir: string): Map<string, string[]> {
  const classes = new Map<string, string[]>();
  for (const entry of listDir(dir, 'the image folder')) {
    if (isLitter(entry.name)) continue;
    const path = join(dir, entry.name);
    if (!entry.isDirectory()) throw new DatasetError(`${path} is a file where only class folders belong: put images in one folder per class (${dir}/<class>/image.png)`);
    const images: string[] = [];
    for (const file of listDir(path, 'the class folder')) {
      if (isLitter(file.name)) continue;
      const filePath = join(path, file.name);
      if (file.isDirectory()) throw new DatasetError(`${filePath} is a folder inside class folder "${entry.name}"; a class folder holds image files only`);
      if (!(IMAGE_EXTENSIONS as readonly string[]).includes(extname(file.name).toLowerCase())) {
        throw new DatasetError(`${filePath} is not an image this import reads (${IMAGE_EXTENSIONS.join(', ')})`);
      }
      images.push(filePath);
    }
    if (images.length === 0) throw new DatasetError(`class folder ${path} holds no images`);
    classes.set(entry.name, images.sort());
  }
  return classes;
}

function findImages(root: string): FolderLayout {
  const top = listDir(root, 'the image folder').filter((e) => !isLitter(e.name));
  const trainDir = top.find((e) => e.name === 'train' && e.isDirectory());
  const testDir = top.find((e) => e.name === 'test' && e.isDirectory());
  if ((trainDir === undefined) !== (testDir === undefined)) {
    throw new DatasetError(`${root} has a ${trainDir ? 'train' : 'test'}/ folder but no ${trainDir ? 'test' : 'train'}/ folder: give both, or put the class folders directly in ${root}`);
  }
  const split = trainDir !== undefined;
  if (split && top.length > 2) {
    const extra = top.find((e) => e.name !== 'train' && e.name !== 'test');
    throw new DatasetError(`${root} has train/ and test/ folders, so ${join(root, extra?.name ?? '')} does not belong there`);
  }
  const train = classFolders(split ? join(root, 'train') : root);
  const test = split ? classFolders(join(root, 'test')) : null;
  if (train.size === 0) throw new DatasetError(`${split ? join(root, 'train') : root} holds no class folders: put images in one folder per class`);
  const classNames = [...train.keys()].sort(classOrder);
  const problem = classNamesProblem(classNames);
  if (problem !== null) throw new DatasetError(`${root}: ${problem}`);
  if (test !== null) {
    const unknown = [...test.keys()].find((c) => !train.has(c));
    if (unknown !== undefined) throw new DatasetError(`${join(root, 'test', unknown)}: class "${unknown}" has no folder in ${join(root, 'train')}`);
  }
  const label = new Map(classNames.map((c, i) => [c, i]));
  const toFiles = (classes: Map<string, string[]>): ImageFile[] =>
    classNames.flatMap((c) => (classes.get(c) ?? []).map((path) => ({ path, label: label.get(c) as number })));
  return { classNames, train: toFiles(train), test: test === null ? null : toFiles(test) };
}

interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** Mean brightness (0–255) of the image's outermost pixels: its background, for auto-invert. */
  borderMean: number;
}

async function decodeImage(path: string, options: FolderImportOptions): Promise<DecodedImage> {
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > MAX_IMAGE_FILE_BYTES) throw new DatasetError(`${path} is ${(size / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_IMAGE_FILE_BYTES / 2 ** 20} MiB an image file may be`);
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(`${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const channels = options.channels;
  try {
    let image: Sharp;
    if (extname(path).toLowerCase() === '.bmp') {
      const raw = decodeBmp(bytes, path);
      if (raw.width * raw.height > MAX_SOURCE_IMAGE_PIXELS) throw new DatasetError(`${path} has more than ${MAX_SOURCE_IMAGE_PIXELS} pixels`);
      image = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
    } else {
      image = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_SOURCE_IMAGE_PIXELS }).rotate();
    }
    // Transparent parts become white, as on paper; auto-invert then treats them as background.
    image = image.flatten({ background: '#ffffff' });
    image = channels === 1 ? image.greyscale().toColourspace('b-w') : image.toColourspace('srgb');
    const size = options.size;
    if (size !== 'keep') {
      image = options.resize === 'crop'
        ? image.resize(size.width, size.height, { fit: 'cover', position: 'centre' })
        : image.resize(size.width, size.height, { fit: 'inside' });
    }
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new DatasetError(`${path} decoded to ${info.channels} channels, expected ${channels}`);
    const decoded = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const borderMean = borderBrightness(decoded, info.width, info.height, channels);
    if (size === 'keep' || (info.width === size.width && info.height === size.height)) {
      return { data: decoded, width: info.width, height: info.height, borderMean };
    }
    return { data: padToSize(decoded, info.width, info.height, channels, size, path), width: size.width, height: size.height, borderMean };
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(`${path} cannot be read as an image: ${(err as Error).message}`, { cause: err });
  }
}

/** Per-channel mean of the outermost pixels, or their overall mean. */
function borderColour(data: Uint8Array, width: number, height: number, channels: number): number[] {
  const sums = new Array<number>(channels).fill(0);
  let n = 0;
  const add = (x: number, y: number): void => {
    for (let c = 0; c < channels; c++) sums[c] = (sums[c] as number) + (data[(y * width + x) * channels + c] as number);
    n++;
  };
  for (let x = 0; x < width; x++) {
    add(x, 0);
    if (height > 1) add(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    add(0, y);
    if (width > 1) add(width - 1, y);
  }
  return sums.map((s) => s / n);
}

function borderBrightness(data: Uint8Array, width: number, height: number, channels: number): number {
  const colour = borderColour(data, width, height, channels);
  return colour.reduce((a, b) => a + b, 0) / colour.length;
}

/** The scaled image centred on a canvas of the target size, filled with its own border colour. */
function padToSize(data: Uint8Array, width: number, height: number, channels: number, size: { width: number; height: number }, path: string): Uint8Array {
  if (width > size.width || height > size.height) throw new DatasetError(`${path} resized to ${width}×${height}, larger than ${size.width}×${size.height}`);
  const fill = borderColour(data, width, height, channels).map(Math.round);
  const out = new Uint8Array(size.width * size.height * channels);
  for (let p = 0; p < size.width * size.height; p++) for (let c = 0; c < channels; c++) out[p * channels + c] = fill[c] as number;
  const left = Math.floor((size.width - width) / 2);
  const top = Math.floor((size.height - height) / 2);
  for (let y = 0; y < height; y++) {
    out.set(data.subarray(y * width * channels, (y + 1) * width * channels), ((top + y) * size.width + left) * channels);
  }
  return out;
}
