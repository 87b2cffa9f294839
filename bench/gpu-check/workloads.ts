// The GPU check's workloads: the seed tutorial's MLP, the app's Small CNN, and the Keras mnist_convnet example.
// PyTorch receives the same specs as JSON, so both sides train the same networks with the same optimizers.
import { CompileConfigSchema, findPreset, type Architecture, type CompileConfig } from '../../src-shared/index.ts';

export interface Workload {
  id: string;
  title: string;
  architecture: Architecture;
  compile: CompileConfig;
  batchSize: number;
}

function preset(id: string): Architecture {
  const found = findPreset(id);
  if (!found) throw new Error(`the ${id} preset is gone`);
  return found.architecture;
}

export const WORKLOADS: readonly Workload[] = [
  // The seed: SGD lr 0.01, batch 128.
  { id: 'seed-mlp', title: 'Seed MLP', architecture: preset('keras-mlp'), compile: CompileConfigSchema.parse({}), batchSize: 128 },
  { id: 'small-cnn', title: 'Small CNN', architecture: preset('small-cnn'), compile: CompileConfigSchema.parse({ optimizer: { name: 'adam' } }), batchSize: 128 },
  {
    // keras.io/examples/vision/mnist_convnet: two conv blocks, dropout 0.5, Adam, batch 128.
    id: 'keras-cnn',
    title: 'Keras CNN',
    architecture: {
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
    },
    compile: CompileConfigSchema.parse({ optimizer: { name: 'adam' } }),
    batchSize: 128,
  },
];

export function findWorkload(id: string): Workload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload "${id}" (known: ${WORKLOADS.map((x) => x.id).join(', ')})`);
  return w;
}
