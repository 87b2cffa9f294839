// Keras 2-style model.summary() text, the way the seed tutorial's Keras (standalone 2.x, "Using
// TensorFlow backend.") prints it: keras/utils/layer_utils.py print_summary. A Sequential spec
// gives the 65-wide table the seed shows; a functional spec gives the 98-wide table with the
// InputLayer row and the "Connected to" column, or — when its graph is a plain chain — the
// sequential-like table with the InputLayer row, as Keras decides for a functional model.
import { formatShape, type ArchitectureAnalysis, type LayerInfo } from './analyze-architecture.ts';
import { INPUT_REF, KERAS_INPUT_CLASS_NAME, KERAS_INPUT_NAME } from './architecture.ts';

const WIDTHS = [29, 26, 10] as const;
const LINE = 65;
/** Keras' functional table: line_length 98, positions [.33, .55, .67, 1.] → int(98 * p). */
const GRAPH_LINE = 98;
const GRAPH_POSITIONS = [0.33, 0.55, 0.67, 1].map((p) => Math.floor(GRAPH_LINE * p));
const CHAIN_POSITIONS = [0.45, 0.85, 1].map((p) => Math.floor(LINE * p));

const pad = (text: string, width: number): string => (text.length >= width ? `${text} ` : text.padEnd(width));
const thousands = (n: number): string => n.toLocaleString('en-US');

/** Keras' print_row: each field cut at its column's end, the column before it ending in a space. */
function kerasRow(fields: readonly string[], positions: readonly number[]): string {
  let line = '';
  fields.forEach((field, i) => {
    const end = positions[i] as number;
    if (i > 0) line = `${line.slice(0, -1)} `;
    line = (line + field).slice(0, end);
    line += ' '.repeat(end - line.length);
  });
  return line;
}

function totals(analysis: ArchitectureAnalysis, line: number): string[] {
  return [
    `Total params: ${thousands(analysis.totalParams)}`,
    `Trainable params: ${thousands(analysis.trainableParams)}`,
    `Non-trainable params: ${thousands(analysis.nonTrainableParams)}`,
    '_'.repeat(line),
  ];
}

export function formatSummary(analysis: ArchitectureAnalysis): string {
  if (analysis.functional && analysis.ok) return formatFunctionalSummary(analysis);
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
  out.push(...totals(analysis, LINE));
  return out.join('\n');
}

/** The rows Keras lists for a functional model: its InputLayer, then model.layers order. */
interface SummaryRow {
  title: string;
  shape: string;
  params: number;
  connections: string[];
}

function summaryRows(analysis: ArchitectureAnalysis, inputShape: readonly number[]): SummaryRow[] {
  const byIndex = new Map(analysis.layers.map((l) => [l.index, l]));
  const kerasName = (name: string) => (name === INPUT_REF ? KERAS_INPUT_NAME : name);
  const row = (l: LayerInfo): SummaryRow => ({
    title: `${l.name} (${l.className})`,
    shape: formatShape(l.outputShape),
    params: l.params,
    // Every layer is applied once, so each input is node 0, tensor 0 of the layer that gives it.
    connections: l.inbound.map((name) => `${kerasName(name)}[0][0]`),
  });
  return [
    { title: `${KERAS_INPUT_NAME} (${KERAS_INPUT_CLASS_NAME})`, shape: formatShape(inputShape), params: 0, connections: [] },
    ...analysis.order.map((i) => row(byIndex.get(i) as LayerInfo)),
  ];
}

/** Keras treats a functional model as sequential-like when no layer joins two inputs and no layer feeds two. */
function isChain(analysis: ArchitectureAnalysis): boolean {
  const fed = new Set<string>();
  for (const l of analysis.layers) {
    if (l.inbound.length > 1) return false;
    for (const name of l.inbound) {
      if (fed.has(name)) return false;
      fed.add(name);
    }
  }
  return true;
}

function formatFunctionalSummary(analysis: ArchitectureAnalysis): string {
  const rows = summaryRows(analysis, analysis.inputShape ?? []);
  const chain = isChain(analysis);
  const line = chain ? LINE : GRAPH_LINE;
  const positions = chain ? CHAIN_POSITIONS : GRAPH_POSITIONS;
  const header = chain ? ['Layer (type)', 'Output Shape', 'Param #'] : ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const out = ['_'.repeat(line), kerasRow(header, positions), '='.repeat(line)];
  rows.forEach((r, i) => {
    if (chain) {
      out.push(kerasRow([r.title, r.shape, String(r.params)], positions));
    } else {
      out.push(kerasRow([r.title, r.shape, String(r.params), r.connections[0] ?? ''], positions));
      for (const more of r.connections.slice(1)) out.push(kerasRow(['', '', '', more], positions));
    }
    out.push((i === rows.length - 1 ? '=' : '_').repeat(line));
  });
  out.push(...totals(analysis, line));
  return out.join('\n');
}
