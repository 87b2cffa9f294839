import { describe, expect, it } from 'vitest';
import { CreateSweepSchema, findPreset, type CreateSweepRequest } from '../../../src-shared/index.ts';
import { expandSweep, plannedRuns, SweepError } from '../../../src-main/lab/sweeps/search-space.ts';

const mlp = findPreset('keras-mlp')!.architecture;
const deep = findPreset('deep-mlp')!.architecture;
const spec = (s: Partial<CreateSweepRequest>) => CreateSweepSchema.parse({ base: { architecture: mlp }, search: { kind: 'grid', params: [] }, ...s });

describe('expandSweep', () => {
  it('gives exactly the grid, last field fastest, each repeat with the next seed', () => {
    const variants = expandSweep(spec({ search: { kind: 'grid', params: [{ field: 'lr', values: [0.1, 0.03, 0.01] }, { field: 'units@1', values: [128, 512] }] }, repeats: 2 }));
    expect(variants.map((v) => v.params)).toEqual([
      { lr: 0.1, 'units@1': 128, seed: 42 }, { lr: 0.1, 'units@1': 128, seed: 43 },
      { lr: 0.1, 'units@1': 512, seed: 42 }, { lr: 0.1, 'units@1': 512, seed: 43 },
      { lr: 0.03, 'units@1': 128, seed: 42 }, { lr: 0.03, 'units@1': 128, seed: 43 },
      { lr: 0.03, 'units@1': 512, seed: 42 }, { lr: 0.03, 'units@1': 512, seed: 43 },
      { lr: 0.01, 'units@1': 128, seed: 42 }, { lr: 0.01, 'units@1': 128, seed: 43 },
      { lr: 0.01, 'units@1': 512, seed: 42 }, { lr: 0.01, 'units@1': 512, seed: 43 },
    ]);
    const third = variants[4]!.request;
    expect(third.compile.optimizer).toEqual({ name: 'sgd', learningRate: 0.03, momentum: 0, nesterov: false });
    expect(third.architecture.layers[0]).toEqual({ type: 'dense', units: 128, activation: 'relu' });
    expect(third.train.seed).toBe(42);
    expect(variants[5]!.request.train.seed).toBe(43);
    // The base is untouched.
    expect(mlp.layers[0]).toEqual({ type: 'dense', units: 512, activation: 'relu' });
  });

  it('leaves a layer out where present@k is false, applying other per-layer fields by the original numbering', () => {
    const variants = expandSweep(spec({ base: { architecture: deep }, search: { kind: 'grid', params: [{ field: 'present@2', values: [true, false] }, { field: 'rate@4', values: [0.5] }] } }));
    expect(variants[0]!.request.architecture.layers.map((l) => l.type)).toEqual(['dense', 'dropout', 'dense', 'dropout', 'dense']);
    expect(variants[1]!.request.architecture.layers.map((l) => l.type)).toEqual(['dense', 'dense', 'dropout', 'dense']);
    expect(variants[1]!.request.architecture.layers[2]).toEqual({ type: 'dropout', rate: 0.5 });
  });

  it('switches optimizer with its defaults, keeping the base (or swept) learning rate', () => {
    const variants = expandSweep(spec({ search: { kind: 'grid', params: [{ field: 'optimizer', values: ['sgd', 'adam'] }, { field: 'batchSize', values: [64] }] } }));
    expect(variants[1]!.request.compile.optimizer).toEqual({ name: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(variants[1]!.request.train.batchSize).toBe(64);
  });

  it('draws random points reproducibly, log-uniform for a log range, inside the range', () => {
    const s = spec({ search: { kind: 'random', count: 200, seed: 7, params: [{ field: 'lr', min: 1e-4, max: 1e-1, scale: 'log' }, { field: 'units@1', values: [64, 128, 256] }] } });
    const a = expandSweep(s);
    expect(expandSweep(s).map((v) => v.params)).toEqual(a.map((v) => v.params));
    const lrs = a.map((v) => v.params.lr as number);
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1e-1);
    // Log-uniform: about a third of the draws in each decade (linear would put ~90% in the top one).
    const inTopDecade = lrs.filter((x) => x >= 1e-2).length / lrs.length;
    expect(inTopDecade).toBeGreaterThan(0.2);
    expect(inTopDecade).toBeLessThan(0.47);
    expect(new Set(a.map((v) => v.params['units@1']))).toEqual(new Set([64, 128, 256]));
    expect(expandSweep({ ...s, search: { ...s.search, seed: 8 } as typeof s.search }).map((v) => v.params)).not.toEqual(a.map((v) => v.params));
  });

  it('refuses a sweep over its cap instead of cutting it', () => {
    const s = spec({ search: { kind: 'grid', params: [{ field: 'lr', values: [0.1, 0.03, 0.01] }, { field: 'units@1', values: [128, 512] }] }, repeats: 2, maxRuns: 10 });
    expect(plannedRuns(s)).toBe(12);
    expect(() => expandSweep(s)).toThrow('the sweep has 12 runs (3 × 2 × 2 repeats) but its cap is 10');
  });

  it('names the variant and the problem when a point cannot be a run', () => {
    expect(() => expandSweep(spec({ search: { kind: 'grid', params: [{ field: 'units@1', values: [128, 0] }] } }))).toThrow(/units@1=0: architecture/);
    expect(() => expandSweep(spec({ search: { kind: 'grid', params: [{ field: 'units@3', values: [128] }] } }))).toThrow('units@3: the model has 2 layers');
    expect(() => expandSweep(spec({ search: { kind: 'grid', params: [{ field: 'rate@1', values: [0.5] }] } }))).toThrow('rate@1: layer 1 is dense, which has no rate');
    expect(() => expandSweep(spec({ search: { kind: 'grid', params: [{ field: 'lr', values: [-1] }] } }))).toThrow(/lr=-1: optimizer.learningRate/);
    expect(() => expandSweep(spec({ search: { kind: 'grid', params: [{ field: 'lr', values: [0.1] }, { field: 'lr', values: [0.2] }] } }))).toThrow(SweepError);
    expect(() => expandSweep(spec({ search: { kind: 'grid', params: [{ field: 'lr', min: 0.1, max: 1 }] } }))).toThrow(/ranges are for random search/);
    expect(() => CreateSweepSchema.parse({ base: { architecture: mlp }, search: { kind: 'grid', params: [{ field: 'units@0', values: [1] }] } })).toThrow(/swept field/);
    expect(() => CreateSweepSchema.parse({ base: { architecture: mlp }, search: { kind: 'random', count: 3, params: [{ field: 'lr', min: 0, max: 1, scale: 'log' }] } })).toThrow(/log range needs min > 0/);
  });
});
