// The Data screen over the fake lab: datasets, the chosen one's class balance and samples, and the import
// form (request built from the form, progress polled while it runs, the service's errors shown as given).
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { DataState, emptyImportForm, importFraction, importRequest } from '../../src-renderer/state/data-state.svelte.ts';
import { createLab } from '../../src-renderer/state/lab.svelte.ts';
import DataView from '../../src-renderer/views/DataView.svelte';
import { VIEW_IDS } from '../../src-renderer/views/registry.ts';
import type { DatasetInfo, DatasetOverview, ImportStatus } from '../../src-shared/api.ts';
import { FakeLab, flush, MNIST, sampleRun } from './fake-lab.ts';
import LabProvider from './LabProvider.svelte';

const SHAPES: DatasetInfo = { name: 'shapes', title: 'shapes', hash: 'h', trainExamples: 30, testExamples: 9, imageShape: [8, 8, 3], classNames: ['circle', 'square'], builtIn: false };
const pixels = Buffer.alloc(8 * 8 * 3, 128).toString('base64');
const SHAPES_OVERVIEW: DatasetOverview = {
  name: 'shapes',
  classNames: ['circle', 'square'],
  trainCounts: [20, 10],
  testCounts: [5, 4],
  samples: [
    [0, 2, 3].map((index) => ({ index, label: 0, pixels, shape: [8, 8, 3] as [number, number, number] })),
    [1].map((index) => ({ index, label: 1, pixels, shape: [8, 8, 3] as [number, number, number] })),
  ],
};

function fakeWithShapes(): FakeLab {
  return new FakeLab().on('listDatasets', () => [MNIST, SHAPES]).on('getDatasetOverview', (p) => {
    const { dataset } = p as { dataset: string };
    if (dataset === 'shapes') return SHAPES_OVERVIEW;
    return { name: 'mnist', classNames: MNIST.classNames, trainCounts: MNIST.classNames.map(() => 6000), testCounts: MNIST.classNames.map(() => 1000), samples: MNIST.classNames.map(() => []) };
  });
}

describe('import form → request', () => {
  it('builds folder and CSV requests and refuses a size it cannot read', () => {
    const folder = { ...emptyImportForm(), name: ' shapes ', folder: '/d/shapes', size: '32x24', channels: 3 as const, invert: 'no' as const, testFraction: 0.25 };
    expect(importRequest(folder)).toEqual({ source: 'folder', name: 'shapes', folder: '/d/shapes', size: { height: 32, width: 24 }, channels: 3, invert: 'no', testFraction: 0.25 });
    expect(importRequest({ ...folder, size: 'keep' })).toMatchObject({ size: 'keep' });
    expect(() => importRequest({ ...folder, size: '32 by 24' })).toThrow(/size must be HxW \(e\.g\. 28x28\) or "keep", got "32 by 24"/);
    const csv = { ...emptyImportForm(), source: 'csv' as const, name: 'digits', csv: '/d/train.csv', testCsv: '/d/test.csv', labelColumn: 'label' };
    expect(importRequest(csv)).toEqual({ source: 'csv', name: 'digits', csv: '/d/train.csv', testCsv: '/d/test.csv', labelColumn: 'label' });
    expect(importRequest({ ...csv, testCsv: '', labelColumn: '' })).toEqual({ source: 'csv', name: 'digits', csv: '/d/train.csv', testFraction: 0.2 });
  });

  it('measures progress only once the total is known', () => {
    const at = (done: number, total: number): ImportStatus => ({ name: 'x', source: 'folder', progress: { phase: 'reading', done, total, unit: 'images' } });
    expect([importFraction(null), importFraction(at(0, 0)), importFraction(at(5, 20))]).toEqual([null, null, 0.25]);
  });
});

describe('DataState', () => {
  it('chooses the first dataset, then follows a choice', async () => {
    const fake = fakeWithShapes();
    const data = new DataState(fake.api);
    await data.refresh();
    expect([data.chosen, data.overview?.name]).toEqual(['mnist', 'mnist']);
    await data.choose('shapes');
    expect(data.overview).toEqual(SHAPES_OVERVIEW);
    expect(fake.callsOf('getDatasetOverview').at(-1)).toEqual({ dataset: 'shapes', samplesPerClass: 12 });
  });

  it('polls progress while an import runs, then chooses the new dataset', async () => {
    let finish: (info: DatasetInfo) => void = () => {};
    let listed = [MNIST];
    const fake = fakeWithShapes()
      .on('listDatasets', () => listed)
      .on('getImportProgress', () => ({ name: 'shapes', source: 'folder', progress: { phase: 'reading', done: 3, total: 12, unit: 'images' } }))
      .on('importDataset', () => new Promise<DatasetInfo>((resolve) => (finish = resolve)));
    const data = new DataState(fake.api, 5);
    await data.refresh();
    data.form = { ...emptyImportForm(), name: 'shapes', folder: '/d/shapes' };
    const running = data.submitImport();
    await new Promise((r) => setTimeout(r, 40));
    expect(data.importing).toBe(true);
    expect(importFraction(data.progress)).toBe(0.25);
    listed = [MNIST, SHAPES];
    finish(SHAPES);
    await running;
    expect([data.importing, data.progress, data.imported, data.chosen, data.form.name]).toEqual([false, null, 'shapes', 'shapes', '']);
    expect(fake.callsOf('importDataset')).toEqual([{ source: 'folder', name: 'shapes', folder: '/d/shapes', size: { height: 28, width: 28 }, channels: 1, invert: 'auto', testFraction: 0.2 }]);
  });

  it('shows the service error as given and keeps the form', async () => {
    const fake = fakeWithShapes().on('importDataset', () => {
      throw new Error('/d/shapes/circle holds no images (.png, .jpg, .jpeg, .webp, .bmp)');
    });
    const data = new DataState(fake.api, 5);
    data.form = { ...emptyImportForm(), name: 'shapes', folder: '/d/shapes' };
    await data.submitImport();
    expect(data.importError).toMatch(/\/d\/shapes\/circle holds no images/);
    expect([data.importing, data.form.folder]).toEqual([false, '/d/shapes']);
  });
});

describe('Data screen', () => {
  it("lists datasets, and shows the chosen one's counts and samples per class", async () => {
    const fake = fakeWithShapes();
    const lab = createLab(fake.api, VIEW_IDS, { hash: '' });
    render(LabProvider, { props: { lab, component: DataView } });
    await flush();
    await fireEvent.click(screen.getByTestId('dataset-shapes'));
    await flush();
    const counts = screen.getByTestId('class-counts');
    expect(within(counts).getAllByRole('row').map((r) => [...r.children].map((c) => c.textContent?.trim()).join(' '))).toEqual(['Class circle square', 'train 20 10', 'test 5 4']);
    expect(screen.getByTestId('class-balance').getAttribute('aria-label')).toBe('Images per class: circle: 20 train, 5 test; square: 10 train, 4 test');
    const rows = screen.getAllByTestId('class-row');
    expect(rows.map((r) => [r.dataset['class'], within(r).queryAllByRole('img').length])).toEqual([['circle', 3], ['square', 1]]);
  });

  it("shows one class of a chosen run's test images by confidence, wrong predictions named", async () => {
    const run = { ...sampleRun(7), name: 'cnn', dataset: { name: 'shapes', hash: 'h' }, testAccuracy: 0.8 };
    const other = { ...sampleRun(8), name: 'mnist run', testAccuracy: 0.9 };
    const fake = fakeWithShapes()
      .on('listRuns', () => [run, other])
      .on('getClassByConfidence', () => [
        { index: 4, label: 1, predicted: 1, confidence: 0.97, pixels, shape: [8, 8, 3] },
        { index: 2, label: 1, predicted: 0, confidence: 0.6, pixels, shape: [8, 8, 3] },
      ]);
    const lab = createLab(fake.api, VIEW_IDS, { hash: '' });
    render(LabProvider, { props: { lab, component: DataView } });
    await flush();
    await fireEvent.click(screen.getByTestId('dataset-shapes'));
    await flush();
    const runSelect = screen.getByTestId('confidence-run') as HTMLSelectElement;
    expect([...runSelect.options].map((o) => o.textContent)).toEqual(['Choose a run…', '#7 cnn (80.0%)']);
    await fireEvent.change(screen.getByTestId('confidence-class'), { target: { value: '1' } });
    await fireEvent.change(runSelect, { target: { value: '7' } });
    await flush();
    expect(fake.callsOf('getClassByConfidence').at(-1)).toEqual({ runId: 7, label: 1, order: 'most', limit: 48 });
    const images = screen.getAllByTestId('confidence-image');
    expect(images.map((i) => i.textContent?.trim())).toEqual(['97%', '→ circle 60%']);
  });

  it('imports from the form and shows the error under it', async () => {
    const fake = fakeWithShapes().on('importDataset', () => {
      throw new Error('a dataset named "mnist" exists');
    });
    const lab = createLab(fake.api, VIEW_IDS, { hash: '' });
    render(LabProvider, { props: { lab, component: DataView } });
    await flush();
    await fireEvent.input(screen.getByTestId('import-name'), { target: { value: 'mnist' } });
    await fireEvent.input(screen.getByTestId('import-folder'), { target: { value: '/d/x' } });
    await fireEvent.click(screen.getByTestId('import-submit'));
    await flush();
    expect(screen.getByTestId('import-error').textContent).toMatch(/a dataset named "mnist" exists/);
    expect(fake.callsOf('importDataset')).toHaveLength(1);
  });
});
