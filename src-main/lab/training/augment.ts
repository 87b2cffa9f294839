// Augmentation on the fly: each training image, as it is gathered into a batch, is shifted,
// rotated, zoomed and mirrored by amounts drawn from the run's seed. One inverse affine map per
// image, sampled bilinearly (outside the image reads 0, the background of MNIST-like data), in
// plain loops over the batch buffer: no tensors, nothing to dispose, and cheap next to a step.
import type { ImageShape } from '../../../src-shared/dataset-shape.ts';
import type { AugmentationConfig } from '../../../src-shared/training-config.ts';
import { SeededRandom } from '../util/seeded-random.ts';

/** One image's draw: shift in pixels, rotation in radians, scale, mirror. */
export interface ImageTransform {
  dx: number;
  dy: number;
  angle: number;
  scale: number;
  flip: boolean;
}

/**
 * dst = src moved by `t` (both h×w×c floats, row-major, channels last). The output pixel at
 * (x, y) reads the source where the inverse of shift∘rotate∘zoom (about the centre) sends it, then
 * mirrored when flipping: a point linear in x along each output row. So the columns whose four
 * neighbours all lie inside the image are one stretch per row, found once and run without bounds
 * checks (a grey image, MNIST's case, without the channel loop either); only the columns either
 * side take the checked path. The augmenter's cost per image is this function (bench/augmentation-overhead.ts).
 */
export function transformImage(src: Float32Array, dst: Float32Array, shape: ImageShape, t: ImageTransform): void {
  const [h, w, c] = shape;
  // Source points with all four neighbours inside: 0 ≤ x < w − 1, 0 ≤ y < h − 1.
  const safe: Box = { left: 0, right: w - 1, top: 0, bottom: h - 1 };
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(t.angle) / t.scale;
  const sin = Math.sin(t.angle) / t.scale;
  // Source x and y move by (ux, uy) per output column.
  const ux = t.flip ? -cos : cos;
  const uy = -sin;
  const u = -cx - t.dx;
  const stretch = new Int32Array(2);
  for (let y = 0; y < h; y++) {
    const v = y - cy - t.dy;
    const sx = cos * u + sin * v + cx;
    const fx = t.flip ? w - 1 - sx : sx;
    const sy = -sin * u + cos * v + cy;
    const row: Line = { fx, ux, sy, uy };
    const out = y * w * c;
    if (!columnsWithin(row, safe, w, stretch)) {
      edgePixels(src, dst, shape, row, out, 0, w);
      continue;
    }
    const lo = stretch[0] as number;
    const hi = stretch[1] as number;
    edgePixels(src, dst, shape, row, out, 0, lo);
    if (c === 1) interiorGrey(src, dst, w, row, out, lo, hi);
    else interiorChannels(src, dst, w, c, row, out, lo, hi);
    edgePixels(src, dst, shape, row, out, hi + 1, w);
  }
}

/** A region of source coordinates: left ≤ x < right, top ≤ y < bottom. */
interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** One output row's source points: (fx + x·ux, sy + x·uy) at column x. */
interface Line {
  fx: number;
  ux: number;
  sy: number;
  uy: number;
}

/** Is column x's source point in the box? */
function within(line: Line, box: Box, x: number): boolean {
  const px = line.fx + x * line.ux;
  const py = line.sy + x * line.uy;
  return px >= box.left && px < box.right && py >= box.top && py < box.bottom;
}

/** The first column where low ≤ a + b·x < high may hold, solved for x and widened by one (trimmed by `within` after). */
function solvedFirst(a: number, b: number, low: number, high: number): number {
  if (b === 0) return a >= low && a < high ? -Infinity : Infinity;
  return Math.floor(Math.min((low - a) / b, (high - a) / b)) - 1;
}

/** The last such column, likewise. */
function solvedLast(a: number, b: number, low: number, high: number): number {
  if (b === 0) return a >= low && a < high ? Infinity : -Infinity;
  return Math.ceil(Math.max((low - a) / b, (high - a) / b)) + 1;
}

/**
 * The first and last column of the row whose source point is in the box, into `stretch`; false when
 * none is. Solved for x, then trimmed by the very test the loops' arithmetic passes: a + b·x is
 * monotone in x, so the columns in the box are one stretch.
 */
function columnsWithin(line: Line, box: Box, w: number, stretch: Int32Array): boolean {
  let first = Math.max(0, solvedFirst(line.fx, line.ux, box.left, box.right), solvedFirst(line.sy, line.uy, box.top, box.bottom));
  let last = Math.min(w - 1, solvedLast(line.fx, line.ux, box.left, box.right), solvedLast(line.sy, line.uy, box.top, box.bottom));
  while (first <= last && !within(line, box, first)) first++;
  while (last >= first && !within(line, box, last)) last--;
  stretch[0] = first;
  stretch[1] = last;
  return first <= last;
}

/** Columns [lo, hi] of a grey row, all four neighbours inside: two lerps per pixel, truncation for floor (the coordinates are ≥ 0). */
function interiorGrey(src: Float32Array, dst: Float32Array, w: number, { fx, ux, sy, uy }: Line, out: number, lo: number, hi: number): void {
  for (let x = lo; x <= hi; x++) {
    const px = fx + x * ux;
    const py = sy + x * uy;
    const x0 = px | 0;
    const y0 = py | 0;
    const ax = px - x0;
    const ay = py - y0;
    const i = y0 * w + x0;
    const a = src[i] as number;
    const b = src[i + w] as number;
    const top = a + ((src[i + 1] as number) - a) * ax;
    const bottom = b + ((src[i + w + 1] as number) - b) * ax;
    dst[out + x] = top + (bottom - top) * ay;
  }
}

/** As interiorGrey, for c channels. */
function interiorChannels(src: Float32Array, dst: Float32Array, w: number, c: number, { fx, ux, sy, uy }: Line, out: number, lo: number, hi: number): void {
  const row = w * c;
  for (let x = lo; x <= hi; x++) {
    const px = fx + x * ux;
    const py = sy + x * uy;
    const x0 = px | 0;
    const y0 = py | 0;
    const ax = px - x0;
    const ay = py - y0;
    const i = (y0 * w + x0) * c;
    const o = out + x * c;
    for (let k = 0; k < c; k++) {
      const a = src[i + k] as number;
      const b = src[i + k + row] as number;
      const top = a + ((src[i + k + c] as number) - a) * ax;
      const bottom = b + ((src[i + k + row + c] as number) - b) * ax;
      dst[o + k] = top + (bottom - top) * ay;
    }
  }
}

/** Columns [from, to) of a row with a neighbour possibly outside the image: each neighbour outside reads 0. */
function edgePixels(src: Float32Array, dst: Float32Array, shape: ImageShape, { fx, ux, sy, uy }: Line, out: number, from: number, to: number): void {
  const [h, w, c] = shape;
  const row = w * c;
  for (let x = from; x < to; x++) {
    const px = fx + x * ux;
    const py = sy + x * uy;
    const o = out + x * c;
    const x0 = Math.floor(px);
    const y0 = Math.floor(py);
    if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
      // Every neighbour is outside: background.
      for (let k = 0; k < c; k++) dst[o + k] = 0;
      continue;
    }
    const ax = px - x0;
    const ay = py - y0;
    const w00 = (1 - ax) * (1 - ay);
    const w10 = ax * (1 - ay);
    const w01 = (1 - ax) * ay;
    const w11 = ax * ay;
    const i00 = (y0 * w + x0) * c;
    const inX0 = x0 >= 0;
    const inX1 = x0 + 1 < w;
    const inY0 = y0 >= 0;
    const inY1 = y0 + 1 < h;
    for (let k = 0; k < c; k++) {
      const i = i00 + k;
      let value = 0;
      if (inX0 && inY0) value += (src[i] as number) * w00;
      if (inX1 && inY0) value += (src[i + c] as number) * w10;
      if (inX0 && inY1) value += (src[i + row] as number) * w01;
      if (inX1 && inY1) value += (src[i + row + c] as number) * w11;
      dst[o + k] = value;
    }
  }
}

/** Draws each image's transform from its own seeded stream, so a seed gives the same augmented batches every time. */
export class Augmenter {
  private readonly rng: SeededRandom;

  constructor(
    private readonly config: AugmentationConfig,
    private readonly shape: ImageShape,
    seed: number,
  ) {
    // Its own stream: the shuffle and dropout draw exactly as they do without augmentation.
    this.rng = new SeededRandom((seed ^ 0x2545f491) >>> 0);
  }

  /** The next image's transform: five draws every time, whatever is switched on. */
  next(): ImageTransform {
    const r = () => this.rng.next() * 2 - 1;
    const [h, w] = this.shape;
    const dx = r() * this.config.shift * w;
    const dy = r() * this.config.shift * h;
    const angle = (r() * this.config.rotation * Math.PI) / 180;
    const scale = 1 + r() * this.config.zoom;
    const flip = this.rng.next() < 0.5 && this.config.horizontalFlip;
    return { dx, dy, angle, scale, flip };
  }

  /** dst = an augmented copy of src (one image). */
  apply(src: Float32Array, dst: Float32Array): void {
    transformImage(src, dst, this.shape, this.next());
  }
}
