import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src-shared/runs.ts';
import App from '../../src-renderer/App.svelte';
import ConfusionMatrix from '../../src-renderer/components/evaluate/ConfusionMatrix.svelte';
import { normaliseRows, rowTotals } from '../../src-renderer/lib/confusion.ts';
import { createLab } from '../../src-renderer/state/lab.svelte.ts';
import DesignView from '../../src-renderer/views/DesignView.svelte';
import EvaluateView from '../../src-renderer/views/EvaluateView.svelte';
import TrainView from '../../src-renderer/views/TrainView.svelte';
import { VIEW_IDS } from '../../src-renderer/views/registry.ts';
import { FakeLab, flush, sampleCheckpoints, sampleEvaluation, sampleMatrix, sampleRun } from './fake-lab.ts';
import LabProvider from './LabProvider.svelte';

function mountView(view: Component, fake = new FakeLab()) {
  const lab = createLab(fake.api, VIEW_IDS, { hash: '' });
  const result = render(LabProvider, { props: { lab, component: view } });
  return { lab, fake, ...result };
}

describe('Design screen', () => {
  it('shows the seed model summary with 407,050 params and lets you train', () => {
    mountView(DesignView);
    const table = screen.getByTestId('summary-table');
    expect(within(table).getByText('dense_1 (Dense)')).toBeTruthy();
    expect(within(table).getByText('401,920')).toBeTruthy();
    expect(screen.getByTestId('total-params').textContent).toBe('407,050');
    expect(screen.getByTestId('estimate-memory').textContent).toMatch(/1\.55 MB/);
    expect((screen.getByTestId('go-train') as HTMLButtonElement).disabled).toBe(false);
    expect(screen.queryByTestId('train-blocker')).toBeNull();
  });

  it('an invalid units value shows the contract message on that field and disables Train', async () => {
    mountView(DesignView);
    const units = screen.getByTestId('layer-1-units') as HTMLInputElement;
    expect(units.value).toBe('512');
    await fireEvent.input(units, { target: { value: '0' } });
    const message = 'layer 1 (dense): units must be a positive integer (at most 65536), got 0';
    expect(units.getAttribute('aria-invalid')).toBe('true');
    const errorId = units.getAttribute('aria-describedby')!;
    expect(document.getElementById(errorId)?.textContent).toBe(message);
    const train = screen.getByTestId('go-train') as HTMLButtonElement;
    expect(train.disabled).toBe(true);
    expect(screen.getByTestId('train-blocker').textContent).toContain(message);
    // The other layer's field is untouched.
    expect(screen.getByTestId('layer-2-units').getAttribute('aria-invalid')).toBe('false');

    await fireEvent.input(units, { target: { value: '256' } });
    expect(units.getAttribute('aria-invalid')).toBe('false');
    expect(train.disabled).toBe(false);
    expect(screen.getByTestId('total-params').textContent).toBe((784 * 256 + 256 + 256 * 10 + 10).toLocaleString('en-US'));
  });

  it('adds, duplicates, moves and removes layers from the keyboard-reachable controls', async () => {
    const { lab } = mountView(DesignView);
    await fireEvent.click(screen.getByRole('button', { name: /Duplicate Layer 1/ }));
    expect(lab.editor.items).toHaveLength(3);
    await fireEvent.click(screen.getByTestId('add-dropout'));
    // Added after the selected (duplicated) layer 2.
    expect(lab.editor.items.map((i) => i.spec.type)).toEqual(['dense', 'dense', 'dropout', 'dense']);
    expect(screen.getByTestId('layer-3')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: /Move Layer 3, Dropout .* up/ }));
    expect(lab.editor.items.map((i) => i.spec.type)).toEqual(['dense', 'dropout', 'dense', 'dense']);
    // Alt+ArrowDown on a control inside the card moves it too.
    await fireEvent.keyDown(screen.getByTestId('layer-2-rate'), { key: 'ArrowDown', altKey: true });
    expect(lab.editor.items.map((i) => i.spec.type)).toEqual(['dense', 'dense', 'dropout', 'dense']);
    await fireEvent.click(screen.getByRole('button', { name: /Remove Layer 3, Dropout/ }));
    await fireEvent.click(screen.getByRole('button', { name: /Remove Layer 2, Dense/ }));
    expect(screen.getByTestId('total-params').textContent).toBe('407,050');
  });

  it('loads the small CNN preset and draws its diagram', async () => {
    const { lab } = mountView(DesignView);
    await fireEvent.click(screen.getByTestId('preset-small-cnn'));
    expect(lab.editor.inputShape).toEqual([28, 28, 1]);
    const diagram = screen.getByRole('img', { name: /Network diagram/ });
    expect(diagram.getAttribute('aria-label')).toContain('conv2d_1: Conv2D (None, 26, 26, 16)');
  });
});

describe('Train screen', () => {
  it('starts a run and fills progress and the history table as events arrive', async () => {
    const fake = new FakeLab();
    fake.on('startRun', () => ({ runId: 4 }));
    const { lab } = mountView(TrainView, fake);
    lab.run.connect(); // the shell does this in the app
    expect((screen.getByTestId('batch-size') as HTMLInputElement).value).toBe('128');
    expect((screen.getByTestId('epochs') as HTMLInputElement).value).toBe('10');
    await fireEvent.click(screen.getByTestId('start-run'));
    await flush();
    const request = fake.callsOf('startRun')[0] as { train: { batchSize: number }; compile: { optimizer: { name: string } } };
    expect(request.train.batchSize).toBe(128);
    expect(request.compile.optimizer.name).toBe('sgd');

    const events: RunEvent[] = [
      { type: 'started', runId: 4, backend: 'wasm', backendDetail: 'threaded SIMD build, 2 threads', epochs: 10, batchesPerEpoch: 469, trainExamples: 60_000, validationExamples: 10_000 },
      { type: 'progress', runId: 4, epoch: 1, batch: 100, batchesPerEpoch: 469, firstBatch: 1, losses: Array(100).fill(1.2), acc: 0.6 },
    ];
    for (const e of events) fake.emit(e);
    await flush();
    expect(screen.getByTestId('run-phase').textContent).toBe('Training');
    expect(screen.getByTestId('batch-count').textContent).toBe('Epoch 1/10 · batch 100/469');
    expect(screen.getByTestId('run-backend').textContent).toMatch(/threaded SIMD build, 2 threads/);
    expect((screen.getByTestId('start-run') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('batch-size').matches(':disabled')).toBe(true); // inside a disabled fieldset

    fake.emit({ type: 'epoch', runId: 4, epoch: 1, loss: 1.084637, acc: 0.763167, val_loss: 0.584608, val_acc: 0.8705, seconds: 5 });
    await flush();
    const rows = within(screen.getByTestId('history-table')).getAllByRole('row');
    expect(rows).toHaveLength(2);
    expect(rows[1]!.textContent).toContain('0.763167');
    expect(rows[1]!.textContent).toContain('0.8705');

    await fireEvent.click(screen.getByTestId('pause-run'));
    fake.emit({ type: 'paused', runId: 4, epoch: 2, batch: 3 });
    await flush();
    const lr = screen.getByTestId('lr-input') as HTMLInputElement;
    expect(lr.value).toBe('0.01');
    await fireEvent.input(lr, { target: { value: '0.05' } });
    await fireEvent.submit(lr.closest('form')!);
    await flush();
    expect(fake.callsOf('setLearningRate')).toEqual([{ runId: 4, learningRate: 0.05 }]);

    fake.emit({ type: 'finished', runId: 4, status: 'stopped', reason: null, evaluation: null });
    await flush();
    expect(screen.getByTestId('run-phase').textContent).toBe('Stopped');
    expect(screen.getByTestId('open-evaluation')).toBeTruthy();
  });

  it('disables Start with the reason when a fit setting is invalid', async () => {
    mountView(TrainView);
    await fireEvent.input(screen.getByTestId('epochs'), { target: { value: '0' } });
    expect((screen.getByTestId('start-run') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('start-blocker').textContent).toMatch(/Epochs:/);
  });
});

describe('Evaluate screen', () => {
  it('shows test metrics, the matrix and the gallery; a cell click filters the gallery', async () => {
    const fake = new FakeLab();
    fake.on('listRuns', () => []);
    const { lab } = mountView(EvaluateView, fake);
    await lab.evaluate.open(8);
    await flush();
    expect(screen.getByTestId('test-accuracy').textContent).toBe('97.38%');
    expect(screen.getByTestId('test-loss').textContent).toBe('0.0905');
    expect(within(screen.getByTestId('gallery')).getAllByRole('img')).toHaveLength(3);
    await fireEvent.click(screen.getByTestId('cm-4-9'));
    await flush();
    expect(fake.callsOf('getMisclassified').at(-1)).toEqual({ runId: 8, limit: 60, trueLabel: 4, predictedLabel: 9 });
    expect(screen.getByTestId('cm-4-9').getAttribute('aria-pressed')).toBe('true');
  });
});

describe('Evaluate screen at an epoch', () => {
  it('opens #/evaluate/ID@N at that epoch, and the selector goes back to final', async () => {
    const fake = new FakeLab();
    fake.on('listRuns', () => []);
    fake.on('getRun', (p) => sampleRun((p as { runId: number }).runId, { checkpoints: sampleCheckpoints(2) }));
    fake.on('evaluateCheckpoint', (p) => ({ ...sampleEvaluation(), runId: 8, epoch: (p as { checkpoint: { epoch: number } }).checkpoint.epoch, accuracy: 0.5 }));
    const location = { hash: '#/evaluate/8@1' };
    const lab = createLab(fake.api, VIEW_IDS, location);
    render(LabProvider, { props: { lab, component: EvaluateView } });
    await waitFor(() => expect(screen.getByTestId('test-accuracy').textContent).toBe('50.00%'));
    const select = screen.getByTestId('evaluate-epoch') as HTMLSelectElement;
    expect(select.value).toBe('1');
    expect([...select.options].map((o) => o.textContent)).toEqual(['Final', 'Epoch 1', 'Epoch 2']);
    expect(screen.getByTestId('evaluate-epoch-note').textContent).toMatch(/As after epoch 1/);
    expect(fake.callsOf('getMisclassified').at(-1)).toEqual({ runId: 8, limit: 60, checkpoint: { kind: 'epoch', epoch: 1 } });
    await fireEvent.change(select, { target: { value: 'final' } });
    await waitFor(() => expect(screen.getByTestId('test-accuracy').textContent).toBe('97.38%'));
    expect(location.hash).toBe('#/evaluate/8');
    expect(screen.queryByTestId('evaluate-epoch-note')).toBeNull();
    await fireEvent.change(select, { target: { value: '2' } });
    await waitFor(() => expect(lab.evaluate.epoch).toBe(2));
    expect(location.hash).toBe('#/evaluate/8@2');
    expect(fake.callsOf('evaluateCheckpoint')).toEqual([
      { runId: 8, checkpoint: { kind: 'epoch', epoch: 1 } },
      { runId: 8, checkpoint: { kind: 'epoch', epoch: 2 } },
    ]);
  });
});

describe('ConfusionMatrix', () => {
  it('is a table whose cells give counts on hover and report clicks', async () => {
    const matrix = sampleMatrix();
    const clicks: [number, number][] = [];
    render(ConfusionMatrix, {
      props: { matrix, normalised: normaliseRows(matrix), totals: rowTotals(matrix), isSelected: () => false, ontoggle: (t: number, p: number) => clicks.push([t, p]) },
    });
    const cell = screen.getByTestId('cm-4-9');
    expect(cell.getAttribute('title')).toBe('True 4, predicted 9: 8 of 98 (8.2%)');
    expect(screen.getByTestId('cm-4-4').textContent?.trim()).toBe('.92');
    expect(screen.getAllByRole('columnheader')).toHaveLength(11);
    await fireEvent.click(cell);
    expect(clicks).toEqual([[4, 9]]);
  });
});

describe('App shell', () => {
  it('shows the backend badge with the reason and opens the backend doctor', async () => {
    const fake = new FakeLab();
    const lab = createLab(fake.api, VIEW_IDS, null);
    render(App, { props: { lab } });
    await flush();
    const badge = screen.getByTestId('backend-badge');
    expect(badge.textContent).toContain('WASM');
    expect(badge.textContent).toContain('GPU unavailable: package @tensorflow/tfjs-node-gpu is not installed');
    await fireEvent.click(badge);
    const doctor = screen.getByRole('region', { name: 'Backend doctor' });
    const probes = within(doctor).getByRole('table', { name: 'Backends probed, fastest first' });
    expect(within(probes).getAllByRole('row')).toHaveLength(6);
    expect(doctor.textContent).toContain('in use');
    // Why WebGPU was skipped, and the adapter it found.
    expect(within(probes).getByRole('row', { name: /WebGPU/ }).textContent).toContain('only a software adapter was found');
    const adapter = within(doctor).getByRole('table', { name: /WebGPU adapter/ });
    expect(within(adapter).getByRole('row', { name: /Largest storage buffer/ }).textContent).toContain('128 MiB');
    expect(within(adapter).getByRole('row', { name: /Driver/ }).textContent).toContain('Mesa 22.3.6');
    expect(doctor.textContent).toContain('software');
    expect(screen.getByRole('navigation', { name: 'Screens' }).textContent).toMatch(/Design.*Train.*Evaluate/);
    expect(fake.listenerCount()).toBe(1);
  });
});
