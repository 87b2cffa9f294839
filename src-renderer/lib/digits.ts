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
  return paintGrid(canvas, pixels, IMAGE_SIDE, IMAGE_SIDE, (raw) => {
    const v = invert ? 255 - raw : raw;
    return [v, v, v];
  });
}

/** Paints `values` (height × width, row-major) on a canvas at its natural size, one colour per value; the CSS scales it. */
export function paintGrid(canvas: HTMLCanvasElement, values: ArrayLike<number>, width: number, height: number, color: (v: number) => [number, number, number]): boolean {
  let ctx: CanvasRenderingContext2D | null = null;
  try {
    ctx = canvas.getContext('2d');
  } catch {
    ctx = null;
  }
  if (!ctx) return false;
  canvas.width = width;
  canvas.height = height;
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = color(values[i] ?? 0);
    image.data[i * 4] = r;
    image.data[i * 4 + 1] = g;
    image.data[i * 4 + 2] = b;
    image.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return true;
}

/** Paints an image of any height × width × channels (1 grey, 3 RGB) at its natural size; grey ink dark on light when `invert`. */
export function paintImage(canvas: HTMLCanvasElement, pixels: Uint8Array, shape: readonly [number, number, number], invert = true): boolean {
  const [height, width, channels] = shape;
  if (channels === 1) {
    return paintGrid(canvas, pixels, width, height, (raw) => {
      const v = invert ? 255 - raw : raw;
      return [v, v, v];
    });
  }
  // Colour images are shown as they are: inverting a photo only confuses.
  return paintGrid(canvas, Array.from({ length: width * height }, (_, i) => i), width, height, (i) => [pixels[i * 3] ?? 0, pixels[i * 3 + 1] ?? 0, pixels[i * 3 + 2] ?? 0]);
}
