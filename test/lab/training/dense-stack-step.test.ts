// The written-out MLP step must train exactly like the tape step it replaces: same loss, correct count and weights
// after several updates, for every activation it accepts, with and without biases, under stateful optimizers, on
// cpu and wasm, with dropout between layers (same masks as the tape draws); it must leak nothing; and every model it
// does not cover must be left to the tape step.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { installFastWasmKernels, uninstallFastWasmKernels } from '../../../src-main/lab/engine/wasm-kernels/index.ts';
import { createDenseStackStep, findDenseStack } from '../../../src-main/lab/training/dense-stack-step.ts';
import type { HiddenActivation } from '../../../src-main/lab/training/activations.ts';
import { createTapeTrainStep } from '../../../src-main/lab/training/train-step.ts';
import { randomBatches } from './random-batches.ts';

type Hidden = { units: number; activation: HiddenActivation; useBias?: boolean; dropout?: number[] };

/** `inputDropout`: Dropout layers before the first Dense; a hidden layer's `dropout`: Dropout layers after it. */
function mlp(hidden: Hidden[], inputs = 20, classes = 5, inputDropout: number[] = []): tf.Sequential {
  const model = tf.sequential();
  let seed = 17;
  const first = () => (model.layers.length === 0 ? { inputShape: [inputs] } : {});
  const dropouts = (rates: number[]) => rates.forEach((rate) => model.add(tf.layers.dropout({ ...first(), rate, seed: seed++ })));
  dropouts(inputDropout);
  for (const h of hidden) {
    model.add(tf.layers.dense({ ...first(), units: h.units, activation: h.activation, useBias: h.useBias ?? true }));
    dropouts(h.dropout ?? []);
  }
  model.add(tf.layers.dense({ ...first(), units: classes, activation: 'softmax' }));
  return model;
}

const OPTIMIZERS: Record<string, () => tf.Optimizer> = {
  sgd: () => tf.train.sgd(0.1),
  momentum: () => tf.train.momentum(0.1, 0.9, true),
  adam: () => tf.train.adam(0.01),
};

/** Trains two copies of one model, one per step kind, on the same batches; returns both traces. */
function trainBoth(hidden: Hidden[], optimizer: string, inputDropout: number[] = []) {
  const data = randomBatches(3, 32, 20, 5, 5);
  const run = (kind: 'dense' | 'tape') =>
    tf.tidy(() => {
      const model = mlp(hidden, 20, 5, inputDropout);
      model.setWeights(initial.map((w) => tf.tensor(w.data, w.shape)));
      const opt = (OPTIMIZERS[optimizer] as () => tf.Optimizer)();
      const stack = findDenseStack(model);
      if (stack == null) throw new Error('not a dense stack');
      const step = kind === 'dense' ? createDenseStackStep(stack, opt) : createTapeTrainStep(model, opt);
      const trace = data.map((b) => step(tf.tensor2d(b.x, [32, 20]), tf.tensor2d(b.y, [32, 5])));
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      opt.dispose();
      model.dispose();
      return { trace, weights };
    });
  const template = mlp(hidden, 20, 5, inputDropout);
  const initial = template.getWeights().map((w) => ({ data: w.dataSync().slice(), shape: w.shape }));
  template.dispose();
  return { dense: run('dense'), tape: run('tape') };
}

function expectSameTraining(a: ReturnType<typeof trainBoth>['dense'], b: ReturnType<typeof trainBoth>['tape']) {
  a.trace.forEach((t, i) => {
    expect(t.loss).toBeCloseTo(b.trace[i]?.loss ?? NaN, 5);
    expect(t.correct).toBe(b.trace[i]?.correct);
  });
  expect(a.weights.length).toBe(b.weights.length);
  let worst = 0;
  a.weights.forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (b.weights[i]?.[j] ?? NaN))))));
  expect(worst).toBeLessThan(2e-5);
}

const CASES: { name: string; hidden: Hidden[]; inputDropout?: number[] }[] = [
  { name: 'deep-mlp shape (relu, dropout after each)', hidden: [{ units: 16, activation: 'relu', dropout: [0.2] }, { units: 12, activation: 'relu', dropout: [0.5] }] },
  { name: 'input dropout, two dropouts in a row, rate 0', hidden: [{ units: 16, activation: 'tanh', dropout: [0.3, 0] }, { units: 8, activation: 'sigmoid', dropout: [0.4, 0.1] }], inputDropout: [0.25] },
  { name: 'seed shape (relu)', hidden: [{ units: 16, activation: 'relu' }] },
  { name: 'tanh then sigmoid', hidden: [{ units: 16, activation: 'tanh' }, { units: 12, activation: 'sigmoid' }] },
  { name: 'linear without bias', hidden: [{ units: 8, activation: 'linear', useBias: false }] },
  { name: 'elu, selu, softplus, softsign', hidden: [{ units: 12, activation: 'elu' }, { units: 10, activation: 'selu', dropout: [0.2] }, { units: 9, activation: 'softplus' }, { units: 8, activation: 'softsign' }] },
  { name: 'softmax layer only', hidden: [] },
];

afterAll(async () => {
  await tf.setBackend('wasm');
  uninstallFastWasmKernels(tf);
});

describe('dense stack step = tape step', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const c of CASES) {
      for (const optimizer of Object.keys(OPTIMIZERS)) {
        it(`${backend}: ${c.name}, ${optimizer}`, async () => {
          await tf.setBackend(backend);
          if (backend === 'wasm') installFastWasmKernels(tf);
          const { dense, tape } = trainBoth(c.hidden, optimizer, c.inputDropout);
          expectSameTraining(dense, tape);
        });
      }
    }
  }

  it('leaks no tensor', async () => {
    await tf.setBackend('wasm');
    const model = mlp([{ units: 16, activation: 'relu' }]);
    const opt = tf.train.adam(0.01);
    const step = createDenseStackStep(findDenseStack(model)!, opt);
    const [b] = randomBatches(1, 32, 20, 5, 9);
    const x = tf.tensor2d(b!.x, [32, 20]);
    const y = tf.tensor2d(b!.y, [32, 5]);
    const once = () => step(x, y);
    once(); // the optimizer creates its slots on the first update
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) once();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });
});

describe('findDenseStack', () => {
  it('takes only plain softmax MLPs on rank-2 input', () => {
    const models: [string, tf.LayersModel, boolean][] = [
      ['seed', mlp([{ units: 16, activation: 'relu' }]), true],
      ['dropout', tf.sequential({ layers: [tf.layers.dense({ inputShape: [20], units: 8, activation: 'relu' }), tf.layers.dropout({ rate: 0.2 }), tf.layers.dense({ units: 5, activation: 'softmax' })] }), true],
      ['dropout after the softmax', tf.sequential({ layers: [tf.layers.dense({ inputShape: [20], units: 5, activation: 'softmax' }), tf.layers.dropout({ rate: 0.2 })] }), false],
      ['dropout with a noise shape', tf.sequential({ layers: [tf.layers.dense({ inputShape: [20], units: 8, activation: 'relu' }), tf.layers.dropout({ rate: 0.2, noiseShape: [1, 8] }), tf.layers.dense({ units: 5, activation: 'softmax' })] }), false],
      ['image input', tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 5, 1] }), tf.layers.dense({ units: 5, activation: 'softmax' })] }), false],
      ['no softmax', tf.sequential({ layers: [tf.layers.dense({ inputShape: [20], units: 5, activation: 'sigmoid' })] }), false],
      ['elu hidden', tf.sequential({ layers: [tf.layers.dense({ inputShape: [20], units: 8, activation: 'elu' }), tf.layers.dense({ units: 5, activation: 'softmax' })] }), true],
      ['relu6 hidden (not in the contract)', tf.sequential({ layers: [tf.layers.dense({ inputShape: [20], units: 8, activation: 'relu6' }), tf.layers.dense({ units: 5, activation: 'softmax' })] }), false],
      ['regularized', tf.sequential({ layers: [tf.layers.dense({ inputShape: [20], units: 5, activation: 'softmax', kernelRegularizer: tf.regularizers.l2() })] }), false],
    ];
    for (const [name, model, expected] of models) {
      expect(findDenseStack(model) != null, name).toBe(expected);
      model.dispose();
    }
  });
});
