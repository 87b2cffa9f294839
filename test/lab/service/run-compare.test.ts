// Compare, diff and export with real trainer processes, a real SQLite file and MNIST subsamples.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset, parseCommandInput, type RunSummary } from '../../../src-shared/index.ts';
import { LabService } from '../../../src-main/lab/service/lab-service.ts';
import { configDiff, diffPredictions } from '../../../src-main/lab/service/run-compare.ts';
import { kerasSnippet } from '../../../src-main/lab/service/run-export.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-compare-'));
let service: LabService;
let a = 0;
let b = 0;

const start = (lr: number, name: string, epochs = 2) =>
  service.startRun(
    parseCommandInput('startRun', {
      name,
      architecture: findPreset('keras-mlp')!.architecture,
      compile: { optimizer: { name: 'sgd', learningRate: lr } },
      train: { trainExamples: 1000, testExamples: 300, batchSize: 100, epochs },
      backend: 'wasm',
    }),
  ).runId;

/** A CSV parser good enough for RFC 4180 quoting. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  return rows;
}

beforeAll(async () => {
  service = await LabService.open({ home });
  // One after the other: the lab trains one run per 2 cores at once.
  a = start(0.1, 'fast, "quoted"');
  await service.waitForRun(a);
  b = start(0.01, 'slow');
  await service.waitForRun(b);
}, 120_000);
afterAll(async () => {
  await service.close();
  rmSync(home, { recursive: true, force: true });
});

describe('comparing runs', () => {
  it('returns histories, evaluations, checkpoint epochs and flags only what differs', () => {
    const c = service.compareRuns({ runIds: [a, b] });
    expect(c.runs.map((r) => r.id)).toEqual([a, b]);
    expect(c.histories.map((h) => h.map((e) => e.epoch))).toEqual([[1, 2], [1, 2]]);
    expect(c.evaluations.every((e) => e?.examples === 300)).toBe(true);
    expect(c.checkpointEpochs).toEqual([[1, 2], [1, 2]]);
    const differing = c.config.filter((r) => r.differs).map((r) => r.key);
    expect(differing).toEqual(['compile.optimizer.learningRate']);
    expect(c.config.find((r) => r.key === 'compile.optimizer.learningRate')?.values).toEqual(['0.1', '0.01']);
    expect(c.config.find((r) => r.key === 'train.batchSize')).toMatchObject({ differs: false, values: ['100', '100'] });
    expect(c.layers.map((l) => l.differs)).toEqual([false, false]);
    expect(c.layers[0]?.layers[0]).toMatchObject({ name: 'dense_1', description: 'Dense(512, relu)', outputShape: [512], params: 401_920 });
    expect(() => service.compareRuns({ runIds: [a, 9999] })).toThrow(/run 9999 does not exist/);
  });

  it('diffs the stored predictions image by image, consistent with the confusion matrices', () => {
    const c = service.compareRuns({ runIds: [a, b] });
    const all = service.comparePredictions(parseCommandInput('comparePredictions', { runA: a, runB: b, limit: 500 }));
    expect(all.sharedExamples).toBe(300);
    const accA = c.evaluations[0]!.accuracy;
    const accB = c.evaluations[1]!.accuracy;
    // Right in B minus right in A = fixed - broken.
    expect(Math.round((accB - accA) * 300)).toBe(all.fixed - all.broken);
    expect(all.images).toHaveLength(Math.min(all.changed, 500));
    for (const img of all.images) {
      expect(img.predictedA).not.toBe(img.predictedB);
      expect(Buffer.from(img.pixels, 'base64')).toHaveLength(784);
    }
    // The cell (t, p) of B - A equals entries minus exits of that column for true digit t.
    const [mA, mB] = [c.evaluations[0]!.confusionMatrix, c.evaluations[1]!.confusionMatrix];
    for (let t = 0; t < 10; t++) {
      for (let p = 0; p < 10; p++) {
        const cell = service.comparePredictions(parseCommandInput('comparePredictions', { runA: a, runB: b, trueLabel: t, predictedLabel: p, limit: 500 }));
        const entered = cell.images.filter((i) => i.predictedB === p).length;
        const left = cell.images.filter((i) => i.predictedA === p).length;
        expect(entered - left).toBe((mB[t]![p] ?? 0) - (mA[t]![p] ?? 0));
        expect(cell.images.every((i) => i.label === t)).toBe(true);
      }
    }
  });

  it('evaluates an epoch checkpoint on the run\'s own test subsample; the last epoch matches the final evaluation', async () => {
    const final = service.getRun({ runId: a }).evaluation!;
    const last = await service.evaluateCheckpoint(parseCommandInput('evaluateCheckpoint', { runId: a, checkpoint: { kind: 'epoch', epoch: 2 } }));
    expect(last.epoch).toBe(2);
    expect(last.examples).toBe(300);
    expect(last.accuracy).toBeCloseTo(final.accuracy, 5);
    expect(last.confusionMatrix).toEqual(final.confusionMatrix);
    const first = await service.evaluateCheckpoint(parseCommandInput('evaluateCheckpoint', { runId: a, checkpoint: { kind: 'epoch', epoch: 1 } }));
    expect(first.epoch).toBe(1);
    expect(first.confusionMatrix.flat().reduce((s, v) => s + v, 0)).toBe(300);
    await expect(service.evaluateCheckpoint(parseCommandInput('evaluateCheckpoint', { runId: a, checkpoint: { kind: 'epoch', epoch: 7 } }))).rejects.toThrow(/no checkpoint of epoch 7/);
  });

  it("lists an epoch checkpoint's misclassified images: they match that epoch's confusion matrix off the diagonal", async () => {
    const first = await service.evaluateCheckpoint(parseCommandInput('evaluateCheckpoint', { runId: a, checkpoint: { kind: 'epoch', epoch: 1 } }));
    const wrong = (m: number[][]) => m.reduce((s, row, t) => s + row.reduce((r, v, p) => r + (p === t ? 0 : v), 0), 0);
    const gallery = await service.getMisclassified(parseCommandInput('getMisclassified', { runId: a, checkpoint: { kind: 'epoch', epoch: 1 }, limit: 500 }));
    expect(gallery).toHaveLength(wrong(first.confusionMatrix));
    for (const img of gallery) {
      expect(img.label).not.toBe(img.predicted);
      expect(Buffer.from(img.pixels, 'base64')).toHaveLength(784);
    }
    for (let i = 1; i < gallery.length; i++) expect(gallery[i - 1]!.confidence).toBeGreaterThanOrEqual(gallery[i]!.confidence);
    for (let t = 0; t < 10; t++) {
      for (let p = 0; p < 10; p++) {
        if (t === p) continue;
        expect(gallery.filter((i) => i.label === t && i.predicted === p)).toHaveLength(first.confusionMatrix[t]![p] ?? 0);
      }
    }
    const cell = await service.getMisclassified(parseCommandInput('getMisclassified', { runId: a, checkpoint: { kind: 'epoch', epoch: 1 }, trueLabel: 4, limit: 500 }));
    expect(cell).toEqual(gallery.filter((i) => i.label === 4));
    // The last epoch's gallery is the final one; 'final' is the stored predictions.
    const last = await service.getMisclassified(parseCommandInput('getMisclassified', { runId: a, checkpoint: { kind: 'epoch', epoch: 2 }, limit: 500 }));
    const final = await service.getMisclassified(parseCommandInput('getMisclassified', { runId: a, limit: 500 }));
    expect(last.map((i) => [i.index, i.predicted])).toEqual(final.map((i) => [i.index, i.predicted]));
    expect(await service.getMisclassified(parseCommandInput('getMisclassified', { runId: a, checkpoint: { kind: 'final' }, limit: 500 }))).toEqual(final);
    await expect(service.getMisclassified(parseCommandInput('getMisclassified', { runId: a, checkpoint: { kind: 'epoch', epoch: 7 } }))).rejects.toThrow(/no checkpoint of epoch 7/);
  });
});

describe('exports', () => {
  it('all chosen runs as one CSV that parses back, one row per run and epoch', () => {
    const file = service.exportRuns(parseCommandInput('exportRuns', { runIds: [a, b] }));
    expect(file.mimeType).toBe('text/csv');
    const rows = parseCsv(file.content);
    const [head, ...body] = rows;
    expect(head?.slice(0, 3)).toEqual(['run_id', 'run_name', 'status']);
    expect(head).toContain('val_acc');
    expect(body).toHaveLength(4);
    const col = (name: string) => head!.indexOf(name);
    expect(body.map((r) => [r[col('run_id')], r[col('epoch')]])).toEqual([
      [String(a), '1'],
      [String(a), '2'],
      [String(b), '1'],
      [String(b), '2'],
    ]);
    expect(body[0]?.[col('run_name')]).toBe('fast, "quoted"');
    expect(body.map((r) => r[col('learning_rate')])).toEqual(['0.1', '0.1', '0.01', '0.01']);
    const history = service.getRun({ runId: b }).epochs;
    expect(Number(body[3]?.[col('val_acc')])).toBe(history[1]?.val_acc);
  });

  it('the model in TensorFlow.js format loads with tf.loadLayersModel and predicts like the lab', async () => {
    const exported = await service.exportModel(parseCommandInput('exportModel', { runId: a }));
    const modelJson = JSON.parse(exported.modelJson.content) as { format: string; modelTopology: { class_name: string; config: { layers: { class_name: string; config: { name: string } }[] } }; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.modelTopology.class_name).toBe('Sequential');
    expect(modelJson.modelTopology.config.layers.map((l) => `${l.class_name}:${l.config.name}`)).toEqual(['Dense:dense_1', 'Dense:dense_2']);
    expect(modelJson.weightsManifest[0]?.paths).toEqual(['group1-shard1of1.bin']);
    const weightData = new Uint8Array(Buffer.from(exported.weights.base64, 'base64')).buffer;
    expect(weightData.byteLength).toBe(407_050 * 4);
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData }));
    expect(model.countParams()).toBe(407_050);
    const [image] = service.getTestImages({ dataset: 'mnist', indices: [0] });
    const pixels = Array.from(Buffer.from(image!.pixels, 'base64'), (v) => v / 255);
    const ours = await service.predict(parseCommandInput('predict', { runId: a, images: [pixels] }));
    const theirs = tf.tidy(() => Array.from((model.predict(tf.tensor2d([pixels])) as tf.Tensor).dataSync()));
    theirs.forEach((p, i) => expect(p).toBeCloseTo(ours.probabilities[0]![i]!, 4));
    model.dispose();
  });

  it('a Python/Keras snippet that rebuilds architecture and compile', () => {
    const file = service.exportRun({ runId: a, format: 'keras' });
    expect(file.filename).toMatch(/\.py$/);
    expect(file.content).toContain('keras.Input(shape=(784,))');
    expect(file.content).toContain('layers.Dense(512, activation="relu", use_bias=True, name="dense_1")');
    expect(file.content).toContain('optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0, nesterov=False)');
    expect(file.content).toContain('batch_size=100, epochs=2, validation_data=(x_test, y_test)');
    const conv = kerasSnippet({ ...service.getRun({ runId: a }), architecture: findPreset('small-cnn')!.architecture, compile: { loss: 'categoricalCrossentropy', metrics: ['accuracy'], optimizer: { name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } } });
    expect(conv).toContain('keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)');
  });
});

describe('deleting and forking', () => {
  it('a fork from an epoch checkpoint keeps its parent; deleting one run leaves the others intact', async () => {
    const fork = service.startRun(
      parseCommandInput('startRun', {
        name: 'fork',
        architecture: findPreset('keras-mlp')!.architecture,
        compile: { optimizer: { name: 'sgd', learningRate: 0.05 } },
        train: { trainExamples: 1000, testExamples: 300, batchSize: 100, epochs: 1 },
        backend: 'wasm',
        parentRunId: a,
        parentCheckpoint: { kind: 'epoch', epoch: 1 },
      }),
    ).runId;
    await service.waitForRun(fork);
    expect(service.getRun({ runId: fork }).parentRunId).toBe(a);
    const before = service.getRun({ runId: b });
    service.deleteRun({ runId: a });
    expect(() => service.getRun({ runId: a })).toThrow(/does not exist/);
    const after = service.getRun({ runId: b });
    expect(after.epochs).toEqual(before.epochs);
    expect(after.evaluation).toEqual(before.evaluation);
    expect(after.checkpoints).toEqual(before.checkpoints);
    // The fork lives on, unlinked.
    expect(service.getRun({ runId: fork }).parentRunId).toBeNull();
    expect(service.listRuns({}).map((r) => r.id).sort()).toEqual([b, fork].sort());
  });
});

describe('pure diffs', () => {
  it('configDiff marks settings that differ and those missing in another optimizer', () => {
    const base = service.listRuns({})[0]!;
    const adam: RunSummary = { ...base, id: 99, compile: { ...base.compile, optimizer: { name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } } };
    const rows = configDiff([base, adam]);
    expect(rows.find((r) => r.key === 'compile.optimizer.beta1')).toMatchObject({ values: [null, '0.9'], differs: true });
    expect(rows.find((r) => r.key === 'train.seed')?.differs).toBe(false);
  });

  it('diffPredictions only counts indices both runs predicted', () => {
    const labels = new Uint8Array([0, 1, 2, 3]);
    const p = (indices: number[], predicted: number[]) => ({ testIndices: Uint32Array.from(indices), predicted: Uint8Array.from(predicted), confidence: new Float32Array(indices.length) });
    const r = diffPredictions(p([0, 1, 2], [0, 5, 2]), p([2, 1, 3], [9, 1, 3]), labels, { limit: 10 });
    expect(r).toMatchObject({ sharedExamples: 2, changed: 2, fixed: 1, broken: 1, matched: 2 });
  });
});
