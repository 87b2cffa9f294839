// The bench's workloads: an architecture and an optimizer each, one name for the CLI flag, the profiler and every
// engine (the PyTorch script builds the same networks from the same names).
import type { Architecture, OptimizerConfig } from '../src-shared/index.ts';
import { PRESETS } from '../src-shared/presets.ts';

export const WORKLOAD_NAMES = ['seed-mlp', 'deep-mlp', 'small-cnn', 'keras-cnn'] as const;
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
};

export function isWorkloadName(x: string): x is WorkloadName {
  return (WORKLOAD_NAMES as readonly string[]).includes(x);
}
