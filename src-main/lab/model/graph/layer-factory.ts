// One spec layer -> one tfjs layer with Keras' defaults and a seeded kernel initializer; shared by
// the Sequential and the graph builder so both make the same layers from the same spec.
import { pair, type LayerSpec } from '../../../../src-shared/index.ts';
import type { SeededRandom } from '../../util/seeded-random.ts';
import type { layers } from '@tensorflow/tfjs';
import type { Tf } from '../tf-types.ts';

/** A tfjs layer, whichever kind. */
export type TfLayer = layers.Layer;

export function toLayer(tf: Tf, spec: LayerSpec, name: string, rng: SeededRandom, inputShape: number[] | undefined): TfLayer {
  const base = { name, ...(inputShape ? { inputShape } : {}) };
  const kernelInitializer = tf.initializers.glorotUniform({ seed: rng.nextSeed() });
  switch (spec.type) {
    case 'dense':
      return tf.layers.dense({ ...base, units: spec.units, activation: spec.activation ?? 'linear', useBias: spec.useBias ?? true, kernelInitializer });
    case 'dropout':
      // The seed is re-drawn before every training step (see reseedDropout): a fixed seed
      // would give the same mask at every step.
      return tf.layers.dropout({ ...base, rate: spec.rate, seed: rng.nextSeed() });
    case 'activation':
      return tf.layers.activation({ ...base, activation: spec.activation });
    case 'flatten':
      return tf.layers.flatten(base);
    case 'conv2d':
      return tf.layers.conv2d({
        ...base,
        filters: spec.filters,
        kernelSize: pair(spec.kernelSize),
        strides: pair(spec.strides ?? 1),
        padding: spec.padding ?? 'valid',
        activation: spec.activation ?? 'linear',
        useBias: spec.useBias ?? true,
        kernelInitializer,
      });
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({
        ...base,
        poolSize: pair(spec.poolSize ?? 2),
        strides: pair(spec.strides ?? spec.poolSize ?? 2),
        padding: spec.padding ?? 'valid',
      });
    case 'batchNormalization':
      return tf.layers.batchNormalization({ ...base, momentum: spec.momentum ?? 0.99, epsilon: spec.epsilon ?? 1e-3 });
    case 'add':
      return tf.layers.add(base);
    case 'concatenate':
      return tf.layers.concatenate({ ...base, axis: -1 });
    case 'globalAveragePooling2d':
      return tf.layers.globalAveragePooling2d(base);
    case 'averagePooling2d':
      return tf.layers.averagePooling2d({
        ...base,
        poolSize: pair(spec.poolSize ?? 2),
        strides: pair(spec.strides ?? spec.poolSize ?? 2),
        padding: spec.padding ?? 'valid',
      });
    case 'reshape':
      return tf.layers.reshape({ ...base, targetShape: spec.targetShape });
  }
}

