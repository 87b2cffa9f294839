// MNIST test images travel as base64 of 784 grey bytes; this draws them.

import { IMAGE_SIDE } from '../../src-shared/mnist-shape.ts';

export { IMAGE_SIDE };

export function decodePixels(base64: string): Uint8Array {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Paints 28×28 grey bytes onto a canvas (ink dark on light when `invert`). */
export function paintDigit(canvas: HTMLCanvasElement, pixels: Uint8Array, invert = true): boolean {
  let ctx: CanvasRenderingContext2D | null = null;
  try {
    ctx = canvas.getContext('2d');
  } catch {
    ctx = null;
  }
  if (!ctx) return false;
  canvas.width = IMAGE_SIDE;
  canvas.height = IMAGE_SIDE;
  const image = ctx.createImageData(IMAGE_SIDE, IMAGE_SIDE);
  for (let i = 0; i < IMAGE_SIDE * IMAGE_SIDE; i++) {
    const raw = pixels[i] ?? 0;
    const v = invert ? 255 - raw : raw;
    image.data[i * 4] = v;
    image.data[i * 4 + 1] = v;
    image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return true;
}
