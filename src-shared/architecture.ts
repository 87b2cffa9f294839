// The architecture spec: a Sequential model in Keras vocabulary, as JSON.
// Validation lives in analyze-architecture.ts so the messages can name layer and field.

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const PADDINGS = ['valid', 'same'] as const;
export type Padding = (typeof PADDINGS)[number];

export const LAYER_TYPES = [
  'dense',
  'dropout',
  'activation',
  'flatten',
  'conv2d',
  'maxPooling2d',
  'batchNormalization',
] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

export interface DenseLayer {
  type: 'dense';
  units: number;
  activation?: Activation;
  useBias?: boolean;
}
export interface DropoutLayer {
  type: 'dropout';
  rate: number;
}
export interface ActivationLayer {
  type: 'activation';
  activation: Activation;
}
export interface FlattenLayer {
  type: 'flatten';
}
export interface Conv2dLayer {
  type: 'conv2d';
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  activation?: Activation;
  useBias?: boolean;
}
export interface MaxPooling2dLayer {
  type: 'maxPooling2d';
  poolSize?: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
}
export interface BatchNormalizationLayer {
  type: 'batchNormalization';
  momentum?: number;
  epsilon?: number;
}

export type LayerSpec =
  | DenseLayer
  | DropoutLayer
  | ActivationLayer
  | FlattenLayer
  | Conv2dLayer
  | MaxPooling2dLayer
  | BatchNormalizationLayer;

/** Input of MNIST-like data: flat 784 pixels or a 28×28×1 image. */
export type InputShape = [number] | [number, number, number];

export interface Architecture {
  inputShape: InputShape;
  layers: LayerSpec[];
}

/** Keras class names, used in summaries and exports. */
export const KERAS_CLASS_NAMES: Record<LayerType, string> = {
  dense: 'Dense',
  dropout: 'Dropout',
  activation: 'Activation',
  flatten: 'Flatten',
  conv2d: 'Conv2D',
  maxPooling2d: 'MaxPooling2D',
  batchNormalization: 'BatchNormalization',
};

/** Keras layer-name prefixes (dense_1, max_pooling2d_1, …). */
export const KERAS_NAME_PREFIXES: Record<LayerType, string> = {
  dense: 'dense',
  dropout: 'dropout',
  activation: 'activation',
  flatten: 'flatten',
  conv2d: 'conv2d',
  maxPooling2d: 'max_pooling2d',
  batchNormalization: 'batch_normalization',
};

export function pair(value: number | [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : value;
}
