import { describe, expect, it } from 'vitest';
import {
  INPUT,
  addLayer,
  canonical,
  connect,
  copyBlock,
  disconnect,
  graphEdges,
  pasteBlock,
  removeLayers,
  renameLayer,
  resolveGraph,
  setOutput,
  topologicalOrder,
  type EditResult,
  type GraphSpec,
} from '../../src-renderer/lib/graph-edit.ts';

const seed: GraphSpec = {
  inputShape: [784],
  layers: [
    { type: 'dense', units: 512, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

function ok(result: EditResult): GraphSpec {
  if (!result.ok) throw new Error(result.error);
  return result.spec;
}
const edges = (spec: GraphSpec) => graphEdges(spec).map((e) => `${e.from}>${e.to}`);

/** The residual MLP of the issue, built edge by edge as the canvas does. */
function residualMlp(): GraphSpec {
  let spec: GraphSpec = { inputShape: [784], layers: [] };
  spec = ok(addLayer(spec, { type: 'dense', units: 64, activation: 'relu' })); // dense_1
  spec = ok(addLayer(spec, { type: 'dense', units: 64, activation: 'relu' })); // dense_2
  spec = ok(addLayer(spec, { type: 'add' })); // add_1
  spec = ok(addLayer(spec, { type: 'dense', units: 10, activation: 'softmax' })); // dense_3
  spec = ok(connect(spec, INPUT, 'dense_1'));
  spec = ok(connect(spec, 'dense_1', 'dense_2'));
  spec = ok(connect(spec, 'dense_1', 'add_1'));
  spec = ok(connect(spec, 'dense_2', 'add_1'));
  spec = ok(connect(spec, 'add_1', 'dense_3'));
  return spec;
}

describe('graph edits', () => {
  it('reads a Sequential spec as a chain with Keras default names', () => {
    const g = resolveGraph(seed);
    expect(g.nodes.map((n) => [n.name, n.inbound])).toEqual([
      ['dense_1', [INPUT]],
      ['dense_2', ['dense_1']],
    ]);
    expect(g.output).toBe('dense_2');
  });

  it('keeps a chain Sequential: inserting after a layer rewires the chain and writes no names', () => {
    const spec = ok(addLayer(seed, { type: 'dropout', rate: 0.2 }, { after: 'dense_1', insert: true }));
    expect(spec).toEqual({
      inputShape: [784],
      layers: [{ type: 'dense', units: 512, activation: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 10, activation: 'softmax' }],
    });
  });

  it('builds the residual MLP from unconnected nodes and edges, in the functional form', () => {
    const spec = residualMlp();
    expect(spec).toEqual({
      inputShape: [784],
      layers: [
        { type: 'dense', units: 64, activation: 'relu', name: 'dense_1' },
        { type: 'dense', units: 64, activation: 'relu', name: 'dense_2' },
        { type: 'add', name: 'add_1', inbound: ['dense_1', 'dense_2'] },
        { type: 'dense', units: 10, activation: 'softmax', name: 'dense_3' },
      ],
    });
    expect(topologicalOrder(spec)).toEqual([0, 1, 2, 3]);
  });

  it('a new unconnected layer does not steal the output from the last layer', () => {
    const spec = ok(addLayer(seed, { type: 'dense', units: 8 }));
    // It is placed before the layer that stays the natural output, and nothing is pinned.
    expect(spec.output).toBeUndefined();
    expect(resolveGraph(spec).output).toBe('dense_2');
    expect(spec.layers[1]).toEqual({ type: 'dense', units: 8, name: 'dense_3', inbound: [] });
  });

  it('unconnected layers added one after another stay in the order added (the newest is the output until wired)', () => {
    let spec: GraphSpec = { inputShape: [784], layers: [] };
    for (const type of ['dense', 'add', 'dense']) spec = ok(addLayer(spec, { type }));
    expect(resolveGraph(spec).nodes.map((n) => n.name)).toEqual(['dense_1', 'add_1', 'dense_2']);
    expect(resolveGraph(spec).output).toBe('dense_2');
  });

  it('connecting replaces a single input, appends to a merge, and refuses cycles, self-loops and repeats', () => {
    let spec = residualMlp();
    spec = ok(connect(spec, INPUT, 'dense_2'));
    expect(resolveGraph(spec).nodes[1]!.inbound).toEqual([INPUT]);
    const cycle = connect(spec, 'dense_3', 'dense_1');
    expect(cycle).toEqual({ ok: false, error: 'dense_3 → dense_1 would make a cycle: dense_1 already feeds dense_3' });
    expect(connect(spec, 'add_1', 'add_1')).toEqual({ ok: false, error: 'add_1 cannot feed itself' });
    expect(connect(spec, 'dense_1', 'add_1')).toEqual({ ok: false, error: 'dense_1 already feeds add_1' });
    expect(connect(spec, 'dense_1', INPUT)).toEqual({ ok: false, error: 'nothing can feed the input' });
    expect(connect(spec, 'nope', 'add_1')).toEqual({ ok: false, error: 'no layer named "nope"' });
  });

  it('a graph that becomes a chain again goes back to the Sequential form', () => {
    let spec = residualMlp();
    spec = ok(disconnect(spec, 'dense_1', 'add_1'));
    expect(edges(spec)).toEqual(['input>dense_1', 'dense_1>dense_2', 'dense_2>add_1', 'add_1>dense_3']);
    expect(spec.layers.every((l) => !('name' in l) && !('inbound' in l))).toBe(true);
    expect(spec.output).toBeUndefined();
  });

  it('deletes layers, bridging a single-input layer and dropping edges into a deleted merge', () => {
    const spec = residualMlp();
    const withoutD2 = ok(removeLayers(spec, ['dense_2']));
    // dense_2 had one input (dense_1): add_1 now reads dense_1 once (the duplicate collapses).
    expect(edges(withoutD2)).toEqual(['input>dense_1', 'dense_1>add_1', 'add_1>dense_3']);
    const withoutAdd = ok(removeLayers(spec, ['add_1']));
    expect(edges(withoutAdd)).toEqual(['input>dense_1', 'dense_1>dense_2']);
    expect(resolveGraph(withoutAdd).nodes.find((n) => n.name === 'dense_3')!.inbound).toEqual([]);
    expect(removeLayers(spec, [INPUT])).toEqual({ ok: false, error: 'nothing to delete' });
  });

  it('renames a layer with its references, and rejects taken or malformed names', () => {
    // A renamed chain keeps its names but no inbound: still a Sequential spec.
    expect(ok(renameLayer(seed, 'dense_1', 'hidden'))).toEqual({
      inputShape: [784],
      layers: [{ type: 'dense', units: 512, activation: 'relu', name: 'hidden' }, { type: 'dense', units: 10, activation: 'softmax', name: 'dense_2' }],
    });
    const spec = ok(renameLayer(residualMlp(), 'add_1', 'sum'));
    expect(edges(spec)).toContain('dense_1>sum');
    expect(edges(spec)).toContain('sum>dense_3');
    expect(renameLayer(spec, 'sum', 'dense_1')).toEqual({ ok: false, error: 'another layer is already named "dense_1"' });
    expect(renameLayer(spec, 'sum', INPUT).ok).toBe(false);
    expect(renameLayer(spec, 'sum', '1 bad').ok).toBe(false);
  });

  it('sets the output, written out only when it is not the last layer', () => {
    const spec = ok(setOutput(residualMlp(), 'add_1'));
    expect(spec.output).toBe('add_1');
    expect(ok(setOutput(spec, 'dense_3')).output).toBeUndefined();
  });

  it('pastes a copied block under fresh names, keeping inner edges and existing sources', () => {
    const spec = residualMlp();
    const clip = copyBlock(spec, ['dense_2', 'add_1'])!;
    const result = pasteBlock(spec, clip);
    if (!result.ok) throw new Error(result.error);
    expect(result.names).toEqual(['dense_4', 'add_2']);
    const pasted = resolveGraph(result.spec).nodes.filter((n) => result.names.includes(n.name));
    expect(pasted.map((n) => [n.name, n.inbound])).toEqual([
      ['dense_4', ['dense_1']],
      ['add_2', ['dense_1', 'dense_4']],
    ]);
    // The original is untouched and the output stays dense_3.
    expect(resolveGraph(result.spec).output).toBe('dense_3');
    expect(copyBlock(spec, [])).toBeNull();
    // A source that no longer exists leaves the pasted layer's input open.
    const gone = ok(removeLayers(spec, ['dense_1', 'dense_2']));
    const again = pasteBlock(gone, clip);
    if (!again.ok) throw new Error(again.error);
    expect(again.names).toEqual(['dense_1', 'add_2']);
    expect(resolveGraph(again.spec).nodes.find((n) => n.name === 'dense_1')!.inbound).toEqual([]);
    expect(resolveGraph(again.spec).nodes.find((n) => n.name === 'add_2')!.inbound).toEqual(['dense_1']);
  });

  it('pastes a block after a chosen layer, so repeated pastes stack residual blocks', () => {
    let spec = residualMlp();
    const clip = copyBlock(spec, ['dense_2', 'add_1'])!;
    const first = pasteBlock(spec, clip, 'add_1');
    if (!first.ok) throw new Error(first.error);
    spec = first.spec;
    expect(resolveGraph(spec).nodes.filter((n) => first.names.includes(n.name)).map((n) => [n.name, n.inbound])).toEqual([
      ['dense_4', ['add_1']],
      ['add_2', ['add_1', 'dense_4']],
    ]);
    const second = pasteBlock(spec, clip, 'add_2');
    if (!second.ok) throw new Error(second.error);
    expect(resolveGraph(second.spec).nodes.find((n) => n.name === 'add_3')!.inbound).toEqual(['add_2', 'dense_5']);
    expect(pasteBlock(spec, clip, 'nope')).toEqual({ ok: false, error: 'no layer named "nope"' });
  });

  it('orders layers topologically and reports a cycle as null', () => {
    const shuffled: GraphSpec = {
      inputShape: [784],
      layers: [
        { type: 'dense', units: 10, activation: 'softmax', name: 'out', inbound: ['h'] },
        { type: 'dense', units: 8, name: 'h', inbound: [INPUT] },
      ],
    };
    expect(topologicalOrder(shuffled)).toEqual([1, 0]);
    expect(canonical(shuffled).layers.map((l) => l.name)).toEqual(['h', 'out']);
    const cyclic: GraphSpec = { inputShape: [784], layers: [{ type: 'dense', units: 8, name: 'a', inbound: ['b'] }, { type: 'dense', units: 8, name: 'b', inbound: ['a'] }] };
    expect(topologicalOrder(cyclic)).toBeNull();
    expect(canonical(cyclic).layers.map((l) => l.name)).toEqual(['a', 'b']);
  });
});
