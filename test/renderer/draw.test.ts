import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { CheckpointInfo, RunDetail, RunSummary } from '../../src-shared/runs.ts';
import { PRESETS } from '../../src-shared/presets.ts';
import { createLab } from '../../src-renderer/state/lab.svelte.ts';
import { checkpointRef, DrawState, MAX_MODELS, topClass, unsupportedReason, type ModelSlot } from '../../src-renderer/state/draw-state.svelte.ts';
import DrawView from '../../src-renderer/views/DrawView.svelte';
import { VIEW_IDS } from '../../src-renderer/views/registry.ts';
import { FakeLab, flush, queryInMemory, sampleRun, SYSTEM_INFO } from './fake-lab.ts';
import LabProvider from './LabProvider.svelte';

const FINAL = (epoch: number): CheckpointInfo => ({ kind: 'final', epoch, valLoss: null, bytes: 1000 });
const BEST = (epoch: number): CheckpointInfo => ({ kind: 'best', epoch, valLoss: 0.08, bytes: 1000 });
const EPOCH = (epoch: number): CheckpointInfo => ({ kind: 'epoch', epoch, valLoss: 0.1 / epoch, bytes: 1000 });
const cnn = PRESETS.find((p) => p.id === 'small-cnn')!.architecture;

/** Run 1: MLP with final weights; 2: CNN with best and epochs; 3: no weights; 4: a 32×32×3 model; 5: still training (no weights yet). */
function labWithRuns(): { fake: FakeLab; runs: Record<number, RunDetail> } {
  const runs: Record<number, RunDetail> = {
    1: sampleRun(1, { checkpoints: [FINAL(2)] }),
    2: sampleRun(2, { architecture: cnn, checkpoints: [EPOCH(1), BEST(2), EPOCH(2), FINAL(3)] }),
    3: sampleRun(3, { status: 'failed', checkpoints: [] }),
    4: sampleRun(4, { architecture: { inputShape: [32, 32, 3], layers: [] }, checkpoints: [FINAL(1)] }),
    5: sampleRun(5, { status: 'running', checkpoints: [] }),
  };
  const fake = new FakeLab();
  fake.on('listRuns', () => Object.values(runs) as RunSummary[]);
  fake.on('getRun', (p) => runs[(p as { runId: number }).runId]);
  // Each run "sees" its own digit: run n answers n with 90%.
  fake.on('predict', (p) => {
    const { runId, images } = p as { runId: number; images: number[][] };
    return { probabilities: images.map(() => Array.from({ length: 10 }, (_, d) => (d === runId % 10 ? 0.91 : 0.01))) };
  });
  return { fake, runs };
}

const predicts = (fake: FakeLab) => fake.callsOf('predict') as { runId: number; checkpoint: unknown; images: number[][] }[];

describe('DrawState', () => {
  it('offers finished runs with saved weights only, newest first, two side by side', async () => {
    const { fake } = labWithRuns();
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    expect(draw.choices.map((r) => r.id)).toEqual([4, 2, 1]);
    // Only the runs on a card are fetched in full.
    expect(draw.runs.map((r) => r.id)).toEqual([4, 2]);
    expect(fake.callsOf('getRun')).toEqual([{ runId: 4 }, { runId: 2 }]);
    expect(draw.withoutWeights).toBe(2);
    expect(draw.withWeights).toBe(3);
    expect(draw.slots.map((s) => [s.runId, s.checkpoint])).toEqual([
      [4, 'final'],
      [2, 'final'],
    ]);
    expect(fake.callsOf('getRun')).not.toContainEqual({ runId: 5 });
  });

  it('predicts nothing for an empty pad, then asks every model about the 28×28 drawing', async () => {
    const { fake } = labWithRuns();
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    await draw.setRun(draw.slots[0]!.id, 1);
    draw.refresh();
    await draw.settled();
    expect(draw.input).toBeNull();
    expect(predicts(fake)).toHaveLength(0);

    draw.beginStroke(0.5, 0.15);
    draw.extendStroke(0.5, 0.5);
    draw.extendStroke(0.5, 0.85);
    draw.endStroke();
    draw.refresh();
    await draw.settled();
    expect(draw.input?.pixels).toHaveLength(784);
    const calls = predicts(fake);
    expect(calls.map((c) => c.runId).sort()).toEqual([1, 2]);
    for (const c of calls) {
      expect(c.images).toHaveLength(1);
      expect(c.images[0]).toHaveLength(784);
      expect(Math.max(...c.images[0]!)).toBe(1);
      expect(c.checkpoint).toEqual({ kind: 'final' });
    }
    const [a, b] = draw.slots;
    expect(draw.resultOf(a!).status).toBe('ready');
    expect(topClass(draw.resultOf(a!).probabilities!)).toBe(1);
    expect(topClass(draw.resultOf(b!).probabilities!)).toBe(2);

    // Another checkpoint of the same run.
    draw.setCheckpoint(b!.id, 'epoch:1');
    await draw.settled();
    expect(predicts(fake).at(-1)).toMatchObject({ runId: 2, checkpoint: { kind: 'epoch', epoch: 1 } });

    // Undo back to empty: the answers go, nothing more is asked.
    const before = predicts(fake).length;
    draw.undo();
    await draw.settled();
    expect(draw.empty).toBe(true);
    expect(draw.resultOf(a!).status).toBe('idle');
    expect(predicts(fake)).toHaveLength(before);
  });

  it('explains a model whose input is not 28×28 and never asks it', async () => {
    const { fake, runs } = labWithRuns();
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    draw.beginStroke(0.3, 0.3);
    draw.extendStroke(0.7, 0.7);
    draw.endStroke();
    draw.refresh();
    await draw.settled();
    const slot = draw.slots.find((s) => s.runId === 4)!;
    expect(draw.resultOf(slot)).toMatchObject({ status: 'unsupported' });
    expect(draw.resultOf(slot).message).toMatch(/32×32×3.*28×28/);
    expect(predicts(fake).map((c) => c.runId)).toEqual([2]);
    expect(unsupportedReason(runs[2]!)).toBeNull();
  });

  it('asks for the newest drawing once the answer on its way arrives, drops that stale answer, and shows server errors', async () => {
    const { fake } = labWithRuns();
    let release: (() => void) | null = null;
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    draw.removeModel(draw.slots[0]!.id);
    // The first question is answered last.
    let asked = 0;
    fake.on('predict', () =>
      asked++ === 0
        ? new Promise((resolve) => (release = () => resolve({ probabilities: [[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]] })))
        : { probabilities: [[0, 0, 0, 0, 0, 0, 0, 0, 1, 0]] },
    );
    draw.beginStroke(0.5, 0.1);
    draw.extendStroke(0.5, 0.9);
    draw.refresh(); // a 1: slow answer
    draw.extendStroke(0.1, 0.9);
    draw.endStroke();
    draw.refresh(); // an L: it waits for the 1's answer (one request per card on its way)
    await flush();
    expect(asked).toBe(1);
    (release as (() => void) | null)?.(); // the 1's answer arrives, stale: dropped; then the L is asked
    await draw.settled();
    expect(asked).toBe(2);
    expect(topClass(draw.resultOf(draw.slots[0]!).probabilities!)).toBe(8);

    fake.on('predict', () => {
      throw new Error('run 2 has no final checkpoint');
    });
    draw.refresh();
    await draw.settled();
    expect(draw.resultOf(draw.slots[0]!)).toMatchObject({ status: 'error', message: 'run 2 has no final checkpoint' });
  });

  it('adds models up to the limit: new runs first, then other checkpoints', async () => {
    const { fake } = labWithRuns();
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    await draw.addModel();
    await draw.addModel();
    expect(draw.slots.map((s) => `${s.runId}/${s.checkpoint}`)).toEqual(['4/final', '2/final', '1/final', '2/best']);
    expect(draw.slots).toHaveLength(MAX_MODELS);
    expect(draw.canAdd).toBe(false);
    expect(checkpointRef('epoch:3')).toEqual({ kind: 'epoch', epoch: 3 });
  });
});

describe('DrawState over a large lab', () => {
  it('finds an old run with weights by name although the newest runs have none, and loads only the chosen one', async () => {
    const runs: Record<number, RunDetail> = { 7: sampleRun(7, { name: 'the old keeper', checkpoints: [FINAL(3)] }) };
    for (let id = 8; id <= 120; id++) runs[id] = sampleRun(id, { status: 'stopped', checkpoints: [] });
    const fake = new FakeLab();
    fake.on('listRuns', () => Object.values(runs) as RunSummary[]);
    fake.on('getRun', (p) => runs[(p as { runId: number }).runId]);
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    expect([draw.withWeights, draw.withoutWeights]).toEqual([1, 113]);
    expect(draw.slots.map((s) => s.runId)).toEqual([7]);
    const card = draw.slots[0]!;
    await draw.findRuns('keeper', card.id);
    expect(draw.pickerOf(card).choices.map((r) => r.name)).toEqual(['the old keeper']);
    await draw.findRuns('nothing like it', card.id);
    expect(draw.pickerOf(card)).toEqual({ search: 'nothing like it', choices: [] });
    expect(draw.withWeights).toBe(1);
    expect(fake.callsOf('getRun')).toEqual([{ runId: 7 }]);
  });
});

describe('DrawState pickers', () => {
  it('keeps each model card\'s search and answer to itself, and drops an older answer of the same card', async () => {
    const { fake, runs } = labWithRuns();
    // The lab answers the search "run-4" only after a later one: that older answer must not win.
    let answerOlder = () => {};
    const older = new Promise<void>((resolve) => (answerOlder = resolve));
    fake.on('queryRuns', async (p) => {
      if ((p as { search?: string }).search === 'run-4') await older;
      return queryInMemory(Object.values(runs), p);
    });
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    const [one, two] = draw.slots as [ModelSlot, ModelSlot];
    await draw.findRuns('run-2', one.id);
    expect(draw.pickerOf(one).search).toBe('run-2');
    expect(draw.pickerOf(one).choices.map((r) => r.id)).toEqual([2]);
    // The other card still offers the newest runs with weights, with an empty search box.
    expect(draw.pickerOf(two)).toEqual({ search: '', choices: draw.choices });
    expect(draw.choices.map((r) => r.id)).toEqual([4, 2, 1]);

    // Typing in card two now leaves card one's text and list alone.
    const slow = draw.findRuns('run-4', two.id);
    await draw.findRuns('run-1', two.id);
    answerOlder();
    await slow;
    expect(draw.pickerOf(two).search).toBe('run-1');
    expect(draw.pickerOf(two).choices.map((r) => r.id)).toEqual([1]);
    expect(draw.pickerOf(one).search).toBe('run-2');
    expect(draw.pickerOf(one).choices.map((r) => r.id)).toEqual([2]);

    // Clearing a card's search gives it the newest list back; removing a card forgets its picker.
    await draw.findRuns('', one.id);
    expect(draw.pickerOf(one)).toEqual({ search: '', choices: draw.choices });
    draw.removeModel(two.id);
    expect(Object.keys(draw.pickers)).toEqual([]);
  });
});

describe('DrawState from a Runs link', () => {
  it('points the first model card at a run\'s epoch checkpoint, or says it has none', async () => {
    const { fake } = labWithRuns();
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    await draw.loadRuns();
    expect(await draw.preselect(2, 1)).toBe(true);
    expect(draw.slots.map((s) => `${s.runId}/${s.checkpoint}`)).toEqual(['2/epoch:1', '2/final']);
    expect(draw.notice).toBeNull();
    // Epoch 7 was not kept: the nearest kept epoch (2), said so.
    expect(await draw.preselect(2, 7)).toBe(true);
    expect(draw.slots[0]!.checkpoint).toBe('epoch:2');
    expect(draw.notice).toMatch(/Epoch 7 of run #2 has no checkpoint kept; showing epoch 2/);
    expect(await draw.preselect(1, 3)).toBe(false);
    expect(draw.error).toMatch(/no saved checkpoint of epoch 3/);
    expect(draw.slots[0]!.checkpoint).toBe('epoch:2');
  });
});

describe('Draw screen', () => {
  function mount(fake: FakeLab) {
    const lab = createLab(fake.api, VIEW_IDS, { hash: '' });
    return render(LabProvider, { props: { lab, component: DrawView } });
  }

  it('opens #/draw/ID@N with that run and epoch in the first model card', async () => {
    const { fake } = labWithRuns();
    const lab = createLab(fake.api, VIEW_IDS, { hash: '#/draw/2@2' });
    render(LabProvider, { props: { lab, component: DrawView } });
    await waitFor(() => expect(screen.getByTestId('model-2')).toBeTruthy());
    await flush();
    await waitFor(() => expect(screen.getByTestId('model-1').dataset['run']).toBe('2'));
    expect((screen.getByTestId('model-1-checkpoint') as HTMLSelectElement).value).toBe('epoch:2');
    expect(predicts(fake)).toEqual([]);
  });

  it('is in the navigation after Evaluate', () => {
    expect(VIEW_IDS.slice(VIEW_IDS.indexOf('evaluate'), VIEW_IDS.indexOf('evaluate') + 2)).toEqual(['evaluate', 'draw']);
  });

  it('hints on an empty pad, draws with the pointer, and shows bars from each model', async () => {
    const { fake } = labWithRuns();
    mount(fake);
    await waitFor(() => expect(screen.getByTestId('model-2')).toBeTruthy());
    expect(screen.getByTestId('draw-hint').textContent).toMatch(/Nothing is predicted for an empty pad/);
    expect(screen.getByTestId('model-1-unsupported').textContent).toMatch(/32×32×3/);
    expect((screen.getByTestId('draw-undo') as HTMLButtonElement).disabled).toBe(true);
    // Run options: only runs with weights.
    const options = within(screen.getByTestId('model-2-run')).getAllByRole('option').map((o) => (o as HTMLOptionElement).value);
    expect(options).toEqual(['4', '2', '1']);
    const weights = within(screen.getByTestId('model-2-checkpoint')).getAllByRole('option').map((o) => o.textContent);
    expect(weights).toEqual(['Final weights (epoch 3)', 'Best by val_loss (epoch 2, val_loss 0.0800)', 'Epoch 1, val_loss 0.1000', 'Epoch 2, val_loss 0.0500']);

    const pad = screen.getByTestId('draw-pad');
    pad.getBoundingClientRect = () => ({ left: 0, top: 0, width: 200, height: 200, right: 200, bottom: 200, x: 0, y: 0, toJSON: () => ({}) });
    await fireEvent.pointerDown(pad, { pointerId: 1, pointerType: 'mouse', button: 0, clientX: 60, clientY: 40 });
    await fireEvent.pointerMove(pad, { pointerId: 1, pointerType: 'mouse', clientX: 140, clientY: 40 });
    await fireEvent.pointerMove(pad, { pointerId: 1, pointerType: 'mouse', clientX: 90, clientY: 170 });
    await fireEvent.pointerUp(pad, { pointerId: 1, pointerType: 'mouse', clientX: 90, clientY: 170 });
    await waitFor(() => expect(screen.getByTestId('model-2-answer').textContent).toMatch(/Says\s*2\s*91\.0%/));
    expect(screen.queryByTestId('draw-hint')).toBeNull();
    const bars = within(screen.getByTestId('model-2')).getByTestId('probability-bars');
    expect(within(bars).getByTestId('prob-2').className).toContain('top');
    expect(within(bars).getByTestId('prob-2').getAttribute('data-value')).toBe('0.9100');
    const images = predicts(fake)[0]!.images[0]!;
    expect(images).toHaveLength(784);
    expect(screen.getByTestId('preview-facts').textContent).toMatch(/centre \(1[345]\.\d, 1[345]\.\d\)/);

    // Side by side: switch model 1 to run 1.
    await fireEvent.change(screen.getByTestId('model-1-run'), { target: { value: '1' } });
    await waitFor(() => expect(screen.getByTestId('model-1-answer').textContent).toMatch(/Says\s*1/));

    // Ctrl+Z undoes the stroke: back to the hint and no bars.
    await fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(screen.getByTestId('draw-hint')).toBeTruthy();
    expect(screen.getByTestId('model-1-answer').textContent).toMatch(/Waiting for a digit/);
  });

  it('gives each model card its own search box: typing in one card leaves the other\'s text and runs alone', async () => {
    const { fake } = labWithRuns();
    mount(fake);
    await waitFor(() => expect(screen.getByTestId('model-2')).toBeTruthy());
    await fireEvent.input(screen.getByTestId('model-1-run-search'), { target: { value: 'run-2' } });
    await waitFor(() => expect(within(screen.getByTestId('model-1-run')).getAllByRole('option').map((o) => (o as HTMLOptionElement).value)).toEqual(['4', '2']));
    expect((screen.getByTestId('model-1-run-search') as HTMLInputElement).value).toBe('run-2');
    expect((screen.getByTestId('model-2-run-search') as HTMLInputElement).value).toBe('');
    expect(within(screen.getByTestId('model-2-run')).getAllByRole('option').map((o) => (o as HTMLOptionElement).value)).toEqual(['4', '2', '1']);
  });

  it('opens a run of another dataset from #/draw/ID and asks it about an opened image, once', async () => {
    const colours = { name: 'colours', title: 'colours', hash: 'h', trainExamples: 27, testExamples: 9, imageShape: [12, 12, 3] as [number, number, number], classNames: ['blue', 'green', 'red'], builtIn: false };
    const run = sampleRun(7, { architecture: { inputShape: [12, 12, 3], layers: [] }, checkpoints: [FINAL(4)], dataset: { name: 'colours', hash: 'h' } });
    const fake = new FakeLab();
    fake.on('getSystemInfo', () => ({ ...SYSTEM_INFO, datasets: [...SYSTEM_INFO.datasets, colours] }));
    fake.on('listRuns', () => [run] as RunSummary[]);
    fake.on('getRun', () => run);
    fake.on('predict', () => ({ probabilities: [[0.1, 0.2, 0.7]] }));
    const lab = createLab(fake.api, VIEW_IDS, { hash: '#/draw/7' });
    await lab.system.load();
    render(LabProvider, { props: { lab, component: DrawView } });
    // Following the lab's datasets once they arrive must not loop (it did: the effect re-ran on its own answers).
    await waitFor(() => expect(screen.getByTestId('model-1-unsupported').textContent).toMatch(/learned from “colours”.*open an image/));
    expect(screen.getByTestId('model-1').dataset['run']).toBe('7');
    expect(predicts(fake)).toEqual([]);
  });

  it('shows what each card\'s model sees: the 28×28 digit, and the opened image fitted to a colour or grey dataset\'s own H×W×C', async () => {
    // jsdom has no 2D canvas: a stand-in context keeps what each canvas was painted with.
    const painted = new Map<HTMLCanvasElement, { width: number; height: number; data: Uint8ClampedArray }>();
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement) {
      return {
        createImageData: (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) }),
        putImageData: (image: { width: number; height: number; data: Uint8ClampedArray }) => painted.set(this, image),
      };
    } as unknown as typeof getContext;
    try {
      const colours = { name: 'colours', title: 'colours', hash: 'h', trainExamples: 27, testExamples: 9, imageShape: [12, 12, 3] as [number, number, number], classNames: ['blue', 'green', 'red'], builtIn: false };
      const wide = { name: 'wide', title: 'wide', hash: 'w', trainExamples: 20, testExamples: 4, imageShape: [8, 16, 1] as [number, number, number], classNames: ['a', 'b'], builtIn: false };
      const runs: Record<number, RunDetail> = {
        7: sampleRun(7, { architecture: { inputShape: [12, 12, 3], layers: [] }, checkpoints: [FINAL(4)], dataset: { name: 'colours', hash: 'h' } }),
        1: sampleRun(1, { checkpoints: [FINAL(2)] }),
        8: sampleRun(8, { architecture: { inputShape: [8, 16, 1], layers: [] }, checkpoints: [FINAL(3)], dataset: { name: 'wide', hash: 'w' } }),
      };
      const fake = new FakeLab();
      fake.on('getSystemInfo', () => ({ ...SYSTEM_INFO, datasets: [...SYSTEM_INFO.datasets, colours, wide] }));
      fake.on('listRuns', () => [runs[7], runs[1], runs[8]] as RunSummary[]);
      fake.on('getRun', (p) => runs[(p as { runId: number }).runId]);
      fake.on('predict', (p) => {
        const { runId, images } = p as { runId: number; images: number[][] };
        const classes = runId === 7 ? 3 : runId === 8 ? 2 : 10;
        return { probabilities: images.map(() => Array.from({ length: classes }, (_, i) => (i === 0 ? 0.9 : 0.1 / (classes - 1)))) };
      });
      const lab = createLab(fake.api, VIEW_IDS, { hash: '' });
      await lab.system.load();
      const draw = new DrawState(fake.api, { throttleMs: 0 });
      render(LabProvider, { props: { lab, component: DrawView, componentProps: { state: draw } } });
      // The two newest: the grey model of “wide”, then the colour model.
      await waitFor(() => expect(screen.getByTestId('model-2').dataset['run']).toBe('7'));
      expect(screen.getByTestId('model-1').dataset['run']).toBe('8');

      // Before any image: the colour model's frame is its own 12×12 and empty, and no card shows MNIST's 28×28.
      const colourFrame = () => screen.getAllByTestId('fitted-preview').find((f) => f.dataset['shape'] === '12×12×3')!;
      expect(colourFrame().dataset['empty']).toBe('true');
      expect(colourFrame().closest('figure')!.textContent).toMatch(/What model 2 sees.*12×12 colour, as “colours” was imported/s);
      expect(screen.queryByTestId('mnist-preview')).toBeNull();

      // A digit model beside them gets the MNIST preview.
      await draw.addModel();
      await waitFor(() => expect(screen.getByTestId('model-3').dataset['run']).toBe('1'));
      expect(screen.getByTestId('mnist-preview').closest('figure')!.textContent).toMatch(/What model 3 sees/);
      // An 8×8 red RGBA image: the colour model is given it red at 12×12, the grey model as an 8 high, 16 wide grey.
      draw.setImage('red.png', { width: 8, height: 8, data: Array.from({ length: 64 }, () => [255, 0, 0, 255]).flat() });
      draw.refresh();
      await draw.settled();
      await flush();

      const colour = colourFrame().querySelector('canvas')!;
      expect(colourFrame().dataset['empty']).toBe('false');
      expect([colour.width, colour.height, colour.style.width, colour.style.height]).toEqual([12, 12, '140px', '140px']);
      const red = painted.get(colour)!;
      expect([red.width, red.height]).toEqual([12, 12]);
      expect(Array.from(red.data.subarray(0, 4))).toEqual([255, 0, 0, 255]);
      expect(Array.from(red.data.subarray(4 * 143, 4 * 144))).toEqual([255, 0, 0, 255]);

      const greyFrame = screen.getAllByTestId('fitted-preview').find((f) => f.dataset['shape'] === '8×16×1')!;
      expect(greyFrame.closest('figure')!.textContent).toMatch(/What model 1 sees.*8×16 grey, as “wide” was imported/s);
      const grey = greyFrame.querySelector('canvas')!;
      expect([grey.width, grey.height, grey.style.width, grey.style.height]).toEqual([16, 8, '140px', '70px']);
      // What the preview shows is what the model was asked: the same values, one byte each.
      const asked = (runId: number) => predicts(fake).findLast((c) => c.runId === runId)!.images[0]!;
      const greyPainted = painted.get(grey)!;
      expect([greyPainted.width, greyPainted.height]).toEqual([16, 8]);
      expect(asked(8)).toHaveLength(128);
      for (const [i, v] of asked(8).entries()) expect(Array.from(greyPainted.data.subarray(4 * i, 4 * i + 3))).toEqual([0, 1, 2].map(() => Math.round(v * 255)));
      expect(asked(7)).toHaveLength(432);
      for (const [i, v] of asked(7).entries()) expect(red.data[4 * Math.floor(i / 3) + (i % 3)]).toBe(Math.round(v * 255));
      expect(draw.sights.map((s) => [s.kind, s.shape.join('×'), s.cards])).toEqual([
        ['image', '8×16×1', [1]],
        ['image', '12×12×3', [2]],
        ['digit', '28×28×1', [3]],
      ]);
    } finally {
      HTMLCanvasElement.prototype.getContext = getContext;
    }
  });

  it('says so when no run has saved weights', async () => {
    const fake = new FakeLab();
    fake.on('listRuns', () => [sampleRun(7, { status: 'stopped' })]);
    fake.on('getRun', () => sampleRun(7, { status: 'stopped', checkpoints: [] }));
    mount(fake);
    await waitFor(() => expect(screen.getByTestId('draw-no-models').textContent).toMatch(/1 run has no saved weights/));
  });
});

describe('DrawState with a non-digit run', () => {
  it('asks it about a dropped image fitted to its dataset, not about the pad, with its class count', async () => {
    const shapes = { name: 'shapes', title: 'Shapes', hash: 'h', trainExamples: 10, testExamples: 4, imageShape: [4, 4, 3] as [number, number, number], classNames: ['circle', 'square', 'star'], builtIn: false };
    const run = sampleRun(7, { architecture: { inputShape: [4, 4, 3], layers: [] }, checkpoints: [FINAL(1)], dataset: { name: 'shapes', hash: 'h' } });
    const fake = new FakeLab();
    fake.on('listRuns', () => [run] as RunSummary[]);
    fake.on('getRun', () => run);
    fake.on('predict', (p) => ({ probabilities: (p as { images: number[][] }).images.map(() => [0.1, 0.7, 0.2]) }));
    const draw = new DrawState(fake.api, { throttleMs: 0 });
    draw.datasets = [shapes];
    await draw.loadRuns();
    const slot = draw.slots[0]!;
    draw.beginStroke(10, 10);
    draw.extendStroke(40, 40);
    draw.endStroke();
    draw.refresh();
    await draw.settled();
    expect(draw.resultOf(slot)).toMatchObject({ status: 'unsupported', message: expect.stringMatching(/learned from “shapes” \(4×4×3 images, classes circle, square, star\): drop, paste or open an image/) });
    expect(predicts(fake)).toEqual([]);

    // An 8×8 red RGBA image becomes 4×4×3 values in [0, 1].
    draw.setImage('red.png', { width: 8, height: 8, data: Array.from({ length: 64 }, () => [255, 0, 0, 255]).flat() });
    draw.refresh();
    await draw.settled();
    const [asked] = predicts(fake);
    expect(asked?.images[0]).toEqual(Array.from({ length: 16 }, () => [1, 0, 0]).flat());
    expect(draw.resultOf(slot)).toMatchObject({ status: 'ready', probabilities: [0.1, 0.7, 0.2] });
    // No digit in a plain red square, yet this model is asked about it: its card is not idle.
    expect(draw.input).toBeNull();
    expect(draw.idle(slot)).toBe(false);
    draw.clear();
    expect(draw.idle(slot)).toBe(true);
  });
});
