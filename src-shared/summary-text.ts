// Keras 2-style model.summary() text, the way the seed tutorial prints it.
import { formatShape, type ArchitectureAnalysis } from './analyze-architecture.ts';

const WIDTHS = [29, 26, 10] as const;
const LINE = 65;

const pad = (text: string, width: number): string => (text.length >= width ? `${text} ` : text.padEnd(width));
const thousands = (n: number): string => n.toLocaleString('en-US');

export function formatSummary(analysis: ArchitectureAnalysis): string {
  const out: string[] = [];
  out.push('_'.repeat(LINE));
  out.push(pad('Layer (type)', WIDTHS[0]) + pad('Output Shape', WIDTHS[1]) + pad('Param #', WIDTHS[2]));
  out.push('='.repeat(LINE));
  analysis.layers.forEach((layer, i) => {
    out.push(
      pad(`${layer.name} (${layer.className})`, WIDTHS[0]) +
        pad(formatShape(layer.outputShape), WIDTHS[1]) +
        pad(String(layer.params), WIDTHS[2]),
    );
    out.push((i === analysis.layers.length - 1 ? '=' : '_').repeat(LINE));
  });
  out.push(`Total params: ${thousands(analysis.totalParams)}`);
  out.push(`Trainable params: ${thousands(analysis.trainableParams)}`);
  out.push(`Non-trainable params: ${thousands(analysis.nonTrainableParams)}`);
  out.push('_'.repeat(LINE));
  return out.join('\n');
}
