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
  {
    id: 'residual-mlp',
    title: 'Residual MLP',
    description: 'Dense 128, then a block of two Dense 128 whose output is added back to its input (a skip connection).',
    architecture: {
      inputShape: [784],
      layers: [
        { name: 'stem', type: 'dense', units: 128, activation: 'relu' },
        { name: 'block_a', type: 'dense', units: 128, activation: 'relu' },
        { name: 'block_b', type: 'dense', units: 128 },
        { name: 'skip', type: 'add', inbound: ['stem', 'block_b'] },
        { name: 'skip_relu', type: 'activation', activation: 'relu' },
        { name: 'classes', type: 'dense', units: 10, activation: 'softmax' },
      ],
    },
  },
  {
    id: 'mini-resnet',
    title: 'Mini-ResNet',
    description: 'Two residual blocks of 3×3 convolutions (16 filters, input added back), max pooling between, global average pooling head.',
    architecture: {
      inputShape: [28, 28, 1],
      layers: [
        { name: 'stem', type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
        { name: 'res1_a', type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
        { name: 'res1_b', type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same' },
        { name: 'res1_add', type: 'add', inbound: ['stem', 'res1_b'] },
        { name: 'res1_out', type: 'activation', activation: 'relu' },
        { name: 'pool', type: 'maxPooling2d', poolSize: 2 },
        { name: 'res2_a', type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
        { name: 'res2_b', type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same' },
        { name: 'res2_add', type: 'add', inbound: ['pool', 'res2_b'] },
        { name: 'res2_out', type: 'activation', activation: 'relu' },
        { name: 'gap', type: 'globalAveragePooling2d' },
        { name: 'classes', type: 'dense', units: 10, activation: 'softmax' },
      ],
    },
  },
  {
    id: 'two-branch-cnn',
    title: 'Two-branch CNN',
    description: '3×3 and 5×5 convolutions side by side on the image, concatenated, pooled, then a dense head.',
    architecture: {
      inputShape: [28, 28, 1],
      layers: [
        { name: 'conv3x3', type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', inbound: ['input'] },
        { name: 'conv5x5', type: 'conv2d', filters: 8, kernelSize: 5, padding: 'same', activation: 'relu', inbound: ['input'] },
        { name: 'branches', type: 'concatenate', inbound: ['conv3x3', 'conv5x5'] },
        { name: 'pool', type: 'maxPooling2d', poolSize: 2 },
        { name: 'flat', type: 'flatten' },
        { name: 'classes', type: 'dense', units: 10, activation: 'softmax' },
      ],
    },
  },
];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
