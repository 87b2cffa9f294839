// Compile config -> tfjs optimizer, with Keras's defaults and names.
import type { OptimizerConfig } from '../../../src-shared/index.ts';
import type { Optimizer, Tf } from '../model/tf-types.ts';

export function createOptimizer(tf: Tf, config: OptimizerConfig): Optimizer {
  switch (config.name) {
    case 'sgd':
      return config.momentum > 0
        ? tf.train.momentum(config.learningRate, config.momentum, config.nesterov)
        : tf.train.sgd(config.learningRate);
    case 'adam':
      return tf.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(config.learningRate, config.rho, config.momentum, config.epsilon);
    case 'adagrad':
      return tf.train.adagrad(config.learningRate, config.initialAccumulatorValue);
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
