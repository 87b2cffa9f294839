// The architecture spec: a Keras model as JSON, Sequential or functional.
// Sequential: a list of layers, each taking the previous one's output. Functional (Keras' words):
// the same list, where a layer may carry a `name` and an `inbound` list of layer names (the model's
// input is called "input"; a layer without `inbound` takes the previous layer, the first one the
// input), and the spec an optional `output` naming the output layer (default: the last layer).
// Every Sequential spec is a functional spec whose graph is a chain.
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
  'add',
  'concatenate',
  'globalAveragePooling2d',
  'averagePooling2d',
  'reshape',
] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

/** The name an `inbound` list uses for the model's input. */
export const INPUT_REF = 'input';
/** Layer names: what Keras and Python accept as an identifier, short enough for a summary column. */
export const LAYER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
export const MAX_LAYER_NAME_LENGTH = 48;
/** A merge joins at most this many tensors; every other layer takes exactly one. */
export const MAX_INBOUND = 16;
/** Layer types that join several inputs; they take at least two. */
export const MERGE_TYPES = ['add', 'concatenate'] as const satisfies readonly LayerType[];

/** What every layer may carry to place it in a graph. */
export interface GraphFields {
  /** The layer's Keras name; without it Keras' automatic name applies (dense_1, add_2, …). */
  name?: string;
  /** The layers whose outputs this one takes, by name ("input" is the model's input). Default: the previous layer. */
  inbound?: string[];
}

export interface DenseLayer extends GraphFields {
  type: 'dense';
  units: number;
  activation?: Activation;
  useBias?: boolean;
}
export interface DropoutLayer extends GraphFields {
  type: 'dropout';
  rate: number;
}
export interface ActivationLayer extends GraphFields {
  type: 'activation';
  activation: Activation;
}
export interface FlattenLayer extends GraphFields {
  type: 'flatten';
}
export interface Conv2dLayer extends GraphFields {
  type: 'conv2d';
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  activation?: Activation;
  useBias?: boolean;
}
export interface MaxPooling2dLayer extends GraphFields {
  type: 'maxPooling2d';
  poolSize?: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
}
export interface BatchNormalizationLayer extends GraphFields {
  type: 'batchNormalization';
  momentum?: number;
  epsilon?: number;
}

/** Element-wise sum of inputs of equal shape. */
export interface AddLayer extends GraphFields {
  type: 'add';
}
/** Joins inputs along the last (channel or feature) axis; the other axes must match. */
export interface ConcatenateLayer extends GraphFields {
  type: 'concatenate';
}
export interface GlobalAveragePooling2dLayer extends GraphFields {
  type: 'globalAveragePooling2d';
}
export interface AveragePooling2dLayer extends GraphFields {
  type: 'averagePooling2d';
  poolSize?: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
}
/** Keras Reshape: the output shape without the batch axis; it must hold as many values as the input. */
export interface ReshapeLayer extends GraphFields {
  type: 'reshape';
  targetShape: number[];
}

export type LayerSpec =
  | DenseLayer
  | DropoutLayer
  | ActivationLayer
  | FlattenLayer
  | Conv2dLayer
  | MaxPooling2dLayer
  | BatchNormalizationLayer
  | AddLayer
  | ConcatenateLayer
  | GlobalAveragePooling2dLayer
  | AveragePooling2dLayer
  | ReshapeLayer;

/** Input of MNIST-like data: flat 784 pixels or a 28×28×1 image. */
export type InputShape = [number] | [number, number, number];

export interface Architecture {
  inputShape: InputShape;
  layers: LayerSpec[];
  /** The output layer's name (functional form); default: the last layer. */
  output?: string;
}

/** Whether the spec uses the functional form (an inbound list or an output); otherwise it is Sequential. */
export function isFunctionalSpec(architecture: { layers: readonly unknown[]; output?: unknown }): boolean {
  return architecture.output !== undefined || architecture.layers.some((l) => typeof l === 'object' && l !== null && (l as GraphFields).inbound !== undefined);
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
  add: 'Add',
  concatenate: 'Concatenate',
  globalAveragePooling2d: 'GlobalAveragePooling2D',
  averagePooling2d: 'AveragePooling2D',
  reshape: 'Reshape',
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
  add: 'add',
  concatenate: 'concatenate',
  globalAveragePooling2d: 'global_average_pooling2d',
  averagePooling2d: 'average_pooling2d',
  reshape: 'reshape',
};

/** Keras' InputLayer: its class and automatic name in a functional model (input_1). */
export const KERAS_INPUT_CLASS_NAME = 'InputLayer';
export const KERAS_INPUT_NAME = 'input_1';

export function pair(value: number | [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : value;
}
