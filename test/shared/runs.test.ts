// Run log entries: data made from events, sentences made from data.
import { describe, expect, it } from 'vitest';
import { architectureLine, describeLogEntry, findPreset, lastLearningRate, logEntryOf } from '../../src-shared/index.ts';

describe('run log entries', () => {
  it('carry a learning-rate change as a number and describe themselves', () => {
    const entry = logEntryOf({ type: 'learningRate', runId: 1, epoch: 2, batch: 40, learningRate: 1e-4 }, 't');
    expect(entry).toEqual({ at: 't', epoch: 2, batch: 40, kind: 'learningRate', learningRate: 1e-4 });
    expect(describeLogEntry(entry)).toBe('Learning rate set to 0.0001 (epoch 2, batch 40)');
    expect(describeLogEntry(logEntryOf({ type: 'paused', runId: 1, epoch: 1, batch: 3 }, 't'))).toBe('Paused (epoch 1, batch 3)');
    expect(describeLogEntry(logEntryOf({ type: 'resumed', runId: 1, epoch: 1, batch: 3 }, 't'))).toBe('Resumed (epoch 1, batch 3)');
    expect(lastLearningRate([entry, logEntryOf({ type: 'paused', runId: 1, epoch: 3, batch: 1 }, 't')])).toBe(1e-4);
  });
});

describe('architectureLine on graphs', () => {
  it('lists the layers in spec order and names what each merge joins', () => {
    expect(architectureLine(findPreset('residual-mlp')!.architecture)).toBe('784 → dense128 relu → dense128 relu → dense128 → add(stem+block_b) → relu → dense10 softmax');
    expect(architectureLine(findPreset('keras-mlp')!.architecture)).toBe('784 → dense512 relu → dense10 softmax');
  });
});
