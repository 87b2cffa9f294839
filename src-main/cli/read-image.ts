// An image file (PNG, JPEG, WebP…) read into plain RGBA pixels with sharp, scaled down like
// Draw's image drop, so the CLI's digit goes through the same MNIST preprocessing as the app's.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { MAX_IMAGE_SIDE, type PixelBuffer } from '../../src-shared/mnist-preprocess.ts';
import { UsageError } from './cli-error.ts';

export async function readImageFile(path: string): Promise<PixelBuffer> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    const { data, info } = await sharp(bytes)
      .resize({ width: MAX_IMAGE_SIDE, height: MAX_IMAGE_SIDE, fit: 'inside', withoutEnlargement: true })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data };
  } catch (error) {
    throw new UsageError(`${path} is not an image sharp can decode (try PNG or JPEG): ${(error as Error).message}`);
  }
}
