import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FOLDER_OPTIONS, type FolderImportOptions } from '../../../../src-shared/dataset-import.ts';
import { DatasetRegistry } from '../../../../src-main/lab/data/dataset-registry.ts';
import { readImageFolder } from '../../../../src-main/lab/data/importers/image-folder.ts';
import { tempDir, type TempDir } from '../idx-fixtures.ts';
import { bmp24, solid, writeImage } from './image-fixtures.ts';

const opts = (over: Partial<FolderImportOptions> = {}): FolderImportOptions => ({ ...DEFAULT_FOLDER_OPTIONS, invert: 'no', ...over });

/** Every image of the set: its label and pixels. */
function images(set: { images: Uint8Array; labels: Uint8Array }, pixels: number): { label: number; pixels: number[] }[] {
  return Array.from(set.labels, (label, i) => ({ label, pixels: Array.from(set.images.subarray(i * pixels, (i + 1) * pixels)) }));
}

const near = (values: number[], expected: number[], tolerance: number): boolean =>
  values.every((v, i) => Math.abs(v - (expected[i % expected.length] as number)) <= tolerance);

describe('readImageFolder', () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = tempDir('layerlab-folder-');
  });
  afterEach(() => tmp.cleanup());

  /** Two classes from PNG and JPEG files of two sizes each, with RGB and grey sources. */
  async function mixedTree(): Promise<string> {
    const root = tmp.path('mixed');
    const dark = solid(16, 16, 30);
    const darkRgb = solid(32, 24, [30, 30, 30]);
    const light = solid(24, 24, [220, 220, 220]);
    const lightGrey = solid(16, 32, 220);
    await writeImage(join(root, 'dark', 'a.png'), dark.pixels, 16, 16, dark.channels, 'png');
    await writeImage(join(root, 'dark', 'b.jpg'), darkRgb.pixels, 32, 24, darkRgb.channels, 'jpeg');
    await writeImage(join(root, 'light', 'c.png'), light.pixels, 24, 24, light.channels, 'png');
    await writeImage(join(root, 'light', 'd.jpeg'), lightGrey.pixels, 16, 32, lightGrey.channels, 'jpeg');
    return root;
  }

  it('reads PNG and JPEG of two sizes, RGB and grey, into grey tensors of the target size', async () => {
    const data = await readImageFolder(await mixedTree(), opts({ size: { height: 12, width: 12 }, channels: 1, testFraction: 0.5 }));
    expect(data.imageShape).toEqual([12, 12, 1]);
    expect(data.classNames).toEqual(['dark', 'light']);
    expect(data.train.labels.length).toBe(2);
    expect(data.test.labels.length).toBe(2);
    const all = [...images(data.train, 144), ...images(data.test, 144)];
    expect(all.map((i) => i.label).sort()).toEqual([0, 0, 1, 1]);
    for (const image of all) expect(near(image.pixels, [image.label === 0 ? 30 : 220], 2)).toBe(true);
  });

  it('reads the same tree as RGB, and colour sources keep their colour', async () => {
    const root = await mixedTree();
    const red = solid(20, 40, [255, 0, 0]);
    await writeImage(join(root, 'red', 'e.png'), red.pixels, 20, 40, 3, 'png');
    await writeImage(join(root, 'red', 'f.jpg'), red.pixels, 20, 40, 3, 'jpeg');
    const data = await readImageFolder(root, opts({ size: { height: 10, width: 8 }, channels: 3, testFraction: 0.5, resize: 'crop' }));
    expect(data.imageShape).toEqual([10, 8, 3]);
    expect(data.classNames).toEqual(['dark', 'light', 'red']);
    const expected: Record<number, number[]> = { 0: [30, 30, 30], 1: [220, 220, 220], 2: [255, 0, 0] };
    for (const image of [...images(data.train, 240), ...images(data.test, 240)]) expect(near(image.pixels, expected[image.label] as number[], 3)).toBe(true);
  });

  it('keeps every pixel of same-size PNG, WebP and BMP files, from train/ and test/ folders, and inverts on request', async () => {
    const root = tmp.path('exact');
    const pattern = (k: number): Uint8Array => Uint8Array.from({ length: 48 }, (_, i) => (i * 37 + k * 11) % 256);
    await writeImage(join(root, 'train', 'one', 'a.png'), pattern(1), 8, 6, 1, 'png');
    await writeImage(join(root, 'train', 'two', 'b.webp'), pattern(2), 8, 6, 1, 'webp');
    const rgb = new Uint8Array(144);
    pattern(3).forEach((v, i) => rgb.set([v, v, v], i * 3));
    mkdirSync(join(root, 'test', 'two'), { recursive: true });
    writeFileSync(join(root, 'test', 'two', 'c.bmp'), bmp24(rgb, 8, 6));
    const data = await readImageFolder(root, opts({ size: 'keep' }));
    expect(data.imageShape).toEqual([6, 8, 1]);
    expect(data.classNames).toEqual(['one', 'two']);
    expect(Array.from(data.train.labels)).toEqual([0, 1]);
    expect(Array.from(data.test.labels)).toEqual([1]);
    expect(Array.from(data.train.images)).toEqual([...pattern(1), ...pattern(2)]);
    expect(Array.from(data.test.images)).toEqual(Array.from(pattern(3)));
    const inverted = await readImageFolder(root, opts({ size: 'keep', invert: 'yes' }));
    expect(Array.from(inverted.test.images)).toEqual(Array.from(pattern(3), (v) => 255 - v));
  });

  it('auto-inverts grey images with light backgrounds, not dark ones', async () => {
    const root = tmp.path('paper');
    const ink = solid(8, 8, 250).pixels;
    ink.fill(0, 27, 29);
    await writeImage(join(root, 'a', 'x.png'), ink, 8, 8, 1);
    await writeImage(join(root, 'b', 'y.png'), ink, 8, 8, 1);
    await writeImage(join(root, 'a', 'x2.png'), ink, 8, 8, 1);
    await writeImage(join(root, 'b', 'y2.png'), ink, 8, 8, 1);
    const data = await readImageFolder(root, opts({ size: { height: 8, width: 8 }, invert: 'auto', testFraction: 0.5 }));
    const first = Array.from(data.train.images.subarray(0, 64));
    expect(first[0]).toBe(5);
    expect(first[27]).toBe(255);
  });

  it('pads with the border colour (fit and pad) and cuts the centre (crop)', async () => {
    const root = tmp.path('geometry');
    const wide = new Uint8Array(8 * 4).fill(100);
    for (const y of [1, 2]) for (let x = 1; x < 7; x++) wide[y * 8 + x] = 250;
    const halves = Uint8Array.from({ length: 16 * 8 }, (_, i) => (i % 16 < 8 ? 0 : 255));
    await writeImage(join(root, 'train', 'wide', 'w.png'), wide, 8, 4, 1);
    await writeImage(join(root, 'train', 'halves', 'h.png'), halves, 16, 8, 1);
    await writeImage(join(root, 'test', 'wide', 'w.png'), wide, 8, 4, 1);
    const padded = await readImageFolder(root, opts({ size: { height: 8, width: 8 }, resize: 'pad' }));
    // Classes sort as halves, wide; the wide image is the second training image.
    const pad = Array.from(padded.train.images.subarray(64, 128));
    expect(pad.slice(0, 16)).toEqual(new Array(16).fill(100));
    expect(pad.slice(16, 48)).toEqual(Array.from(wide));
    expect(pad.slice(48)).toEqual(new Array(16).fill(100));
    const cropped = await readImageFolder(root, opts({ size: { height: 8, width: 8 }, resize: 'crop' }));
    const crop = Array.from(cropped.train.images.subarray(0, 64));
    expect(crop).toEqual(Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 0 : 255)));
  });

  it('splits each class by the seeded test fraction, the same way every time', async () => {
    const root = tmp.path('split');
    for (const c of ['a', 'b']) for (let i = 0; i < 10; i++) await writeImage(join(root, c, `${i}.png`), solid(4, 4, c === 'a' ? i : 100 + i).pixels, 4, 4, 1);
    const read = (seed: number) => readImageFolder(root, opts({ size: { height: 4, width: 4 }, testFraction: 0.3, seed }));
    const one = await read(7);
    const again = await read(7);
    const other = await read(8);
    expect(Array.from(one.test.labels).sort()).toEqual([0, 0, 0, 1, 1, 1]);
    expect(one.train.labels.length).toBe(14);
    expect(Array.from(again.test.images)).toEqual(Array.from(one.test.images));
    expect(Array.from(other.test.images)).not.toEqual(Array.from(one.test.images));
  });

  it('reports progress over all images', async () => {
    const seen: number[] = [];
    await readImageFolder(await mixedTree(), opts({ testFraction: 0.5 }), (p) => seen.push(p.done));
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(4);
  });
});

describe('image folder import refusals', () => {
  let tmp: TempDir;
  let home: TempDir;
  beforeEach(() => {
    tmp = tempDir('layerlab-folder-');
    home = tempDir('layerlab-home-');
  });
  afterEach(() => {
    tmp.cleanup();
    home.cleanup();
  });

  async function twoClasses(root: string, size = 8): Promise<void> {
    for (const c of ['a', 'b']) for (const f of ['1', '2']) await writeImage(join(root, c, `${f}.png`), solid(size, size, 50).pixels, size, size, 1);
  }

  /** Import must fail with `message`, and leave nothing in the datasets folder. */
  async function refused(root: string, message: RegExp, over: Partial<FolderImportOptions> = {}, name = 'mine'): Promise<void> {
    const registry = new DatasetRegistry(home.dir);
    const before = registry.list();
    await expect(registry.importFolder(name, root, opts(over))).rejects.toThrow(message);
    expect(registry.list()).toEqual(before);
    let left: string[] = [];
    try {
      left = readdirSync(home.path('datasets')).filter((n) => n !== 'taken');
    } catch {
      left = [];
    }
    expect(left).toEqual([]);
  }

  it('names an unreadable image', async () => {
    const root = tmp.path('r');
    await twoClasses(root);
    writeFileSync(join(root, 'b', 'broken.png'), 'not a png at all');
    await refused(root, /b\/broken\.png cannot be read as an image/);
  });

  it('refuses mixed sizes when keeping the size, naming both files', async () => {
    const root = tmp.path('r');
    await twoClasses(root);
    await writeImage(join(root, 'b', '3.png'), solid(16, 12, 50).pixels, 16, 12, 1);
    await refused(root, /b\/3\.png is 16×12 but .*a\/1\.png is 8×8: keeping the size needs every image to have one size/, { size: 'keep' });
  });

  it('refuses an empty class folder, a stray file, a non-image and a nested folder', async () => {
    const root = tmp.path('r');
    await twoClasses(root);
    mkdirSync(join(root, 'empty'));
    await refused(root, /class folder .*r\/empty holds no images/);
    const stray = tmp.path('s');
    await twoClasses(stray);
    writeFileSync(join(stray, 'labels.txt'), 'x');
    await refused(stray, /s\/labels\.txt is a file where only class folders belong/);
    const notImage = tmp.path('n');
    await twoClasses(notImage);
    writeFileSync(join(notImage, 'a', 'notes.txt'), 'x');
    await refused(notImage, /a\/notes\.txt is not an image this import reads/);
    const nested = tmp.path('d');
    await twoClasses(nested);
    mkdirSync(join(nested, 'a', 'deeper'));
    await refused(nested, /a\/deeper is a folder inside class folder "a"/);
  });

  it('refuses duplicate class names, one class, train/ without test/, and test classes unknown to train/', async () => {
    const dup = tmp.path('dup');
    await twoClasses(dup);
    await writeImage(join(dup, 'A', 'x.png'), solid(8, 8, 1).pixels, 8, 8, 1);
    await refused(dup, /dup: duplicate class name: "a" and "A" differ only in case/);
    const one = tmp.path('one');
    await writeImage(join(one, 'only', 'x.png'), solid(8, 8, 1).pixels, 8, 8, 1);
    await refused(one, /at least 2 classes, got 1/);
    const half = tmp.path('half');
    await twoClasses(join(half, 'train'));
    await refused(half, /has a train\/ folder but no test\/ folder/);
    const unknown = tmp.path('unknown');
    await twoClasses(join(unknown, 'train'));
    await writeImage(join(unknown, 'test', 'c', 'x.png'), solid(8, 8, 1).pixels, 8, 8, 1);
    await refused(unknown, /test\/c: class "c" has no folder in .*train/);
  });

  it('refuses a missing folder, a taken name, bad sizes and a test fraction that holds out nothing', async () => {
    await refused(tmp.path('nowhere'), /the image folder .*nowhere does not exist/);
    const root = tmp.path('r');
    await twoClasses(root);
    const registry = new DatasetRegistry(home.dir);
    await registry.importFolder('taken', root, opts({ testFraction: 0.5 }));
    await refused(root, /a dataset named "taken" already exists/, {}, 'taken');
    await refused(root, /height and width must be 2 to 256/, { size: { height: 300, width: 28 } });
    await refused(root, /test fraction must be above 0/, { testFraction: 0 });
    await refused(root, /holds out no image/, { testFraction: 0.1 });
  });

  it('saves a dataset that loads back with its shape, class names and pixels', async () => {
    const root = tmp.path('r');
    await twoClasses(root);
    const registry = new DatasetRegistry(home.dir);
    const info = await registry.importFolder('shapes', root, opts({ size: { height: 6, width: 5 }, channels: 3, testFraction: 0.5 }), 'My shapes');
    expect(info).toMatchObject({ name: 'shapes', title: 'My shapes', trainExamples: 2, testExamples: 2, imageShape: [6, 5, 3], classNames: ['a', 'b'] });
    const loaded = registry.load('shapes');
    expect(loaded.imageShape).toEqual([6, 5, 3]);
    expect(loaded.classNames).toEqual(['a', 'b']);
    expect(loaded.trainImages.length).toBe(2 * 90);
    expect(Array.from(loaded.trainImages).every((v) => v === 50)).toBe(true);
    expect(registry.list().find((d) => d.name === 'shapes')).toEqual(info);
  });
});
