// The contract's graph half: functional specs (name, inbound, output) are resolved, checked for
// cycles, dangling layers, merges of incompatible shapes and the one output, and shaped in order.
import { describe, expect, it } from 'vitest';
import { analyzeArchitecture, layerInfoAt, type ArchitectureAnalysis } from '../../src-shared/index.ts';

const messages = (a: ArchitectureAnalysis) => a.issues.map((i) => i.message);

/** The issue's own example: two dense layers summed, then the softmax head. */
const residualMlp = {
  inputShape: [784],
  layers: [
    { name: 'd1', type: 'dense', units: 64, activation: 'relu' },
    { name: 'd2', type: 'dense', units: 64, activation: 'relu' },
    { name: 'sum', type: 'add', inbound: ['d1', 'd2'] },
    { name: 'out', type: 'dense', units: 10, activation: 'softmax', inbound: ['sum'] },
  ],
};

describe('analyzeArchitecture on graphs', () => {
  it('resolves the issue example: shapes, parameters, inputs and Keras order', () => {
    const a = analyzeArchitecture(residualMlp);
    expect(a.issues).toEqual([]);
    expect(a.functional).toBe(true);
    expect(a.layers.map((l) => [l.name, l.className, l.outputShape, l.params, l.inbound])).toEqual([
      ['d1', 'Dense', [64], 784 * 64 + 64, ['input']],
      ['d2', 'Dense', [64], 64 * 64 + 64, ['d1']],
      ['sum', 'Add', [64], 0, ['d1', 'd2']],
      ['out', 'Dense', [10], 650, ['sum']],
    ]);
    expect(a.totalParams).toBe(50240 + 4160 + 650);
    expect(a.outputShape).toEqual([10]);
    expect(a.outputIndex).toBe(3);
    expect(a.order).toEqual([0, 1, 2, 3]);
  });

  it('keeps a Sequential spec as it was: automatic names, a chain, not functional', () => {
    const a = analyzeArchitecture({ inputShape: [784], layers: [{ type: 'dense', units: 512, activation: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 10, activation: 'softmax' }] });
    expect(a.ok).toBe(true);
    expect(a.functional).toBe(false);
    expect(a.layers.map((l) => [l.name, l.inbound])).toEqual([
      ['dense_1', ['input']],
      ['dropout_1', ['dense_1']],
      ['dense_2', ['dropout_1']],
    ]);
    expect(a.order).toEqual([0, 1, 2]);
  });

  it('numbers only the layers Keras names itself; inbound may use an automatic name', () => {
    const a = analyzeArchitecture({
      inputShape: [784],
      layers: [
        { type: 'dense', units: 32, activation: 'relu' },
        { name: 'side', type: 'dense', units: 32, activation: 'relu', inbound: ['input'] },
        { type: 'concatenate', inbound: ['dense_1', 'side'] },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    });
    expect(a.issues).toEqual([]);
    expect(a.layers.map((l) => l.name)).toEqual(['dense_1', 'side', 'concatenate_1', 'dense_2']);
    expect(layerInfoAt(a, 2)?.outputShape).toEqual([64]);
  });

  it('lists layers in Keras model.layers order: deepest first, ties by the walk from the output', () => {
    // input → a → b → sum ; input → c → sum: c is shallower than a, so it comes after b.
    const a = analyzeArchitecture({
      inputShape: [784],
      output: 'out',
      layers: [
        { name: 'c', type: 'dense', units: 8, inbound: ['input'] },
        { name: 'a', type: 'dense', units: 8, inbound: ['input'] },
        { name: 'b', type: 'dense', units: 8, inbound: ['a'] },
        { name: 'sum', type: 'add', inbound: ['b', 'c'] },
        { name: 'out', type: 'dense', units: 10, activation: 'softmax', inbound: ['sum'] },
      ],
    });
    expect(a.issues).toEqual([]);
    expect(a.order.map((i) => a.layers[i]?.name)).toEqual(['a', 'b', 'c', 'sum', 'out']);
  });

  it('names the two shapes an add cannot sum, on the edge that differs', () => {
    const a = analyzeArchitecture({
      inputShape: [784],
      layers: [
        { name: 'd1', type: 'dense', units: 64 },
        { name: 'd2', type: 'dense', units: 32 },
        { name: 'sum', type: 'add', inbound: ['d1', 'd2'] },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    });
    expect(a.issues).toEqual([{ layer: 3, field: 'inbound', inbound: 'd2', message: 'layer 3 (add "sum"): add needs inputs of equal shape, but d1 gives (None, 64) and d2 gives (None, 32)' }]);
    expect(a.layers.map((l) => l.name)).toEqual(['d1', 'd2']);
  });

  it('concatenate joins on the last axis and says which other axis differs', () => {
    const spec = (second: object) => ({
      inputShape: [28, 28, 1],
      layers: [
        { name: 'c3', type: 'conv2d', filters: 8, kernelSize: 3, inbound: ['input'] },
        { name: 'c5', type: 'conv2d', filters: 4, kernelSize: 5, inbound: ['input'], ...second },
        { name: 'cat', type: 'concatenate', inbound: ['c3', 'c5'] },
        { type: 'globalAveragePooling2d' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    });
    const ok = analyzeArchitecture(spec({ padding: 'valid', kernelSize: 3 }));
    expect(ok.issues).toEqual([]);
    expect(ok.layers.map((l) => l.outputShape)).toEqual([[26, 26, 8], [26, 26, 4], [26, 26, 12], [12], [10]]);
    expect(messages(analyzeArchitecture(spec({})))).toEqual([
      'layer 3 (concatenate "cat"): concatenate joins on the last axis, so the other axes must match, but c3 gives (None, 26, 26, 8) and c5 gives (None, 24, 24, 4)',
    ]);
  });

  it('finds a cycle, names its layers, and says the output cannot be reached', () => {
    const a = analyzeArchitecture({
      inputShape: [784],
      layers: [
        { name: 'a', type: 'dense', units: 8, inbound: ['c'] },
        { name: 'b', type: 'dense', units: 8 },
        { name: 'c', type: 'dense', units: 8 },
        { name: 'out', type: 'dense', units: 10, activation: 'softmax' },
      ],
    });
    expect(messages(a)).toEqual([
      'layer 1 (dense "a"): layers a → b → c → a form a cycle; a layer cannot take its own output',
      'the output layer out cannot be reached from the input: a cycle lies on the way to it',
    ]);
    expect(a.issues[0]).toMatchObject({ layer: 1, field: 'inbound', inbound: 'c' });
    expect(a.layers).toEqual([]);
    expect(a.order).toEqual([]);
  });

  it('refuses more than one output, and marks each dangling layer', () => {
    const layers = [
      { name: 'd1', type: 'dense', units: 64, activation: 'relu' },
      { name: 'extra', type: 'dense', units: 5, inbound: ['d1'] },
      { name: 'out', type: 'dense', units: 10, activation: 'softmax', inbound: ['d1'] },
    ];
    expect(messages(analyzeArchitecture({ inputShape: [784], layers }))).toEqual([
      'the graph has 2 outputs (extra, out) but a model has one: join them with an add or concatenate layer, or remove the extra ones',
      "layer 2 (dense \"extra\"): its output goes nowhere (the model's output is out); connect it to a later layer or remove it",
    ]);
    const named = analyzeArchitecture({ inputShape: [784], output: 'out', layers });
    expect(named.issues).toEqual([{ layer: 2, field: 'output', message: "layer 2 (dense \"extra\"): its output goes nowhere (the model's output is out); connect it to a later layer or remove it" }]);
  });

  it('checks the named output: it must exist and be the softmax head', () => {
    expect(messages(analyzeArchitecture({ ...residualMlp, output: 'nope' }))).toEqual(['output "nope" names no layer; the names are d1, d2, sum, out']);
    const headless = analyzeArchitecture({ ...residualMlp, layers: residualMlp.layers.slice(0, 3), output: 'sum' });
    expect(messages(headless)).toContain('the output layer (sum) must output 10 classes (None, 10), got (None, 64); end with dense units 10');
  });

  it('says which inbound name is unknown and what the names are', () => {
    const a = analyzeArchitecture({ ...residualMlp, layers: residualMlp.layers.map((l) => (l.name === 'sum' ? { ...l, inbound: ['d2', 'd9'] } : l)) });
    expect(a.issues).toEqual([{ layer: 3, field: 'inbound', inbound: 'd9', message: 'layer 3 (add "sum"): inbound "d9" names no layer; the names are input, d1, d2, sum, out' }]);
  });

  it('a merge takes two or more inputs; every other layer exactly one', () => {
    expect(messages(analyzeArchitecture({ inputShape: [784], layers: [{ type: 'dense', units: 10 }, { type: 'add' }] }))).toContain('layer 2 (add): add joins at least 2 layers; list them in inbound');
    expect(messages(analyzeArchitecture({ inputShape: [784], layers: [{ type: 'dense', units: 10 }, { type: 'add', inbound: ['dense_1'] }] }))).toContain('layer 2 (add): add joins at least 2 layers, got 1 (dense_1)');
    expect(messages(analyzeArchitecture({ inputShape: [784], layers: [{ name: 'a', type: 'dense', units: 10 }, { type: 'dense', units: 10, activation: 'softmax', inbound: ['a', 'input'] }] }))).toEqual([
      'layer 2 (dense): a dense layer takes exactly one input, got 2 (a, input); join them with an add or concatenate layer first',
    ]);
    expect(messages(analyzeArchitecture({ inputShape: [784], layers: [{ type: 'dense', units: 10, activation: 'softmax', inbound: 'input' }] }))).toEqual([
      'layer 1 (dense): inbound must be a list of layer names ("input" is the model\'s input), got "input"',
    ]);
  });

  it('names are identifiers, unique, and not the input’s', () => {
    const spec = (layers: object[]) => analyzeArchitecture({ inputShape: [784], layers: [...layers, { type: 'dense', units: 10, activation: 'softmax' }] });
    expect(messages(spec([{ name: 'a b', type: 'dense', units: 4 }]))).toEqual(['layer 1 (dense "a b"): name must be a letter followed by letters, digits or _ (at most 48 characters), got "a b"']);
    expect(messages(spec([{ name: 'input', type: 'dense', units: 4 }]))).toEqual(['layer 1 (dense "input"): name "input" is reserved for the model\'s input; choose another']);
    expect(messages(spec([{ name: 'a', type: 'dense', units: 4 }, { name: 'a', type: 'dense', units: 4 }]))).toEqual(['layer 2 (dense "a"): name "a" is already the name of layer 1; names must be unique']);
    expect(messages(spec([{ type: 'dense', units: 4 }, { name: 'dense_1', type: 'dense', units: 4 }]))).toEqual([
      'layer 2 (dense "dense_1"): name "dense_1" is already Keras’ automatic name of layer 1; names must be unique',
    ]);
    expect(messages(spec([{ name: 'dense_1', type: 'dense', units: 4 }, { type: 'dense', units: 4 }]))).toEqual([
      'layer 2 (dense): its automatic name "dense_1" is already the name of layer 1; give this layer a name',
    ]);
  });

  it('shapes the new layers: reshape keeps the count, pooling windows, global average', () => {
    const a = analyzeArchitecture({
      inputShape: [784],
      layers: [
        { type: 'reshape', targetShape: [28, 28, 1] },
        { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', strides: 2 },
        { type: 'averagePooling2d', poolSize: 2, padding: 'same' },
        { type: 'globalAveragePooling2d' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    });
    expect(a.issues).toEqual([]);
    expect(a.layers.map((l) => [l.name, l.outputShape])).toEqual([
      ['reshape_1', [28, 28, 1]],
      ['conv2d_1', [14, 14, 4]],
      ['average_pooling2d_1', [7, 7, 4]],
      ['global_average_pooling2d_1', [4]],
      ['dense_1', [10]],
    ]);
    expect(messages(analyzeArchitecture({ inputShape: [784], layers: [{ type: 'reshape', targetShape: [7, 7, 8] }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] }))).toEqual([
      'layer 1 (reshape): targetShape [7, 7, 8] holds 392 values but the input (None, 784) holds 784',
    ]);
    expect(messages(analyzeArchitecture({ inputShape: [784], layers: [{ type: 'globalAveragePooling2d' }, { type: 'dense', units: 10, activation: 'softmax' }] }))).toEqual([
      'layer 1 (globalAveragePooling2d): globalAveragePooling2d needs an image input (height × width × channels) but gets (None, 784)',
    ]);
  });

  it('shapes every layer it can when one branch fails, so the editor can still show them', () => {
    const a = analyzeArchitecture({
      inputShape: [784],
      layers: [
        { name: 'good', type: 'dense', units: 16, inbound: ['input'] },
        { name: 'bad', type: 'dense', units: 0, inbound: ['input'] },
        { name: 'sum', type: 'add', inbound: ['good', 'bad'] },
        { name: 'out', type: 'dense', units: 10, activation: 'softmax', inbound: ['sum'] },
      ],
    });
    expect(a.ok).toBe(false);
    expect(a.layers.map((l) => l.name)).toEqual(['good']);
    expect(a.issues.map((i) => i.layer)).toEqual([2]);
  });
});

describe('analyzeArchitecture on random graphs', () => {
  it('never throws, and a graph it accepts has every layer in an order where inputs come first', () => {
    let s = 12345;
    const r = (n: number) => ((s = (s * 16807) % 2147483647) % n);
    const types = ['dense', 'add', 'concatenate', 'dropout', 'activation'] as const;
    let accepted = 0;
    for (let trial = 0; trial < 400; trial++) {
      const count = 2 + r(7);
      const names = Array.from({ length: count }, (_, i) => `n${i}`);
      const layers = names.map((name, i) => {
        const type = i === count - 1 ? 'dense' : types[r(types.length)]!;
        const pool = ['input', ...names, 'ghost'];
        const fanIn = type === 'add' || type === 'concatenate' ? 2 + r(2) : 1;
        const layer: Record<string, unknown> = { name, type };
        if (type === 'dense') Object.assign(layer, { units: i === count - 1 ? 10 : 16, ...(i === count - 1 ? { activation: 'softmax' } : {}) });
        if (type === 'dropout') layer.rate = 0.1;
        if (type === 'activation') layer.activation = 'relu';
        if (r(3) > 0 || type === 'add' || type === 'concatenate') layer.inbound = Array.from({ length: fanIn }, () => pool[r(Math.min(pool.length, i + 2 + r(3)))]!);
        return layer;
      });
      const analysis = analyzeArchitecture({ inputShape: [784], layers });
      expect(analysis.ok).toBe(analysis.issues.length === 0);
      if (!analysis.ok) continue;
      accepted++;
      expect(new Set(analysis.order).size).toBe(count);
      const position = new Map(analysis.order.map((index, k) => [analysis.layers.find((l) => l.index === index)!.name, k]));
      for (const layer of analysis.layers) {
        for (const name of layer.inbound) if (name !== 'input') expect(position.get(name)!).toBeLessThan(position.get(layer.name)!);
      }
    }
    expect(accepted).toBeGreaterThan(5);
  });
});
