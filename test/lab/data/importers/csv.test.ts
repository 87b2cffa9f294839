import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CSV_OPTIONS, type CsvImportOptions } from '../../../../src-shared/dataset-import.ts';
import { DatasetRegistry } from '../../../../src-main/lab/data/dataset-registry.ts';
import { readCsvDataset } from '../../../../src-main/lab/data/importers/csv.ts';
import { tempDir, type TempDir } from '../idx-fixtures.ts';

const opts = (over: Partial<CsvImportOptions> = {}): CsvImportOptions => ({ ...DEFAULT_CSV_OPTIONS, ...over });

/** Pixel p of Kaggle-style row r (a 4×4 image): distinct per row and pixel. */
const pixel = (r: number, p: number): number => (r * 16 + p * 7) % 256;

/** "label,pixel0,…,pixel15" and `rows` rows with label r % classes. */
function kaggleCsv(rows: number, classes = 3, header = true): string {
  const lines = header ? [['label', ...Array.from({ length: 16 }, (_, p) => `pixel${p}`)].join(',')] : [];
  for (let r = 0; r < rows; r++) lines.push([r % classes, ...Array.from({ length: 16 }, (_, p) => pixel(r, p))].join(','));
  return `${lines.join('\n')}\n`;
}

describe('readCsvDataset', () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = tempDir('layerlab-csv-');
  });
  afterEach(() => tmp.cleanup());
  const write = (name: string, text: string): string => tmp.write(name, new TextEncoder().encode(text));

  it('reads a Kaggle-style CSV with a test CSV into the expected tensors', async () => {
    const train = write('train.csv', kaggleCsv(6));
    const test = write('test.csv', kaggleCsv(2));
    const data = await readCsvDataset(train, opts({ testCsv: test }));
    expect(data.imageShape).toEqual([4, 4, 1]);
    expect(data.classNames).toEqual(['0', '1', '2']);
    expect(Array.from(data.train.labels)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(data.train.images)).toEqual(Array.from({ length: 6 * 16 }, (_, i) => pixel(Math.floor(i / 16), i % 16)));
    expect(Array.from(data.test.labels)).toEqual([0, 1]);
    expect(Array.from(data.test.images)).toEqual(Array.from({ length: 2 * 16 }, (_, i) => pixel(Math.floor(i / 16), i % 16)));
  });

  it('finds the label column by name, reads 0–1 pixels (also rows before the range shows) and RGB shapes', async () => {
    const file = write('named.csv', 'a,b,c,d,kind\n0,1,1,0,cat\n0.5,0,1,0.25,dog\n1,1,0,0,cat\n0,0,0,1,dog\n');
    const data = await readCsvDataset(file, opts({ labelColumn: 'kind', testFraction: 0.5, size: { height: 2, width: 2 } }));
    expect(data.classNames).toEqual(['cat', 'dog']);
    const rows = [...Array.from(data.train.labels, (l, i) => [l, ...data.train.images.subarray(i * 4, i * 4 + 4)]), ...Array.from(data.test.labels, (l, i) => [l, ...data.test.images.subarray(i * 4, i * 4 + 4)])];
    expect(rows).toEqual(expect.arrayContaining([[0, 0, 255, 255, 0], [1, 128, 0, 255, 64], [0, 255, 255, 0, 0], [1, 0, 0, 0, 255]]));
    const rgb = write('rgb.csv', `${[0, ...new Array(12).fill(9)].join(',')}\n${[1, ...new Array(12).fill(200)].join(',')}\n${[1, ...new Array(12).fill(3)].join(',')}\n${[0, ...new Array(12).fill(4)].join(',')}\n`);
    const colour = await readCsvDataset(rgb, opts({ testFraction: 0.5 }));
    expect(colour.imageShape).toEqual([2, 2, 3]);
  });

  it('splits by a seeded fraction without a test CSV, the same way every time', async () => {
    const file = write('train.csv', kaggleCsv(30));
    const one = await readCsvDataset(file, opts({ testFraction: 0.2, seed: 3 }));
    const again = await readCsvDataset(file, opts({ testFraction: 0.2, seed: 3 }));
    expect(one.train.labels.length).toBe(24);
    expect(Array.from(one.test.labels).sort()).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(again.test.images)).toEqual(Array.from(one.test.images));
  });

  it('reports progress in bytes, ending at the file size', async () => {
    const text = kaggleCsv(30_000);
    const file = write('big.csv', text);
    const seen: number[] = [];
    await readCsvDataset(file, opts(), (p) => seen.push(p.done));
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe(Buffer.byteLength(text));
  });
});

describe('CSV import refusals', () => {
  let tmp: TempDir;
  let home: TempDir;
  beforeEach(() => {
    tmp = tempDir('layerlab-csv-');
    home = tempDir('layerlab-home-');
  });
  afterEach(() => {
    tmp.cleanup();
    home.cleanup();
  });
  const write = (name: string, text: string): string => tmp.write(name, new TextEncoder().encode(text));

  async function refused(file: string, message: RegExp, over: Partial<CsvImportOptions> = {}): Promise<void> {
    const registry = new DatasetRegistry(home.dir);
    await expect(registry.importCsv('mine', file, opts(over))).rejects.toThrow(message);
    expect(registry.list().map((d) => d.name)).toEqual(['mnist']);
    let left: string[] = [];
    try {
      left = readdirSync(home.path('datasets'));
    } catch {
      left = [];
    }
    expect(left).toEqual([]);
  }

  it('says which row has the wrong number of columns', async () => {
    const lines = kaggleCsv(5).split('\n');
    lines[3] = '1,2,3';
    await refused(write('short.csv', lines.join('\n')), /short\.csv line 4 \(data row 3\) has 3 columns; the header has 17/);
  });

  it('refuses labels out of range, mixed label kinds and class numbers written two ways', async () => {
    await refused(write('neg.csv', kaggleCsv(4).replace('\n2,', '\n-1,')), /neg\.csv line 4: label -1 is out of range; labels are class numbers 0 to 99/);
    await refused(write('big.csv', kaggleCsv(4).replace('\n2,', '\n150,')), /label 150 is out of range/);
    await refused(write('mixed.csv', kaggleCsv(4).replace('\n2,', '\ncat,')), /mix class numbers \(such as 0\) and class names \(such as "cat"\)/);
    await refused(write('twice.csv', kaggleCsv(6).replace('\n2,', '\n02,')), /labels "02" and "2" are the same class number/);
  });

  it('refuses bad pixel values, naming line and column', async () => {
    await refused(write('px.csv', kaggleCsv(4).replace(/\n1,\d+,/, '\n1,abc,')), /px\.csv line 3, column "pixel0": "abc" is not a pixel value/);
    await refused(write('over.csv', kaggleCsv(4).replace(/\n1,\d+,/, '\n1,256,')), /line 3, column "pixel0": "256" is not a pixel value/);
    await refused(write('frac.csv', kaggleCsv(4).replace(/\n1,\d+,/, '\n1,0.5,')), /line 3, column "pixel0": 0.5 is not an integer, but this file's pixels are 0–255/);
    await refused(write('binary.csv', 'label,a,b,c,d\n0,0,1,1,0\n1,1,0,0,1\n'), /every pixel is 0 or 1.*--pixel-range/);
  });

  it('refuses a missing label column, mismatched test CSV, non-square pixels, empty and missing files, and a taken name', async () => {
    const good = write('good.csv', kaggleCsv(6));
    await refused(good, /has no column named "digit"; its columns start "label", "pixel0"/, { labelColumn: 'digit' });
    await refused(good, /test\.csv has 11 columns but the training CSV has 17/, { testCsv: write('test.csv', 'label,a,b,c,d,e,f,g,h,i,j\n1,0,0,0,0,0,0,0,0,0,0\n') });
    await refused(write('odd.csv', 'label,a,b,c,d,e\n1,0,0,0,0,9\n2,0,0,0,0,0\n'), /5 pixel columns do not make a square grey or RGB image/);
    await refused(write('empty.csv', ''), /empty\.csv is empty/);
    await refused(write('header.csv', 'label,a,b,c,d\n'), /header\.csv holds no data rows/);
    await refused(tmp.path('nowhere.csv'), /nowhere\.csv does not exist/);
    await refused(tmp.dir, /is a folder, not a CSV file/);
    await refused(good, /images need 18/, { size: { height: 3, width: 3 }, channels: 2 as 1 });
    const registry = new DatasetRegistry(home.dir);
    await registry.importCsv('taken', good, opts({ testFraction: 0.5 }));
    await expect(registry.importCsv('taken', good, opts())).rejects.toThrow(/a dataset named "taken" already exists/);
  });

  it('saves a dataset that loads back with its shape, class names and pixels', async () => {
    const registry = new DatasetRegistry(home.dir);
    const info = await registry.importCsv('kaggle', write('train.csv', kaggleCsv(6)), opts({ testCsv: write('test.csv', kaggleCsv(3)) }));
    expect(info).toMatchObject({ trainExamples: 6, testExamples: 3, imageShape: [4, 4, 1], classNames: ['0', '1', '2'] });
    const loaded = registry.load('kaggle');
    expect(Array.from(loaded.testImages)).toEqual(Array.from({ length: 3 * 16 }, (_, i) => pixel(Math.floor(i / 16), i % 16)));
  });
});
