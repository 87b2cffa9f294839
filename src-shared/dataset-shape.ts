// What a dataset may be: any H×W×C image shape within these limits, and up to MAX_CLASSES named
// classes. MNIST (28×28×1, classes "0".."9") is one such dataset; the importers and the
// contract check against these numbers, and the README states them.

/** A dataset's image shape: height, width, channels (1 grey or 3 RGB). */
export type ImageShape = [number, number, number];

/** Smallest and largest image side a dataset may have (the model checks its own kernels fit; 256² RGB is ~200 KB an image). */
export const MIN_DATASET_SIDE = 2;
export const MAX_DATASET_SIDE = 256;
export const DATASET_CHANNELS = [1, 3] as const;
/** Labels are stored as bytes; 100 classes keeps the confusion matrix and the bars readable. */
export const MAX_CLASSES = 100;
export const MAX_CLASS_NAME_LENGTH = 64;
/** Train plus test examples in one dataset. */
export const MAX_DATASET_EXAMPLES = 1_000_000;
/** Pixel bytes of a dataset's train plus test images (they are held in memory while training). */
export const MAX_DATASET_PIXEL_BYTES = 1 << 30;

/** Class names of a digit dataset (MNIST and every IDX import): "0" … "9". */
export const DIGIT_CLASS_NAMES: readonly string[] = Array.from({ length: 10 }, (_, i) => String(i));

export const pixelsOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
export const formatImageShape = (shape: readonly number[]): string => shape.join('×');

/** Why this shape cannot be a dataset's, or null when it can. */
export function imageShapeProblem(shape: readonly number[]): string | null {
  if (shape.length !== 3 || !shape.every((n) => Number.isSafeInteger(n))) return `an image shape is [height, width, channels], got [${shape.join(', ')}]`;
  const [h, w, c] = shape as ImageShape;
  if (h < MIN_DATASET_SIDE || w < MIN_DATASET_SIDE || h > MAX_DATASET_SIDE || w > MAX_DATASET_SIDE) {
    return `images of ${h}×${w} are not supported: height and width must be ${MIN_DATASET_SIDE} to ${MAX_DATASET_SIDE}`;
  }
  if (!(DATASET_CHANNELS as readonly number[]).includes(c)) return `images with ${c} channels are not supported: 1 (grey) or 3 (RGB)`;
  return null;
}

/** Why these class names cannot be a dataset's, or null when they can. */
export function classNamesProblem(names: readonly string[]): string | null {
  if (names.length < 2) return `a dataset needs at least 2 classes, got ${names.length}`;
  if (names.length > MAX_CLASSES) return `a dataset may have at most ${MAX_CLASSES} classes, got ${names.length}`;
  const seen = new Map<string, string>();
  for (const name of names) {
    if (name.trim() === '' || name.length > MAX_CLASS_NAME_LENGTH) return `class name "${name}" must be 1 to ${MAX_CLASS_NAME_LENGTH} characters, not blank`;
    // "Cat" and "cat" would read as one class everywhere they are shown.
    const key = name.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) return other === name ? `duplicate class name "${name}"` : `duplicate class name: "${other}" and "${name}" differ only in case`;
    seen.set(key, name);
  }
  return null;
}

/** What a model must fit: the dataset's images in and one probability per class out. */
export interface DataShape {
  imageShape: ImageShape;
  classCount: number;
}

/** The two model inputs a dataset's image becomes: a flat vector for Dense layers, the image itself for Conv2D. */
export function inputShapesFor(imageShape: ImageShape): { flat: [number]; image: ImageShape } {
  return { flat: [pixelsOf(imageShape)], image: [...imageShape] };
}

/** Whether a model input shape is one of the two this dataset's images become. */
export function isInputShapeFor(shape: readonly unknown[], imageShape: ImageShape): boolean {
  const { flat, image } = inputShapesFor(imageShape);
  const same = (expected: readonly number[]) => shape.length === expected.length && expected.every((n, i) => shape[i] === n);
  return same(flat) || same(image);
}

/** Whether a model input shape could be some dataset's (used where no dataset is in view: a stored run, a model file). */
export function isAnyDatasetInputShape(shape: readonly unknown[]): boolean {
  if (!shape.every((n) => typeof n === 'number' && Number.isSafeInteger(n))) return false;
  if (shape.length === 1) return (shape[0] as number) >= MIN_DATASET_SIDE ** 2 && (shape[0] as number) <= MAX_DATASET_SIDE ** 2 * 3;
  return imageShapeProblem(shape as number[]) === null;
}
