// Functional specs build as tf.model graphs: Keras names and order, the analysis' parameter counts,
// seeded weights, a tape train step that agrees with the model's own forward pass, checkpoints, and
// a Keras functional model.json that tf.loadLayersModel loads back and predicts the same with.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeArchitecture, findPreset, type Architecture } from '../../../../src-shared/index.ts';
import { buildModel } from '../../../../src-main/lab/model/build-model.ts';
import { graphPlan, isGraphModel, runGraph } from '../../../../src-main/lab/model/graph/graph-forward.ts';
import type { Tf } from '../../../../src-main/lab/model/tf-types.ts';
import { decodeWeights, encodeValues, encodeWeights, loadWeightsInto } from '../../../../src-main/lab/model/weights-codec.ts';
import { categoricalCrossentropyFromProbs, createTrainStep, trainStepPath } from '../../../../src-main/lab/training/train-step.ts';

const t = tf as unknown as Tf;
const preset = (id: string): Architecture => findPreset(id)!.architecture;

function batch(shape: number[], n: number, seed: number): { x: tf.Tensor; y: tf.Tensor2D } {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const size = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(Float32Array.from({ length: n * size }, r), [n, ...shape]);
  const labels = Array.from({ length: n }, () => Math.floor(r() * 10));
  return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat() as tf.Tensor2D };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('building graphs', () => {
  it.each(['residual-mlp', 'mini-resnet', 'two-branch-cnn'])('%s: a tf.model with the analysis’ names, order and parameters', (id) => {
    const arch = preset(id);
    const analysis = analyzeArchitecture(arch);
    const model = buildModel(t, arch, 7);
    expect(isGraphModel(model)).toBe(true);
    expect(model.name).toBe('model_1');
    expect(model.layers.map((l) => l.name)).toEqual(['input_1', ...analysis.order.map((i) => analysis.layers.find((l) => l.index === i)!.name)]);
    expect(model.countParams()).toBe(analysis.totalParams);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    model.dispose();
  });

  it('tfjs orders a tricky graph as the analysis does (Keras: deepest first, ties by the walk from the output)', () => {
    const arch: Architecture = {
      inputShape: [784],
      output: 'out',
      layers: [
        { name: 'c', type: 'dense', units: 8, inbound: ['input'] },
        { name: 'late', type: 'dense', units: 8, inbound: ['b'] },
        { name: 'a', type: 'dense', units: 8, inbound: ['input'] },
        { name: 'b', type: 'dense', units: 8, inbound: ['a'] },
        { name: 'cat', type: 'concatenate', inbound: ['late', 'c', 'a'] },
        { name: 'out', type: 'dense', units: 10, activation: 'softmax', inbound: ['cat'] },
      ],
    };
    const analysis = analyzeArchitecture(arch);
    expect(analysis.issues).toEqual([]);
    const model = buildModel(t, arch, 1);
    const names = analysis.order.map((i) => analysis.layers.find((l) => l.index === i)!.name);
    expect(model.layers.map((l) => l.name)).toEqual(['input_1', ...names]);
    expect(names).toEqual(['a', 'b', 'late', 'c', 'cat', 'out']);
    model.dispose();
  });

  it('the same seed gives the same weights; a Sequential spec still builds a tf.Sequential', () => {
    const a = buildModel(t, preset('residual-mlp'), 3);
    const b = buildModel(t, preset('residual-mlp'), 3);
    a.getWeights().forEach((w, i) => expect(Array.from(w.dataSync().slice(0, 8))).toEqual(Array.from(b.getWeights()[i]!.dataSync().slice(0, 8))));
    const seq = buildModel(t, preset('keras-mlp'), 3);
    expect(isGraphModel(seq)).toBe(false);
    expect(seq.getClassName()).toBe('Sequential');
    for (const m of [a, b, seq]) m.dispose();
  });
});

describe('training graphs', () => {
  /** Two strided conv branches concatenated: the shape of the two-branch preset, small enough for the cpu backend. */
  const tinyBranches: Architecture = {
    inputShape: [28, 28, 1],
    layers: [
      { name: 'a', type: 'conv2d', filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inbound: ['input'] },
      { name: 'b', type: 'conv2d', filters: 2, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu', inbound: ['input'] },
      { type: 'concatenate', inbound: ['a', 'b'] },
      { type: 'flatten' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
  };

  it.each([
    ['residual-mlp', preset('residual-mlp')],
    ['two conv branches', tinyBranches],
  ])('%s: the tape step takes the logits path, its loss is the model’s crossentropy, and it learns', (_id, arch) => {
    const model = buildModel(t, arch, 11);
    expect(trainStepPath(model)).toBe('tape');
    const { x, y } = batch(arch.inputShape, 16, 5);
    const before = tf.tidy(() => categoricalCrossentropyFromProbs(model.predict(x) as tf.Tensor, y).dataSync()[0]!);
    const step = createTrainStep(model, tf.train.sgd(0.1));
    const first = tf.tidy(() => step(x as tf.Tensor2D, y));
    expect(first.loss).toBeCloseTo(before, 4);
    const tensors = tf.memory().numTensors;
    let last = first.loss;
    for (let i = 0; i < 15; i++) last = tf.tidy(() => step(x as tf.Tensor2D, y)).loss;
    expect(tf.memory().numTensors).toBe(tensors);
    expect(last).toBeLessThan(first.loss * 0.7);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a chain drawn as a graph keeps the dense-stack fast path and steps exactly like its Sequential twin', () => {
    const sequential: Architecture = { inputShape: [784], layers: [{ type: 'dense', units: 32, activation: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 10, activation: 'softmax' }] };
    const chain: Architecture = { ...sequential, layers: sequential.layers.map((l, i) => (i === 0 ? { ...l, inbound: ['input'] } : l)) };
    const a = buildModel(t, sequential, 8);
    const b = buildModel(t, chain, 8);
    expect(isGraphModel(b)).toBe(true);
    expect(trainStepPath(b)).toBe('dense stack (written-out backward)');
    const { x, y } = batch([784], 16, 3);
    const [ra, rb] = [a, b].map((m) => tf.tidy(() => createTrainStep(m, tf.train.sgd(0.1))(x as tf.Tensor2D, y)));
    expect(rb!.loss).toBeCloseTo(ra!.loss, 6);
    b.getWeights().forEach((w, i) => expect(Array.from(w.dataSync().slice(0, 8))).toEqual(Array.from(a.getWeights()[i]!.dataSync().slice(0, 8))));
    const branched = buildModel(t, preset('residual-mlp'), 8);
    expect(trainStepPath(branched)).toBe('tape');
    tf.dispose([x, y]);
    for (const m of [a, b, branched]) m.dispose();
  });

  it('runGraph reproduces model.predict layer by layer and sees every layer', () => {
    const arch = preset('mini-resnet');
    const model = buildModel(t, arch, 2);
    const { x } = batch(arch.inputShape, 4, 9);
    const seen: string[] = [];
    const ours = tf.tidy(() => Array.from(runGraph(graphPlan(model), x, false, { each: (_i, step) => seen.push(step.layer.name) }).out.dataSync()));
    const theirs = tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));
    ours.forEach((v, i) => expect(v).toBeCloseTo(theirs[i]!, 6));
    expect(seen).toEqual(model.layers.slice(1).map((l) => l.name));
    x.dispose();
    model.dispose();
  });
});

describe('checkpoints and export of graphs', () => {
  it('weights round-trip through the checkpoint format into a fresh build', () => {
    const arch = preset('two-branch-cnn');
    const a = buildModel(t, arch, 1);
    const b = buildModel(t, arch, 2);
    loadWeightsInto(t, b, encodeWeights(a));
    a.getWeights().forEach((w, i) => expect(Array.from(b.getWeights()[i]!.dataSync())).toEqual(Array.from(w.dataSync())));
    for (const m of [a, b]) m.dispose();
  });

  it('loads by weight name: a checkpoint written in another order still lands on the right layers', () => {
    const arch = preset('residual-mlp');
    const a = buildModel(t, arch, 1);
    const decoded = decodeWeights(encodeWeights(a));
    expect(decoded.names.slice(0, 2)).toEqual(['stem/kernel', 'stem/bias']);
    const order = decoded.names.map((_, i) => i).reverse();
    const shuffled = encodeValues(order.map((i) => decoded.names[i]!), order.map((i) => decoded.shapes[i]!), order.map((i) => decoded.values[i]!));
    const b = buildModel(t, arch, 2);
    loadWeightsInto(t, b, shuffled);
    a.getWeights().forEach((w, i) => expect(Array.from(b.getWeights()[i]!.dataSync().slice(0, 16))).toEqual(Array.from(w.dataSync().slice(0, 16))));
    // Unknown names fall back to position, sizes still checked.
    const renamed = encodeValues(order.map((i) => `x${i}`), order.map((i) => decoded.shapes[i]!), order.map((i) => decoded.values[i]!));
    expect(() => loadWeightsInto(t, b, renamed)).toThrow(/checkpoint weight x7 has 10 values, the model's stem\/kernel needs 100352/);
    for (const m of [a, b]) m.dispose();
  });

  it('saves as a Keras functional model.json that tf.loadLayersModel loads and predicts the same with', async () => {
    const arch = preset('residual-mlp');
    const model = buildModel(t, arch, 4);
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const saved = artifacts as unknown as tf.io.ModelArtifacts;
    const topology = saved.modelTopology as { class_name: string; config: { layers: { class_name: string; name: string; inbound_nodes: unknown[] }[]; output_layers: unknown[] } };
    expect(topology.class_name).toBe('Model');
    expect(topology.config.layers.map((l) => `${l.class_name}:${l.name}`)).toEqual(['InputLayer:input_1', 'Dense:stem', 'Dense:block_a', 'Dense:block_b', 'Add:skip', 'Activation:skip_relu', 'Dense:classes']);
    expect(topology.config.layers.find((l) => l.name === 'skip')!.inbound_nodes).toEqual([[['stem', 0, 0, {}], ['block_b', 0, 0, {}]]]);
    expect(topology.config.output_layers).toEqual([['classes', 0, 0]]);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(JSON.parse(JSON.stringify(saved.modelTopology)), saved.weightSpecs, saved.weightData));
    const { x } = batch(arch.inputShape, 3, 1);
    const ours = tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));
    const theirs = tf.tidy(() => Array.from((loaded.predict(x) as tf.Tensor).dataSync()));
    theirs.forEach((v, i) => expect(v).toBeCloseTo(ours[i]!, 6));
    x.dispose();
    for (const m of [model, loaded]) m.dispose();
  });
});
