// A functional spec -> tf.model: tf.input, then each layer applied to its inbound tensors in
// topological order. Layers are made in spec order (so their seeds and Keras' automatic names
// follow the list, as Python code written in that order would) and applied in the analysis' order.
import type { Architecture, ArchitectureAnalysis } from '../../../../src-shared/index.ts';
import { INPUT_REF, KERAS_INPUT_NAME } from '../../../../src-shared/index.ts';
import type { SeededRandom } from '../../util/seeded-random.ts';
import type { LayersModel, Tf } from '../tf-types.ts';
import { toLayer } from './layer-factory.ts';

type SymbolicTensor = ReturnType<Tf['input']>;

/** The name Keras gives a one-output functional model (model_1 in the seed's Keras). */
export const GRAPH_MODEL_NAME = 'model_1';

export function buildGraphModel(tf: Tf, architecture: Architecture, analysis: ArchitectureAnalysis, rng: SeededRandom): LayersModel {
  const infos = new Map(analysis.layers.map((l) => [l.index, l]));
  const made = architecture.layers.map((spec, i) => {
    const info = infos.get(i);
    if (!info) throw new Error(`layer ${i + 1} has no analysis; the spec must be valid before it is built`);
    return toLayer(tf, spec, info.name, rng, undefined);
  });
  const input = tf.input({ shape: [...architecture.inputShape], name: KERAS_INPUT_NAME });
  const tensors = new Map<string, SymbolicTensor>([[INPUT_REF, input]]);
  for (const index of analysis.order) {
    const info = infos.get(index)!;
    const inbound = info.inbound.map((name) => {
      const t = tensors.get(name);
      if (!t) throw new Error(`layer ${info.name} takes ${name}, which is not built yet`);
      return t;
    });
    const layer = made[index]!;
    const out = layer.apply(inbound.length === 1 ? inbound[0]! : inbound) as SymbolicTensor;
    tensors.set(info.name, out);
  }
  const outputName = analysis.layers.find((l) => l.index === analysis.outputIndex)?.name;
  const output = outputName === undefined ? undefined : tensors.get(outputName);
  if (!output) throw new Error('the output layer was not built');
  return tf.model({ inputs: input, outputs: output, name: GRAPH_MODEL_NAME });
}
