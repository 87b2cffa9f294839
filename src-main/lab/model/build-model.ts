// Architecture spec -> tf.Sequential with Keras defaults (glorot_uniform kernels, zero biases)
// and seeded initializers, so the same seed gives the same starting weights on every backend.
import { assertValidArchitecture, pair, type Architecture, type LayerSpec } from '../../../src-shared/index.ts';
import type { LayersModel, Tf } from './tf-types.ts';
import { SeededRandom } from '../util/seeded-random.ts';

function toLayer(tf: Tf, spec: LayerSpec, name: string, rng: SeededRandom, inputShape: number[] | undefined) {
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

/** Builds the model after validating the spec (an invalid one throws ArchitectureError). */
export function buildModel(tf: Tf, architecture: Architecture, seed: number): LayersModel {
  const { analysis } = assertValidArchitecture(architecture);
  const rng = new SeededRandom(seed);
  const names = analysis.layers.map((l) => l.name);
  const model = tf.sequential({ name: 'sequential_1' });
  architecture.layers.forEach((spec, i) => {
    model.add(toLayer(tf, spec, names[i] ?? `layer_${i + 1}`, rng, i === 0 ? [...architecture.inputShape] : undefined));
  });
  return model;
}

/** The model's dropout layers, found once so the per-batch reseed is a plain loop. */
export function dropoutLayers(model: LayersModel): { seed: number }[] {
  return model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as { seed: number }[];
}

/** Draws fresh dropout seeds for the next training step, from the run's generator. */
export function reseedDropout(layers: readonly { seed: number }[], rng: SeededRandom): void {
  for (const layer of layers) layer.seed = rng.nextSeed();
}
