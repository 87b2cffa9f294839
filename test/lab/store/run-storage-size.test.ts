// Bytes a run takes in the database: a 20-epoch run of the seed model (784-512-10, batch 128 over 60,000
// images, 10,000 test predictions) must stay ≤ 10 MB. The checkpoints come from the real trainer (which
// epochs it keeps, in which precision); the per-batch losses and test predictions are sized as a full run's.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CompileConfigSchema, findPreset, TrainConfigSchema } from '../../../src-shared/index.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';
import { prepareData } from '../../../src-main/lab/training/prepare-data.ts';
import { runTraining, type TrainingSink } from '../../../src-main/lab/training/run-training.ts';
import type { TrainJob } from '../../../src-main/lab/training/trainer-protocol.ts';
import { syntheticDataset } from '../training/synthetic-dataset.ts';

const EPOCHS = 20;
const BATCHES_PER_EPOCH = 469;
const TEST_EXAMPLES = 10_000;
const MB = 1_000_000;

const dir = mkdtempSync(join(tmpdir(), 'layerlab-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('storage per run', () => {
  it('keeps a 20-epoch seed run within 10 MB, and deleting it gives the bytes back', async () => {
    await tf.setBackend('cpu');
    const store = LabStore.open(join(dir, 'layerlab.sqlite'));
    const architecture = findPreset('keras-mlp')!.architecture;
    const train = TrainConfigSchema.parse({ epochs: EPOCHS, batchSize: 128, trainExamples: 100, testExamples: 100, seed: 1 });
    const compile = CompileConfigSchema.parse({});
    const empty = store.usedBytes();
    const runId = store.createRun({ name: 'seed', architecture, compile, train, dataset: { name: 'mnist', hash: 'h' }, totalParams: 407_050 });
    const job: TrainJob = { runId, architecture, compile, train, dataset: 'synthetic', home: dir, backend: 'cpu', initialWeights: null };
    const sink: TrainingSink = {
      event: (e) => {
        if (e.type !== 'epoch') return;
        const { type: _type, runId: _id, ...metrics } = e;
        store.addEpoch(runId, metrics, Array.from({ length: BATCHES_PER_EPOCH }, (_, b) => ({ epoch: e.epoch, batch: b + 1, loss: 1 / (b + 1) })));
      },
      checkpoint: (kind, epoch, valLoss, weights) => store.saveCheckpoint(runId, { kind, epoch, valLoss, weights }),
      evaluation: (evaluation) =>
        store.saveEvaluation(runId, { ...evaluation, examples: TEST_EXAMPLES }, {
          testIndices: Uint32Array.from({ length: TEST_EXAMPLES }, (_, i) => i),
          predicted: new Uint8Array(TEST_EXAMPLES),
          confidence: new Float32Array(TEST_EXAMPLES),
        }),
    };
    await runTraining(tf as unknown as Tf, job, prepareData(syntheticDataset(), train), { stopRequested: () => false, paused: () => false, waitUntilResumed: async () => {}, takeLearningRate: () => null }, sink, { backend: 'cpu' });
    const used = store.usedBytes() - empty;
    const detail = store.getRun(runId)!;
    const epochCheckpoints = detail.checkpoints.filter((c) => c.kind === 'epoch');
    console.log(`a ${EPOCHS}-epoch seed run: ${(used / MB).toFixed(2)} MB in the database; epoch checkpoints kept: ${epochCheckpoints.map((c) => c.epoch).join(', ')} (${epochCheckpoints[0]?.bytes} bytes each, final ${detail.checkpoints.find((c) => c.kind === 'final')?.bytes} bytes)`);
    expect(used).toBeLessThanOrEqual(10 * MB);
    expect(epochCheckpoints.length).toBeGreaterThanOrEqual(5);
    expect(detail.checkpoints.find((c) => c.kind === 'final')!.bytes).toBeGreaterThan(4 * 407_050);
    expect(store.deleteRuns([runId])).toEqual({ deleted: [runId], refused: [] });
    store.reclaimSpace();
    expect(store.usedBytes()).toBeLessThanOrEqual(empty + 64 * 1024);
    store.close();
  }, 120_000);
});
