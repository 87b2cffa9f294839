// Every payload from a renderer goes through parseCommandInput: bad ones are refused with a message.
import { describe, expect, it } from 'vitest';
import { findPreset, parseCommandInput, PayloadError, type CommandName } from '../../src-shared/index.ts';
import { MAX_CLASSES } from '../../src-shared/dataset-shape.ts';

const arch = findPreset('keras-mlp')!.architecture;
const img = Array.from({ length: 784 }, () => 0);

const BAD: [CommandName, unknown, RegExp][] = [
  ['startRun', undefined, /expected object/i],
  ['startRun', null, /expected object/i],
  ['startRun', {}, /architecture/],
  ['startRun', { architecture: 'mlp' }, /architecture must be an object/],
  ['startRun', { architecture: arch, extra: 1 }, /unrecognized key/i],
  ['startRun', { architecture: arch, train: { epochs: 0 } }, /train\.epochs/],
  ['startRun', { architecture: arch, train: { epochs: 1.5 } }, /train\.epochs/],
  ['startRun', { architecture: arch, train: { batchSize: -1 } }, /train\.batchSize/],
  ['startRun', { architecture: arch, train: { trainExamples: 0 } }, /train\.trainExamples/],
  ['startRun', { architecture: arch, train: { seed: -1 } }, /train\.seed/],
  ['startRun', { architecture: arch, train: { validation: { kind: 'split', fraction: 1 } } }, /fraction/],
  ['startRun', { architecture: arch, train: { validation: { kind: 'half' } } }, /validation/],
  ['startRun', { architecture: arch, train: { shuffle: 'yes' } }, /shuffle/],
  ['startRun', { architecture: arch, compile: { loss: 'mse' } }, /compile\.loss/],
  ['startRun', { architecture: arch, compile: { optimizer: { name: 'lbfgs' } } }, /optimizer/],
  ['startRun', { architecture: arch, compile: { optimizer: { name: 'sgd', learningRate: 0 } } }, /learningRate/],
  ['startRun', { architecture: arch, compile: { optimizer: { name: 'sgd', learningRate: 0.1, beta1: 0.9 } } }, /unrecognized key/i],
  ['startRun', { architecture: arch, compile: { optimizer: { name: 'adam', beta2: 1 } } }, /beta2/],
  ['startRun', { architecture: arch, backend: 'tpu' }, /backend/],
  ['startRun', { architecture: arch, dataset: '../etc' }, /dataset names/],
  ['startRun', { architecture: arch, name: '   ' }, /name/],
  ['startRun', { architecture: arch, parentRunId: 0 }, /parentRunId/],
  ['startRun', { architecture: arch, parentCheckpoint: { kind: 'epoch' } }, /epoch/],
  ['startRun', { architecture: { inputShape: [784], layers: [{ type: 'dense', units: 512 }, { type: 'dense', units: -3 }] } }, /layer 2 \(dense\): units must be a positive integer/],
  ['stopRun', {}, /runId/],
  ['stopRun', { runId: '1' }, /runId/],
  ['stopRun', { runId: 1.5 }, /runId/],
  ['stopRun', { runId: -1 }, /runId/],
  ['setLearningRate', { runId: 1 }, /learningRate/],
  ['setLearningRate', { runId: 1, learningRate: -0.1 }, /learningRate/],
  ['updateRun', { runId: 1, tags: 'a,b' }, /tags/],
  ['updateRun', { runId: 1, notes: 'x'.repeat(10_001) }, /notes/],
  ['listRuns', { status: 'done' }, /status/],
  ['listRuns', { limit: 0 }, /limit/],
  ['exportRun', { runId: 1, format: 'xlsx' }, /format/],
  ['predict', { runId: 1, images: [] }, /images/],
  ['predict', { runId: 1, images: [[0.5]] }, /784 values/],
  ['predict', { runId: 1, images: [img.map(() => 2)] }, /images/],
  ['predict', { runId: 1, images: Array.from({ length: 257 }, () => img) }, /images/],
  ['predict', { runId: 1, images: [img], checkpoint: { kind: 'latest' } }, /checkpoint/],
  ['getTestImages', { indices: [-1] }, /indices/],
  ['getTestImages', { indices: [] }, /indices/],
  ['getMisclassified', { runId: 1, trueLabel: MAX_CLASSES }, /trueLabel/],
  ['inspectImage', { runId: 1, image: img, target: MAX_CLASSES }, /target/],
  ['getMisclassified', { runId: 1, limit: 501 }, /limit/],
];

describe('payload schemas', () => {
  it.each(BAD)('%s refuses %j', (command, payload, message) => {
    let error: unknown;
    try {
      parseCommandInput(command, payload);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PayloadError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(`invalid ${command} payload: `)).toBe(true);
  });

  it('takes any dataset’s class label up to MAX_CLASSES − 1 (the service checks it against the run)', () => {
    for (const label of [10, MAX_CLASSES - 1]) {
      expect(parseCommandInput('getMisclassified', { runId: 1, trueLabel: label, predictedLabel: label })).toMatchObject({ trueLabel: label, predictedLabel: label });
      expect(parseCommandInput('comparePredictions', { runA: 1, runB: 2, trueLabel: label, predictedLabel: label })).toMatchObject({ trueLabel: label, predictedLabel: label });
      expect(parseCommandInput('getClassByConfidence', { runId: 1, label })).toMatchObject({ label });
      expect(parseCommandInput('inspectImage', { runId: 1, image: img, target: label })).toMatchObject({ target: label });
    }
  });

  it('fills the seed defaults into a minimal startRun', () => {
    const parsed = parseCommandInput('startRun', { architecture: arch });
    expect(parsed.train).toMatchObject({ batchSize: 128, epochs: 10, trainExamples: 60_000, testExamples: 10_000, validation: { kind: 'testSet' } });
    expect(parsed.compile.optimizer).toEqual({ name: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false });
    expect(parsed.dataset).toBe('mnist');
    expect(parsed.backend).toBe('auto');
  });
});
