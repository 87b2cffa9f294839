// The model's layers in the spec's order, so everything that names a layer by its position in the
// spec (inside views, weight histograms, tiles) means the same layer for a Sequential model (whose
// model.layers is that order) and for a graph (whose model.layers starts with its InputLayer and
// follows Keras' depth order).
import { analyzeArchitecture, type Architecture } from '../../../../src-shared/index.ts';
import type { LayersModel, Tensor } from '../tf-types.ts';
import { graphPlan, isGraphModel, runGraph, runToOutputInput } from './graph-forward.ts';

type Layer = LayersModel['layers'][number];

/** Layer i of the result is spec layer i. */
export function layersBySpec(model: LayersModel, architecture: Architecture): Layer[] {
  if (!isGraphModel(model)) return model.layers;
  const analysis = analyzeArchitecture(architecture);
  return architecture.layers.map((_, i) => {
    const name = analysis.layers.find((l) => l.index === i)?.name;
    if (name === undefined) throw new Error(`layer ${i + 1} of the architecture has no analysis`);
    return model.getLayer(name);
  });
}

/**
 * Runs the whole model on x in inference mode (dropout off, batch norm's moving statistics),
 * calling `each` with every layer's spec index and output; returns the model's output.
 */
export function forwardBySpec(model: LayersModel, architecture: Architecture, x: Tensor, each?: (specIndex: number, out: Tensor) => void): Tensor {
  if (!isGraphModel(model)) {
    let h = x;
    model.layers.forEach((layer, i) => {
      h = layer.apply(h, { training: false }) as Tensor;
      each?.(i, h);
    });
    return h;
  }
  const specIndex = new Map(layersBySpec(model, architecture).map((layer, i) => [layer.name, i]));
  return runGraph(graphPlan(model), x, false, { each: (_k, step, out) => each?.(specIndex.get(step.layer.name) ?? -1, out) }).out;
}

/** What the output layer takes: the hidden representation before the model's head, in inference mode. */
export function forwardToHead(model: LayersModel, x: Tensor): Tensor {
  if (isGraphModel(model)) return runToOutputInput(graphPlan(model), x, false);
  let h = x;
  for (const layer of model.layers.slice(0, -1)) h = layer.apply(h, { training: false }) as Tensor;
  return h;
}

/** Spec index of the layer the output layer takes (a graph), or of the layer before the last (a chain); -1 for the input. */
export function headInputIndex(architecture: Architecture): number {
  const analysis = analyzeArchitecture(architecture);
  const output = analysis.layers.find((l) => l.index === analysis.outputIndex);
  if (!analysis.functional || output === undefined) return architecture.layers.length - 2;
  const name = output.inbound[0];
  return analysis.layers.find((l) => l.name === name)?.index ?? -1;
}
