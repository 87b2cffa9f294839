// Compile config -> tfjs optimizer, with Keras's defaults and names. On the wasm backend Adam, RMSprop and Adagrad are
// the fused versions (engine/wasm-kernels/fused-optimizers.ts: one pass per small variable on the heap, tfjs's numbers
// and object); SGD and momentum (two to six kernels, SIMD-fast) and every other backend get tfjs's own.
import type { OptimizerConfig } from '../../../src-shared/index.ts';
import { FusedAdagradOptimizer, FusedAdamOptimizer, FusedRmsPropOptimizer } from '../engine/wasm-kernels/fused-optimizers.ts';
import type { Optimizer, Tf } from '../model/tf-types.ts';

export function createOptimizer(tf: Tf, config: OptimizerConfig): Optimizer {
  // The backend a run trains on is settled before its optimizer is made (trainer-session.ts), and stays.
  const fused = tf.getBackend() === 'wasm';
  switch (config.name) {
    case 'sgd':
      return config.momentum > 0
        ? tf.train.momentum(config.learningRate, config.momentum, config.nesterov)
        : tf.train.sgd(config.learningRate);
    case 'adam':
      return fused ? new FusedAdamOptimizer(config.learningRate, config.beta1, config.beta2, config.epsilon) : tf.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon);
    case 'rmsprop':
      return fused ? new FusedRmsPropOptimizer(config.learningRate, config.rho, config.momentum, config.epsilon) : tf.train.rmsprop(config.learningRate, config.rho, config.momentum, config.epsilon);
    case 'adagrad':
      return fused ? new FusedAdagradOptimizer(config.learningRate, config.initialAccumulatorValue) : tf.train.adagrad(config.learningRate, config.initialAccumulatorValue);
  }
}

/** Changes the learning rate of a live optimizer (while a run is paused). */
export function setLearningRate(optimizer: Optimizer, learningRate: number): void {
  const o = optimizer as Optimizer & { setLearningRate?: (lr: number) => void; learningRate: number };
  // SGD and momentum keep a pre-negated scalar that setLearningRate refreshes; the others
  // read `learningRate` at every update.
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}
