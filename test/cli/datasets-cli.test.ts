// Own data through the CLI as a user runs it: import a generated image folder and a CSV, list
// them, train a small CNN on the folder dataset; bad input and bad flags refused in one line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../lab/data/importers/image-fixtures.ts';

const BIN = join(import.meta.dirname, '../../bin/layerlab.js');
const home = mkdtempSync(join(tmpdir(), 'layerlab-own-data-'));
const inputs = mkdtempSync(join(tmpdir(), 'layerlab-own-inputs-'));
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(inputs, { recursive: true, force: true });
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--home', home], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COLOURS: Record<string, [number, number, number]> = { red: [230, 20, 20], green: [20, 200, 40], blue: [30, 40, 220] };

/** 16×16 RGB images per colour class: a coloured square at a varying place on a dark field. */
beforeAll(async () => {
  for (const [name, colour] of Object.entries(COLOURS)) {
    for (let i = 0; i < 12; i++) {
      const pixels = new Uint8Array(16 * 16 * 3).fill(10);
      const x0 = i % 8;
      const y0 = (i * 3) % 8;
      for (let y = y0; y < y0 + 8; y++) for (let x = x0; x < x0 + 8; x++) pixels.set(colour, (y * 16 + x) * 3);
      await writeImage(join(inputs, 'colours', name, `${i}.${i % 2 ? 'png' : 'jpg'}`), pixels, 16, 16, 3, i % 2 ? 'png' : 'jpeg');
    }
  }
  const rows = ['label,p0,p1,p2,p3'];
  for (let r = 0; r < 20; r++) rows.push([r % 2 ? 'cat' : 'dog', r, 255 - r, r * 2, 7].join(','));
  writeFileSync(join(inputs, 'pets.csv'), `${rows.join('\n')}\n`);
});

describe('layerlab datasets import (own data)', () => {
  it('imports an image folder, lists it, and trains a small CNN on it', () => {
    const imported = cli(['datasets', 'import', 'colours', '--folder', join(inputs, 'colours'), '--size', '12x12', '--channels', '3', '--test-fraction', '0.25', '--seed', '3']);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Imported colours: 27 training and 9 test images of 12×12×3, 3 classes \(blue, green, red\)/);
    const list = JSON.parse(cli(['datasets', 'list', '--json']).stdout) as { name: string; imageShape: number[]; classNames: string[] }[];
    expect(list.find((d) => d.name === 'colours')).toMatchObject({ imageShape: [12, 12, 3], classNames: ['blue', 'green', 'red'] });

    const arch = join(inputs, 'cnn.json');
    writeFileSync(arch, JSON.stringify({
      inputShape: [12, 12, 3],
      layers: [
        { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
        { type: 'flatten' },
        { type: 'dense', units: 3, activation: 'softmax' },
      ],
    }));
    const trained = cli(['train', '--arch', arch, '--dataset', 'colours', '--epochs', '2', '--batch-size', '9', '--optimizer', 'adam', '--lr', '0.01', '--backend', 'cpu', '--json']);
    expect(trained.code).toBe(0);
    const lines = trained.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.type === 'started')).toMatchObject({ trainExamples: 27 });
    expect(lines[lines.length - 1]).toMatchObject({ type: 'finished', status: 'completed' });

    const mnistShaped = cli(['train', '--preset', 'keras-mlp', '--dataset', 'colours', '--epochs', '1', '--backend', 'cpu']);
    expect(mnistShaped.code).toBe(1);
    expect(mnistShaped.stderr).toMatch(/inputShape must be \[432\] or \[12, 12, 3\] \(the dataset's 12×12×3 images\), got \[784\]/);
  });

  it('imports a CSV with class names and a label column', () => {
    const r = cli(['datasets', 'import', 'pets', '--csv', join(inputs, 'pets.csv'), '--label-column', 'label', '--test-fraction', '0.2']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Imported pets: 16 training and 4 test images of 2×2×1, 2 classes \(cat, dog\)/);
  });

  it('refuses bad input in one line naming the file, and leaves no dataset behind', () => {
    mkdirSync(join(inputs, 'broken', 'a'), { recursive: true });
    mkdirSync(join(inputs, 'broken', 'b'), { recursive: true });
    writeFileSync(join(inputs, 'broken', 'a', 'x.png'), 'nope');
    const r = cli(['datasets', 'import', 'broken', '--folder', join(inputs, 'broken')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^layerlab: class folder .*broken\/b holds no images\n$/);
    expect(cli(['datasets', 'list', '--json']).stdout).not.toContain('"broken"');
  });

  it.each([
    [['--folder', 'x', '--channels', '2'], /--channels must be 1 \(grey\) or 3 \(RGB\), got 2/],
    [['--folder', 'x', '--size', '28by28'], /--size must be HEIGHTxWIDTH/],
    [['--folder', 'x', '--invert', 'maybe'], /--invert must be one of auto, yes, no/],
    [['--folder', 'x', '--test-fraction', '1.5'], /--test-fraction must be above 0 and at most 0.9/],
    [['--folder', 'x', '--csv', 'y'], /takes one source, got --folder and --csv/],
    [['--csv', 'y', '--invert', 'yes'], /--invert does not apply to a CSV import/],
    [['--csv', 'y', '--test-csv', 'z', '--test-fraction', '0.1'], /with --test-csv there is nothing to split/],
    [['--folder', 'x', '--colour'], /Unknown option '--colour'/],
  ])('refuses flags %j', (flags, message) => {
    const r = cli(['datasets', 'import', 'flags', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
