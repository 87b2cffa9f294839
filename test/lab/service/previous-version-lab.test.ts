// A lab written by the version before graphs (test/lab/fixtures/previous-version-lab.sqlite: made
// by that version's own LabService, two Sequential runs trained one epoch each) opens, and its runs
// summarise, predict, export, compare and fork as before — next to a graph run trained now through
// the real trainer process, evaluated, exported and loaded back with tf.loadLayersModel.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeArchitecture, findPreset, formatSummary, parseCommandInput } from '../../../src-shared/index.ts';
import { DATABASE_FILE } from '../../../src-main/lab/home.ts';
import { LabService } from '../../../src-main/lab/service/lab-service.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'previous-version-lab.sqlite');
const home = mkdtempSync(join(tmpdir(), 'layerlab-previous-'));
let service: LabService;
let graphRun = 0;
const OLD_MLP = 1;
const OLD_CNN = 2;

beforeAll(async () => {
  copyFileSync(FIXTURE, join(home, DATABASE_FILE));
  service = await LabService.open({ home });
  graphRun = service.startRun(
    parseCommandInput('startRun', {
      name: 'residual',
      architecture: findPreset('residual-mlp')!.architecture,
      compile: { optimizer: { name: 'sgd', learningRate: 0.1 } },
      train: { trainExamples: 1000, testExamples: 200, batchSize: 100, epochs: 1, seed: 5 },
      backend: 'wasm',
    }),
  ).runId;
  await service.waitForRun(graphRun);
}, 240_000);

afterAll(async () => {
  await service.close();
  rmSync(home, { recursive: true, force: true });
});

/** Loads an exported model.json + weights with tf.loadLayersModel and returns it with its topology's class. */
async function loadExport(runId: number) {
  const exported = await service.exportModel(parseCommandInput('exportModel', { runId }));
  const json = JSON.parse(exported.modelJson.content) as { modelTopology: { class_name: string }; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const weightData = new Uint8Array(Buffer.from(exported.weights.base64, 'base64')).buffer;
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }));
  return { className: json.modelTopology.class_name, model };
}

async function expectSamePredictions(runId: number, model: tf.LayersModel, inputShape: number[]) {
  const [image] = service.getTestImages({ dataset: 'mnist', indices: [3] });
  const pixels = Array.from(Buffer.from(image!.pixels, 'base64'), (v) => v / 255);
  const ours = await service.predict(parseCommandInput('predict', { runId, images: [pixels] }));
  const theirs = tf.tidy(() => Array.from((model.predict(tf.tensor(pixels, [1, ...inputShape])) as tf.Tensor).dataSync()));
  theirs.forEach((p, i) => expect(p).toBeCloseTo(ours.probabilities[0]![i]!, 4));
}

describe('a lab of the version before graphs', () => {
  it('opens its runs with their specs as stored, and summarises them as before', () => {
    const old = service.getRun({ runId: OLD_MLP });
    expect(old.status).toBe('completed');
    expect(old.architecture).toEqual({ inputShape: [784], layers: [{ type: 'dense', units: 32, activation: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 10, activation: 'softmax' }] });
    const summary = formatSummary(analyzeArchitecture(old.architecture));
    expect(summary.split('\n').slice(0, 4)).toEqual([
      '_________________________________________________________________',
      'Layer (type)                 Output Shape              Param #   ',
      '=================================================================',
      'dense_1 (Dense)              (None, 32)                25120     ',
    ]);
    expect(service.getRun({ runId: OLD_CNN }).epochs).toHaveLength(1);
  });

  it('exports the old runs as Sequential model.json that loads and predicts like the lab', async () => {
    for (const [runId, shape] of [
      [OLD_MLP, [784]],
      [OLD_CNN, [28, 28, 1]],
    ] as const) {
      const { className, model } = await loadExport(runId);
      expect(className).toBe('Sequential');
      await expectSamePredictions(runId, model, [...shape]);
      model.dispose();
    }
    expect(service.exportRun({ runId: OLD_MLP, format: 'keras' }).content).toContain('model = keras.Sequential(name="sequential_1", layers=[');
  });

  it('trains, evaluates and exports a graph beside them: a Keras functional model.json', async () => {
    const run = service.getRun({ runId: graphRun });
    expect(run.status).toBe('completed');
    expect(run.epochs).toHaveLength(1);
    expect(service.getEvaluation({ runId: graphRun })?.accuracy).toBeGreaterThan(0.5);
    const { className, model } = await loadExport(graphRun);
    expect(className).toBe('Model');
    expect(model.layers.map((l) => l.name)).toEqual(['input_1', 'stem', 'block_a', 'block_b', 'skip', 'skip_relu', 'classes']);
    await expectSamePredictions(graphRun, model, [784]);
    model.dispose();
    expect(service.exportRun({ runId: graphRun, format: 'keras' }).content).toContain('skip = layers.Add(name="skip")([stem, block_b])');
  });

  it('compares an old run with the graph: the added block is one row group', () => {
    const c = service.compareRuns({ runIds: [OLD_MLP, graphRun] });
    expect(c.layers.map((r) => [r.layers.map((l) => l?.name ?? '—').join(' | '), r.group])).toEqual([
      ['dense_1 | stem', null],
      ['dropout_1 | —', 1],
      ['— | block_a', 2],
      ['— | block_b', 2],
      ['— | skip', 2],
      ['— | skip_relu', 2],
      ['dense_2 | classes', null],
    ]);
  });

  it('forks an old run from its final checkpoint and trains it on', async () => {
    const old = service.getRun({ runId: OLD_MLP });
    const fork = service.startRun(
      parseCommandInput('startRun', {
        name: 'fork of previous',
        architecture: old.architecture,
        compile: old.compile,
        train: { ...old.train, epochs: 1 },
        parentRunId: OLD_MLP,
        parentCheckpoint: { kind: 'final' },
        backend: 'wasm',
      }),
    ).runId;
    await service.waitForRun(fork);
    const run = service.getRun({ runId: fork });
    expect(run.status).toBe('completed');
    // Started from the trained weights, not from scratch: the first epoch starts near where the parent ended.
    expect(run.epochs[0]!.loss).toBeLessThan(old.epochs[0]!.loss);
  }, 120_000);

  it('forks the graph run from its final checkpoint: its weights load by name into the same graph', async () => {
    const parent = service.getRun({ runId: graphRun });
    const fork = service.startRun(
      parseCommandInput('startRun', {
        name: 'fork of residual',
        architecture: parent.architecture,
        compile: parent.compile,
        train: { ...parent.train, epochs: 1 },
        parentRunId: graphRun,
        parentCheckpoint: { kind: 'final' },
        backend: 'wasm',
      }),
    ).runId;
    await service.waitForRun(fork);
    const run = service.getRun({ runId: fork });
    expect(run.status).toBe('completed');
    expect(run.architecture).toEqual(findPreset('residual-mlp')!.architecture);
    expect(run.epochs[0]!.loss).toBeLessThan(parent.epochs[0]!.loss);
  }, 120_000);
});
