// The aligned architecture diff of Compare: one inserted layer must not make every later row look changed.
import { describe, expect, it } from 'vitest';
import { findPreset, type Architecture, type RunSummary } from '../../../src-shared/index.ts';
import { architectureDiff } from '../../../src-main/lab/service/run-compare.ts';

const run = (layers: Architecture['layers']): RunSummary => ({ architecture: { inputShape: [784], layers } }) as unknown as RunSummary;
const dense = (units: number, activation: 'relu' | 'softmax') => ({ type: 'dense', units, activation }) as const;
const dropout = { type: 'dropout', rate: 0.2 } as const;
const seed = run([dense(512, 'relu'), dense(10, 'softmax')]);
/** Each row as "description-or-—" per run, with a * when it differs. */
const table = (runs: RunSummary[]) => architectureDiff(runs).map((r) => `${r.layers.map((l) => l?.description ?? '—').join(' | ')}${r.differs ? ' *' : ''}`);

describe('architectureDiff', () => {
  it('same layers: every row the same, none differing', () => {
    expect(table([seed, seed])).toEqual(['Dense(512, relu) | Dense(512, relu)', 'Dense(10, softmax) | Dense(10, softmax)']);
  });

  it('an inserted dropout gets its own row; the layers after it still pair up', () => {
    const withDropout = run([dense(512, 'relu'), dropout, dense(10, 'softmax')]);
    expect(table([seed, withDropout])).toEqual(['Dense(512, relu) | Dense(512, relu)', '— | Dropout(0.2) *', 'Dense(10, softmax) | Dense(10, softmax)']);
    // The layer names say which layer of its run each cell is.
    expect(architectureDiff([seed, withDropout])[2]?.layers.map((l) => l?.name)).toEqual(['dense_2', 'dense_2']);
    expect(table([withDropout, seed])).toEqual(['Dense(512, relu) | Dense(512, relu)', 'Dropout(0.2) | — *', 'Dense(10, softmax) | Dense(10, softmax)']);
  });

  it('a changed layer (same type, other settings) stays on one row, marked', () => {
    const narrow = run([dense(128, 'relu'), dense(10, 'softmax')]);
    expect(table([seed, narrow])).toEqual(['Dense(512, relu) | Dense(128, relu) *', 'Dense(10, softmax) | Dense(10, softmax)']);
  });

  it('aligns three runs, and a run with fewer layers', () => {
    const deep = run([dense(512, 'relu'), dropout, dense(512, 'relu'), dropout, dense(10, 'softmax')]);
    const one = run([dense(10, 'softmax')]);
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
    const conv = run([{ type: 'flatten' }, dense(10, 'softmax')]);
    expect(table([seed, conv])).toEqual(['Dense(512, relu) | — *', '— | Flatten() *', 'Dense(10, softmax) | Dense(10, softmax)']);
  });
});

describe('architectureDiff on graphs', () => {
  const residual = findPreset('residual-mlp')!.architecture;
  const graphRun = (architecture: Architecture): RunSummary => ({ architecture }) as unknown as RunSummary;

  it('the seed MLP against the residual MLP: the added block is one row group, the heads pair up', () => {
    const rows = architectureDiff([seed, graphRun(residual)]);
    expect(rows.map((r) => `${r.layers.map((l) => l?.name ?? '—').join(' | ')}${r.group === null ? '' : ` [${r.group}]`}`)).toEqual([
      'dense_1 | stem',
      '— | block_a [1]',
      '— | block_b [1]',
      '— | skip [1]',
      '— | skip_relu [1]',
      'dense_2 | classes',
    ]);
    expect(rows[3]?.layers[1]).toMatchObject({ description: 'Add()', inbound: ['stem', 'block_b'], outputShape: [128] });
    expect(rows[0]?.layers[0]?.inbound).toBeUndefined();
  });

  it('matches layers by name first: an added branch does not shift the named layers after it', () => {
    const branched: Architecture = {
      ...residual,
      layers: [
        ...residual.layers.slice(0, 3),
        { name: 'side', type: 'dense', units: 128, activation: 'relu', inbound: ['stem'] },
        { name: 'skip', type: 'add', inbound: ['stem', 'block_b', 'side'] },
        ...residual.layers.slice(4),
      ],
    };
    expect(table([graphRun(residual), graphRun(branched)])).toEqual([
      'Dense(128, relu) | Dense(128, relu)',
      'Dense(128, relu) | Dense(128, relu)',
      'Dense(128) | Dense(128)',
      '— | Dense(128, relu) *',
      // The add takes the new branch too: same settings, other inputs.
      'Add() | Add() *',
      'Activation(relu) | Activation(relu)',
      'Dense(10, softmax) | Dense(10, softmax)',
    ]);
    expect(architectureDiff([graphRun(residual), graphRun(branched)]).map((r) => r.group)).toEqual([null, null, null, 1, null, null, null]);
  });

  it('between graphs, a layer fed from other rows differs even with the same settings', () => {
    // The skip now adds block_a's output instead of stem's.
    const valid: Architecture = { ...residual, layers: residual.layers.map((l) => (l.name === 'skip' ? { ...l, inbound: ['block_a', 'block_b'] } : l)) };
    const rows = architectureDiff([graphRun(residual), graphRun(valid)]);
    expect(rows.map((r) => r.differs)).toEqual([false, false, false, true, false, false]);
    expect(architectureDiff([graphRun(residual), graphRun(residual)]).every((r) => !r.differs)).toBe(true);
  });
});
