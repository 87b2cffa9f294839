import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetRegistry } from '../../../src-main/lab/data/dataset-registry.ts';
import { DatasetError } from '../../../src-main/lab/data/idx.ts';
import { makeImages, makeLabels, tempDir, writeIdxSet, type TempDir } from './idx-fixtures.ts';

describe('DatasetRegistry', () => {
  let home: TempDir;
  let inputs: TempDir;
  let registry: DatasetRegistry;
  const datasetsDir = () => home.path('datasets');
  const entries = () => (existsSync(datasetsDir()) ? readdirSync(datasetsDir()).sort() : []);

  beforeEach(() => {
    home = tempDir('layerlab-home-');
    inputs = tempDir('layerlab-inputs-');
    registry = new DatasetRegistry(home.dir);
  });
  afterEach(() => {
    home.cleanup();
    inputs.cleanup();
  });

  it('keeps loading dataset folders from before datasets carried a shape (format 1) as 28×28×1 digits', () => {
    const info = registry.importIdx('old', writeIdxSet(inputs));
    const path = join(datasetsDir(), 'old', 'dataset.json');
    const meta = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ format: 2, imageShape: [28, 28, 1], classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], source: 'idx' });
    const { title, hash, trainCount, testCount, importedAt } = meta;
    writeFileSync(path, JSON.stringify({ format: 1, title, hash, trainCount, testCount, importedAt }));
    const loaded = registry.load('old');
    expect(loaded.imageShape).toEqual([28, 28, 1]);
    expect(loaded.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(loaded.hash).toBe(info.hash);
    expect(registry.list().find((d) => d.name === 'old')).toEqual(info);
  });

  it('lists only MNIST in a fresh home', () => {
    const list = registry.list();
    expect(list.map((d) => d.name)).toEqual(['mnist']);
    expect(list[0]).toMatchObject({ builtIn: true, trainExamples: 60_000, testExamples: 10_000, imageShape: [28, 28, 1] });
  });

  it('imports plain IDX files, stores them and loads them back', () => {
    const info = registry.importIdx('digits', writeIdxSet(inputs), 'My digits');
    expect(info).toMatchObject({ name: 'digits', title: 'My digits', trainExamples: 3, testExamples: 2, builtIn: false });
    expect(info.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(entries()).toEqual(['digits']);
    const meta = JSON.parse(readFileSync(join(datasetsDir(), 'digits', 'dataset.json'), 'utf8'));
    expect(meta).toMatchObject({ title: 'My digits', hash: info.hash, trainCount: 3, testCount: 2 });
    expect(typeof meta.importedAt).toBe('string');

    const d = registry.load('digits');
    expect(d).toMatchObject({ name: 'digits', title: 'My digits', hash: info.hash, trainCount: 3, testCount: 2, builtIn: false });
    expect(Array.from(d.trainLabels)).toEqual([1, 2, 3]);
    expect(Array.from(d.testLabels)).toEqual([9, 0]);
    expect(d.trainImages[784 * 2]).toBe(2);
  });

  it('imports gzipped files, stores them decompressed, same hash as plain', () => {
    const plain = registry.importIdx('plain', writeIdxSet(inputs, { prefix: 'p' }));
    const zipped = registry.importIdx('zipped', writeIdxSet(inputs, { gzip: true, prefix: 'z' }));
    expect(zipped.hash).toBe(plain.hash);
    expect(zipped.title).toBe('zipped');
    const stored = readFileSync(join(datasetsDir(), 'zipped', 'train-images-idx3-ubyte'));
    expect(stored[0]).toBe(0);
    expect(registry.load('zipped').trainCount).toBe(3);
  });

  it('leaves no folder behind when a file is truncated', () => {
    mkdirSync(datasetsDir());
    const files = writeIdxSet(inputs);
    files.testImages = inputs.write('cut', makeImages(2).subarray(0, 900));
    expect(() => registry.importIdx('broken', files)).toThrow(/test images file .*cut is truncated: expected 1584 bytes.*got 900/);
    expect(entries()).toEqual([]);
  });

  it('leaves nothing when labels do not match the images', () => {
    const files = writeIdxSet(inputs);
    files.trainLabels = inputs.write('short', makeLabels([1, 2]));
    expect(() => registry.importIdx('mismatch', files)).toThrow(/holds 3 images but .* holds 2 labels/);
    expect(entries()).toEqual([]);
  });

  it('rejects duplicate, reserved and malformed names', () => {
    registry.importIdx('one', writeIdxSet(inputs));
    expect(() => registry.importIdx('one', writeIdxSet(inputs))).toThrow(/a dataset named "one" already exists/);
    expect(() => registry.importIdx('mnist', writeIdxSet(inputs))).toThrow(/built-in/);
    for (const bad of ['', 'Upper', '-dash', '../escape', 'a'.repeat(65), 'sp ace']) {
      expect(() => registry.importIdx(bad, writeIdxSet(inputs))).toThrow(DatasetError);
    }
    expect(registry.importIdx('a'.repeat(64), writeIdxSet(inputs)).name).toHaveLength(64);
    expect(entries()).toEqual(['a'.repeat(64), 'one']);
  });

  it('lists MNIST first, then imports by name', () => {
    registry.importIdx('zeta', writeIdxSet(inputs));
    registry.importIdx('alpha', writeIdxSet(inputs));
    registry.importIdx('mid_1', writeIdxSet(inputs));
    expect(registry.list().map((d) => d.name)).toEqual(['mnist', 'alpha', 'mid_1', 'zeta']);
    // A fresh registry on the same home sees the same.
    expect(new DatasetRegistry(home.dir).list().map((d) => d.name)).toEqual(['mnist', 'alpha', 'mid_1', 'zeta']);
  });

  it('loads mnist and names the available datasets for an unknown one', () => {
    expect(registry.load('mnist').trainCount).toBe(60_000);
    registry.importIdx('mine', writeIdxSet(inputs));
    expect(() => registry.load('nope')).toThrow(/unknown dataset "nope"; available: mnist, mine/);
    expect(() => registry.load('../mine')).toThrow(DatasetError);
  });

  it('detects a stored file damaged after import', () => {
    registry.importIdx('fragile', writeIdxSet(inputs));
    const file = join(datasetsDir(), 'fragile', 't10k-labels-idx1-ubyte');
    writeFileSync(file, readFileSync(file).subarray(0, 9));
    expect(() => registry.load('fragile')).toThrow(/dataset "fragile" file t10k-labels-idx1-ubyte is truncated/);

    registry.importIdx('altered', writeIdxSet(inputs));
    const labels = join(datasetsDir(), 'altered', 'train-labels-idx1-ubyte');
    writeFileSync(labels, makeLabels([4, 4, 4]));
    expect(() => registry.load('altered')).toThrow(/changed since it was imported/);
  });

  it('says when dataset.json is damaged and lists that dataset as damaged, with what to do', () => {
    registry.importIdx('meta', writeIdxSet(inputs));
    writeFileSync(join(datasetsDir(), 'meta', 'dataset.json'), '{"format":1}');
    expect(() => registry.load('meta')).toThrow(/dataset "meta" is damaged/);
    const listed = registry.list();
    expect(listed.map((d) => d.name)).toEqual(['mnist', 'meta']);
    expect(listed[0]!.damaged).toBeUndefined();
    expect(listed[1]!.damaged).toMatch(/dataset "meta" is damaged: .*dataset\.json.*Delete the folder .*meta and import the dataset again/);
  });
});
