// The aligned architecture diff of Compare: one inserted layer must not make every later row look changed.
import { describe, expect, it } from 'vitest';
import type { Architecture, RunSummary } from '../../../src-shared/index.ts';
import { architectureDiff } from '../../../src-main/lab/service/run-compare.ts';

const run = (layers: Architecture['layers']): RunSummary => ({ architecture: { inputShape: [784], layers } }) as unknown as RunSummary;
const seed = run([
  { type: 'dense', units: 512, activation: 'relu' },
  { type: 'dense', units: 10, activation: 'softmax' },
]);
/** Each row as "description-or-—" per run, with a * when it differs. */
const table = (runs: RunSummary[]) => architectureDiff(runs).map((r) => `${r.layers.map((l) => l?.description ?? '—').join(' | ')}${r.differs ? ' *' : ''}`);

describe('architectureDiff', () => {
  it('same layers: every row the same, none differing', () => {
    expect(table([seed, seed])).toEqual(['Dense(512, relu) | Dense(512, relu)', 'Dense(10, softmax) | Dense(10, softmax)']);
  });

  it('an inserted dropout gets its own row; the layers after it still pair up', () => {
    const withDropout = run([
      { type: 'dense', units: 512, activation: 'relu' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', units: 10, activation: 'softmax' },
    ]);
    expect(table([seed, withDropout])).toEqual(['Dense(512, relu) | Dense(512, relu)', '— | Dropout(0.2) *', 'Dense(10, softmax) | Dense(10, softmax)']);
    // The layer names say which layer of its run each cell is.
    expect(architectureDiff([seed, withDropout])[2]?.layers.map((l) => l?.name)).toEqual(['dense_2', 'dense_2']);
    expect(table([withDropout, seed])).toEqual(['Dense(512, relu) | Dense(512, relu)', 'Dropout(0.2) | — *', 'Dense(10, softmax) | Dense(10, softmax)']);
  });

  it('a changed layer (same type, other settings) stays on one row, marked', () => {
    const narrow = run([
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ]);
    expect(table([seed, narrow])).toEqual(['Dense(512, relu) | Dense(128, relu) *', 'Dense(10, softmax) | Dense(10, softmax)']);
  });

  it('aligns three runs, and a run with fewer layers', () => {
    const deep = run([
      { type: 'dense', units: 512, activation: 'relu' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', units: 512, activation: 'relu' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', units: 10, activation: 'softmax' },
    ]);
    const one = run([{ type: 'dense', units: 10, activation: 'softmax' }]);
    expect(table([seed, deep, one])).toEqual([
      'Dense(512, relu) | Dense(512, relu) | — *',
      '— | Dropout(0.2) | — *',
      '— | Dense(512, relu) | — *',
      '— | Dropout(0.2) | — *',
      'Dense(10, softmax) | Dense(10, softmax) | Dense(10, softmax)',
    ]);
    expect(architectureDiff([seed, deep, one]).map((r) => r.position)).toEqual([1, 2, 3, 4, 5]);
  });

  it('layers of different types never pair', () => {
    const conv = run([{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }]);
    expect(table([seed, conv])).toEqual(['Dense(512, relu) | — *', '— | Flatten() *', 'Dense(10, softmax) | Dense(10, softmax)']);
  });
});
