// One image through the network, layer by layer: every layer's output (for the activation
// strips and feature-map tiles) and the saliency of the explained class. Runs on whatever tf the
// caller hands in (the serving process's prediction backend), inside tf.tidy.
import {
  analyzeArchitecture,
  imageGridOf,
  INTEGRATED_GRADIENT_STEPS,
  MAX_ACTIVATION_VALUES,
  type ActivationStats,
  type Architecture,
  type LayerActivation,
  type SaliencyMap,
  type SaliencyMethod,
} from '../../../src-shared/index.ts';
import { forwardBySpec, forwardToHead, layersBySpec } from '../model/graph/spec-layers.ts';
import type { LayersModel, Tensor, Tf } from '../model/tf-types.ts';

export interface ImageForward {
  probabilities: number[];
  predicted: number;
  layers: LayerActivation[];
  saliency: SaliencyMap;
}

/** min, max, mean and share of exact zeros of a layer's output. */
export function activationStats(values: ArrayLike<number>): ActivationStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (v === 0) zeros++;
  }
  const n = values.length;
  return n === 0 ? { min: 0, max: 0, mean: 0, zeroFraction: 0 } : { min, max, mean: sum / n, zeroFraction: zeros / n };
}

/** Throws a clear error when the image does not fit the model's input. */
export function assertImageFits(architecture: Architecture, image: readonly number[]): void {
  const want = architecture.inputShape.reduce((a, b) => a * b, 1);
  if (image.length !== want) {
    throw new InsideInputError(`the model takes ${want} input values (${architecture.inputShape.join('×')}), the image has ${image.length}`);
  }
}

export class InsideInputError extends Error {
  override name = 'InsideInputError';
}

/**
 * The class scores before softmax (what saliency explains: the gradient of a probability would
 * also carry every other class through the normalisation). An output Dense with softmax is taken
 * before its activation, an output softmax Activation layer is skipped; any other model's output
 * is used as is. The output layer is the last of a Sequential spec, the named one of a graph.
 */
export function classScores(tf: Tf, model: LayersModel, architecture: Architecture, x: Tensor): Tensor {
  const outputIndex = analyzeArchitecture(architecture).outputIndex ?? architecture.layers.length - 1;
  const spec = architecture.layers[outputIndex];
  const outputLayer = layersBySpec(model, architecture)[outputIndex];
  if (spec?.type === 'dense' && spec.activation === 'softmax' && outputLayer) {
    const h = forwardToHead(model, x);
    const [kernel, bias] = outputLayer.getWeights();
    if (!kernel) return outputLayer.apply(h) as Tensor;
    const flat = h.reshape([-1, kernel.shape[0] ?? 1]);
    const z = tf.matMul(flat as never, kernel as never);
    return bias ? tf.add(z, bias) : z;
  }
  if (spec?.type === 'activation' && spec.activation === 'softmax') return forwardToHead(model, x);
  return forwardBySpec(model, architecture, x);
}

/** Gradient × input of the target's score (or integrated gradients from the black image), channels summed. */
export function saliencyOf(tf: Tf, model: LayersModel, architecture: Architecture, image: readonly number[], target: number, method: SaliencyMethod): SaliencyMap {
  const shape = architecture.inputShape;
  const [height, width] = imageGridOf(shape);
  const values = tf.tidy(() => {
    const x = tf.tensor(image as number[], [1, ...shape]);
    // A one-hot mask rather than gather: gather's gradient needs UnsortedSegmentSum, which the wasm backend lacks.
    const score = (input: Tensor) => {
      const scores = classScores(tf, model, architecture, input);
      return tf.mul(scores, tf.oneHot([target], scores.shape[1] ?? 1)).sum();
    };
    let gradient: Tensor;
    if (method === 'integrated-gradients') {
      // Midpoint rule along the straight path from the zero image, all steps in one batch.
      const steps = INTEGRATED_GRADIENT_STEPS;
      const alphas = tf.tensor(Array.from({ length: steps }, (_, k) => (k + 0.5) / steps), [steps, ...shape.map(() => 1)]);
      const path = tf.mul(alphas, x);
      gradient = tf.grad(score)(path).mean(0, true);
    } else {
      gradient = tf.grad(score)(x);
    }
    const attribution = tf.mul(gradient, x).reshape([height, width, -1]).sum(2);
    return attribution.dataSync() as Float32Array;
  });
  return { method, target, shape: [height, width], values: Array.from(values) };
}

function layerActivation(tf: Tf, index: number, name: string, className: string, out: Tensor): LayerActivation {
  const outputShape = out.shape.slice(1);
  const all = out.dataSync() as Float32Array;
  const stats = activationStats(all);
  if (outputShape.length !== 3) {
    return { index, name, className, outputShape, stats, values: Array.from(all.subarray(0, MAX_ACTIVATION_VALUES)), channels: 1 };
  }
  // Feature maps channel-major, so a tile is one contiguous run; only as many as the limit allows.
  const [h = 1, w = 1, c = 1] = outputShape;
  const channels = Math.max(1, Math.min(c, Math.floor(MAX_ACTIVATION_VALUES / (h * w))));
  const maps = tf.tidy(() => tf.transpose(out, [0, 3, 1, 2]).slice([0, 0, 0, 0], [1, channels, h, w]).dataSync() as Float32Array);
  return { index, name, className, outputShape, stats, values: Array.from(maps), channels };
}

/** Every layer's output, the probabilities and the saliency of `target` (the top class when null). */
export function inspectImage(
  tf: Tf,
  model: LayersModel,
  architecture: Architecture,
  layerNames: readonly string[],
  image: readonly number[],
  method: SaliencyMethod,
  target: number | null,
): ImageForward {
  assertImageFits(architecture, image);
  const layers: LayerActivation[] = [];
  const probabilities = tf.tidy(() => {
    const x = tf.tensor(image as number[], [1, ...architecture.inputShape]);
    const bySpec = layersBySpec(model, architecture);
    const out = forwardBySpec(model, architecture, x, (i, h) => {
      const layer = bySpec[i];
      layers.push(layerActivation(tf, i, layerNames[i] ?? layer?.name ?? `layer_${i + 1}`, layer?.getClassName() ?? '', h));
    });
    return Array.from(out.dataSync() as Float32Array);
  });
  let predicted = 0;
  probabilities.forEach((p, i) => {
    if (p > (probabilities[predicted] ?? -Infinity)) predicted = i;
  });
  const saliency = saliencyOf(tf, model, architecture, image, target ?? predicted, method);
  return { probabilities, predicted, layers, saliency };
}
