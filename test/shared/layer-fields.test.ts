// The layer field table is what the contract judges: every field it lists is known to
// analyzeArchitecture, nothing else is, and each limit it states is the one enforced.
import { describe, expect, it } from 'vitest';
import { analyzeArchitecture, fieldProblem, LAYER_FIELDS, LAYER_TYPES, type FieldDef, type LayerType } from '../../src-shared/index.ts';

const issuesOf = (type: LayerType, fields: Record<string, unknown>) =>
  analyzeArchitecture({ inputShape: [28, 28, 1], layers: [{ type, ...fields }] }).issues.filter((i) => i.layer === 1);

const validValue = (field: FieldDef): unknown =>
  ({ int: 1, pair: 1, number: 0.5, activation: 'relu', padding: 'same', bool: true, shape: [28, 28, 1] })[field.kind];

describe('LAYER_FIELDS', () => {
  it.each(LAYER_TYPES.map((t) => [t]))('%s: its listed fields are the ones the contract knows', (type) => {
    const all = Object.fromEntries(LAYER_FIELDS[type].map((f) => [f.name, validValue(f)]));
    expect(issuesOf(type, all).filter((i) => /unknown field/.test(i.message))).toEqual([]);
    expect(issuesOf(type, { ...all, extra: 1 }).map((i) => i.message)).toContain(`layer 1 (${type}): unknown field "extra" for a ${type} layer`);
  });

  it.each(LAYER_TYPES.flatMap((t) => LAYER_FIELDS[t].filter((f) => f.max !== undefined && f.kind !== 'shape').map((f) => [t, f] as const)))('%s: %o enforces its stated maximum', (_type, field) => {
    expect(fieldProblem(field, field.max)).toBeNull();
    expect(fieldProblem(field, field.max! + 1)).toMatch(new RegExp(`^${field.name} must be a positive integer.*\\(at most ${field.max}\\), got ${field.max! + 1}$`));
  });

  it('a reshape target enforces its stated maximum on every axis and at most 3 axes', () => {
    const field = LAYER_FIELDS.reshape[0]!;
    expect(fieldProblem(field, [field.max!])).toBeNull();
    expect(fieldProblem(field, [1, field.max! + 1])).toBe(`targetShape must be a list of 1 to 3 positive integers (each at most ${field.max}), got [1,${field.max! + 1}]`);
    expect(fieldProblem(field, [1, 1, 1, 1])).toMatch(/^targetShape must be a list of 1 to 3/);
  });

  it('required fields are required, optional ones may be left out', () => {
    for (const type of LAYER_TYPES) {
      for (const field of LAYER_FIELDS[type]) expect(fieldProblem(field, undefined) === null).toBe(field.optional);
    }
  });
});
