// createOptimizer: Keras's optimizers; on the wasm backend the fused Adam, RMSprop and Adagrad, else tfjs's own.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { FusedAdagradOptimizer, FusedAdamOptimizer, FusedRmsPropOptimizer } from '../../../src-main/lab/engine/wasm-kernels/fused-optimizers.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { createOptimizer } from '../../../src-main/lab/training/optimizers.ts';

const CONFIGS = {
  sgd: { name: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false },
  momentum: { name: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true },
  adam: { name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  rmsprop: { name: 'rmsprop', learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 },
  adagrad: { name: 'adagrad', learningRate: 0.01, initialAccumulatorValue: 0.1 },
} as const;

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('createOptimizer', () => {
  it('makes the fused Adam, RMSprop and Adagrad on wasm, tfjs\'s SGD and momentum', async () => {
    await tf.setBackend('wasm');
    const made = Object.fromEntries(Object.entries(CONFIGS).map(([k, c]) => [k, createOptimizer(tf as unknown as Tf, c)]));
    // By constructor: tfjs's Optimizer answers instanceof by duck typing (any optimizer is an instance of every one).
    expect(made['sgd']?.constructor).toBe(tf.SGDOptimizer);
    expect(made['momentum']?.constructor).toBe(tf.MomentumOptimizer);
    expect(made['adam']?.constructor).toBe(FusedAdamOptimizer);
    expect(made['adam']!.getConfig()).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(made['rmsprop']?.constructor).toBe(FusedRmsPropOptimizer);
    expect(made['adagrad']?.constructor).toBe(FusedAdagradOptimizer);
    Object.values(made).forEach((o) => o.dispose());
  });

  it('makes tfjs\'s own optimizers on another backend', async () => {
    await tf.setBackend('cpu');
    const made = Object.values(CONFIGS).map((c) => createOptimizer(tf as unknown as Tf, c));
    expect(made.map((o) => o.constructor)).toEqual([tf.SGDOptimizer, tf.MomentumOptimizer, tf.AdamOptimizer, tf.RMSPropOptimizer, tf.AdagradOptimizer]);
    made.forEach((o) => o.dispose());
  });
});
