// A test image as the contract carries it: its bytes (784 grey ones for MNIST) base64, and
// its shape when it is not MNIST's.
import { pixelsOf } from '../../../src-shared/dataset-shape.ts';
import type { Dataset } from './dataset.ts';
import { MNIST_IMAGE_SHAPE } from './dataset.ts';

export function testImagePixels(data: Pick<Dataset, 'testImages' | 'imageShape'>, index: number): string {
  const pixels = pixelsOf(data.imageShape);
  return Buffer.from(data.testImages.subarray(index * pixels, (index + 1) * pixels)).toString('base64');
}

/** `{ shape }` for images that are not 28×28×1, else nothing: MNIST answers stay as they were. */
export function testImageShape(data: Pick<Dataset, 'imageShape'>): { shape?: [number, number, number] } {
  const same = data.imageShape.every((n, i) => n === MNIST_IMAGE_SHAPE[i]);
  return same ? {} : { shape: [...data.imageShape] };
}
