// A test image as the contract carries it: 784 grey bytes, base64.
import { PIXELS } from '../training/prepare-data.ts';
import type { Dataset } from './dataset.ts';

export function testImagePixels(data: Pick<Dataset, 'testImages'>, index: number): string {
  return Buffer.from(data.testImages.subarray(index * PIXELS, (index + 1) * PIXELS)).toString('base64');
}
