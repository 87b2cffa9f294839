// An image file (dropped, pasted or opened) read into plain RGBA pixels for preprocessing.
import { MAX_IMAGE_SIDE, type PixelBuffer } from '../../../src-shared/mnist-preprocess.ts';

export async function readImageFile(file: Blob, maxSide = MAX_IMAGE_SIDE): Promise<PixelBuffer> {
  if (file.type && !file.type.startsWith('image/')) throw new Error(`that is a ${file.type} file, not an image`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error('the browser can’t decode it as an image (try PNG or JPEG)');
  }
  try {
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas to read the image with');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    return { width, height, data: ctx.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
}

/** The first image among dropped or pasted files, if any. */
export function firstImage(files: FileList | readonly File[] | null | undefined): File | null {
  if (!files) return null;
  for (const file of Array.from(files)) if (file.type.startsWith('image/')) return file;
  return null;
}

/** The buffer as RGBA ImageData (grey buffers expanded), for showing it. */
export function toImageData(buffer: PixelBuffer): ImageData {
  const { width, height, data } = buffer;
  const n = width * height;
  if (data.length === n * 4) return new ImageData(Uint8ClampedArray.from(data), width, height);
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const v = data[i] ?? 0;
    rgba[i * 4] = v;
    rgba[i * 4 + 1] = v;
    rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}
