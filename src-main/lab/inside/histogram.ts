// Binned weight distributions: what the trainer stores per epoch and the Weights view shows for
// any layer. Binned, not raw, so a stored epoch is a few hundred numbers whatever the model's size.
import { HISTOGRAM_BINS, type Architecture, type ParamHistogram } from '../../../src-shared/index.ts';
import { layersBySpec } from '../model/graph/spec-layers.ts';
import type { LayersModel } from '../model/tf-types.ts';

export type Histogram = Pick<ParamHistogram, 'count' | 'min' | 'max' | 'mean' | 'std' | 'bins'>;

/** Equal-width bins over [min, max] (the top edge falls in the last bin); NaNs are not counted. */
export function histogramOf(values: ArrayLike<number>, binCount = HISTOGRAM_BINS): Histogram {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  const bins = new Array<number>(binCount).fill(0);
  if (count === 0) return { count: 0, min: 0, max: 0, mean: 0, std: 0, bins };
  const mean = sum / count;
  let squares = 0;
  const width = (max - min) / binCount;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    squares += (v - mean) * (v - mean);
    // All-equal values (a fresh zero bias) land in the first bin.
    const bin = width > 0 ? Math.min(binCount - 1, Math.floor((v - min) / width)) : 0;
    bins[bin] = (bins[bin] as number) + 1;
  }
  return { count, min, max, mean, std: Math.sqrt(squares / count), bins };
}

/** The parameter's own name in a tfjs weight name ("dense_Dense1/kernel" -> "kernel"). */
export function paramName(weightName: string): string {
  return weightName.slice(weightName.lastIndexOf('/') + 1);
}

/**
 * Histograms of every parameter of the chosen layers (all with weights when `only` is absent).
 * Layer i is layer i of the architecture (layersBySpec: a graph's model.layers has another order), named as the summary names it.
 */
export function paramHistogramsOf(model: LayersModel, architecture: Architecture, only?: number): ParamHistogram[] {
  const out: ParamHistogram[] = [];
  layersBySpec(model, architecture).forEach((layer, index) => {
    if (only !== undefined && index !== only) return;
    const values = layer.getWeights();
    layer.weights.forEach((weight, w) => {
      const tensor = values[w];
      if (!tensor) return;
      out.push({
        layer: index,
        layerName: layer.name,
        param: paramName(weight.originalName),
        shape: [...tensor.shape],
        ...histogramOf(tensor.dataSync()),
      });
    });
  });
  return out;
}
