// What the canvas draws, derived from the edited spec and its analysis: one node per layer (plus
// the input), one edge per inbound entry, each carrying the contract's messages about it so the
// problem shows where it is. Pure, so the mapping is tested without a canvas.
import type { ArchitectureAnalysis } from '../../../src-shared/analyze-architecture.ts';
import { KERAS_CLASS_NAMES, type LayerType } from '../../../src-shared/architecture.ts';
import { INPUT, type ResolvedGraph } from '../../lib/graph-edit.ts';
import { formatInt, formatShape } from '../../lib/format.ts';

/** Node sizes the layout reserves; the node's CSS keeps to them (messages are clamped). */
export const NODE_WIDTH = 230;
export const NODE_HEIGHT = 64;
export const BROKEN_NODE_HEIGHT = 104;

export const INPUT_NODE_ID = 'input';

/** The drag-and-drop type the palette puts a layer type under. */
export const LAYER_DRAG_TYPE = 'application/x-layerlab-layer';

export interface LayerNodeData extends Record<string, unknown> {
  name: string;
  className: string;
  /** "(None, 64)" or "?" when inference did not get here. */
  shape: string;
  params: string;
  messages: string[];
  isOutput: boolean;
  index: number;
}

export interface InputNodeData extends Record<string, unknown> {
  shape: string;
  messages: string[];
}

export interface ElementNode {
  id: string;
  type: 'layer' | 'input';
  data: LayerNodeData | InputNodeData;
  height: number;
}

export interface ElementEdge {
  id: string;
  source: string;
  target: string;
  /** Layer names, for edits. */
  from: string;
  to: string;
  messages: string[];
}

/** Canvas ids: stable across renames (the editor's item ids), the input fixed. */
export function graphElements(
  graph: ResolvedGraph,
  itemIds: readonly number[],
  inputShape: readonly number[],
  analysis: ArchitectureAnalysis,
): { nodes: ElementNode[]; edges: ElementEdge[] } {
  const idOf = new Map<string, string>([[INPUT, INPUT_NODE_ID]]);
  graph.nodes.forEach((n) => idOf.set(n.name, `layer-${itemIds[n.index]}`));
  const infoAt = new Map(analysis.layers.map((l) => [l.index, l]));
  const inputMessages = analysis.issues.filter((i) => i.layer === null && i.field === 'inputShape').map((i) => i.message);
  const nodes: ElementNode[] = [
    { id: INPUT_NODE_ID, type: 'input', data: { shape: formatShape(inputShape), messages: inputMessages }, height: inputMessages.length ? BROKEN_NODE_HEIGHT : NODE_HEIGHT },
  ];
  for (const n of graph.nodes) {
    const info = infoAt.get(n.index);
    const messages = analysis.issues.filter((i) => i.layer === n.index + 1 && !(i.field === 'inbound' && i.inbound !== undefined && idOf.has(i.inbound))).map((i) => i.message);
    nodes.push({
      id: idOf.get(n.name)!,
      type: 'layer',
      data: {
        name: n.name,
        className: info?.className ?? KERAS_CLASS_NAMES[n.type as LayerType] ?? n.type,
        shape: info ? formatShape(info.outputShape) : '?',
        params: info ? `${formatInt(info.params)} params` : '',
        messages,
        isOutput: graph.output === n.name,
        index: n.index,
      },
      height: messages.length ? BROKEN_NODE_HEIGHT : NODE_HEIGHT,
    });
  }
  const edges: ElementEdge[] = [];
  for (const n of graph.nodes) {
    n.inbound.forEach((from, slot) => {
      const source = idOf.get(from);
      if (!source) return; // an unknown name: the contract's message sits on the layer instead
      const target = idOf.get(n.name)!;
      const messages = analysis.issues.filter((i) => i.layer === n.index + 1 && i.field === 'inbound' && i.inbound === from).map((i) => i.message);
      edges.push({ id: `${source}->${target}#${slot}`, source, target, from, to: n.name, messages });
    });
  }
  return { nodes, edges };
}
