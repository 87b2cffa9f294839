// The embedding projector's input: the activations of the layer feeding the last dense layer
// (the penultimate representation) for a batch of images, with each image's predicted class.
import { isFunctionalSpec, type Architecture } from '../../../src-shared/index.ts';
import type { LayersModel, Tensor, Tf } from '../model/tf-types.ts';
import { forwardBySpec, headInputIndex } from '../model/graph/spec-layers.ts';
import { InsideInputError } from './activations.ts';
import type { Points } from './projection.ts';

/** Images per forward pass; the event loop gets a turn between passes (Draw keeps answering). */
const BATCH = 64;

/** Index of the layer whose output is projected: the one feeding the last dense layer (a graph: the one its output layer takes). */
export function penultimateLayer(architecture: Architecture): number {
  if (isFunctionalSpec(architecture)) {
    const index = headInputIndex(architecture);
    if (index < 0) throw new InsideInputError('the projector needs a layer before the output layer (this model’s output takes the input directly)');
    return index;
  }
  let lastDense = -1;
  architecture.layers.forEach((l, i) => {
    if (l.type === 'dense') lastDense = i;
  });
  if (lastDense < 1) throw new InsideInputError('the projector needs a layer before the last dense layer (this model has no hidden representation to project)');
  return lastDense - 1;
}

export interface Embedded {
  points: Points;
  predicted: Uint8Array;
}

/** Activations of layer `layer` (flattened) and the top class, for `count` images of `pixels` values each. */
export async function embedImages(
  tf: Tf,
  model: LayersModel,
  architecture: Architecture,
  layer: number,
  images: Float32Array,
  count: number,
  pause: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
): Promise<Embedded> {
  const pixels = architecture.inputShape.reduce((a, b) => a * b, 1);
  let dims = 0;
  let data = new Float32Array(0);
  const predicted = new Uint8Array(count);
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    tf.tidy(() => {
      const x = tf.tensor(images.subarray(start * pixels, (start + n) * pixels), [n, ...architecture.inputShape]);
      let hidden: Tensor | null = null;
      const out = forwardBySpec(model, architecture, x, (i, h) => {
        if (i === layer) hidden = h;
      });
      if (!hidden) throw new InsideInputError(`layer ${layer} is not in the model`);
      const flat = (hidden as Tensor).reshape([n, -1]);
      if (dims === 0) {
        dims = flat.shape[1] ?? 0;
        data = new Float32Array(count * dims);
      }
      data.set(flat.dataSync() as Float32Array, start * dims);
      predicted.set(out.argMax(-1).dataSync() as Int32Array, start);
    });
    await pause();
  }
  return { points: { data, rows: count, dims }, predicted };
}
