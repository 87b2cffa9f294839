import { describe, expect, it } from 'vitest';
import { analyzeArchitecture } from '../../src-shared/analyze-architecture.ts';
import { PRESETS } from '../../src-shared/presets.ts';
import { OptimizerSchema } from '../../src-shared/training-config.ts';
import { EditorState } from '../../src-renderer/state/editor-state.svelte.ts';
import { INPUT, addLayer, connect, type GraphSpec } from '../../src-renderer/lib/graph-edit.ts';

const names = (e: EditorState) => e.analysis.layers.map((l) => l.name);
const types = (e: EditorState) => e.items.map((i) => i.spec.type);

describe('EditorState', () => {
  it('starts with the seed tutorial model: 407,050 params, trainable', () => {
    const e = new EditorState();
    expect(e.presetId).toBe('keras-mlp');
    expect(e.analysis.ok).toBe(true);
    expect(e.analysis.totalParams).toBe(407_050);
    expect(e.analysis.trainableParams).toBe(407_050);
    expect(e.analysis.nonTrainableParams).toBe(0);
    expect(e.analysis.layers.map((l) => [l.name, l.outputShape, l.params])).toEqual([
      ['dense_1', [512], 401_920],
      ['dense_2', [10], 5_130],
    ]);
    expect(e.canTrain).toBe(true);
    expect(e.trainBlocker).toBeNull();
    expect(e.estimate).toEqual({ params: 407_050, trainableParams: 407_050, weightBytes: 1_628_200 });
    expect(e.validArchitecture()).toEqual(PRESETS[0]!.architecture);
  });

  it('adds after the selected layer, or at the end, with defaults, and selects it', () => {
    const e = new EditorState();
    e.select(0);
    expect(e.add('dropout')).toBe(1);
    expect(types(e)).toEqual(['dense', 'dropout', 'dense']);
    expect(e.items[1]!.spec).toEqual({ type: 'dropout', rate: 0.2 });
    expect(e.selected).toBe(1);
    expect(e.analysis.ok).toBe(true);
    expect(e.analysis.totalParams).toBe(407_050);
    expect(e.modified).toBe(true);

    e.select(null);
    e.add('dense');
    expect(types(e)).toEqual(['dense', 'dropout', 'dense', 'dense']);
    // A dense 128 relu after the softmax output: the model no longer ends in 10 classes.
    expect(e.canTrain).toBe(false);
    expect(e.modelIssues[0]).toMatch(/last layer must output 10 classes/);
    expect(e.trainBlocker).toMatch(/last layer must output 10 classes/);
  });

  it('removes, duplicates and moves layers, keeping identities', () => {
    const e = new EditorState();
    const ids = e.items.map((i) => i.id);
    expect(e.duplicate(0)).toBe(1);
    expect(types(e)).toEqual(['dense', 'dense', 'dense']);
    expect(e.items[1]!.id).not.toBe(ids[0]);
    expect(e.items[1]!.spec).toEqual(e.items[0]!.spec);
    expect(names(e)).toEqual(['dense_1', 'dense_2', 'dense_3']);
    expect(e.analysis.totalParams).toBe(784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10);

    e.update(1, 'units', 256);
    e.move(1, 0);
    expect(e.items.map((i) => i.spec.units)).toEqual([256, 512, 10]);
    expect(e.analysis.layers[0]!.params).toBe(784 * 256 + 256);
    expect(e.moveBy(0, 1)).toBe(1);
    expect(e.items.map((i) => i.spec.units)).toEqual([512, 256, 10]);
    expect(e.moveBy(2, 5)).toBe(2); // clamped: already last

    e.remove(1);
    expect(e.items.map((i) => i.spec.units)).toEqual([512, 10]);
    expect(e.items.map((i) => i.id)).toEqual(ids);
    expect(e.analysis.totalParams).toBe(407_050);
  });

  it('puts the contract message on the offending field and blocks training', () => {
    const e = new EditorState();
    e.update(0, 'units', 0);
    expect(e.fieldIssues(0, 'units')).toEqual(['layer 1 (dense): units must be a positive integer (at most 65536), got 0']);
    expect(e.fieldIssues(1, 'units')).toEqual([]);
    expect(e.hasIssues(0)).toBe(true);
    expect(e.canTrain).toBe(false);
    expect(e.trainBlocker).toBe('layer 1 (dense): units must be a positive integer (at most 65536), got 0');
    expect(e.validArchitecture()).toBeNull();

    e.update(0, 'units', '12a');
    expect(e.fieldIssues(0, 'units')[0]).toMatch(/got "12a"/);
    e.update(0, 'units', undefined);
    expect(e.fieldIssues(0, 'units')[0]).toMatch(/got nothing/);
    e.update(0, 'units', 512);
    expect(e.canTrain).toBe(true);
  });

  it('reports the softmax requirement on the last layer activation field', () => {
    const e = new EditorState();
    e.update(1, 'activation', 'relu');
    expect(e.fieldIssues(1, 'activation')[0]).toMatch(/needs activation softmax/);
  });

  it('shows layer-level problems (a conv on a flat input) apart from fields', () => {
    const e = new EditorState();
    e.add('conv2d', 0);
    expect(e.layerIssues(0)[0]).toMatch(/conv2d needs an image input/);
    expect(e.fieldIssues(0, 'filters')).toEqual([]);
    // Layers after the first broken one have no inferred shape.
    expect(e.layerInfo(1)).toBeUndefined();
    e.setInputShape([28, 28, 1]);
    e.add('flatten', 1);
    expect(e.analysis.ok).toBe(true);
    expect(e.layerInfo(0)!.outputShape).toEqual([26, 26, 32]);
  });

  it('changes a layer type in place with that type’s defaults', () => {
    const e = new EditorState();
    const id = e.items[0]!.id;
    e.changeType(0, 'dropout');
    expect(e.items[0]).toEqual({ id, spec: { type: 'dropout', rate: 0.2 } });
  });

  it('loads presets and can bring back the edits a preset replaced', () => {
    const e = new EditorState();
    e.update(0, 'units', 64);
    e.loadPreset('small-cnn');
    expect(e.inputShape).toEqual([28, 28, 1]);
    expect(e.analysis.ok).toBe(true);
    expect(e.analysis.totalParams).toBe(analyzeArchitecture(PRESETS[2]!.architecture).totalParams);
    expect(e.modified).toBe(false);
    expect(e.replaced?.layers[0]).toEqual({ type: 'dense', units: 64, activation: 'relu' });
    e.restoreReplaced();
    expect(e.items[0]!.spec.units).toBe(64);
    expect(e.inputShape).toEqual([784]);
    expect(() => e.loadPreset('nope')).toThrow(/no preset/);
  });

  it('treats an empty stack as a model problem', () => {
    const e = new EditorState();
    e.remove(0);
    e.remove(0);
    expect(e.items).toEqual([]);
    expect(e.selected).toBeNull();
    expect(e.modelIssues).toEqual(['the model needs at least one layer']);
    expect(e.analysis.totalParams).toBe(0);
  });
});

describe('EditorState and the model-size limits', () => {
  const adam = OptimizerSchema.parse({ name: 'adam' });

  it('shows the 1 G parameter cap on the units field of the layer that crosses it', () => {
    const e = new EditorState();
    e.update(0, 'units', 65_536);
    e.add('dense', 1);
    e.update(1, 'units', 65_536);
    expect(e.canTrain).toBe(false);
    expect(e.fieldIssues(1, 'units')).toEqual(['layer 2 (dense): the model would have 4,347,133,962 parameters, more than the limit of 1,000,000,000; use fewer units or filters']);
  });

  it('shows a model over the lab\'s memory budget inline, and what training would need', () => {
    const e = new EditorState();
    expect(e.memory).toBeNull();
    e.memoryLimit = { plan: { batchSize: 128, optimizer: adam }, budgetBytes: 6 * 2 ** 20 };
    expect(e.memory?.totalBytes).toBe(4 * 1_628_200 + 2 * 128 * (784 + 512 + 10) * 4);
    expect(e.canTrain).toBe(false);
    const [message] = e.fieldIssues(0, 'units');
    expect(message).toMatch(/^layer 1 \(dense\): training this model needs about 7\.49 MB .*more than the limit of 6\.00 MB/);
    expect(e.trainBlocker).toBe(message);
    e.memoryLimit = { plan: { batchSize: 128, optimizer: adam }, budgetBytes: 8 * 2 ** 30 };
    expect(e.canTrain).toBe(true);
  });
});

describe('EditorState follows the chosen dataset', () => {
  it('fits the input (flat stays flat, image stays image) and a last Dense of one unit per class', () => {
    const e = new EditorState();
    e.loadPreset('keras-mlp');
    expect(e.analysis.ok).toBe(true);
    e.followDataset({ imageShape: [32, 32, 3], classCount: 4 });
    expect(e.inputShape).toEqual([3072]);
    expect(e.items.at(-1)?.spec).toMatchObject({ type: 'dense', units: 4 });
    expect(e.analysis.ok).toBe(true);
    e.setInputShape([32, 32, 3]);
    e.followDataset({ imageShape: [28, 28, 1], classCount: 10 });
    expect(e.inputShape).toEqual([28, 28, 1]);
    expect(e.items.at(-1)?.spec).toMatchObject({ units: 10 });
  });

  it('judges the model against the dataset, and loads presets fitted to it', () => {
    const e = new EditorState();
    e.followDataset({ imageShape: [16, 16, 1], classCount: 3 });
    e.loadPreset('keras-mlp');
    expect(e.inputShape).toEqual([256]);
    expect(e.analysis.ok).toBe(true);
    e.setInputShape([784]);
    expect(e.trainBlocker).toMatch(/inputShape must be \[256\] or \[16, 16, 1\] \(the dataset's 16×16×1 images\)/);
  });
});

describe('EditorState: graph edits and undo', () => {
  const spec = (e: EditorState) => e.architecture as GraphSpec;

  it('undoes and redoes list and field edits, a field typed in several keys being one step', () => {
    const e = new EditorState();
    expect(e.canUndo).toBe(false);
    e.update(0, 'units', 6);
    e.update(0, 'units', 64);
    e.add('dropout', 1);
    expect(e.canUndo).toBe(true);
    expect(e.undo()).toBe(true);
    expect(types(e)).toEqual(['dense', 'dense']);
    expect(e.items[0]!.spec.units).toBe(64);
    expect(e.undo()).toBe(true);
    expect(e.items[0]!.spec.units).toBe(512);
    expect(e.canRedo).toBe(true);
    expect(e.redo()).toBe(true);
    expect(e.items[0]!.spec.units).toBe(64);
    e.changeType(1, 'dropout');
    expect(e.canRedo).toBe(false);
    expect(e.undo()).toBe(true);
    expect(e.items[1]!.spec.type).toBe('dense');
  });

  it('applies a graph edit as one undoable step, keeping layer identities by name', () => {
    const e = new EditorState();
    const ids = e.items.map((i) => i.id);
    expect(e.functional).toBe(false);
    expect(e.applyGraphEdit(addLayer(spec(e), { type: 'dense', units: 512, activation: 'relu' }))).toBe(true);
    expect(e.functional).toBe(true);
    expect(e.graph.nodes.map((n) => [n.name, n.inbound])).toEqual([
      ['dense_1', [INPUT]],
      ['dense_3', []],
      ['dense_2', ['dense_1']],
    ]);
    expect(e.items[0]!.id).toBe(ids[0]);
    expect(e.items[2]!.id).toBe(ids[1]);
    e.applyGraphEdit(connect(spec(e), 'dense_1', 'dense_3'));
    e.applyGraphEdit(connect(spec(e), 'dense_3', 'dense_2'));
    // A chain again, but dense_3 sits where Keras would call it dense_2: the names stay, the
    // inbound lists go (each layer takes the one before it), so the spec is Sequential again.
    expect(e.functional).toBe(false);
    expect(e.items.map((i) => i.spec.name)).toEqual(['dense_1', 'dense_3', 'dense_2']);
    expect(e.graph.nodes.map((n) => [n.name, n.inbound])).toEqual([
      ['dense_1', [INPUT]],
      ['dense_3', ['dense_1']],
      ['dense_2', ['dense_3']],
    ]);
    e.undo();
    e.undo();
    e.undo();
    expect(e.validArchitecture()).toEqual(PRESETS[0]!.architecture);
  });

  it('keeps the selection on its layer when a graph edit reorders the list', () => {
    const e = new EditorState();
    e.applyGraphEdit(addLayer(spec(e), { type: 'dense', units: 32 }));
    expect(e.graph.nodes.map((n) => n.name)).toEqual(['dense_1', 'dense_3', 'dense_2']);
    e.select(e.indexOf('dense_2'));
    e.applyGraphEdit(connect(spec(e), 'dense_2', 'dense_3'));
    // dense_3 now reads dense_2, so it moves after it; dense_2 stays selected.
    expect(e.graph.nodes.map((n) => n.name)).toEqual(['dense_1', 'dense_2', 'dense_3']);
    expect(e.selected).toBe(1);
  });

  it('keeps a refused gesture out of the spec and says why', () => {
    const e = new EditorState();
    const before = JSON.parse(JSON.stringify(e.architecture)) as unknown;
    expect(e.applyGraphEdit(connect(spec(e), 'dense_2', 'dense_1'))).toBe(false);
    expect(e.editError).toBe('dense_2 → dense_1 would make a cycle: dense_1 already feeds dense_2');
    expect(e.architecture).toEqual(before);
    expect(e.canUndo).toBe(false);
    e.update(0, 'units', 64);
    expect(e.editError).toBeNull();
  });

  it('removing a layer of a graph rewires its readers instead of leaving them on the previous layer', () => {
    const e = new EditorState();
    e.applyGraphEdit(addLayer(spec(e), { type: 'dropout', rate: 0.5 }, { after: 'dense_1' }));
    // dense_1 now feeds both dropout_1 (a dead end) and dense_2.
    expect(e.functional).toBe(true);
    e.remove(e.indexOf('dense_1'));
    expect(e.graph.nodes.map((n) => [n.name, n.inbound])).toEqual([
      ['dropout_1', [INPUT]],
      ['dense_2', [INPUT]],
    ]);
  });
});
