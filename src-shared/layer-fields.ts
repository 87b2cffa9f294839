// Each layer type's fields and the rule for each: what kind of value, whether it is required,
// its limits. The one home for them: the contract's validation (analyzeArchitecture) judges a
// spec by these rules and words its messages from them, and the layer editor draws its inputs
// from the same table, so a field or a limit cannot exist in one and not the other.
import { ACTIVATIONS, PADDINGS, type LayerType } from './architecture.ts';
import { IMAGE_SIDE } from './mnist-shape.ts';

export type FieldKind = 'int' | 'number' | 'pair' | 'activation' | 'padding' | 'bool' | 'shape';

/** A number's accepted range; an open end excludes its bound. */
export interface NumberRange {
  min: number;
  max: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}

export interface FieldDef {
  name: string;
  label: string;
  kind: FieldKind;
  /** Optional fields may be left out (Keras' default applies); the editor removes them when emptied. */
  optional: boolean;
  /** int, pair and shape fields: the largest value allowed (the smallest is 1). */
  max?: number;
  /** number fields: the accepted range. */
  range?: NumberRange;
  hint?: string;
  step?: number;
}

export const MAX_UNITS = 65_536;
export const MAX_FILTERS = 4_096;
/** A kernel, pool or stride larger than the image is meaningless. */
export const MAX_KERNEL = IMAGE_SIDE;
export const MAX_LAYERS = 64;
/** A reshape target has 1 to 3 axes (flat, or height × width × channels). */
export const MAX_RESHAPE_AXES = 3;

const FRACTION: NumberRange = { min: 0, max: 1, maxOpen: true };

const activation = (optional: boolean): FieldDef => ({ name: 'activation', label: 'Activation', kind: 'activation', optional });
const useBias: FieldDef = { name: 'useBias', label: 'Use bias', kind: 'bool', optional: true };
const padding: FieldDef = { name: 'padding', label: 'Padding', kind: 'padding', optional: true };
const strides = (hint: string): FieldDef => ({ name: 'strides', label: 'Strides', kind: 'pair', optional: true, max: MAX_KERNEL, hint });

export const LAYER_FIELDS: Record<LayerType, readonly FieldDef[]> = {
  dense: [{ name: 'units', label: 'Units', kind: 'int', optional: false, max: MAX_UNITS }, activation(true), useBias],
  dropout: [{ name: 'rate', label: 'Rate', kind: 'number', optional: false, range: FRACTION, step: 0.05, hint: `fraction dropped, ${describeRange(FRACTION, 'rate')}` }],
  activation: [activation(false)],
  flatten: [],
  conv2d: [
    { name: 'filters', label: 'Filters', kind: 'int', optional: false, max: MAX_FILTERS },
    { name: 'kernelSize', label: 'Kernel size', kind: 'pair', optional: false, max: MAX_KERNEL, hint: '3 or 3×5' },
    strides('default 1'),
    padding,
    activation(true),
    useBias,
  ],
  maxPooling2d: [{ name: 'poolSize', label: 'Pool size', kind: 'pair', optional: true, max: MAX_KERNEL, hint: 'default 2' }, strides('default = pool size'), padding],
  batchNormalization: [
    { name: 'momentum', label: 'Momentum', kind: 'number', optional: true, range: FRACTION, step: 0.01, hint: 'default 0.99' },
    { name: 'epsilon', label: 'Epsilon', kind: 'number', optional: true, range: { min: 0, max: 1, minOpen: true, maxOpen: true }, hint: 'default 0.001' },
  ],
  add: [],
  concatenate: [],
  globalAveragePooling2d: [],
  averagePooling2d: [{ name: 'poolSize', label: 'Pool size', kind: 'pair', optional: true, max: MAX_KERNEL, hint: 'default 2' }, strides('default = pool size'), padding],
  reshape: [{ name: 'targetShape', label: 'Target shape', kind: 'shape', optional: false, max: MAX_UNITS, hint: '64 or 7×7×16' }],
};

/** Fields every layer may carry to place it in a graph (architecture.ts GraphFields); not edited as layer fields. */
export const GRAPH_FIELD_NAMES = ['name', 'inbound'] as const;

/** "0 ≤ rate < 1": a range as a hint shows it. */
function describeRange(range: NumberRange, name: string): string {
  return `${range.min} ${range.minOpen ? '<' : '≤'} ${name} ${range.maxOpen ? '<' : '≤'} ${range.max}`;
}

/** A value as a message quotes it: "12a", -3, [3,5], nothing. */
export const showValue = (v: unknown): string => (v === undefined ? 'nothing' : typeof v === 'string' ? `"${v}"` : JSON.stringify(v));
const isPositiveInt = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;
const inRange = (v: number, r: NumberRange): boolean => (r.minOpen ? v > r.min : v >= r.min) && (r.maxOpen ? v < r.max : v <= r.max);

/** Why a field's value breaks its rule, or null when it keeps it (a left-out optional field always does). */
export function fieldProblem(field: FieldDef, value: unknown): string | null {
  if (value === undefined && field.optional) return null;
  const { name } = field;
  switch (field.kind) {
    case 'int':
      return isPositiveInt(value, field.max ?? Infinity) ? null : `${name} must be a positive integer (at most ${field.max}), got ${showValue(value)}`;
    case 'pair': {
      const max = field.max ?? Infinity;
      const ok = isPositiveInt(value, max) || (Array.isArray(value) && value.length === 2 && value.every((x: unknown) => isPositiveInt(x, max)));
      return ok ? null : `${name} must be a positive integer or a pair of them (at most ${field.max}), got ${showValue(value)}`;
    }
    case 'number': {
      const range = field.range ?? { min: -Infinity, max: Infinity };
      if (typeof value === 'number' && Number.isFinite(value) && inRange(value, range)) return null;
      return `${name} must be a number in ${range.minOpen ? '(' : '['}${range.min}, ${range.max}${range.maxOpen ? ')' : ']'}, got ${showValue(value)}`;
    }
    case 'activation':
      return typeof value === 'string' && (ACTIVATIONS as readonly string[]).includes(value) ? null : `activation must be one of ${ACTIVATIONS.join(', ')}, got ${showValue(value)}`;
    case 'padding':
      return typeof value === 'string' && (PADDINGS as readonly string[]).includes(value) ? null : `padding must be "valid" or "same", got ${showValue(value)}`;
    case 'bool':
      return typeof value === 'boolean' ? null : `${name} must be true or false, got ${showValue(value)}`;
    case 'shape': {
      const max = field.max ?? Infinity;
      const ok = Array.isArray(value) && value.length >= 1 && value.length <= MAX_RESHAPE_AXES && value.every((x: unknown) => isPositiveInt(x, max));
      return ok ? null : `${name} must be a list of 1 to ${MAX_RESHAPE_AXES} positive integers (each at most ${field.max}), got ${showValue(value)}`;
    }
  }
}
