// What the layer editor shows for each layer type beyond its fields: titles, blurbs, how to read
// what the user typed, and the defaults of a freshly added layer. The fields and their rules are
// the contract's (src-shared/layer-fields.ts); this file only turns text into the values they judge.
import { ACTIVATIONS, KERAS_CLASS_NAMES, PADDINGS, type LayerSpec, type LayerType } from '../../src-shared/architecture.ts';
import type { FieldKind } from '../../src-shared/layer-fields.ts';

// The fields and their rules live once, in the contract; the editor draws from the same table.
export { LAYER_FIELDS, type FieldDef, type FieldKind } from '../../src-shared/layer-fields.ts';

/** Keras class names, as the summary shows them. */
export const LAYER_TITLES = KERAS_CLASS_NAMES;

export const LAYER_BLURBS: Record<LayerType, string> = {
  dense: 'every input connected to every unit',
  dropout: 'randomly zeroes a fraction while training',
  activation: 'applies a function element-wise',
  flatten: 'image → flat vector',
  conv2d: '2-D convolution over the image',
  maxPooling2d: 'keeps the largest value per window',
  batchNormalization: 'normalises activations per batch',
  add: 'sums inputs of the same shape (a skip connection)',
  concatenate: 'joins inputs along the last axis',
  globalAveragePooling2d: 'averages each channel over the image',
  averagePooling2d: 'averages each window',
  reshape: 'same values, another shape',
};

export function defaultLayer(type: LayerType): LayerSpec {
  switch (type) {
    case 'dense':
      return { type, units: 128, activation: 'relu' };
    case 'dropout':
      return { type, rate: 0.2 };
    case 'activation':
      return { type, activation: 'relu' };
    case 'flatten':
      return { type };
    case 'conv2d':
      return { type, filters: 32, kernelSize: 3, activation: 'relu' };
    case 'maxPooling2d':
      return { type, poolSize: 2 };
    case 'batchNormalization':
      return { type };
    case 'add':
    case 'concatenate':
      // A merge needs its inbound list; the editor connects it (an empty list is reported until then).
      return { type, inbound: [] };
    case 'globalAveragePooling2d':
      return { type };
    case 'averagePooling2d':
      return { type, poolSize: 2 };
    case 'reshape':
      return { type, targetShape: [28, 28, 1] };
  }
}

export const ACTIVATION_OPTIONS = ACTIVATIONS;
export const PADDING_OPTIONS = PADDINGS;

/**
 * What the user typed, as the value the spec will hold. Numbers become numbers; anything
 * else stays text so the contract's message can quote it ("got \"12a\""). Empty → undefined.
 */
export function parseFieldText(kind: FieldKind, text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  if (kind === 'shape') {
    const parts = t.replace(/^[([]|[)\]]$/g, '').split(/\s*(?:[x×,]|\s)\s*/i).filter((p) => p !== '');
    const nums = parts.map(Number);
    return parts.length > 0 && nums.every(Number.isFinite) ? nums : t;
  }
  if (kind === 'pair') {
    const parts = t.replace(/^[([]|[)\]]$/g, '').split(/\s*(?:[x×,]|\s)\s*/i).filter((p) => p !== '');
    const nums = parts.map(Number);
    if (parts.length === 1 && Number.isFinite(nums[0])) return nums[0];
    if (parts.length === 2 && nums.every(Number.isFinite)) return nums as [number, number];
    return t;
  }
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

/** The text an input shows for a spec value. */
export function formatFieldValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join('×');
  return String(value);
}
