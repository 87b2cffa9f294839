// The bench's workloads: an architecture and an optimizer each, one name for the CLI flag, the profiler and every
// engine (the PyTorch script builds the same networks from the same names).
import type { Architecture, OptimizerConfig } from '../src-shared/index.ts';
import { PRESETS } from '../src-shared/presets.ts';

export const WORKLOAD_NAMES = ['seed-mlp', 'deep-mlp', 'small-cnn', 'keras-cnn', 'act-mlp', 'act-cnn', 'bn-cnn'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface WorkloadSpec {
  name: WorkloadName;
  title: string;
  architecture: Architecture;
  optimizer: OptimizerConfig;
}

function preset(id: string): Architecture {
  const p = PRESETS.find((x) => x.id === id);
  if (p == null) throw new Error(`the ${id} preset is gone`);
  return p.architecture;
}

const SGD: OptimizerConfig = { name: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false };
const ADAM: OptimizerConfig = { name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
const ADAGRAD: OptimizerConfig = { name: 'adagrad', learningRate: 0.01, initialAccumulatorValue: 0.1 };
const RMSPROP: OptimizerConfig = { name: 'rmsprop', learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 };
const NESTEROV: OptimizerConfig = { name: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true };

// The layer zoo: every hidden activation, average pools, batch normalization and every optimizer, each in a network
// shaped like a preset, so that the bench can say which path each takes and what it costs per multiply-add.

/** The other activations on a deeper MLP, Adagrad. */
const ACT_MLP: Architecture = {
  inputShape: [784],
  layers: [
    { type: 'dense', units: 512, activation: 'tanh' },
    { type: 'dropout', rate: 0.2 },
    { type: 'dense', units: 256, activation: 'sigmoid' },
    { type: 'dense', units: 128, activation: 'softsign' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

/** The Small CNN's shape with elu, selu and softplus and average pools, RMSprop. */
const ACT_CNN: Architecture = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'elu' },
    { type: 'averagePooling2d', poolSize: 2 },
    { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'selu' },
    { type: 'averagePooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 64, activation: 'softplus' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

/** The Small CNN with batch normalization after each conv layer, SGD with Nesterov momentum. */
const BN_CNN: Architecture = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
    { type: 'batchNormalization' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
    { type: 'batchNormalization' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 64, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

/** Keras' examples/vision/mnist_convnet.py, compiled with Adam as there. */
export const KERAS_CNN: Architecture = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

export const WORKLOADS: Record<WorkloadName, WorkloadSpec> = {
  'seed-mlp': { name: 'seed-mlp', title: 'seed MLP (784-512relu-10, SGD 0.01)', architecture: preset('keras-mlp'), optimizer: SGD },
  'deep-mlp': { name: 'deep-mlp', title: 'Deeper MLP with dropout (SGD 0.01)', architecture: preset('deep-mlp'), optimizer: SGD },
  'small-cnn': { name: 'small-cnn', title: 'Small CNN preset (SGD 0.01)', architecture: preset('small-cnn'), optimizer: SGD },
  'keras-cnn': { name: 'keras-cnn', title: 'Keras mnist_convnet (Adam 1e-3)', architecture: KERAS_CNN, optimizer: ADAM },
  'act-mlp': { name: 'act-mlp', title: 'MLP 784-512tanh-256sigmoid-128softsign-10, dropout (Adagrad 0.01)', architecture: ACT_MLP, optimizer: ADAGRAD },
  'act-cnn': { name: 'act-cnn', title: 'Small CNN with elu/selu/softplus and average pools (RMSprop 1e-3)', architecture: ACT_CNN, optimizer: RMSPROP },
  'bn-cnn': { name: 'bn-cnn', title: 'Small CNN with batch normalization (SGD 0.01, Nesterov 0.9)', architecture: BN_CNN, optimizer: NESTEROV },
};

export function isWorkloadName(x: string): x is WorkloadName {
  return (WORKLOAD_NAMES as readonly string[]).includes(x);
}
