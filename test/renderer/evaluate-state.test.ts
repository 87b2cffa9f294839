import { describe, expect, it } from 'vitest';
import { heatColor, normaliseRows, rowTotals, topConfusions } from '../../src-renderer/lib/confusion.ts';
import { epochCheckpoints, evaluateParam, EvaluateState, parseEvaluateParam } from '../../src-renderer/state/evaluate-state.svelte.ts';
import { FakeLab, sampleCheckpoints, sampleEvaluation, sampleMatrix, sampleRun } from './fake-lab.ts';

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

  it('lists only evaluated runs, newest first, and says when a run has no evaluation', async () => {
    const lab = new FakeLab();
    lab.on('listRuns', () => [sampleRun(1), sampleRun(3, { status: 'failed', testAccuracy: null }), sampleRun(2, { status: 'stopped' })]);
    lab.on('getEvaluation', () => null);
    lab.on('getRun', (p) => sampleRun((p as { runId: number }).runId, { evaluation: null }));
    const ev = new EvaluateState(lab.api);
    await ev.refreshRuns();
    expect(ev.runs.map((r) => r.id)).toEqual([2, 1]);
    await ev.open(2);
    expect(ev.evaluation).toBeNull();
    expect(lab.callsOf('getMisclassified')).toEqual([]);
  });

  it('finds an old evaluated run by name in a lab whose newest runs have none, and says "none" only when none exists', async () => {
    const lab = new FakeLab();
    const runs = [sampleRun(7, { name: 'the old keeper' }), ...Array.from({ length: 113 }, (_, i) => sampleRun(8 + i, { status: 'stopped', testAccuracy: null, evaluation: null }))];
    lab.on('listRuns', () => runs);
    const ev = new EvaluateState(lab.api);
    await ev.refreshRuns();
    expect(ev.evaluatedTotal).toBe(1);
    expect(ev.runs.map((r) => r.id)).toEqual([7]);
    await ev.refreshRuns('keeper');
    expect(ev.runs.map((r) => r.name)).toEqual(['the old keeper']);
    await ev.refreshRuns('nothing like it');
    expect(ev.runs).toEqual([]);
    // A search that finds nothing is not "no evaluated run in the lab".
    expect(ev.evaluatedTotal).toBe(1);

    const empty = new FakeLab();
    empty.on('listRuns', () => runs.slice(1));
    const none = new EvaluateState(empty.api);
    await none.refreshRuns();
    expect(none.evaluatedTotal).toBe(0);
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

  it('reads and writes the route parameter: 12 is the final evaluation, 12@3 as after epoch 3', () => {
    expect(parseEvaluateParam('12')).toEqual({ runId: 12, epoch: null });
    expect(parseEvaluateParam('12@3')).toEqual({ runId: 12, epoch: 3 });
    expect(parseEvaluateParam('12@')).toBeNull();
    expect(parseEvaluateParam('x')).toBeNull();
    expect(parseEvaluateParam(null)).toBeNull();
    expect(evaluateParam(12, null)).toBe('12');
    expect(evaluateParam(12, 3)).toBe('12@3');
    expect(epochCheckpoints(sampleRun(1, { checkpoints: sampleCheckpoints(3) }))).toEqual([1, 2, 3]);
    expect(epochCheckpoints(sampleRun(1))).toEqual([]);
  });
});

describe('EvaluateState at an epoch checkpoint', () => {
  function lab(): FakeLab {
    const fake = new FakeLab();
    fake.on('getRun', (p) => sampleRun((p as { runId: number }).runId, { checkpoints: sampleCheckpoints(3) }));
    fake.on('evaluateCheckpoint', (p) => {
      const { runId, checkpoint } = p as { runId: number; checkpoint: { epoch: number } };
      const matrix = sampleMatrix().map((row, t) => row.map((v, c) => (t === 4 && c === 9 ? v + checkpoint.epoch : v)));
      return { ...sampleEvaluation(), runId, epoch: checkpoint.epoch, accuracy: 0.5 + checkpoint.epoch / 10, confusionMatrix: matrix };
    });
    return fake;
  }

  it('opens a run at an epoch: that checkpoint\'s evaluation and gallery', async () => {
    const fake = lab();
    const ev = new EvaluateState(fake.api);
    await ev.open(5, 2);
    expect(ev.epochs).toEqual([1, 2, 3]);
    expect(ev.epoch).toBe(2);
    expect(ev.evaluation?.accuracy).toBe(0.7);
    expect(ev.finalEvaluation?.accuracy).toBe(0.9738);
    expect(ev.matrix[4]![9]).toBe(10);
    expect(fake.callsOf('evaluateCheckpoint')).toEqual([{ runId: 5, checkpoint: { kind: 'epoch', epoch: 2 } }]);
    expect(fake.callsOf('getMisclassified')).toEqual([{ runId: 5, limit: 60, checkpoint: { kind: 'epoch', epoch: 2 } }]);
    expect(ev.gallery.map((i) => i.index).sort()).toEqual([211, 212, 213]);
  });

  it('switches epochs and back to final; the gallery and a chosen cell follow', async () => {
    const fake = lab();
    const ev = new EvaluateState(fake.api);
    await ev.open(5);
    expect(ev.epoch).toBeNull();
    expect(fake.callsOf('getMisclassified')).toEqual([{ runId: 5, limit: 60 }]);
    await ev.toggleCell(4, 9);
    await ev.selectEpoch(1);
    expect(ev.epoch).toBe(1);
    expect(ev.loadingEpoch).toBe(false);
    expect(ev.evaluation?.accuracy).toBe(0.6);
    expect(ev.filter).toEqual({ trueLabel: 4, predictedLabel: 9 });
    expect(fake.callsOf('getMisclassified').at(-1)).toEqual({ runId: 5, limit: 60, trueLabel: 4, predictedLabel: 9, checkpoint: { kind: 'epoch', epoch: 1 } });
    expect(ev.gallery.map((i) => i.index).sort()).toEqual([111, 112, 113]);
    await ev.selectEpoch(null);
    expect(ev.epoch).toBeNull();
    expect(ev.evaluation?.accuracy).toBe(0.9738);
    expect(fake.callsOf('getMisclassified').at(-1)).toEqual({ runId: 5, limit: 60, trueLabel: 4, predictedLabel: 9 });
    expect(fake.callsOf('evaluateCheckpoint')).toHaveLength(1);
  });

  it('opens the nearest kept epoch for a link to one not kept (and says so), ignores a pick of one, and shows the error when evaluating one fails', async () => {
    const fake = lab();
    const ev = new EvaluateState(fake.api);
    await ev.open(5, 9);
    const last = ev.epochs.at(-1)!;
    expect(ev.epoch).toBe(last);
    expect(ev.notice).toBe(`Epoch 9 has no checkpoint kept; showing epoch ${last}, the nearest kept.`);
    expect(fake.callsOf('evaluateCheckpoint')).toEqual([{ runId: 5, checkpoint: { kind: 'epoch', epoch: last } }]);
    await ev.selectEpoch(null);
    await ev.selectEpoch(7);
    expect(fake.callsOf('evaluateCheckpoint')).toHaveLength(1);
    fake.on('evaluateCheckpoint', () => {
      throw new Error('run 5 has no checkpoint of epoch 3');
    });
    await ev.selectEpoch(3);
    expect(ev.error).toBe('run 5 has no checkpoint of epoch 3');
    expect(ev.epoch).toBeNull();
    expect(ev.evaluation?.accuracy).toBe(0.9738);
    expect(ev.loadingEpoch).toBe(false);
  });

  it('offers no epochs for a run without epoch checkpoints', async () => {
    const ev = new EvaluateState(new FakeLab().api);
    await ev.open(5);
    expect(ev.epochs).toEqual([]);
  });
});
