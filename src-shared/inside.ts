// Looking inside a trained network: the payloads and limits of the "inside" commands
// (activations and saliency for one image, weight images and histograms, histograms over
// epochs, the embedding projector). One home for these facts: the service, the CLI and the
// renderer all read them from here.
import { z } from 'zod';
import { CheckpointRefSchema, ClassLabelSchema, RunIdSchema } from './schemas.ts';

/** Values of one input image at most (a 28×28×1 digit is 784; this leaves room for larger datasets). */
export const MAX_INPUT_VALUES = 4096;
/** Activation values sent for one layer at most; a larger conv output sends its first channels only. */
export const MAX_ACTIVATION_VALUES = 65_536;
/** Bins of every weight histogram (stored per epoch and computed on demand alike). */
export const HISTOGRAM_BINS = 30;
/** Weight tiles (hidden units or conv filters) per page at most. */
export const MAX_WEIGHT_TILES = 1024;
/** Test images projected at most, and at least. */
export const MAX_PROJECTION_SAMPLE = 2000;
export const MIN_PROJECTION_SAMPLE = 20;
/** Steps of the integrated-gradients path (zero image to the image). */
export const INTEGRATED_GRADIENT_STEPS = 32;

/**
 * What the weights grid shows: each unit's weights as they are, or their change since
 * initialisation (W at the checkpoint − W at init). A 512-unit layer's raw weights after a
 * short run are still mostly its random Glorot init (the change is ~15–25 % of the norm), so the
 * learned strokes show in the change.
 */
export const WEIGHT_VIEWS = ['weights', 'change'] as const;
export type WeightView = (typeof WEIGHT_VIEWS)[number];
/** The weights grid's colours saturate at this percentile of |value| over the layer (one scale for all tiles,
 *  robust to a few outliers that a max would let wash the rest out). */
export const WEIGHT_SCALE_PERCENTILE = 99.5;

export const SALIENCY_METHODS = ['gradient-x-input', 'integrated-gradients'] as const;
export type SaliencyMethod = (typeof SALIENCY_METHODS)[number];
export const PROJECTION_METHODS = ['pca', 'umap'] as const;
export type ProjectionMethod = (typeof PROJECTION_METHODS)[number];

/** A layer by its position in the architecture's layer list (0 = first). */
const LayerIndexSchema = z.number().int().min(0).max(1000);

export const InspectImageSchema = z.strictObject({
  runId: RunIdSchema,
  checkpoint: CheckpointRefSchema.default({ kind: 'final' }),
  /** The image as the model takes it: grey values in [0, 1], row-major (784 for MNIST). */
  image: z.array(z.number().min(0).max(1)).min(1).max(MAX_INPUT_VALUES, `an image has at most ${MAX_INPUT_VALUES} values`),
  saliency: z.enum(SALIENCY_METHODS).default('gradient-x-input'),
  /** The class whose score the saliency explains (one of the run's classes); the model's top class when absent. */
  target: ClassLabelSchema.optional(),
});

export const InspectWeightsSchema = z.strictObject({
  runId: RunIdSchema,
  checkpoint: CheckpointRefSchema.default({ kind: 'final' }),
  /** The layer to look at; the first dense or conv layer when absent. */
  layer: LayerIndexSchema.optional(),
  /** The weights as they are, or their change since initialisation. */
  show: z.enum(WEIGHT_VIEWS).default('weights'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(MAX_WEIGHT_TILES).default(256),
});

export const WeightHistorySchema = z.strictObject({
  runId: RunIdSchema,
  /** Only this layer's parameters; every layer's when absent. */
  layer: LayerIndexSchema.optional(),
});

export const ProjectEmbeddingSchema = z.strictObject({
  runId: RunIdSchema,
  checkpoint: CheckpointRefSchema.default({ kind: 'final' }),
  method: z.enum(PROJECTION_METHODS).default('pca'),
  /** How many test images (drawn from the whole test set by the seed: two runs with one seed share them). */
  sample: z.number().int().min(MIN_PROJECTION_SAMPLE).max(MAX_PROJECTION_SAMPLE).default(500),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
});

export interface ActivationStats {
  min: number;
  max: number;
  mean: number;
  /** Share of exact zeros (dead ReLUs, max-pooled zeros). */
  zeroFraction: number;
}

export interface LayerActivation {
  /** Position in the architecture's layer list. */
  index: number;
  name: string;
  /** The layer's Keras class name (Dense, Conv2D, …). */
  className: string;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  stats: ActivationStats;
  /**
   * The output values: a dense layer's units in order; a conv/pooling layer's feature maps
   * channel-major ([channel][row][column]), only the first `channels` maps when all would pass
   * MAX_ACTIVATION_VALUES.
   */
  values: number[];
  channels: number;
}

export interface SaliencyMap {
  method: SaliencyMethod;
  /** The class whose (pre-softmax) score was explained. */
  target: number;
  /** [height, width] of the map (the input's image grid; channels summed). */
  shape: [number, number];
  /** Gradient × input per pixel, row-major: positive pushed the class up, negative down. */
  values: number[];
}

export interface ImageInspection {
  runId: number;
  epoch: number;
  probabilities: number[];
  predicted: number;
  layers: LayerActivation[];
  saliency: SaliencyMap;
}

export interface ParamHistogram {
  /** Position of the layer in the architecture's layer list. */
  layer: number;
  layerName: string;
  /** kernel, bias, gamma, beta, moving_mean, moving_variance. */
  param: string;
  shape: number[];
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** HISTOGRAM_BINS equal-width counts over [min, max]; they sum to count. */
  bins: number[];
}

export interface WeightTile {
  /** The hidden unit (dense) or filter (conv). */
  unit: number;
  /** The filter's input channel (conv), 0 for dense units. */
  inputChannel: number;
  /** L2 norm of what the tile shows (its weights, or their change since initialisation). */
  norm: number;
  /** tileShape values, row-major, as signed bytes (-127…127) of value / scale, clipped: base64. */
  values: string;
}

export interface WeightTiles {
  kind: 'dense-units' | 'conv-filters';
  /** The tiles show the weights, or their change since initialisation (W − W_init). */
  shows: WeightView;
  tileShape: [number, number];
  /** The colour scale: the WEIGHT_SCALE_PERCENTILE-th percentile of |value| over the layer. A tile byte b
   *  stands for b / 127 × scale; values beyond ±scale are clipped to ±127. */
  scale: number;
  /** The layer's largest |value| (what a max scale would have been). */
  largest: number;
  /** Share of the layer's values beyond ±scale (drawn saturated). */
  clipped: number;
  /** Tiles in all (pages of offset/limit), sorted by the norm of what they show, largest first. */
  total: number;
  offset: number;
  tiles: WeightTile[];
}

export interface WeightLayerInfo {
  index: number;
  name: string;
  className: string;
  params: number;
}

export interface WeightInspection {
  runId: number;
  epoch: number;
  layer: WeightLayerInfo;
  /** Every layer with weights, for a picker. */
  layers: WeightLayerInfo[];
  /** The layer's weights as images, or null (with why) when they have no image layout. */
  tiles: WeightTiles | null;
  tilesNote: string | null;
  /** Why this run's change since initialisation cannot be shown; null when it can. */
  changeUnavailable: string | null;
  /** The layer's weight and bias histograms (of the weights themselves, whatever the tiles show). */
  histograms: ParamHistogram[];
}

export interface WeightHistory {
  runId: number;
  epochs: { epoch: number; params: ParamHistogram[] }[];
}

export interface ProjectedPoint {
  /** Index into the dataset's test set. */
  index: number;
  label: number;
  predicted: number;
  x: number;
  y: number;
}

export interface EmbeddingProjection {
  runId: number;
  epoch: number;
  method: ProjectionMethod;
  seed: number;
  /** The layer whose outputs were projected (the one feeding the last dense layer). */
  layer: { index: number; name: string; units: number };
  points: ProjectedPoint[];
}

/**
 * The [height, width] grid an input shape is seen as: an image's rows and columns, or a flat
 * vector that is a perfect square (MNIST's 784) as a square, else one row.
 */
export function imageGridOf(inputShape: readonly number[]): [number, number] {
  if (inputShape.length >= 2) return [inputShape[0] ?? 1, inputShape[1] ?? 1];
  const n = inputShape[0] ?? 1;
  const side = Math.round(Math.sqrt(n));
  return side * side === n ? [side, side] : [1, n];
}
