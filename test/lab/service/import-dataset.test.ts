// importDataset through the one handler table, as both transports call it: a folder and a CSV
// import, progress while one runs, one import at a time, schema refusals, and a dataset that
// fits a model of its shape (and refuses one of MNIST's).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandInput } from '../../../src-shared/index.ts';
import { dispatchCommand } from '../../../src-main/lab/service/dispatch.ts';
import { LabService } from '../../../src-main/lab/service/lab-service.ts';
import { solid, writeImage } from '../data/importers/image-fixtures.ts';
import { fakeTrainerLauncher } from './fake-trainer.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-import-'));
const inputs = mkdtempSync(join(tmpdir(), 'layerlab-import-inputs-'));
let service: LabService;
beforeAll(async () => {
  service = await LabService.open({ home, trainerLauncher: fakeTrainerLauncher(), processKind: 'test' });
  for (const [c, v] of [['circle', 40], ['square', 200]] as const) {
    for (let i = 0; i < 20; i++) await writeImage(join(inputs, 'shapes', c, `${i}.png`), solid(10, 10, v).pixels, 10, 10, 1);
  }
  writeFileSync(join(inputs, 'rows.csv'), `label,a,b,c,d\n${Array.from({ length: 10 }, (_, i) => `${i % 2},${i},${2 * i},3,200`).join('\n')}\n`);
});
afterAll(async () => {
  await service.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(inputs, { recursive: true, force: true });
});

describe('importDataset', () => {
  it('imports a folder, showing progress while it runs and refusing a second import meanwhile', async () => {
    expect(await dispatchCommand(service, 'getImportProgress', null)).toBeNull();
    const running = dispatchCommand(service, 'importDataset', { source: 'folder', name: 'shapes', folder: join(inputs, 'shapes'), size: { height: 8, width: 8 }, invert: 'no' });
    const during = (await dispatchCommand(service, 'getImportProgress', null)) as { name: string; progress: { unit: string; total: number } };
    expect(during).toMatchObject({ name: 'shapes', source: 'folder', progress: { unit: 'images' } });
    await expect(dispatchCommand(service, 'importDataset', { source: 'csv', name: 'other', csv: join(inputs, 'rows.csv') })).rejects.toThrow(/dataset "shapes" is being imported; one import at a time/);
    expect(await running).toMatchObject({ name: 'shapes', imageShape: [8, 8, 1], classNames: ['circle', 'square'], trainExamples: 32, testExamples: 8 });
    expect(await dispatchCommand(service, 'getImportProgress', null)).toBeNull();
    expect(service.listDatasets().map((d) => d.name)).toEqual(['mnist', 'shapes']);
  });

  it("gives an imported dataset's class balance and the first test images of each class, within the schema's limits", async () => {
    const overview = (await dispatchCommand(service, 'getDatasetOverview', { dataset: 'shapes', samplesPerClass: 3 })) as {
      classNames: string[];
      trainCounts: number[];
      testCounts: number[];
      samples: { label: number; pixels: string; shape?: number[] }[][];
    };
    expect(overview).toMatchObject({ classNames: ['circle', 'square'], trainCounts: [16, 16], testCounts: [4, 4] });
    expect(overview.samples.map((s) => s.map((i) => i.label))).toEqual([[0, 0, 0], [1, 1, 1]]);
    expect(overview.samples[1]![0]).toMatchObject({ shape: [8, 8, 1] });
    expect(Buffer.from(overview.samples[1]![0]!.pixels, 'base64')).toHaveLength(64);
    expect(() => parseCommandInput('getDatasetOverview', { dataset: 'shapes', samplesPerClass: 25 })).toThrow(/samplesPerClass/);
    await expect(dispatchCommand(service, 'getDatasetOverview', { dataset: 'nope' })).rejects.toThrow(/nope/);
  });

  it('imports a CSV, and an import error is a user error naming the file', async () => {
    expect(await dispatchCommand(service, 'importDataset', { source: 'csv', name: 'rows', csv: join(inputs, 'rows.csv'), testFraction: 0.2 })).toMatchObject({ imageShape: [2, 2, 1], classNames: ['0', '1'] });
    await expect(dispatchCommand(service, 'importDataset', { source: 'csv', name: 'none', csv: join(inputs, 'missing.csv') })).rejects.toMatchObject({ name: 'DatasetError', message: expect.stringMatching(/missing\.csv does not exist/) });
    expect(await dispatchCommand(service, 'getImportProgress', null)).toBeNull();
  });

  it('refuses malformed requests by the schema', () => {
    expect(() => parseCommandInput('importDataset', { source: 'folder', name: 'Bad Name', folder: '/x' })).toThrow(/dataset names are lowercase/);
    expect(() => parseCommandInput('importDataset', { source: 'folder', name: 'a', folder: '/x', channels: 2 })).toThrow(/channels/);
    expect(() => parseCommandInput('importDataset', { source: 'folder', name: 'a', folder: '/x', labelColumn: 'l' })).toThrow(/labelColumn/);
    expect(() => parseCommandInput('importDataset', { source: 'csv', name: 'a', csv: '' })).toThrow(/give a path/);
    expect(() => parseCommandInput('importDataset', { source: 'folder', name: 'a', folder: '/x', size: { height: 1000, width: 8 } })).toThrow(/size\.height/);
  });

  it('starts runs whose model fits the dataset, and refuses MNIST-shaped ones', async () => {
    const fits = { inputShape: [64], layers: [{ type: 'dense', units: 2, activation: 'softmax' }] };
    const estimate = parseCommandInput('startRun', { architecture: fits, dataset: 'shapes', train: { trainExamples: 32, testExamples: 8, epochs: 1, batchSize: 8 }, backend: 'cpu' });
    const { runId } = service.startRun(estimate);
    expect(runId).toBeGreaterThan(0);
    const mnist = parseCommandInput('startRun', { architecture: { inputShape: [784], layers: [{ type: 'dense', units: 10, activation: 'softmax' }] }, dataset: 'shapes', train: { trainExamples: 32, testExamples: 8 } });
    expect(() => service.startRun(mnist)).toThrow(/inputShape must be \[64\] or \[8, 8, 1\] \(the dataset's 8×8×1 images\), got \[784\]/);
  });
});
