import { describe, expect, it } from 'vitest';
import { heatColor, normaliseRows, rowTotals, topConfusions } from '../../src-renderer/lib/confusion.ts';
import { EvaluateState } from '../../src-renderer/state/evaluate-state.svelte.ts';
import { FakeLab, sampleMatrix, sampleRun } from './fake-lab.ts';

describe('confusion matrix arithmetic', () => {
  it('normalises each row by its true-class total, like matrix / matrix.sum(axis=1)', () => {
    const m = [
      [8, 2, 0],
      [1, 1, 2],
      [0, 0, 0],
    ];
    expect(normaliseRows(m)).toEqual([
      [0.8, 0.2, 0],
      [0.25, 0.25, 0.5],
      [0, 0, 0],
    ]);
    expect(rowTotals(m)).toEqual([10, 4, 0]);
    for (const row of normaliseRows(sampleMatrix())) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });

  it('lists the most frequent confusions off the diagonal', () => {
    expect(topConfusions(sampleMatrix(), 3)).toEqual([
      { trueLabel: 3, predictedLabel: 8, count: 8 },
      { trueLabel: 4, predictedLabel: 9, count: 8 },
      { trueLabel: 9, predictedLabel: 4, count: 5 },
    ]);
  });

  it('maps 0…1 to a light-to-dark ramp with readable text', () => {
    expect(heatColor(0)).toEqual({ background: 'rgb(250, 235, 221)', lightText: false });
    expect(heatColor(1).lightText).toBe(true);
    expect(heatColor(2)).toEqual(heatColor(1));
  });
});

describe('EvaluateState', () => {
  it('opens a run: evaluation, normalised matrix, gallery sorted by confidence', async () => {
    const lab = new FakeLab();
    const ev = new EvaluateState(lab.api);
    await ev.open(5);
    expect(ev.run?.id).toBe(5);
    expect(ev.evaluation?.accuracy).toBe(0.9738);
    expect(ev.normalised[4]![9]).toBeCloseTo(8 / 98);
    expect(ev.gallery.map((i) => i.confidence)).toEqual([0.91, 0.75, 0.62]);
    expect(lab.callsOf('getMisclassified')).toEqual([{ runId: 5, limit: 60 }]);
  });

  it('filters the gallery by a clicked cell; the diagonal means every error of that class; again clears', async () => {
    const lab = new FakeLab();
    const ev = new EvaluateState(lab.api);
    await ev.open(5);
    await ev.toggleCell(4, 9);
    expect(ev.filter).toEqual({ trueLabel: 4, predictedLabel: 9 });
    expect(ev.isSelected(4, 9)).toBe(true);
    expect(lab.callsOf('getMisclassified').at(-1)).toEqual({ runId: 5, limit: 60, trueLabel: 4, predictedLabel: 9 });
    await ev.toggleCell(3, 3);
    expect(ev.filter).toEqual({ trueLabel: 3, predictedLabel: null });
    expect(ev.isSelected(3, 3)).toBe(true);
    expect(lab.callsOf('getMisclassified').at(-1)).toEqual({ runId: 5, limit: 60, trueLabel: 3 });
    await ev.toggleCell(3, 3);
    expect(ev.filter).toBeNull();
  });

  it('lists only finished runs, newest first, and says when a run has no evaluation', async () => {
    const lab = new FakeLab();
    lab.on('listRuns', () => [sampleRun(1), sampleRun(3, { status: 'failed' }), sampleRun(2, { status: 'stopped' })]);
    lab.on('getEvaluation', () => null);
    lab.on('getRun', (p) => sampleRun((p as { runId: number }).runId, { evaluation: null }));
    const ev = new EvaluateState(lab.api);
    await ev.refreshRuns();
    expect(ev.runs.map((r) => r.id)).toEqual([2, 1]);
    await ev.open(2);
    expect(ev.evaluation).toBeNull();
    expect(lab.callsOf('getMisclassified')).toEqual([]);
  });

  it('shows the error when the lab refuses', async () => {
    const lab = new FakeLab();
    lab.on('getRun', () => {
      throw new Error('no run 9');
    });
    const ev = new EvaluateState(lab.api);
    await ev.open(9);
    expect(ev.error).toBe('no run 9');
    expect(ev.loading).toBe(false);
  });
});
