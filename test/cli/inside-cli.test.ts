// layerlab inside, as a user runs it: a run trained by the CLI, a PNG of a test digit (sharp
// writes it), the JSON read back; the trainer's per-epoch weight histograms stored on the way.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src-main/lab/data/mnist.ts';
import { LabService } from '../../src-main/lab/service/lab-service.ts';

const BIN = join(import.meta.dirname, '../../bin/layerlab.js');
const home = mkdtempSync(join(tmpdir(), 'layerlab-inside-cli-'));
const png = join(home, 'seven.png');
afterAll(() => rmSync(home, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--home', home], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let runId = 0;
beforeAll(async () => {
  const r = cli(['train', '--preset', 'deep-mlp', '--epochs', '2', '--train-examples', '1000', '--test-examples', '200', '--batch-size', '100', '--lr', '0.1', '--backend', 'wasm', '--json']);
  expect(r.code).toBe(0);
  runId = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { runId: number }).runId;
  // Test image 0 (a 7) as dark ink on white paper at 5×, like a scanned digit.
  const data = loadMnist();
  const ink = Buffer.from(data.testImages.subarray(0, 784).map((v) => 255 - v));
  await sharp(ink, { raw: { width: 28, height: 28, channels: 1 } }).resize(140, 140).png().toFile(png);
}, 180_000);

describe('layerlab inside', () => {
  it('prints every layer’s statistics, the top class and a 28×28 saliency map as JSON', () => {
    const r = cli(['inside', String(runId), '--image', png, '--json']);
    // Nothing but Dawn's own notes while the prediction backend looks for a GPU adapter (it prints them natively).
    const dawnNote = /^(Warning: |\s+at operator\(\))/;
    expect(r.stderr.split('\n').filter((line) => line.trim() && !dawnNote.test(line))).toEqual([]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      epoch: number;
      predicted: number;
      probabilities: number[];
      layers: { name: string; className: string; outputShape: number[]; min: number; max: number; mean: number; zeroFraction: number }[];
      saliency: { method: string; target: number; shape: number[]; values: number[][] };
    };
    expect(out.epoch).toBe(2);
    expect(out.layers.map((l) => [l.name, l.className, l.outputShape])).toEqual([
      ['dense_1', 'Dense', [512]],
      ['dropout_1', 'Dropout', [512]],
      ['dense_2', 'Dense', [512]],
      ['dropout_2', 'Dropout', [512]],
      ['dense_3', 'Dense', [10]],
    ]);
    for (const l of out.layers) expect(l.min).toBeLessThanOrEqual(l.mean);
    expect(out.layers[0]!.zeroFraction).toBeGreaterThan(0);
    expect(out.predicted).toBe(out.probabilities.indexOf(Math.max(...out.probabilities)));
    expect(out.saliency).toMatchObject({ method: 'gradient-x-input', target: out.predicted, shape: [28, 28] });
    expect(out.saliency.values).toHaveLength(28);
    expect(out.saliency.values.every((row) => row.length === 28)).toBe(true);
    // Gradient × input is zero where there is no ink (the border).
    expect(out.saliency.values[0]!.every((v) => v === 0)).toBe(true);
    expect(out.saliency.values.flat().some((v) => v !== 0)).toBe(true);
  });

  it('takes an epoch’s checkpoint and integrated gradients; says what is wrong otherwise', () => {
    const r = cli(['inside', String(runId), '--image', png, '--epoch', '1', '--saliency', 'integrated-gradients', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ epoch: 1, saliency: { method: 'integrated-gradients' } });
    const text = cli(['inside', String(runId), '--image', png]);
    expect(text.stdout).toMatch(/dense_1 \(Dense\)\s+\(512\)/);
    expect(text.stdout).toMatch(/Saliency \(gradient-x-input\) of class \d/);
    writeFileSync(join(home, 'not.png'), 'hello');
    expect(cli(['inside', String(runId), '--image', join(home, 'not.png')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/not an image sharp can decode/) });
    expect(cli(['inside', String(runId), '--image', join(home, 'missing.png')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no such file/) });
    expect(cli(['inside', String(runId), '--image', png, '--epoch', '7'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/has no checkpoint of epoch 7/) });
    expect(cli(['inside', '--image', png])).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs a run id/) });
  });

  it('the trainer stored each epoch’s weight histograms on the way', async () => {
    const service = await LabService.open({ home });
    try {
      const history = service.getWeightHistory({ runId });
      expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect(history.epochs[1]!.params.reduce((s, p) => s + p.count, 0)).toBe(669_706);
    } finally {
      await service.close();
    }
  });
});
