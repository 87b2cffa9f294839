// The Inside screen's state and Draw's inside additions against a fake lab: what is asked for at
// the scrubbed epoch, stale answers dropped, the histogram series, the draw route with a test image.
import { describe, expect, it } from 'vitest';
import type { ImageInspection, ParamHistogram, WeightHistory } from '../../src-shared/inside.ts';
import type { RunDetail } from '../../src-shared/runs.ts';
import { DrawState, drawParam, parseDrawParam } from '../../src-renderer/state/draw-state.svelte.ts';
import { checkpointAt, FIRST_TILES, histogramSeries, InsideState, latest, MistakeSaliency } from '../../src-renderer/state/inside-state.svelte.ts';
import { FakeLab, flush, pixels, sampleCheckpoints, sampleRun } from './fake-lab.ts';

const hist = (layer: number, param: string, mean: number): ParamHistogram => ({ layer, layerName: `dense_${layer + 1}`, param, shape: [2], count: 2, min: 0, max: 1, mean, std: 0, bins: [1, 1] });
const inspection = (target: number): ImageInspection => ({ runId: 1, epoch: 2, probabilities: Array.from({ length: 10 }, (_, d) => (d === target ? 0.91 : 0.01)), predicted: target, layers: [], saliency: { method: 'gradient-x-input', target, shape: [28, 28], values: [] } });

describe('inside helpers', () => {
  it('groups the stored histograms per parameter, epochs in order', () => {
    const history: WeightHistory = { runId: 1, epochs: [1, 2].map((epoch) => ({ epoch, params: [hist(0, 'kernel', epoch), hist(0, 'bias', -epoch)] })) };
    const series = histogramSeries(history);
    expect(series.map((s) => s.key)).toEqual(['0/kernel', '0/bias']);
    expect(series[0]!.series.map((s) => [s.epoch, s.histogram.mean])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(histogramSeries(null)).toEqual([]);
  });

  it('reads and writes the draw route with a test image', () => {
    expect(parseDrawParam('12')).toEqual({ runId: 12, epoch: null, testIndex: null });
    expect(parseDrawParam('12@3~417')).toEqual({ runId: 12, epoch: 3, testIndex: 417 });
    expect(parseDrawParam('12~5')).toEqual({ runId: 12, epoch: null, testIndex: 5 });
    expect(parseDrawParam('x~5')).toBeNull();
    expect(drawParam(12, 3, 417)).toBe('12@3~417');
    expect(drawParam(12, null)).toBe('12');
    expect(checkpointAt(null)).toEqual({ kind: 'final' });
    expect(checkpointAt(4)).toEqual({ kind: 'epoch', epoch: 4 });
  });

  it('latest() tells the last request from the earlier ones', () => {
    const next = latest();
    const first = next();
    const second = next();
    expect(first()).toBe(false);
    expect(second()).toBe(true);
  });
});

describe('InsideState', () => {
  it('asks for the weights at the scrubbed epoch and drops a slower, older answer', async () => {
    const fake = new FakeLab();
    const run = sampleRun(3, { checkpoints: sampleCheckpoints(3) });
    fake.on('listRuns', () => [run]).on('getRun', () => run);
    const replies: ((v: unknown) => void)[] = [];
    fake.on('inspectWeights', () => new Promise((resolve) => replies.push(resolve)));
    const state = new InsideState(fake.api);
    await state.loadRuns();
    expect(state.runId).toBe(3);
    expect(state.epochs).toEqual([1, 2, 3]);
    void state.open(3, 2);
    await flush();
    void state.setEpoch(1);
    await flush();
    expect(fake.callsOf('inspectWeights')).toEqual([
      { runId: 3, checkpoint: { kind: 'epoch', epoch: 2 }, show: 'change', limit: FIRST_TILES },
      { runId: 3, checkpoint: { kind: 'epoch', epoch: 1 }, show: 'change', limit: FIRST_TILES },
    ]);
    const answer = (epoch: number) => ({ runId: 3, epoch, layer: { index: 0, name: 'dense_1', className: 'Dense', params: 10 }, layers: [], tiles: null, tilesNote: 'n', changeUnavailable: null, histograms: [] });
    replies[1]!(answer(1));
    await flush();
    replies[0]!(answer(2));
    await flush();
    expect(state.weights?.epoch).toBe(1);
    expect(state.loading).toBe(false);
    // The weights as they are, on request.
    void state.setWeightView('weights');
    await flush();
    expect(fake.callsOf('inspectWeights').at(-1)).toEqual({ runId: 3, checkpoint: { kind: 'epoch', epoch: 1 }, layer: 0, show: 'weights', limit: FIRST_TILES });
  });

  it('projects the run and the compared one with one seed and sample', async () => {
    const fake = new FakeLab();
    const runs = [sampleRun(2, { checkpoints: sampleCheckpoints(2) }), sampleRun(1, { checkpoints: sampleCheckpoints(1) })];
    fake.on('listRuns', () => runs).on('getRun', (p) => runs.find((r) => r.id === (p as { runId: number }).runId));
    fake.on('projectEmbedding', (p) => ({ runId: (p as { runId: number }).runId, epoch: 1, method: 'pca', seed: 1, layer: { index: 0, name: 'd', units: 2 }, points: [] }));
    const state = new InsideState(fake.api);
    await state.loadRuns();
    state.epoch = 2;
    state.tab = 'projector';
    await state.setCompare(1);
    // Run 1 has no epoch-2 checkpoint: its final weights.
    expect(fake.callsOf('projectEmbedding')).toEqual([
      { runId: 2, checkpoint: { kind: 'epoch', epoch: 2 }, method: 'pca', sample: 500, seed: 1 },
      { runId: 1, checkpoint: { kind: 'final' }, method: 'pca', sample: 500, seed: 1 },
    ]);
    expect(state.projections.map((p) => p?.runId)).toEqual([2, 1]);
  });

  it('finds an old run with weights by name although the newest runs have none, and loads only the runs shown', async () => {
    const fake = new FakeLab();
    const runs: Record<number, RunDetail> = { 7: sampleRun(7, { name: 'the old keeper', checkpoints: sampleCheckpoints(2) }), 8: sampleRun(8, { name: 'another keeper', checkpoints: sampleCheckpoints(2) }) };
    for (let id = 9; id <= 120; id++) runs[id] = sampleRun(id, { status: 'stopped', checkpoints: [] });
    fake.on('listRuns', () => Object.values(runs)).on('getRun', (p) => runs[(p as { runId: number }).runId]);
    fake.on('projectEmbedding', (p) => ({ runId: (p as { runId: number }).runId, epoch: 1, method: 'pca', seed: 1, layer: { index: 0, name: 'd', units: 2 }, points: [] }));
    const state = new InsideState(fake.api);
    await state.loadRuns();
    expect([state.withWeights, state.runId]).toEqual([2, 8]);
    expect(state.choices.map((r) => r.id)).toEqual([8, 7]);
    await state.findRuns('old keeper');
    expect(state.choices.map((r) => r.name)).toEqual(['the old keeper']);
    await state.findRuns('nothing like it');
    expect([state.choices, state.withWeights]).toEqual([[], 2]);
    state.tab = 'projector';
    await state.open(7);
    await state.setCompare(8);
    // Only runs put on screen are fetched in full (8 again: it left when 7 was opened alone), and only two stay.
    expect(fake.callsOf('getRun')).toEqual([{ runId: 8 }, { runId: 7 }, { runId: 8 }]);
    expect(state.runs.map((r) => r.id).sort()).toEqual([7, 8]);
    await state.open(120);
    expect(state.error).toMatch(/Run #120 has no saved weights/);
    expect(state.runId).toBe(7);
  });

  it('explains a mistake for its answer and for the truth', async () => {
    const fake = new FakeLab();
    fake.on('inspectImage', (p) => inspection((p as { target: number }).target));
    const mistake = new MistakeSaliency(fake.api);
    await mistake.pick(4, 2, { index: 9, label: 3, predicted: 5, pixels: pixels(255) });
    expect(fake.callsOf('inspectImage').map((p) => (p as { target: number; checkpoint: object }).target)).toEqual([5, 3]);
    expect((fake.callsOf('inspectImage')[0] as { image: number[] }).image).toHaveLength(784);
    expect(mistake.maps.map((m) => m.target)).toEqual([5, 3]);
  });
});

describe('Draw with the inside open', () => {
  it('keeps one request per card and kind on its way: strokes drawn meanwhile wait as one, the newest', async () => {
    const fake = new FakeLab();
    const runs = [sampleRun(1, { checkpoints: sampleCheckpoints(1) })];
    fake.on('listRuns', () => runs).on('getRun', () => runs[0]);
    const held: (() => void)[] = [];
    fake.on('inspectImage', () => new Promise((resolve) => held.push(() => resolve(inspection(4)))));
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    draw.setInside(true);
    draw.beginStroke(0.3, 0.3);
    draw.extendStroke(0.4, 0.4);
    draw.refresh();
    await flush();
    // Three more updates while the first answers are out: nothing more is asked yet.
    for (const [x, y] of [[0.5, 0.5], [0.6, 0.6], [0.7, 0.7]] as const) {
      draw.extendStroke(x, y);
      draw.refresh();
      await flush();
    }
    expect(fake.callsOf('inspectImage')).toHaveLength(1);
    const newest = draw.input!.pixels;
    // The first answer arrives (stale now, dropped); then only the newest image is asked for.
    held.splice(0).forEach((resolve) => resolve());
    await flush();
    expect(fake.callsOf('inspectImage')).toHaveLength(2);
    expect((fake.callsOf('inspectImage')[1] as { image: number[] }).image).toEqual(newest);
    expect(draw.busy).toBe(true);
    held.splice(0).forEach((resolve) => resolve());
    await draw.settled();
    // The inspection's probabilities are the card's answer: no separate prediction.
    expect(fake.callsOf('predict')).toHaveLength(0);
    expect(draw.busy).toBe(false);
    expect(draw.insideOf(draw.slots[0]!)?.inspection?.saliency.target).toBe(4);
    expect(draw.resultOf(draw.slots[0]!).status).toBe('ready');
  });


  it('asks each model for its activations, whose probabilities are the card’s answer, and predicts again when closed', async () => {
    const fake = new FakeLab();
    const runs = [sampleRun(2, { checkpoints: sampleCheckpoints(1) }), sampleRun(1, { checkpoints: sampleCheckpoints(1) })];
    fake.on('listRuns', () => runs).on('getRun', (p) => runs.find((r) => r.id === (p as { runId: number }).runId));
    fake.on('predict', () => ({ probabilities: [Array.from({ length: 10 }, () => 0.1)] }));
    fake.on('inspectImage', () => inspection(4));
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    draw.setInside(true);
    draw.beginStroke(0.3, 0.3);
    draw.extendStroke(0.7, 0.7);
    draw.endStroke();
    draw.refresh();
    await draw.settled();
    // One inspection per card answers both: the activations and the card's probabilities.
    expect(fake.callsOf('inspectImage').length).toBeGreaterThanOrEqual(2);
    expect(fake.callsOf('predict')).toHaveLength(0);
    expect(draw.slots.map((s) => draw.insideOf(s)?.inspection?.saliency.target)).toEqual([4, 4]);
    expect(draw.slots.map((s) => draw.resultOf(s).probabilities)).toEqual([inspection(4).probabilities, inspection(4).probabilities]);
    const asked = fake.callsOf('inspectImage').length;
    draw.setInside(false);
    draw.refresh();
    await draw.settled();
    expect(fake.callsOf('inspectImage')).toHaveLength(asked);
    expect(fake.callsOf('predict').length).toBeGreaterThanOrEqual(2);
    expect(draw.insideOf(draw.slots[0]!)).toBeNull();
  });
});
