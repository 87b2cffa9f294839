// The Runs screen's state and view over the fake lab: filter, sort, select, delete, compare, fork.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { createLab } from '../../src-renderer/state/lab.svelte.ts';
import { differenceMatrix, forkRequest, rerunRequest, RUNS_PAGE_SIZE, RUNS_POLL_MS, RunsState } from '../../src-renderer/state/runs-state.svelte.ts';
import RunsView from '../../src-renderer/views/RunsView.svelte';
import { VIEW_IDS } from '../../src-renderer/views/registry.ts';
import type { RunSummary } from '../../src-shared/runs.ts';
import { StartRunSchema } from '../../src-shared/schemas.ts';
import { FakeLab, flush, sampleCheckpoints, sampleRun } from './fake-lab.ts';
import LabProvider from './LabProvider.svelte';

function runs(): RunSummary[] {
  return [
    { ...sampleRun(1), name: 'baseline', tags: ['mlp'], testAccuracy: 0.95, last: { epoch: 10, loss: 0.1, acc: 0.97, val_loss: 0.12, val_acc: 0.96, seconds: 2 } },
    { ...sampleRun(2), name: 'high lr', status: 'interrupted', testAccuracy: null, notes: 'diverged' },
    { ...sampleRun(3), name: 'cnn try', tags: ['cnn', 'mlp'], testAccuracy: 0.99, finishedAt: '2025-01-01T00:05:00Z' },
  ];
}

describe('runs list helpers', () => {
  it('asks the lab for one page with the filters and sort, back to the first page when they change', async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ ...sampleRun(i + 1), name: i % 2 ? `odd ${i + 1}` : `even ${i + 1}` }));
    const fake = new FakeLab().on('listRuns', () => many);
    const state = new RunsState(fake.api);
    await state.refresh();
    expect(state.runs).toHaveLength(RUNS_PAGE_SIZE);
    expect([state.total, state.labTotal, state.runs[0]!.id]).toEqual([250, 250, 250]);
    await state.nextPage();
    await state.nextPage();
    expect([state.offset, state.runs.length, state.hasNext]).toEqual([200, 50, false]);
    await state.setSearch('odd');
    await state.sortBy('name');
    expect(fake.callsOf('queryRuns').at(-1)).toEqual({ search: 'odd', sort: 'name', descending: false, limit: RUNS_PAGE_SIZE, offset: 0 });
    expect(state.total).toBe(125);
    await state.setStatus('failed');
    expect([state.total, state.runs]).toEqual([0, []]);
  });

  it('builds valid re-run and fork requests linked to the parent', () => {
    const run = runs()[0]!;
    const again = StartRunSchema.parse(rerunRequest(run));
    expect(again).toMatchObject({ parentRunId: 1, train: run.train, compile: run.compile });
    expect(again.parentCheckpoint).toBeUndefined();
    const fork = StartRunSchema.parse(forkRequest(run, 3, { epochs: 4, learningRate: 0.05, batchSize: 64 }));
    expect(fork).toMatchObject({ parentRunId: 1, parentCheckpoint: { kind: 'epoch', epoch: 3 }, train: { epochs: 4, batchSize: 64, seed: 42 } });
    expect(fork.compile.optimizer.learningRate).toBe(0.05);
  });

  it('differences two confusion matrices as B − A', () => {
    expect(differenceMatrix([[5, 1], [2, 3]], [[6, 0], [2, 1]])).toEqual([[1, -1], [0, -2]]);
  });
});

describe('RunsState', () => {
  it('selects, deletes (keeping the others) and compares', async () => {
    const fake = new FakeLab().on('listRuns', () => runs());
    const state = new RunsState(fake.api);
    await state.refresh();
    expect(state.visible.map((r) => r.id)).toEqual([3, 2, 1]);
    state.toggleSelected(1);
    state.toggleSelected(3);
    expect(state.canCompare).toBe(true);
    await state.compare();
    expect(fake.callsOf('compareRuns')).toEqual([{ runIds: [1, 3] }]);
    expect(state.configRows.map((r) => r.key)).toEqual(['compile.optimizer.learningRate']);
    state.onlyDiffering = false;
    expect(state.configRows).toHaveLength(2);
    state.toggleSeries(3);
    expect([...state.hidden]).toEqual([3]);
    expect(state.difference?.flat().every((v) => v === 0)).toBe(true);
    await state.pickCell(4, 9);
    expect(fake.callsOf('comparePredictions')).toEqual([{ runA: 1, runB: 3, trueLabel: 4, predictedLabel: 9, limit: 48 }]);
    expect(state.changes?.images).toHaveLength(1);

    await state.deleteRuns([1]);
    expect(fake.callsOf('deleteRuns')).toEqual([{ runIds: [1] }]);
    expect(state.runs.map((r) => r.id)).toEqual([3, 2]);
    expect([...state.selected]).toEqual([3]);
    // The comparison showed the deleted run: it closes.
    expect(state.comparison).toBeNull();
  });

  it('reports a run that could not be deleted and keeps it', async () => {
    const fake = new FakeLab().on('listRuns', () => runs()).on('deleteRun', (p) => {
      if ((p as { runId: number }).runId === 2) throw new Error('run 2 is still running; stop it first');
      return { runId: (p as { runId: number }).runId, deleted: true };
    });
    const state = new RunsState(fake.api);
    await state.refresh();
    expect(await state.deleteRuns([2, 3])).toEqual([3]);
    expect(state.runs.map((r) => r.id)).toEqual([2, 1]);
    expect(state.error).toContain('still running');
  });

  it('scrubs to an epoch checkpoint', async () => {
    const fake = new FakeLab().on('listRuns', () => runs());
    const state = new RunsState(fake.api);
    await state.scrubTo(1, 2);
    expect(fake.callsOf('evaluateCheckpoint')).toEqual([{ runId: 1, checkpoint: { kind: 'epoch', epoch: 2 } }]);
    expect(state.scrub?.epoch).toBe(2);
  });
});

describe('Runs screen', () => {
  function mount(fake: FakeLab) {
    const lab = createLab(fake.api, VIEW_IDS, { hash: '' });
    render(LabProvider, { props: { lab, component: RunsView } });
    return lab;
  }

  it('shows a run started by another process (the CLI) at the next poll, without a reload', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      let list = runs();
      const fake = new FakeLab().on('listRuns', () => list);
      mount(fake);
      await flush();
      expect(screen.getByTestId('runs-count').textContent).toContain('3');
      list = [{ ...sampleRun(4), name: 'from the terminal', status: 'running' }, ...list];
      vi.advanceTimersByTime(RUNS_POLL_MS);
      await flush();
      await flush();
      expect(fake.callsOf('getRunChanges')).toHaveLength(1);
      expect(within(screen.getByTestId('runs-table')).getByText('from the terminal')).toBeTruthy();
      // Nothing changed: the next poll asks only for changes, and the page is not read again.
      const pages = fake.callsOf('queryRuns').length;
      const before = screen.getByTestId('runs-table').innerHTML;
      vi.advanceTimersByTime(RUNS_POLL_MS);
      await flush();
      expect(fake.callsOf('getRunChanges')).toHaveLength(2);
      expect(fake.callsOf('queryRuns')).toHaveLength(pages);
      expect(screen.getByTestId('runs-table').innerHTML).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });

  it('puts only the rows in view of a page in the DOM, and the others as the table scrolls', async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ ...sampleRun(i + 1), name: `run ${i + 1}` }));
    mount(new FakeLab().on('listRuns', () => many));
    await flush();
    const table = screen.getByTestId('runs-table');
    // A page of 100 (newest first: 250 … 151), a screenful of them rendered; the table still counts every row.
    expect(screen.getByTestId('runs-range').textContent).toBe('1–100 of 250');
    expect(table.getAttribute('aria-rowcount')).toBe('101');
    const rendered = () => table.querySelectorAll('tbody tr.run');
    expect(rendered().length).toBeGreaterThan(5);
    expect(rendered().length).toBeLessThan(30);
    expect(screen.getByTestId('run-row-250')).toBeTruthy();
    expect(screen.queryByTestId('run-row-200')).toBeNull();
    expect(table.querySelectorAll('tbody tr.spacer')).toHaveLength(1);
    // Scrolled to the middle (jsdom lays nothing out: the box says where it is).
    const box = screen.getByTestId('runs-scroll');
    // jsdom measures no row: the table keeps its estimate of a row, 3rem at 16px.
    const rowHeight = 48;
    Object.defineProperty(box, 'clientHeight', { configurable: true, value: 10 * rowHeight });
    Object.defineProperty(box, 'scrollTop', { configurable: true, value: 50 * rowHeight });
    await fireEvent.scroll(box);
    await flush();
    expect(screen.getByTestId('run-row-200')).toBeTruthy();
    expect(screen.getByTestId('run-row-200').getAttribute('aria-rowindex')).toBe('52');
    expect(screen.queryByTestId('run-row-250')).toBeNull();
    expect(table.querySelectorAll('tbody tr.spacer')).toHaveLength(2);
    expect(rendered().length).toBeLessThan(30);
    // Select all still means the whole page, rendered or not.
    await fireEvent.click(screen.getByTestId('runs-select-all'));
    expect(screen.getByTestId('runs-count').textContent).toContain('100 selected');
  });

  it('links the scrubbed epoch to Evaluate and Draw', async () => {
    const fake = new FakeLab().on('listRuns', () => runs());
    fake.on('getRun', (p) => sampleRun((p as { runId: number }).runId, { checkpoints: sampleCheckpoints(3) }));
    mount(fake);
    await flush();
    await fireEvent.click(screen.getByTestId('run-open-1'));
    await flush();
    expect(screen.getByTestId('scrub-evaluate').getAttribute('href')).toBe('#/evaluate/1@1');
    expect(screen.getByTestId('scrub-draw').getAttribute('href')).toBe('#/draw/1@1');
    await fireEvent.change(screen.getByTestId('scrubber'), { target: { value: '2' } });
    await flush();
    expect(screen.getByTestId('scrub-evaluate').textContent).toMatch(/Open epoch 3 in Evaluate/);
    expect(screen.getByTestId('scrub-evaluate').getAttribute('href')).toBe('#/evaluate/1@3');
    expect(screen.getByTestId('scrub-draw').getAttribute('href')).toBe('#/draw/1@3');
  });

  it('lists runs with status, filters, renames and asks before deleting', async () => {
    const fake = new FakeLab().on('listRuns', () => runs());
    mount(fake);
    await flush();
    const table = screen.getByTestId('runs-table');
    expect(within(table).getByText('interrupted')).toBeTruthy();
    expect(within(table).getAllByText(/784 → dense512 relu/)).toHaveLength(3);
    await fireEvent.input(screen.getByTestId('runs-search'), { target: { value: 'cnn' } });
    await flush();
    expect(screen.getByTestId('runs-count').textContent).toContain('1 of 3');
    await fireEvent.input(screen.getByTestId('runs-search'), { target: { value: '' } });
    await flush();

    await fireEvent.click(screen.getByTestId('run-open-1'));
    await flush();
    const name = screen.getByTestId('run-name') as HTMLInputElement;
    await fireEvent.input(name, { target: { value: 'renamed' } });
    await fireEvent.input(screen.getByTestId('run-tags'), { target: { value: 'mlp, best' } });
    await fireEvent.click(screen.getByTestId('run-save'));
    await flush();
    expect(fake.callsOf('updateRun')).toEqual([{ runId: 1, name: 'renamed', tags: ['mlp', 'best'], notes: '' }]);

    await fireEvent.click(screen.getByTestId('run-select-2'));
    await fireEvent.click(screen.getByTestId('delete-selected'));
    expect(fake.callsOf('deleteRuns')).toEqual([]);
    expect(screen.getByTestId('confirm-delete').textContent).toContain('high lr');
    await fireEvent.click(screen.getByTestId('confirm-delete-yes'));
    await flush();
    await flush();
    expect(fake.callsOf('deleteRuns')).toEqual([{ runIds: [2] }]);
    expect(screen.queryByTestId('run-row-2')).toBeNull();
    expect(screen.getByTestId('run-row-1')).toBeTruthy();
  });

  it('compares selected runs and shows only the settings that differ', async () => {
    const fake = new FakeLab().on('listRuns', () => runs());
    mount(fake);
    await flush();
    await fireEvent.click(screen.getByTestId('run-select-1'));
    await fireEvent.click(screen.getByTestId('run-select-3'));
    await fireEvent.click(screen.getByTestId('compare'));
    await flush();
    const diff = screen.getByTestId('config-diff');
    expect(within(diff).getByText('learning rate')).toBeTruthy();
    expect(within(diff).queryByText('batch size')).toBeNull();
    expect(screen.getByTestId('layers-same')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('only-differing'));
    expect(within(screen.getByTestId('config-diff')).getByText('batch size')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('legend-3'));
    expect(screen.getByTestId('legend-3').getAttribute('aria-pressed')).toBe('false');
    // The confusion matrices come a task after the comparison shows (below the fold, after its curves).
    await fireEvent.click(await screen.findByTestId('cm-diff-4-9'));
    await flush();
    expect(screen.getByTestId('changes-summary').textContent).toContain('1 test image changed');
  });
});
