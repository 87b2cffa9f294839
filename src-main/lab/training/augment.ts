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
 * (x, y) reads the source where the inverse of shift∘rotate∘zoom (about the centre) sends it.
 */
export function transformImage(src: Float32Array, dst: Float32Array, shape: ImageShape, t: ImageTransform): void {
  const [h, w, c] = shape;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(t.angle) / t.scale;
  const sin = Math.sin(t.angle) / t.scale;
  for (let y = 0; y < h; y++) {
    const v = y - cy - t.dy;
    // Source coordinates move by (cos, -sin) per output column: start the row and step along it.
    let sx = cos * (-cx - t.dx) + sin * v + cx;
    let sy = -sin * (-cx - t.dx) + cos * v + cy;
    for (let x = 0; x < w; x++, sx += cos, sy -= sin) {
      const fx = t.flip ? w - 1 - sx : sx;
      const out = (y * w + x) * c;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
        // Every neighbour is outside: background.
        for (let k = 0; k < c; k++) dst[out + k] = 0;
        continue;
      }
      const ax = fx - x0;
      const ay = sy - y0;
      const w00 = (1 - ax) * (1 - ay);
      const w10 = ax * (1 - ay);
      const w01 = (1 - ax) * ay;
      const w11 = ax * ay;
      const i00 = (y0 * w + x0) * c;
      const row = w * c;
      if (x0 >= 0 && y0 >= 0 && x0 < w - 1 && y0 < h - 1) {
        // All four neighbours inside: the common case, without bounds checks.
        for (let k = 0; k < c; k++) {
          const i = i00 + k;
          dst[out + k] = (src[i] as number) * w00 + (src[i + c] as number) * w10 + (src[i + row] as number) * w01 + (src[i + row + c] as number) * w11;
        }
        continue;
      }
      // On the edge: a neighbour outside reads 0.
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
        dst[out + k] = value;
      }
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
