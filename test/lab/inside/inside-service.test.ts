// The inside commands end to end in the core: a real store file, bundled MNIST, the Predictor's
// model cache (on cpu here), weight tiles, stored histograms and projections cached per checkpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompileConfigSchema, findPreset, parseCommandInput, TrainConfigSchema, type Architecture } from '../../../src-shared/index.ts';
import { DatasetRegistry } from '../../../src-main/lab/data/dataset-registry.ts';
import { loadBackend } from '../../../src-main/lab/engine/backends.ts';
import { paramHistogramsOf } from '../../../src-main/lab/inside/histogram.ts';
import { CheckpointScorer } from '../../../src-main/lab/service/checkpoint-scorer.ts';
import { InsideService } from '../../../src-main/lab/inside/inside-service.ts';
import { buildModel } from '../../../src-main/lab/model/build-model.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { encodeWeights } from '../../../src-main/lab/model/weights-codec.ts';
import { Predictor } from '../../../src-main/lab/service/predictor.ts';
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';

const tf = tfjs as unknown as Tf;
const home = mkdtempSync(join(tmpdir(), 'layerlab-inside-'));
let store: LabStore;
let inside: InsideService;
let predictor: Predictor;

function storedRun(architecture: Architecture, seed: number): number {
  const runId = store.createRun({ name: `r${seed}`, architecture, compile: CompileConfigSchema.parse({}), train: TrainConfigSchema.parse({ epochs: 2 }), dataset: { name: 'mnist', hash: 'h' }, totalParams: 0 });
  for (const epoch of [1, 2]) {
    const model = buildModel(tf, architecture, seed + epoch);
    store.saveCheckpoint(runId, { kind: 'epoch', epoch, valLoss: null, weights: encodeWeights(model) });
    if (epoch === 2) store.saveCheckpoint(runId, { kind: 'final', epoch, valLoss: null, weights: encodeWeights(model) });
    store.saveWeightHistograms(runId, epoch, paramHistogramsOf(model, architecture));
    model.dispose();
  }
  return runId;
}

const mlp = findPreset('keras-mlp')!.architecture;
const deep = findPreset('deep-mlp')!.architecture;
const cnn = findPreset('small-cnn')!.architecture;
let mlpRun: number;
let deepRun: number;
let cnnRun: number;
let graphRun: number;

beforeAll(async () => {
  await tf.setBackend('cpu');
  store = LabStore.open(join(home, 'lab.db'));
  predictor = new Predictor(() => loadBackend('cpu'));
  inside = new InsideService(store, new DatasetRegistry(home), new CheckpointScorer(store, new DatasetRegistry(home), 'test', predictor));
  mlpRun = storedRun(mlp, 1);
  deepRun = storedRun(deep, 2);
  cnnRun = storedRun(cnn, 3);
  graphRun = storedRun(findPreset('residual-mlp')!.architecture, 4);
});
afterAll(() => {
  predictor.dispose();
  store.close();
  rmSync(home, { recursive: true, force: true });
});

const decodeTile = (base64: string) => {
  const bytes = Buffer.from(base64, 'base64');
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
};

describe('InsideService', () => {
  it('shows the seed MLP’s first dense layer as 512 28×28 images sorted by norm, paged', async () => {
    const page = await inside.inspectWeights(parseCommandInput('inspectWeights', { runId: mlpRun, limit: 100 }));
    expect(page.layer).toMatchObject({ index: 0, className: 'Dense', params: 784 * 512 + 512 });
    expect(page.layers.map((l) => l.index)).toEqual([0, 1]);
    const tiles = page.tiles!;
    expect(tiles).toMatchObject({ kind: 'dense-units', tileShape: [28, 28], total: 512, offset: 0 });
    expect(tiles.tiles).toHaveLength(100);
    const norms = tiles.tiles.map((t) => t.norm);
    expect([...norms].sort((a, b) => b - a)).toEqual(norms);
    // Bytes against the layer's largest |weight|: the tile's own norm comes back from them.
    const bytes = decodeTile(tiles.tiles[0]!.values);
    expect(bytes).toHaveLength(784);
    const norm = Math.sqrt(bytes.reduce((s, b) => s + ((b / 127) * tiles.scale) ** 2, 0));
    expect(norm).toBeCloseTo(tiles.tiles[0]!.norm, 1);
    expect(page.histograms.reduce((s, h) => s + h.count, 0)).toBe(784 * 512 + 512);
    const next = await inside.inspectWeights(parseCommandInput('inspectWeights', { runId: mlpRun, offset: 500, limit: 100 }));
    expect(next.tiles!.tiles).toHaveLength(12);
  });

  it('conv filters as tiles; a dense layer behind another one has histograms but no images', async () => {
    const conv = await inside.inspectWeights(parseCommandInput('inspectWeights', { runId: cnnRun }));
    expect(conv.layer.className).toBe('Conv2D');
    expect(conv.tiles).toMatchObject({ kind: 'conv-filters', tileShape: [3, 3], total: 16 });
    const second = await inside.inspectWeights(parseCommandInput('inspectWeights', { runId: deepRun, layer: 2 }));
    expect(second.tiles).toBeNull();
    expect(second.tilesNote).toMatch(/fed by another layer/);
    expect(second.histograms.map((h) => h.param)).toEqual(['kernel', 'bias']);
    await expect(inside.inspectWeights(parseCommandInput('inspectWeights', { runId: deepRun, layer: 1 }))).rejects.toThrow(/layer 1 of run \d+ has no weights \(layers with weights: 0, 2, 4\)/);
  });

  it('inspects a test image per checkpoint (the epoch scrubber) and refuses what does not fit', async () => {
    const image = new Array<number>(784).fill(0).map((_, i) => (i % 29) / 28);
    const one = await inside.inspectImage(parseCommandInput('inspectImage', { runId: deepRun, checkpoint: { kind: 'epoch', epoch: 1 }, image }));
    const two = await inside.inspectImage(parseCommandInput('inspectImage', { runId: deepRun, checkpoint: { kind: 'epoch', epoch: 2 }, image }));
    expect(one.epoch).toBe(1);
    expect(two.epoch).toBe(2);
    expect(one.layers.map((l) => l.className)).toEqual(['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
    expect(one.layers[0]!.values).not.toEqual(two.layers[0]!.values);
    await expect(inside.inspectImage(parseCommandInput('inspectImage', { runId: deepRun, image: [0.1, 0.2] }))).rejects.toThrow(/takes 784 input values/);
    await expect(inside.inspectImage(parseCommandInput('inspectImage', { runId: deepRun, checkpoint: { kind: 'epoch', epoch: 9 }, image }))).rejects.toThrow(/has no checkpoint of epoch 9/);
  });

  it('histograms over epochs, all layers or one', () => {
    const all = inside.getWeightHistory(parseCommandInput('getWeightHistory', { runId: deepRun }));
    expect(all.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(all.epochs[0]!.params.reduce((s, p) => s + p.count, 0)).toBe(669_706);
    const one = inside.getWeightHistory(parseCommandInput('getWeightHistory', { runId: deepRun, layer: 4 }));
    expect(one.epochs[1]!.params.map((p) => [p.layer, p.param, p.count])).toEqual([
      [4, 'kernel', 5120],
      [4, 'bias', 10],
    ]);
  });

  it('projects the penultimate layer of a test sample, the same images for two runs, cached per checkpoint', async () => {
    const a = await inside.projectEmbedding(parseCommandInput('projectEmbedding', { runId: deepRun, sample: 60, seed: 4 }));
    expect(a.layer).toMatchObject({ index: 3, units: 512 });
    expect(a.points).toHaveLength(60);
    const b = await inside.projectEmbedding(parseCommandInput('projectEmbedding', { runId: cnnRun, sample: 60, seed: 4 }));
    expect(b.points.map((p) => p.index)).toEqual(a.points.map((p) => p.index));
    expect(b.points.map((p) => p.label)).toEqual(a.points.map((p) => p.label));
    expect(await inside.projectEmbedding(parseCommandInput('projectEmbedding', { runId: deepRun, sample: 60, seed: 4 }))).toBe(a);
    const umap = await inside.projectEmbedding(parseCommandInput('projectEmbedding', { runId: deepRun, sample: 60, seed: 4, method: 'umap' }));
    expect(umap.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
    await expect(inside.projectEmbedding(parseCommandInput('projectEmbedding', { runId: mlpRun, sample: 60 }))).resolves.toMatchObject({ layer: { index: 0, units: 512 } });
    inside.forget(deepRun);
    expect(await inside.projectEmbedding(parseCommandInput('projectEmbedding', { runId: deepRun, sample: 60, seed: 4 }))).not.toBe(a);
  });

  it('the contract holds the limits', () => {
    expect(() => parseCommandInput('projectEmbedding', { runId: 1, sample: 5 })).toThrow(/sample/);
    expect(() => parseCommandInput('inspectWeights', { runId: 1, limit: 5000 })).toThrow(/limit/);
    expect(() => parseCommandInput('inspectImage', { runId: 1, image: new Array(5000).fill(0) })).toThrow(/at most 4096 values/);
    expect(() => parseCommandInput('inspectImage', { runId: 1, image: [2] })).toThrow(/image/);
    expect(() => parseCommandInput('getWeightHistory', { runId: 1, extra: true })).toThrow(/extra/);
  });

  it('a graph (the residual MLP): layers by spec position, activations of every layer, saliency and projection', async () => {
    const weights = await inside.inspectWeights(parseCommandInput('inspectWeights', { runId: graphRun, limit: 4 }));
    expect(weights.layer).toMatchObject({ index: 0, name: 'stem', className: 'Dense' });
    expect(weights.layers.map((l) => [l.index, l.name])).toEqual([
      [0, 'stem'],
      [1, 'block_a'],
      [2, 'block_b'],
      [5, 'classes'],
    ]);
    expect(weights.tiles).toMatchObject({ kind: 'dense-units', tileShape: [28, 28], total: 128 });
    const image = new Array<number>(784).fill(0).map((_, i) => (i % 31) / 30);
    const seen = await inside.inspectImage(parseCommandInput('inspectImage', { runId: graphRun, image }));
    expect(seen.layers.map((l) => [l.index, l.name, l.className])).toEqual([
      [0, 'stem', 'Dense'],
      [1, 'block_a', 'Dense'],
      [2, 'block_b', 'Dense'],
      [3, 'skip', 'Add'],
      [4, 'skip_relu', 'Activation'],
      [5, 'classes', 'Dense'],
    ]);
    expect(seen.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(seen.saliency.values).toHaveLength(784);
    expect(seen.saliency.values.some((v) => v !== 0)).toBe(true);
    const history = inside.getWeightHistory(parseCommandInput('getWeightHistory', { runId: graphRun, layer: 5 }));
    expect(history.epochs[0]!.params.map((p) => [p.layerName, p.param, p.count])).toEqual([
      ['classes', 'kernel', 1280],
      ['classes', 'bias', 10],
    ]);
    const projected = await inside.projectEmbedding(parseCommandInput('projectEmbedding', { runId: graphRun, sample: 20, seed: 1 }));
    expect(projected.layer).toMatchObject({ index: 4, name: 'skip_relu', units: 128 });
  });
});
