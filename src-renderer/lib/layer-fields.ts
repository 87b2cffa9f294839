// What the layer editor shows for each layer type: its fields, how to read what the user
// typed, and the defaults of a freshly added layer. Validation itself is the contract's
// analyzeArchitecture; this file only turns text into the values it judges.
import { ACTIVATIONS, KERAS_CLASS_NAMES, PADDINGS, type LayerSpec, type LayerType } from '../../src-shared/architecture.ts';

export type FieldKind = 'int' | 'number' | 'pair' | 'activation' | 'padding' | 'bool';

export interface FieldDef {
  name: string;
  label: string;
  kind: FieldKind;
  /** Optional fields are removed from the spec when left empty (Keras' default applies). */
  optional: boolean;
  hint?: string;
  step?: number;
}

const activation = (optional: boolean): FieldDef => ({ name: 'activation', label: 'Activation', kind: 'activation', optional });
const useBias: FieldDef = { name: 'useBias', label: 'Use bias', kind: 'bool', optional: true };
const padding: FieldDef = { name: 'padding', label: 'Padding', kind: 'padding', optional: true };

export const LAYER_FIELDS: Record<LayerType, readonly FieldDef[]> = {
  dense: [{ name: 'units', label: 'Units', kind: 'int', optional: false }, activation(true), useBias],
  dropout: [{ name: 'rate', label: 'Rate', kind: 'number', optional: false, step: 0.05, hint: 'fraction dropped, 0 ≤ rate < 1' }],
  activation: [activation(false)],
  flatten: [],
  conv2d: [
    { name: 'filters', label: 'Filters', kind: 'int', optional: false },
    { name: 'kernelSize', label: 'Kernel size', kind: 'pair', optional: false, hint: '3 or 3×5' },
    { name: 'strides', label: 'Strides', kind: 'pair', optional: true, hint: 'default 1' },
    padding,
    activation(true),
    useBias,
  ],
  maxPooling2d: [
    { name: 'poolSize', label: 'Pool size', kind: 'pair', optional: true, hint: 'default 2' },
    { name: 'strides', label: 'Strides', kind: 'pair', optional: true, hint: 'default = pool size' },
    padding,
  ],
  batchNormalization: [
    { name: 'momentum', label: 'Momentum', kind: 'number', optional: true, step: 0.01, hint: 'default 0.99' },
    { name: 'epsilon', label: 'Epsilon', kind: 'number', optional: true, hint: 'default 0.001' },
  ],
};

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
