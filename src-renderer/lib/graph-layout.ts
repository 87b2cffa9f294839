// Automatic layout of the model graph with elkjs' layered algorithm, top to bottom: the input at
// the top, each layer below the layers that feed it, branches side by side. The ELK instance is
// passed in, so the app runs it in a web worker (elk-worker.ts) and tests run it in-thread.
import type { ELK, ElkNode } from 'elkjs/lib/elk-api.js';

export interface LayoutBox {
  id: string;
  width: number;
  height: number;
}

export interface LayoutLink {
  id: string;
  source: string;
  target: string;
}

export interface Point {
  x: number;
  y: number;
}

/** ELK's options for a Keras-like graph picture. */
export const LAYOUT_OPTIONS: Readonly<Record<string, string>> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.spacing.nodeNode': '36',
  'elk.layered.spacing.nodeNodeBetweenLayers': '56',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.padding': '[top=12,left=12,bottom=12,right=12]',
};

/** Top-left corner of every box. Edges naming a box that is not there are left out. */
export async function layoutGraph(elk: ELK, boxes: readonly LayoutBox[], links: readonly LayoutLink[]): Promise<Map<string, Point>> {
  const ids = new Set(boxes.map((b) => b.id));
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: { ...LAYOUT_OPTIONS },
    children: boxes.map((b) => ({ id: b.id, width: b.width, height: b.height })),
    edges: links.filter((l) => ids.has(l.source) && ids.has(l.target)).map((l) => ({ id: l.id, sources: [l.source], targets: [l.target] })),
  };
  const laid = await elk.layout(graph);
  const positions = new Map<string, Point>();
  for (const child of laid.children ?? []) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return positions;
}
