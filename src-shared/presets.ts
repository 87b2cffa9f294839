// Ready-made architectures; the first is the seed tutorial's model.
import type { Architecture } from './architecture.ts';

export interface Preset {
  id: string;
  title: string;
  description: string;
  architecture: Architecture;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'keras-mlp',
    title: 'Keras tutorial MLP',
    description: 'Dense 512 relu → Dense 10 softmax: the seed tutorial’s model (407,050 params).',
    architecture: {
      inputShape: [784],
      layers: [
        { type: 'dense', units: 512, activation: 'relu' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    },
  },
  {
    id: 'deep-mlp',
    title: 'Deeper MLP with dropout',
    description: 'Two hidden layers of 512 with dropout 0.2, the Keras mnist_mlp example.',
    architecture: {
      inputShape: [784],
      layers: [
        { type: 'dense', units: 512, activation: 'relu' },
        { type: 'dropout', rate: 0.2 },
        { type: 'dense', units: 512, activation: 'relu' },
        { type: 'dropout', rate: 0.2 },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    },
  },
  {
    id: 'small-cnn',
    title: 'Small CNN',
    description: 'Two 3×3 conv blocks with max pooling, then a dense head.',
    architecture: {
      inputShape: [28, 28, 1],
      layers: [
        { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 64, activation: 'relu' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    },
  },
];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
