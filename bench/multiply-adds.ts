// Forward multiply-adds per sample of an architecture (Dense and Conv2D products; pooling, normalization and
// activations are not counted): the unit the bench divides epoch time by to compare networks of different sizes.
import { analyzeArchitecture } from '../src-shared/analyze-architecture.ts';
import type { Architecture } from '../src-shared/index.ts';

export function forwardMultiplyAdds(architecture: Architecture): number {
  const analysis = analyzeArchitecture(architecture);
  if (!analysis.ok) throw new Error(`not a valid architecture: ${analysis.issues.map((i) => i.message).join('; ')}`);
  let total = 0;
  for (const info of analysis.layers) {
    const layer = architecture.layers[info.index];
    if (layer?.type === 'dense') total += info.params - (layer.useBias === false ? 0 : layer.units);
    if (layer?.type === 'conv2d') {
      const [oh = 0, ow = 0] = info.outputShape;
      total += (info.params - (layer.useBias === false ? 0 : layer.filters)) * oh * ow;
    }
  }
  return total;
}
