// Validates an architecture spec of unknown origin, infers every layer's output shape and
// counts parameters. Messages name the layer (1-based, as users count) and the field.
import {
  KERAS_CLASS_NAMES,
  KERAS_NAME_PREFIXES,
  LAYER_TYPES,
  pair,
  type Architecture,
  type LayerSpec,
  type LayerType,
} from './architecture.ts';
import { fieldProblem, LAYER_FIELDS, MAX_LAYERS, showValue as show } from './layer-fields.ts';
import { checkParameterCap } from './model-memory.ts';
import { formatImageShape, inputShapesFor, isAnyDatasetInputShape, isInputShapeFor, MAX_CLASSES, type DataShape } from './dataset-shape.ts';
import { IMAGE_INPUT_SHAPE, NUM_CLASSES } from './mnist-shape.ts';

/** MNIST: what a spec is checked against unless a dataset is named. */
export const MNIST_DATA_SHAPE: DataShape = { imageShape: [...IMAGE_INPUT_SHAPE], classCount: NUM_CLASSES };

export interface ArchitectureIssue {
  /** 1-based layer number, or null for the model itself (inputShape, layers list). */
  layer: number | null;
  field: string;
  message: string;
}

export interface LayerInfo {
  name: string;
  className: string;
  type: LayerType;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  params: number;
  trainableParams: number;
}

export interface ArchitectureAnalysis {
  ok: boolean;
  issues: ArchitectureIssue[];
  /** Layers analysed up to the first one whose shape could not be inferred. */
  layers: LayerInfo[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  outputShape: number[] | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

class IssueCollector {
  readonly issues: ArchitectureIssue[] = [];
  constructor(
    private readonly layer: number | null,
    private readonly label: string,
  ) {}
  add(field: string, text: string): void {
    this.issues.push({ layer: this.layer, field, message: `${this.label}: ${text}` });
  }
}

/** Field checks that need no shape: the layer's fields judged by their rules (layer-fields.ts). */
function checkLayerFields(type: LayerType, raw: Record<string, unknown>, c: IssueCollector): void {
  const fields = LAYER_FIELDS[type];
  for (const key of Object.keys(raw)) {
    if (key !== 'type' && !fields.some((f) => f.name === key)) c.add(key, `unknown field "${key}" for a ${type} layer`);
  }
  for (const field of fields) {
    const problem = fieldProblem(field, raw[field.name]);
    if (problem !== null) c.add(field.name, problem);
  }
}

function convOutput(size: number, kernel: number, stride: number, padding: 'valid' | 'same'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

interface ShapeResult {
  shape: number[];
  params: number;
  trainable: number;
}

/** Output shape and parameters of a field-valid layer, or an error text. */
function inferLayer(layer: LayerSpec, input: number[]): ShapeResult | { error: string; field: string } {
  switch (layer.type) {
    case 'dense': {
      if (input.length !== 1) {
        return { field: 'type', error: `dense needs a flat input but gets ${formatShape(input)}; add a flatten layer before it` };
      }
      const fanIn = input[0] ?? 0;
      const params = fanIn * layer.units + (layer.useBias === false ? 0 : layer.units);
      return { shape: [layer.units], params, trainable: params };
    }
    case 'dropout':
    case 'activation':
      return { shape: input, params: 0, trainable: 0 };
    case 'flatten':
      return { shape: [input.reduce((a, b) => a * b, 1)], params: 0, trainable: 0 };
    case 'conv2d': {
      if (input.length !== 3) {
        return { field: 'type', error: `conv2d needs an image input (height × width × channels) but gets ${formatShape(input)}; use inputShape ${showShape(IMAGE_INPUT_SHAPE)}` };
      }
      const [h, w, cin] = input as [number, number, number];
      const [kh, kw] = pair(layer.kernelSize);
      const [sh, sw] = pair(layer.strides ?? 1);
      const padding = layer.padding ?? 'valid';
      const oh = convOutput(h, kh, sh, padding);
      const ow = convOutput(w, kw, sw, padding);
      if (oh < 1 || ow < 1) {
        return { field: 'kernelSize', error: `kernel ${kh}×${kw} does not fit the ${h}×${w} input; use a smaller kernel or padding "same"` };
      }
      const params = kh * kw * cin * layer.filters + (layer.useBias === false ? 0 : layer.filters);
      return { shape: [oh, ow, layer.filters], params, trainable: params };
    }
    case 'maxPooling2d': {
      if (input.length !== 3) {
        return { field: 'type', error: `maxPooling2d needs an image input but gets ${formatShape(input)}` };
      }
      const [h, w, c] = input as [number, number, number];
      const [ph, pw] = pair(layer.poolSize ?? 2);
      const [sh, sw] = pair(layer.strides ?? layer.poolSize ?? 2);
      const padding = layer.padding ?? 'valid';
      const oh = convOutput(h, ph, sh, padding);
      const ow = convOutput(w, pw, sw, padding);
      if (oh < 1 || ow < 1) {
        return { field: 'poolSize', error: `pool ${ph}×${pw} does not fit the ${h}×${w} input` };
      }
      return { shape: [oh, ow, c], params: 0, trainable: 0 };
    }
    case 'batchNormalization': {
      const channels = input[input.length - 1] ?? 0;
      return { shape: input, params: 4 * channels, trainable: 2 * channels };
    }
  }
}

/** [28, 28, 1], as a spec writes it. */
const showShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

export function formatShape(shape: readonly number[]): string {
  return `(None, ${shape.join(', ')})`;
}

function checkInputShape(raw: unknown, issues: ArchitectureIssue[], data: DataShape | null): number[] | null {
  if (data === null) {
    if (!Array.isArray(raw) || !isAnyDatasetInputShape(raw)) {
      issues.push({ layer: null, field: 'inputShape', message: `inputShape must be a flat vector [pixels] or an image [height, width, channels] a dataset can have, got ${show(raw)}` });
      return null;
    }
    return raw as number[];
  }
  if (!Array.isArray(raw) || !isInputShapeFor(raw, data.imageShape)) {
    const { flat, image } = inputShapesFor(data.imageShape);
    const which = data === MNIST_DATA_SHAPE ? 'MNIST images' : `the dataset's ${formatImageShape(data.imageShape)} images`;
    issues.push({ layer: null, field: 'inputShape', message: `inputShape must be ${showShape(flat)} or ${showShape(image)} (${which}), got ${show(raw)}` });
    return null;
  }
  return raw as number[];
}

/**
 * Validate and analyse a spec of unknown origin against the data it is for: MNIST unless given,
 * or (null) any dataset's shape and class count, for specs already checked against theirs. Never throws.
 */
export function analyzeArchitecture(spec: unknown, data: DataShape | null = MNIST_DATA_SHAPE): ArchitectureAnalysis {
  const issues: ArchitectureIssue[] = [];
  const layers: LayerInfo[] = [];
  const result = (outputShape: number[] | null): ArchitectureAnalysis => {
    const totalParams = layers.reduce((s, l) => s + l.params, 0);
    const trainableParams = layers.reduce((s, l) => s + l.trainableParams, 0);
    return { ok: issues.length === 0, issues, layers, totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams, outputShape };
  };
  if (!isRecord(spec)) {
    issues.push({ layer: null, field: '', message: `architecture must be an object with inputShape and layers, got ${show(spec)}` });
    return result(null);
  }
  for (const key of Object.keys(spec)) {
    if (key !== 'inputShape' && key !== 'layers') issues.push({ layer: null, field: key, message: `unknown architecture field "${key}"` });
  }
  let shape = checkInputShape(spec.inputShape, issues, data);
  const rawLayers = spec.layers;
  if (!Array.isArray(rawLayers)) {
    issues.push({ layer: null, field: 'layers', message: `layers must be a list, got ${show(rawLayers)}` });
    return result(null);
  }
  if (rawLayers.length === 0) issues.push({ layer: null, field: 'layers', message: 'the model needs at least one layer' });
  if (rawLayers.length > MAX_LAYERS) issues.push({ layer: null, field: 'layers', message: `at most ${MAX_LAYERS} layers are supported, got ${rawLayers.length}` });

  const counters = new Map<LayerType, number>();
  rawLayers.slice(0, MAX_LAYERS).forEach((raw: unknown, index) => {
    const number = index + 1;
    if (!isRecord(raw) || typeof raw.type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(raw.type)) {
      const got = isRecord(raw) ? show(raw.type) : show(raw);
      issues.push({ layer: number, field: 'type', message: `layer ${number}: type must be one of ${LAYER_TYPES.join(', ')}, got ${got}` });
      shape = null;
      return;
    }
    const type = raw.type as LayerType;
    const c = new IssueCollector(number, `layer ${number} (${type})`);
    checkLayerFields(type, raw, c);
    issues.push(...c.issues);
    const count = (counters.get(type) ?? 0) + 1;
    counters.set(type, count);
    if (c.issues.length > 0 || shape === null) {
      shape = null;
      return;
    }
    const inferred = inferLayer(raw as unknown as LayerSpec, shape);
    if ('error' in inferred) {
      c.add(inferred.field, inferred.error);
      issues.push(...c.issues);
      shape = null;
      return;
    }
    layers.push({
      name: `${KERAS_NAME_PREFIXES[type]}_${count}`,
      className: KERAS_CLASS_NAMES[type],
      type,
      outputShape: inferred.shape,
      params: inferred.params,
      trainableParams: inferred.trainable,
    });
    shape = inferred.shape;
  });

  if (issues.length === 0) {
    const cap = checkParameterCap(result(shape));
    if (cap) issues.push(cap);
  }
  const last = rawLayers[rawLayers.length - 1];
  if (issues.length === 0) {
    const classes = data?.classCount;
    const outputs = shape?.[0] ?? 0;
    if (shape === null || shape.length !== 1 || (classes === undefined ? outputs < 2 || outputs > MAX_CLASSES : outputs !== classes)) {
      const want = classes === undefined ? `2 to ${MAX_CLASSES} classes` : `${classes} classes ${formatShape([classes])}`;
      issues.push({ layer: null, field: 'layers', message: `the last layer must output ${want}, got ${shape ? formatShape(shape) : 'nothing'}; end with dense units ${classes ?? 'one per class'}` });
    } else if (!isRecord(last) || !(last.activation === 'softmax')) {
      issues.push({ layer: rawLayers.length, field: 'activation', message: `layer ${rawLayers.length} (${String(isRecord(last) ? last.type : '?')}): the last layer needs activation softmax for categorical crossentropy, got ${show(isRecord(last) ? (last.activation ?? 'linear') : undefined)}` });
    }
  }
  return result(issues.length === 0 ? shape : null);
}

/** The analysis of a spec that must be valid; throws with every message otherwise. */
export function assertValidArchitecture(spec: unknown, data: DataShape | null = MNIST_DATA_SHAPE): { architecture: Architecture; analysis: ArchitectureAnalysis } {
  const analysis = analyzeArchitecture(spec, data);
  if (!analysis.ok) throw new ArchitectureError(analysis.issues);
  return { architecture: spec as Architecture, analysis };
}

export class ArchitectureError extends Error {
  constructor(readonly issues: ArchitectureIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'ArchitectureError';
  }
}
