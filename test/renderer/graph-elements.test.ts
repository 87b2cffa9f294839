import { describe, expect, it } from 'vitest';
import { analyzeArchitecture } from '../../src-shared/analyze-architecture.ts';
import { graphElements, BROKEN_NODE_HEIGHT, NODE_HEIGHT, type LayerNodeData } from '../../src-renderer/components/graph/graph-elements.ts';
import { resolveGraph, type GraphSpec } from '../../src-renderer/lib/graph-edit.ts';

function elements(spec: GraphSpec) {
  return graphElements(resolveGraph(spec), spec.layers.map((_, i) => 10 + i), spec.inputShape, analyzeArchitecture(spec));
}

const residual = (units2: number): GraphSpec => ({
  inputShape: [784],
  layers: [
    { type: 'dense', units: 64, activation: 'relu', name: 'd1', inbound: ['input'] },
    { type: 'dense', units: units2, activation: 'relu', name: 'd2', inbound: ['d1'] },
    { type: 'add', name: 'sum', inbound: ['d1', 'd2'] },
    { type: 'dense', units: 10, activation: 'softmax', name: 'out', inbound: ['sum'] },
  ],
});

describe('graphElements', () => {
  it('draws a node per layer with its shape and params, and an edge per input, ids stable by item', () => {
    const { nodes, edges } = elements(residual(64));
    expect(nodes.map((n) => n.id)).toEqual(['input', 'layer-10', 'layer-11', 'layer-12', 'layer-13']);
    const sum = nodes[3]!.data as LayerNodeData;
    expect(sum).toMatchObject({ name: 'sum', className: 'Add', shape: '(None, 64)', params: '0 params', messages: [], isOutput: false });
    expect((nodes[4]!.data as LayerNodeData).isOutput).toBe(true);
    expect(nodes.every((n) => n.height === NODE_HEIGHT)).toBe(true);
    expect(edges.map((e) => `${e.source}>${e.target}`)).toEqual(['input>layer-10', 'layer-10>layer-11', 'layer-10>layer-12', 'layer-11>layer-12', 'layer-12>layer-13']);
  });

  it('puts a merge-shape problem on the offending edge, not on the node', () => {
    const { nodes, edges } = elements(residual(32));
    const bad = edges.filter((e) => e.messages.length > 0);
    expect(bad.map((e) => `${e.from}>${e.to}`)).toEqual(['d2>sum']);
    expect(bad[0]!.messages[0]).toMatch(/add needs inputs of equal shape, but d1 gives \(None, 64\) and d2 gives \(None, 32\)/);
    const sum = nodes.find((n) => n.type === 'layer' && (n.data as LayerNodeData).name === 'sum')!;
    expect((sum.data as LayerNodeData).messages).toEqual([]);
    expect((sum.data as LayerNodeData).shape).toBe('?');
  });

  it('marks an unconnected layer on its node, taller so the message fits', () => {
    const spec: GraphSpec = { ...residual(64), layers: [...residual(64).layers, { type: 'dense', units: 8, name: 'loose', inbound: [] }] };
    const loose = elements(spec).nodes.find((n) => n.type === 'layer' && (n.data as LayerNodeData).name === 'loose')!;
    expect((loose.data as LayerNodeData).messages[0]).toMatch(/exactly one input, got 0/);
    expect(loose.height).toBe(BROKEN_NODE_HEIGHT);
  });
});
