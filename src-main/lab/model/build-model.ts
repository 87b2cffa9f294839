// Architecture spec -> tfjs model with Keras defaults (glorot_uniform kernels, zero biases) and
// seeded initializers, so the same seed gives the same starting weights on every backend.
// A Sequential spec becomes a tf.Sequential, as before (its fast training paths, summaries and
// exports depend on that); a functional spec becomes a tf.model over its graph (graph/).
import { assertValidArchitecture, type Architecture } from '../../../src-shared/index.ts';
import type { LayersModel, Tf } from './tf-types.ts';
import { SeededRandom } from '../util/seeded-random.ts';
import { buildGraphModel } from './graph/build-graph-model.ts';
import { toLayer } from './graph/layer-factory.ts';

/** Builds the model after validating the spec (an invalid one throws ArchitectureError). */
export function buildModel(tf: Tf, architecture: Architecture, seed: number): LayersModel {
  const { analysis } = assertValidArchitecture(architecture);
  const rng = new SeededRandom(seed);
  if (analysis.functional) return buildGraphModel(tf, architecture, analysis, rng);
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
