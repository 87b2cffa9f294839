// What the layer editor makes of typed text, including a reshape target ("7×7×16"), and the
// defaults of the new layer types, which the contract must accept once connected.
import { describe, expect, it } from 'vitest';
import { analyzeArchitecture, LAYER_TYPES } from '../../src-shared/index.ts';
import { defaultLayer, formatFieldValue, LAYER_BLURBS, parseFieldText } from '../../src-renderer/lib/layer-fields.ts';

describe('layer fields in the editor', () => {
  it('reads a reshape target in any of the ways a shape is written, and keeps what is not one as text', () => {
    expect(parseFieldText('shape', '7×7×16')).toEqual([7, 7, 16]);
    expect(parseFieldText('shape', '(7, 7, 16)')).toEqual([7, 7, 16]);
    expect(parseFieldText('shape', '784')).toEqual([784]);
    expect(parseFieldText('shape', '7×a')).toBe('7×a');
    expect(parseFieldText('shape', ' ')).toBeUndefined();
    expect(formatFieldValue([7, 7, 16])).toBe('7×7×16');
  });

  it('every layer type has a blurb and a default the contract takes (merges once their inputs are listed)', () => {
    for (const type of LAYER_TYPES) {
      expect(LAYER_BLURBS[type]).toBeTruthy();
      const layer = defaultLayer(type);
      const merge = type === 'add' || type === 'concatenate';
      const spec = merge
        ? { inputShape: [784], layers: [{ name: 'a', type: 'dense', units: 8 }, { name: 'b', type: 'dense', units: 8, inbound: ['input'] }, { ...layer, inbound: ['a', 'b'] }, { type: 'dense', units: 10, activation: 'softmax' }] }
        : { inputShape: type === 'dense' || type === 'dropout' || type === 'activation' || type === 'batchNormalization' || type === 'reshape' ? [784] : [28, 28, 1], layers: [layer, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] };
      const issues = analyzeArchitecture(type === 'reshape' ? { ...spec, layers: [layer, { type: 'conv2d', filters: 1, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] } : spec).issues;
      expect(issues, type).toEqual([]);
    }
  });
});
