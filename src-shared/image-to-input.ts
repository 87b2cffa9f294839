// A dropped image as a model of any dataset shape takes it: scaled to fit H×W and padded with its
// border colour (the import's default "pad"), grey or RGB, and (grey only) inverted when its
// border is light, as the import's "auto" does, so it looks like the data the model learned from.
import type { ImageShape } from './dataset-shape.ts';
import type { PixelBuffer } from './mnist-preprocess.ts';

/** The buffer's colour at (x, y) as [r, g, b] 0–255 (grey, RGB or RGBA buffers; transparency over white, as the import). */
function rgbAt(buffer: PixelBuffer, x: number, y: number): [number, number, number] {
  const i = y * buffer.width + x;
  const pixels = buffer.width * buffer.height;
  if (buffer.data.length === pixels) {
    const v = buffer.data[i] ?? 0;
    return [v, v, v];
  }
  if (buffer.data.length === pixels * 3) return [buffer.data[i * 3] ?? 0, buffer.data[i * 3 + 1] ?? 0, buffer.data[i * 3 + 2] ?? 0];
  const a = (buffer.data[i * 4 + 3] ?? 255) / 255;
  const over = (c: number) => (buffer.data[i * 4 + c] ?? 0) * a + 255 * (1 - a);
  return [over(0), over(1), over(2)];
}

const luminance = (p: readonly number[]): number => 0.2126 * (p[0] ?? 0) + 0.7152 * (p[1] ?? 0) + 0.0722 * (p[2] ?? 0);

/** Values in [0, 1], H×W×C row-major: the model's input for this image. */
export function imageToInput(buffer: PixelBuffer, shape: ImageShape): number[] {
  const [h, w, c] = shape;
  if (buffer.width < 1 || buffer.height < 1) throw new Error('the image is empty');
  const scale = Math.min(w / buffer.width, h / buffer.height);
  const sw = Math.min(w, Math.max(1, Math.round(buffer.width * scale)));
  const sh = Math.min(h, Math.max(1, Math.round(buffer.height * scale)));
  const left = Math.floor((w - sw) / 2);
  const top = Math.floor((h - sh) / 2);
  // Each target pixel averages its source box: no aliasing when a photo shrinks a lot.
  const scaled: [number, number, number][] = [];
  for (let ty = 0; ty < sh; ty++) {
    for (let tx = 0; tx < sw; tx++) {
      const x0 = Math.floor((tx * buffer.width) / sw);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * buffer.width) / sw));
      const y0 = Math.floor((ty * buffer.height) / sh);
      const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * buffer.height) / sh));
      const sum: [number, number, number] = [0, 0, 0];
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const [r, g, b] = rgbAt(buffer, x, y);
          sum[0] += r;
          sum[1] += g;
          sum[2] += b;
        }
      }
      const n = (x1 - x0) * (y1 - y0);
      scaled.push([sum[0] / n, sum[1] / n, sum[2] / n]);
    }
  }
  const fill: [number, number, number] = [0, 0, 0];
  let borderCount = 0;
  scaled.forEach((p, i) => {
    const x = i % sw;
    const y = Math.floor(i / sw);
    if (x !== 0 && y !== 0 && x !== sw - 1 && y !== sh - 1) return;
    for (let k = 0; k < 3; k++) fill[k] = (fill[k] as number) + (p[k] as number);
    borderCount++;
  });
  for (let k = 0; k < 3; k++) fill[k] = (fill[k] as number) / borderCount;
  const invert = c === 1 && luminance(fill) > 127.5;
  const out = new Array<number>(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x >= left && x < left + sw && y >= top && y < top + sh;
      const p = inside ? (scaled[(y - top) * sw + (x - left)] as [number, number, number]) : fill;
      if (c === 1) {
        const v = luminance(p) / 255;
        out[y * w + x] = invert ? 1 - v : v;
      } else {
        for (let k = 0; k < 3; k++) out[(y * w + x) * 3 + k] = (p[k] as number) / 255;
      }
    }
  }
  return out;
}
