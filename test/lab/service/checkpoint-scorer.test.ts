// The checkpoint scorer on a real store and real MNIST test images: one cache keyed by checkpoint,
// models built once and disposed when evicted or forgotten, scores that match a direct computation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset } from '../../../src-shared/index.ts';
import { DatasetRegistry } from '../../../src-main/lab/data/dataset-registry.ts';
import { loadBackend } from '../../../src-main/lab/engine/backends.ts';
import { buildModel } from '../../../src-main/lab/model/build-model.ts';
import type { LayersModel, Tf } from '../../../src-main/lab/model/tf-types.ts';
import { encodeWeights } from '../../../src-main/lab/model/weights-codec.ts';
import { CheckpointScorer } from '../../../src-main/lab/service/checkpoint-scorer.ts';
import { Predictor } from '../../../src-main/lab/service/predictor.ts';
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';
import { confusionMatrix, predictProbabilities, scorePredictions } from '../../../src-main/lab/training/evaluate.ts';
import { gatherExamples } from '../../../src-main/lab/training/prepare-data.ts';
import { newRun } from '../store/store-fixtures.ts';

/** A predictor on the cpu backend that counts the models it builds and sees which get disposed. */
class CountingPredictor extends Predictor {
  readonly built: LayersModel[] = [];
  readonly disposed = new Set<LayersModel>();
  constructor() {
    super(() => loadBackend('cpu'));
  }
  override async build(...args: Parameters<Predictor['build']>): Promise<LayersModel> {
    const model = await super.build(...args);
    this.built.push(model);
    const dispose = model.dispose.bind(model);
    model.dispose = () => {
      this.disposed.add(model);
      return dispose();
    };
    return model;
  }
  /** Which built models are disposed, once the cache's dispose callbacks (on settled promises) have run. */
  async disposedNow(): Promise<boolean[]> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.built.map((model) => this.disposed.has(model));
  }
}

const arch = findPreset('keras-mlp')!.architecture;
const EPOCHS = 10;
const TEST_INDICES = Uint32Array.from({ length: 200 }, (_, i) => i * 7);
let home: string;
let store: LabStore;
let datasets: DatasetRegistry;
let runId: number;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'layerlab-scorer-'));
  store = LabStore.open(join(home, 'layerlab.sqlite'));
  datasets = new DatasetRegistry(home);
  runId = store.createRun(newRun('scored'));
  for (let epoch = 1; epoch <= EPOCHS; epoch++) store.saveCheckpoint(runId, { kind: 'epoch', epoch, valLoss: null, weights: encodeWeights(buildModel(tf as unknown as Tf, arch, epoch)) });
  const none = new Uint8Array(TEST_INDICES.length);
  store.saveEvaluation(runId, { loss: 0, accuracy: 0, confusionMatrix: [], perClass: [], examples: TEST_INDICES.length }, { testIndices: TEST_INDICES, predicted: none, confidence: new Float32Array(TEST_INDICES.length) });
  store.finishRun(runId, 'completed', null);
});
afterAll(() => {
  store.close();
  rmSync(home, { recursive: true, force: true });
});

describe('CheckpointScorer', () => {
  it('scores a checkpoint on the run’s test subsample exactly as a direct computation does', async () => {
    const scorer = new CheckpointScorer(store, datasets, 'test', new CountingPredictor());
    const evaluation = await scorer.evaluateCheckpoint({ runId, checkpoint: { kind: 'epoch', epoch: 3 } });
    const data = datasets.load('mnist');
    const test = gatherExamples(data.testImages, data.testLabels, TEST_INDICES);
    const model = buildModel(tf as unknown as Tf, arch, 3);
    const direct = scorePredictions(predictProbabilities(tf as unknown as Tf, model, test.images, test.count, arch.inputShape), test.labels);
    model.dispose();
    expect(evaluation).toMatchObject({ runId, epoch: 3, examples: 200, confusionMatrix: confusionMatrix(test.labels, direct.predicted) });
    expect(evaluation.accuracy).toBeCloseTo(direct.accuracy, 6);
    expect(evaluation.loss).toBeCloseTo(direct.loss, 4);
    scorer.dispose();
  });

  it('builds each checkpoint’s model once for predict, evaluate, misclassified and export', async () => {
    const predictor = new CountingPredictor();
    const scorer = new CheckpointScorer(store, datasets, 'test', predictor);
    const checkpoint = { kind: 'epoch', epoch: 2 } as const;
    const first = await scorer.evaluateCheckpoint({ runId, checkpoint });
    expect(await scorer.evaluateCheckpoint({ runId, checkpoint })).toBe(first);
    const misclassified = await scorer.getMisclassified({ runId, checkpoint, limit: 500 });
    expect(misclassified).toHaveLength(Math.round((1 - first.accuracy) * first.examples));
    await scorer.predict({ runId, checkpoint, images: [new Array<number>(784).fill(0)] });
    const exported = await scorer.exportModel({ runId, checkpoint });
    expect(exported.modelJson.content).toContain('epoch 2');
    expect(predictor.built).toHaveLength(1);
    scorer.dispose();
    expect(await predictor.disposedNow()).toEqual([true]);
  });

  it('keeps the 8 most recent checkpoints, disposing the model of each one it drops; forgets a deleted run', async () => {
    const predictor = new CountingPredictor();
    const scorer = new CheckpointScorer(store, datasets, 'test', predictor);
    const image = [new Array<number>(784).fill(0.5)];
    for (let epoch = 1; epoch <= EPOCHS; epoch++) await scorer.predict({ runId, checkpoint: { kind: 'epoch', epoch }, images: image });
    expect(await predictor.disposedNow()).toEqual([true, true, false, false, false, false, false, false, false, false]);
    await scorer.predict({ runId, checkpoint: { kind: 'epoch', epoch: 10 }, images: image });
    expect(predictor.built).toHaveLength(EPOCHS);
    scorer.forgetRun(runId);
    expect(await predictor.disposedNow()).toEqual(new Array(EPOCHS).fill(true));
  });

  it("gives one class's test images by the confidence of the run's stored predictions, either way, within the dataset's classes", () => {
    const sorted = store.createRun(newRun('sorted'));
    // Confidence falls with the position in the subsample, except one image near the end that is surest of all.
    const confidence = Float32Array.from(TEST_INDICES, (_, i) => (i === 190 ? 0.999 : 0.9 - i / 1000));
    const predicted = Uint8Array.from(TEST_INDICES, (_, i) => i % 10);
    store.saveEvaluation(sorted, { loss: 0, accuracy: 0, confusionMatrix: [], perClass: [], examples: TEST_INDICES.length }, { testIndices: TEST_INDICES, predicted, confidence });
    store.finishRun(sorted, 'completed', null);
    const scorer = new CheckpointScorer(store, datasets, 'test', new CountingPredictor());
    const labels = datasets.load('mnist').testLabels;
    const label = labels[TEST_INDICES[190]!]!;
    const ofClass = [...TEST_INDICES.keys()].filter((i) => labels[TEST_INDICES[i]!] === label);
    const most = scorer.getClassByConfidence({ runId: sorted, label, order: 'most', limit: 200 });
    expect(most.map((m) => m.index)).toEqual([190, ...ofClass.filter((i) => i !== 190)].map((i) => TEST_INDICES[i]));
    expect(most[0]).toMatchObject({ label, predicted: 190 % 10, confidence: expect.closeTo(0.999, 5) });
    expect(Buffer.from(most[0]!.pixels, 'base64')).toHaveLength(784);
    const least = scorer.getClassByConfidence({ runId: sorted, label, order: 'least', limit: 2 });
    expect(least.map((m) => m.index)).toEqual(ofClass.filter((i) => i !== 190).reverse().slice(0, 2).map((i) => TEST_INDICES[i]));
    expect(() => scorer.getClassByConfidence({ runId: sorted, label: 10, order: 'most', limit: 5 })).toThrow(`label 10 is not a class of run ${sorted}: it has 10 classes (labels 0 to 9)`);
    const unfinished = store.createRun(newRun('unfinished'));
    expect(() => scorer.getClassByConfidence({ runId: unfinished, label: 0, order: 'most', limit: 5 })).toThrow(`run ${unfinished} has no test predictions`);
    scorer.dispose();
  });

  it('names what is missing', async () => {
    const scorer = new CheckpointScorer(store, datasets, 'test', new CountingPredictor());
    await expect(scorer.predict({ runId, checkpoint: { kind: 'best' }, images: [] })).rejects.toThrow(`run ${runId} has no best checkpoint`);
    // The contract takes any dataset's image size; the run's own model decides.
    await expect(scorer.predict({ runId, checkpoint: { kind: 'epoch', epoch: 1 }, images: [new Array<number>(784).fill(0), new Array<number>(432).fill(0)] })).rejects.toThrow(
      `image 2 has 432 values, but run ${runId}'s model takes 784`,
    );
    expect(() => scorer.getMisclassified({ runId: 999, limit: 5 })).toThrow('run 999 does not exist');
    await expect(scorer.getMisclassified({ runId, checkpoint: { kind: 'epoch', epoch: 99 }, limit: 5 })).rejects.toThrow(`run ${runId} has no checkpoint of epoch 99`);
  });
});
