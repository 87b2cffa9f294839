// One training batch gathered on the JS side (cheaper than gather/slice on a big tensor): the
// shuffled examples' images copied, or augmented on the way, into the batch buffer, their labels
// beside them. The training loop and bench/augmentation-overhead.ts both fill batches here, so the
// bench times exactly what the loop does.
import type { Augmenter } from './augment.ts';
import type { ExampleSet } from './prepare-data.ts';

export interface BatchBuffers {
  /** batch × pixels floats. */
  x: Float32Array;
  labels: Int32Array;
}

/** Fills the first `size` rows of `into` with examples order[start … start + size) of `set`. */
export function gatherBatch(set: Pick<ExampleSet, 'images' | 'labels'>, order: Uint32Array, start: number, size: number, pixels: number, augmenter: Augmenter | null, into: BatchBuffers): void {
  for (let i = 0; i < size; i++) {
    const src = order[start + i] as number;
    const image = set.images.subarray(src * pixels, (src + 1) * pixels);
    if (augmenter) augmenter.apply(image, into.x.subarray(i * pixels, (i + 1) * pixels));
    else into.x.set(image, i * pixels);
    into.labels[i] = set.labels[src] as number;
  }
}
