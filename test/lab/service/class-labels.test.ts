// Class labels past MNIST's ten, through the one handler table as both transports call it: the
// schema takes any dataset's label (0 to MAX_CLASSES − 1), and the service refuses a label the run
// itself does not have with a user error (400) naming the label and the run's class count.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompileConfigSchema, findPreset, PayloadError, TrainConfigSchema, type Architecture } from '../../../src-shared/index.ts';
import { MAX_CLASSES } from '../../../src-shared/dataset-shape.ts';
import { saveDataset } from '../../../src-main/lab/data/importers/save-dataset.ts';
import { DATABASE_FILE } from '../../../src-main/lab/home.ts';
import { buildModel } from '../../../src-main/lab/model/build-model.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { encodeWeights } from '../../../src-main/lab/model/weights-codec.ts';
import { dispatchCommand } from '../../../src-main/lab/service/dispatch.ts';
import { LabService } from '../../../src-main/lab/service/lab-service.ts';
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';
import { userErrorStatus } from '../../../src-main/lab/user-errors.ts';
import { fakeTrainerLauncher } from './fake-trainer.ts';

const tf = tfjs as unknown as Tf;
const home = mkdtempSync(join(tmpdir(), 'layerlab-labels-'));
const CLASSES = 12;
const TEST_COUNT = 48;
/** A 4×4 grey image per example; test image i is of class i % 12. */
const twelveArch: Architecture = { inputShape: [4, 4, 1], layers: [{ type: 'flatten' }, { type: 'dense', units: CLASSES, activation: 'softmax' }] };
const mnistArch = findPreset('keras-mlp')!.architecture;
let service: LabService;
/** Two runs on the 12-class dataset and two on MNIST (10 classes), each with stored test predictions and a final checkpoint. */
const runs = { twelveA: 0, twelveB: 0, mnistA: 0, mnistB: 0 };

function storeRun(store: LabStore, name: string, dataset: string, architecture: Architecture, predicted: (label: number) => number, labels: Uint8Array): number {
  const runId = store.createRun({ name, architecture, compile: CompileConfigSchema.parse({}), train: TrainConfigSchema.parse({ epochs: 1 }), dataset: { name: dataset, hash: dataset }, totalParams: 0 });
  const model = buildModel(tf, architecture, 1);
  store.saveCheckpoint(runId, { kind: 'final', epoch: 1, valLoss: null, weights: encodeWeights(model) });
  model.dispose();
  const testIndices = Uint32Array.from({ length: labels.length }, (_, i) => i);
  store.saveEvaluation(
    runId,
    { loss: 0, accuracy: 0, confusionMatrix: [], perClass: [], examples: labels.length },
    { testIndices, predicted: Uint8Array.from(labels, predicted), confidence: Float32Array.from(labels, (_, i) => 1 - i / 1000) },
  );
  store.finishRun(runId, 'completed', null);
  return runId;
}

beforeAll(async () => {
  const datasetsDir = join(home, 'datasets');
  mkdirSync(datasetsDir, { recursive: true });
  const labels = Uint8Array.from({ length: TEST_COUNT }, (_, i) => i % CLASSES);
  const images = (count: number) => Uint8Array.from({ length: count * 16 }, (_, i) => (i * 37) % 256);
  saveDataset(datasetsDir, 'twelve', {
    title: 'Twelve classes',
    imageShape: [4, 4, 1],
    classNames: Array.from({ length: CLASSES }, (_, i) => `c${i}`),
    source: 'csv',
    train: { images: images(TEST_COUNT), labels },
    test: { images: images(TEST_COUNT), labels },
  });
  const store = LabStore.open(join(home, DATABASE_FILE));
  // A: every image taken for the next class (all wrong); B: right ones — so A→B changes every image.
  runs.twelveA = storeRun(store, 'twelve A', 'twelve', twelveArch, (l) => (l + 1) % CLASSES, labels);
  runs.twelveB = storeRun(store, 'twelve B', 'twelve', twelveArch, (l) => l, labels);
  const mnistLabels = Uint8Array.from({ length: TEST_COUNT }, (_, i) => i % 10);
  runs.mnistA = storeRun(store, 'mnist A', 'mnist', mnistArch, (l) => (l + 1) % 10, mnistLabels);
  runs.mnistB = storeRun(store, 'mnist B', 'mnist', mnistArch, (l) => l, mnistLabels);
  store.close();
  service = await LabService.open({ home, trainerLauncher: fakeTrainerLauncher(), processKind: 'test' });
});
afterAll(async () => {
  await service.close();
  rmSync(home, { recursive: true, force: true });
});

/** The error a command rejects with (a thrown error and a rejection alike). */
async function refusal(command: string, payload: unknown): Promise<Error> {
  try {
    await dispatchCommand(service, command, payload);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${command} accepted ${JSON.stringify(payload)}`);
}

const image16 = new Array<number>(16).fill(0.5);

describe('class labels beyond ten', () => {
  it('label 10 is a class of a 12-class run: the gallery, the comparison, the class view and saliency take it', async () => {
    const wrong = (await dispatchCommand(service, 'getMisclassified', { runId: runs.twelveA, trueLabel: 10 })) as { label: number; predicted: number }[];
    expect(wrong).toHaveLength(TEST_COUNT / CLASSES);
    expect(wrong.every((m) => m.label === 10 && m.predicted === 11)).toBe(true);
    const byPrediction = (await dispatchCommand(service, 'getMisclassified', { runId: runs.twelveA, predictedLabel: 11, checkpoint: { kind: 'final' } })) as { label: number }[];
    expect(byPrediction.map((m) => m.label)).toEqual([10, 10, 10, 10]);
    const compared = (await dispatchCommand(service, 'comparePredictions', { runA: runs.twelveA, runB: runs.twelveB, trueLabel: 10 })) as { images: { label: number }[] };
    expect(compared.images.map((m) => m.label)).toEqual([10, 10, 10, 10]);
    const ofClass = (await dispatchCommand(service, 'getClassByConfidence', { runId: runs.twelveA, label: 11 })) as { label: number }[];
    expect(ofClass.map((m) => m.label)).toEqual([11, 11, 11, 11]);
    const inspected = (await dispatchCommand(service, 'inspectImage', { runId: runs.twelveA, image: image16, target: 10 })) as { saliency: { target: number }; probabilities: number[] };
    expect(inspected.saliency.target).toBe(10);
    expect(inspected.probabilities).toHaveLength(CLASSES);
  });

  it('label 10 is refused for a 10-class run, with a 400 naming the label and the run’s class count', async () => {
    const cases: [string, unknown, string][] = [
      ['getMisclassified', { runId: runs.mnistA, trueLabel: 10 }, `trueLabel 10 is not a class of run ${runs.mnistA}: it has 10 classes (labels 0 to 9)`],
      ['getMisclassified', { runId: runs.mnistA, predictedLabel: 10, checkpoint: { kind: 'final' } }, `predictedLabel 10 is not a class of run ${runs.mnistA}: it has 10 classes`],
      ['comparePredictions', { runA: runs.mnistA, runB: runs.mnistB, predictedLabel: 10 }, `predictedLabel 10 is not a class of run ${runs.mnistA}: it has 10 classes`],
      ['getClassByConfidence', { runId: runs.mnistA, label: 10 }, `label 10 is not a class of run ${runs.mnistA}: it has 10 classes`],
      ['inspectImage', { runId: runs.mnistA, image: new Array<number>(784).fill(0), target: 10 }, `target 10 is not a class of run ${runs.mnistA}: it has 10 classes`],
    ];
    for (const [command, payload, message] of cases) {
      const error = await refusal(command, payload);
      expect(error.message, command).toContain(message);
      expect(userErrorStatus(error), command).toBe(400);
    }
  });

  it('at the boundary: MAX_CLASSES − 1 passes the schema (and a 12-class run refuses it), MAX_CLASSES does not', async () => {
    const top = MAX_CLASSES - 1;
    const error = await refusal('getMisclassified', { runId: runs.twelveA, trueLabel: top });
    expect(error.message).toBe(`trueLabel ${top} is not a class of run ${runs.twelveA}: it has 12 classes (labels 0 to 11)`);
    expect(error.name).toBe('ClassLabelError');
    expect(await refusal('comparePredictions', { runA: runs.twelveA, runB: runs.twelveB, trueLabel: top })).toMatchObject({ name: 'ClassLabelError' });
    expect(await refusal('inspectImage', { runId: runs.twelveA, image: image16, target: top })).toMatchObject({ name: 'ClassLabelError' });
    for (const [command, payload] of [
      ['getMisclassified', { runId: runs.twelveA, trueLabel: MAX_CLASSES }],
      ['comparePredictions', { runA: runs.twelveA, runB: runs.twelveB, predictedLabel: MAX_CLASSES }],
      ['getClassByConfidence', { runId: runs.twelveA, label: MAX_CLASSES }],
      ['inspectImage', { runId: runs.twelveA, image: image16, target: MAX_CLASSES }],
    ] as const) {
      const refused = await refusal(command, payload);
      expect(refused, command).toBeInstanceOf(PayloadError);
      expect(refused.message, command).toMatch(/trueLabel|predictedLabel|label|target/);
    }
  });
});
