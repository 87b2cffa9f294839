// MNIST's sizes, the one home for them: every dataset, model input, prediction and picture in
// Layerlab is MNIST-shaped (28×28 grey images, 10 classes). Nothing else writes 784, 28 or 10.

/** Height and width of an image. */
export const IMAGE_SIDE = 28;
/** Pixels of an image: the length of a flat input. */
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;
/** Digits 0–9. */
export const NUM_CLASSES = 10;

/** A dataset's image shape (height, width). */
export const IMAGE_SHAPE: [number, number] = [IMAGE_SIDE, IMAGE_SIDE];
/** The two model inputs: a flat vector for Dense layers, a one-channel image for Conv2D. */
export const FLAT_INPUT_SHAPE: [number] = [IMAGE_PIXELS];
export const IMAGE_INPUT_SHAPE: [number, number, number] = [IMAGE_SIDE, IMAGE_SIDE, 1];

/** Whether a model input shape is one of the two an MNIST image becomes. */
export function isMnistInputShape(shape: readonly unknown[]): boolean {
  const same = (expected: readonly number[]) => shape.length === expected.length && expected.every((n, i) => shape[i] === n);
  return same(FLAT_INPUT_SHAPE) || same(IMAGE_INPUT_SHAPE);
}
