// A drawn or dropped digit made into what an MNIST model was trained on, the way MNIST itself
// was made (LeCun, Cortes & Burges): grey levels, cropped to the ink, scaled to fit a 20×20 box
// keeping the aspect ratio (with anti-aliasing), then placed in a 28×28 field so the centre of
// mass of the ink sits at the centre. Pure: works on plain pixel buffers, no DOM.

import { IMAGE_SIDE, isMnistInputShape } from './mnist-shape.ts';

export const MNIST_SIDE = IMAGE_SIDE;
/** Big photos are scaled down to this side first (Draw's image drop, the CLI's --image): preprocessing only needs a 20×20 box in the end. */
export const MAX_IMAGE_SIDE = 560;
/** The box the digit's larger side is scaled to, inside the 28×28 field. */
export const MNIST_BOX = 20;

/** Row-major pixels with 0–255 samples: one per pixel (grey) or four (RGBA), told apart by length. */
export interface PixelBuffer {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/**
 * Which way the ink runs. 'auto' reads the border: a light frame means dark ink on paper,
 * a dark frame light ink (MNIST's own look). Images with transparency use the alpha as ink.
 */
export type InkPolarity = 'auto' | 'dark-on-light' | 'light-on-dark';

export interface PreprocessOptions {
  polarity?: InkPolarity;
  /** Ink below this level (0–1, after stretching to the background) is noise. Default 0.1. */
  threshold?: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface MnistInput {
  /** 784 values in [0, 1], row-major 28×28, ink = 1: what `predict` takes. */
  pixels: number[];
  /** The ink's bounding box in the source, in source pixels. */
  bbox: Box;
  /** Source pixels → 28×28 pixels. */
  scale: number;
  /** Centre of mass in the 28×28 field (pixel i spans [i, i+1)); (14, 14) is the centre. */
  centerOfMass: { x: number; y: number };
}

/** Ink level 0–1 per pixel of any buffer (grey or RGBA), in the chosen polarity. */
export function inkOf(buffer: PixelBuffer, polarity: InkPolarity = 'auto'): Float32Array {
  const { width, height, data } = buffer;
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  const channels = data.length / n;
  if (channels !== 1 && channels !== 4) throw new RangeError(`expected ${n} grey or ${n * 4} RGBA samples for ${width}×${height}, got ${data.length}`);
  const light = new Float32Array(n);
  let transparent = false;
  for (let i = 0; i < n; i++) {
    if (channels === 1) {
      light[i] = (data[i] ?? 0) / 255;
    } else {
      const r = data[i * 4] ?? 0;
      const g = data[i * 4 + 1] ?? 0;
      const b = data[i * 4 + 2] ?? 0;
      const a = data[i * 4 + 3] ?? 255;
      if (a < 250) transparent = true;
      // ITU-R 601 luma, as PIL's convert('L') computes it.
      light[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    }
  }
  if (channels === 4 && transparent && polarity === 'auto') {
    const ink = new Float32Array(n);
    for (let i = 0; i < n; i++) ink[i] = (data[i * 4 + 3] ?? 0) / 255;
    return ink;
  }
  const darkInk = polarity === 'dark-on-light' || (polarity === 'auto' && borderMean(light, width, height) > 0.5);
  if (darkInk) for (let i = 0; i < n; i++) light[i] = 1 - (light[i] ?? 0);
  return light;
}

function borderValues(values: Float32Array, width: number, height: number): number[] {
  const out: number[] = [];
  for (let x = 0; x < width; x++) {
    out.push(values[x] ?? 0);
    if (height > 1) out.push(values[(height - 1) * width + x] ?? 0);
  }
  for (let y = 1; y < height - 1; y++) {
    out.push(values[y * width] ?? 0);
    if (width > 1) out.push(values[y * width + width - 1] ?? 0);
  }
  return out;
}

function borderMean(values: Float32Array, width: number, height: number): number {
  const border = borderValues(values, width, height);
  return border.reduce((a, b) => a + b, 0) / Math.max(1, border.length);
}

function median(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Centre of mass of a grey image, with pixel i spanning [i, i+1) (so its centre is i + 0.5). */
export function centerOfMass(values: ArrayLike<number>, width: number, height: number): { x: number; y: number; mass: number } {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x] ?? 0;
      mass += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  return mass > 0 ? { x: sx / mass, y: sy / mass, mass } : { x: width / 2, y: height / 2, mass: 0 };
}

/** Bounding box of the values above zero, or null when there are none. */
export function inkBox(values: ArrayLike<number>, width: number, height: number): Box | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((values[y * width + x] ?? 0) > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * Area-averaging weights from a source axis of `length` pixels, scaled by `scale` and shifted by
 * `offset`, onto `side` output pixels: output X covers source [(X - offset)/scale, (X + 1 - offset)/scale).
 */
function axisWeights(length: number, scale: number, offset: number, side: number): { from: number; weights: number[] }[] {
  const out: { from: number; weights: number[] }[] = [];
  for (let X = 0; X < side; X++) {
    const a = Math.max(0, (X - offset) / scale);
    const b = Math.min(length, (X + 1 - offset) / scale);
    const weights: number[] = [];
    const from = Math.floor(a);
    for (let i = from; i < b; i++) {
      const overlap = Math.min(b, i + 1) - Math.max(a, i);
      weights.push(overlap > 0 ? overlap * scale : 0);
    }
    out.push({ from, weights: b > a ? weights : [] });
  }
  return out;
}

/**
 * The MNIST input for an image, or null when it holds no ink (an empty canvas).
 * The result's largest value is 1, as in the training data.
 */
export function preprocessToMnist(buffer: PixelBuffer, options: PreprocessOptions = {}): MnistInput | null {
  const { width, height } = buffer;
  const ink = inkOf(buffer, options.polarity ?? 'auto');
  const threshold = options.threshold ?? 0.1;

  // Stretch from the background's level (a grey page, a photo) to the darkest stroke.
  const background = median(borderValues(ink, width, height));
  let peak = 0;
  for (const v of ink) if (v > peak) peak = v;
  if (peak - background < 0.1) return null;
  const range = peak - background;
  for (let i = 0; i < ink.length; i++) {
    const v = ((ink[i] ?? 0) - background) / range;
    ink[i] = v < threshold ? 0 : Math.min(1, v);
  }

  const bbox = inkBox(ink, width, height);
  if (!bbox) return null;
  const crop = new Float32Array(bbox.width * bbox.height);
  for (let y = 0; y < bbox.height; y++) crop.set(ink.subarray((bbox.y + y) * width + bbox.x, (bbox.y + y) * width + bbox.x + bbox.width), y * bbox.width);

  // Fit the larger side to 20 pixels; shift by whole pixels (as MNIST did, so the digit stays in
  // its 20×20 box) to bring the centre of mass to (14, 14), keeping all the ink in the field.
  const scale = MNIST_BOX / Math.max(bbox.width, bbox.height);
  const com = centerOfMass(crop, bbox.width, bbox.height);
  const place = (c: number, length: number) => Math.min(MNIST_SIDE - Math.ceil(length * scale - 1e-9), Math.max(0, Math.round(MNIST_SIDE / 2 - c * scale)));
  const ox = place(com.x, bbox.width);
  const oy = place(com.y, bbox.height);

  // Separable area averaging: each output pixel is the mean of the source area it covers.
  const wx = axisWeights(bbox.width, scale, ox, MNIST_SIDE);
  const wy = axisWeights(bbox.height, scale, oy, MNIST_SIDE);
  const rows = new Float32Array(bbox.height * MNIST_SIDE);
  for (let y = 0; y < bbox.height; y++) {
    for (let X = 0; X < MNIST_SIDE; X++) {
      const w = wx[X];
      if (!w) continue;
      let sum = 0;
      for (let k = 0; k < w.weights.length; k++) sum += (w.weights[k] ?? 0) * (crop[y * bbox.width + w.from + k] ?? 0);
      rows[y * MNIST_SIDE + X] = sum;
    }
  }
  const out = new Float64Array(MNIST_SIDE * MNIST_SIDE);
  let max = 0;
  for (let Y = 0; Y < MNIST_SIDE; Y++) {
    const w = wy[Y];
    if (!w) continue;
    for (let X = 0; X < MNIST_SIDE; X++) {
      let sum = 0;
      for (let k = 0; k < w.weights.length; k++) sum += (w.weights[k] ?? 0) * (rows[(w.from + k) * MNIST_SIDE + X] ?? 0);
      out[Y * MNIST_SIDE + X] = sum;
      if (sum > max) max = sum;
    }
  }
  if (max <= 0) return null;
  const pixels = Array.from(out, (v) => {
    const n = v / max;
    return n < 1e-4 ? 0 : n > 1 - 1e-9 ? 1 : n;
  });
  const placed = centerOfMass(pixels, MNIST_SIDE, MNIST_SIDE);
  return { pixels, bbox, scale, centerOfMass: { x: placed.x, y: placed.y } };
}

/** A pen stroke in coordinates relative to a square pad (0–1 across, 0–1 down). */
export interface Stroke {
  points: { x: number; y: number }[];
}

/**
 * Strokes drawn as round-capped lines of `width` (a fraction of the side) on a `size`×`size`
 * grey raster, ink 255 on 0, anti-aliased: the pad's drawing without a canvas.
 */
export function rasterizeStrokes(strokes: readonly Stroke[], size: number, width: number): PixelBuffer {
  const data = new Uint8ClampedArray(size * size);
  const r = (width * size) / 2;
  const plot = (ax: number, ay: number, bx: number, by: number) => {
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
    const x1 = Math.min(size - 1, Math.ceil(Math.max(ax, bx) + r + 1));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
    const y1 = Math.min(size - 1, Math.ceil(Math.max(ay, by) + r + 1));
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5 - ax;
        const py = y + 0.5 - ay;
        const t = len2 > 0 ? Math.max(0, Math.min(1, (px * dx + py * dy) / len2)) : 0;
        const d = Math.hypot(px - t * dx, py - t * dy);
        const cover = Math.max(0, Math.min(1, r + 0.5 - d));
        const i = y * size + x;
        const v = Math.round(cover * 255);
        if (v > (data[i] ?? 0)) data[i] = v;
      }
    }
  };
  for (const stroke of strokes) {
    const pts = stroke.points;
    const first = pts[0];
    if (!first) continue;
    if (pts.length === 1) plot(first.x * size, first.y * size, first.x * size, first.y * size);
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1] ?? first;
      const b = pts[i] ?? a;
      plot(a.x * size, a.y * size, b.x * size, b.y * size);
    }
  }
  return { width: size, height: size, data };
}

/** Whether a model's input is the 784 values (flat, or 28×28×1) a drawing becomes. */
export function acceptsMnistInput(inputShape: readonly number[]): boolean {
  return isMnistInputShape(inputShape);
}
