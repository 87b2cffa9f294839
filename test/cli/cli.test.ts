// The CLI end to end, as a user runs it: real processes, a real lab home, real MNIST subsamples.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/layerlab.js');
const home = mkdtempSync(join(tmpdir(), 'layerlab-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function cli(args: string[], withHome = true) {
  const r = spawnSync(process.execPath, [BIN, ...args, ...(withHome ? ['--home', home] : [])], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['--epochs', '2', '--train-examples', '1000', '--test-examples', '300', '--batch-size', '100', '--lr', '0.1', '--backend', 'wasm'];

describe('layerlab CLI', () => {
  it('prints the seed summary exactly', () => {
    const r = spawnSync(process.execPath, [BIN, 'summary', '--preset', 'keras-mlp'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dense_1 (Dense)              (None, 512)               401920');
    expect(r.stdout).toContain('Total params: 407,050');
  });

  it('reproduces the tutorial\'s first epoch on the full data (Keras: loss 1.0846, acc 0.7632, val_loss 0.5846, val_acc 0.8705)', () => {
    const r = cli(['train', '--preset', 'keras-mlp', '--epochs', '1', '--backend', 'wasm', '--json']);
    expect(r.code).toBe(0);
    const epoch = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, number | string>).find((l) => l.type === 'epoch')!;
    expect(epoch.loss as number).toBeCloseTo(1.0846, 1);
    expect(Math.abs((epoch.acc as number) - 0.7632)).toBeLessThan(0.02);
    expect(Math.abs((epoch.val_loss as number) - 0.5846)).toBeLessThan(0.02);
    expect(Math.abs((epoch.val_acc as number) - 0.8705)).toBeLessThan(0.01);
  });

  let runId = 0;
  it('trains with --json: one object per line, epochs then finished with the evaluation', () => {
    const r = cli(['train', '--preset', 'keras-mlp', ...SMALL, '--json', '--name', 'cli smoke']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const epochs = lines.filter((l) => l.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of epochs) for (const k of ['loss', 'acc', 'val_loss', 'val_acc', 'seconds']) expect(typeof e[k]).toBe('number');
    const finished = lines[lines.length - 1]!;
    expect(finished).toMatchObject({ type: 'finished', status: 'completed' });
    const evaluation = finished.evaluation as { loss: number; accuracy: number };
    expect(evaluation.accuracy).toBeGreaterThan(0.5);
    runId = finished.runId as number;
  });

  it('prints Keras-like lines without --json', () => {
    const r = cli(['train', '--preset', 'keras-mlp', ...SMALL, '--epochs', '1']);
    expect(r.code).toBe(0);
    // The trainer runs wasm on every core: the threaded build where there are several.
    expect(r.stdout).toMatch(/Backend: wasm \((threaded SIMD build, \d+ threads|(SIMD|plain) build, 1 thread); SIMD kernels on\)/);
    expect(r.stdout).toMatch(/Train on 1000 samples, validate on 300 samples/);
    expect(r.stdout).toMatch(/Epoch 1\/1/);
    expect(r.stdout).toMatch(/1000\/1000 \[=+\] - [\d.]+s - loss: [\d.]+ - acc: [\d.]+ - val_loss: [\d.]+ - val_acc: [\d.]+/);
    expect(r.stdout).toMatch(/Test accuracy: 0\.\d{4}/);
  });

  it('lists, shows, exports and deletes runs', () => {
    const list = JSON.parse(cli(['runs', 'list', '--json']).stdout) as { id: number; name: string; status: string; backend: string }[];
    expect(list.map((r) => r.id)).toContain(runId);
    expect(list.find((r) => r.id === runId)).toMatchObject({ name: 'cli smoke', status: 'completed', backend: 'wasm' });
    const shown = cli(['runs', 'show', String(runId)]);
    expect(shown.stdout).toContain('Total params: 407,050');
    expect(shown.stdout).toMatch(/Test accuracy: 0\.\d{4}/);
    const csv = cli(['runs', 'export', String(runId), '--format', 'csv']).stdout.trim().split('\n');
    expect(csv[0]).toBe('epoch,loss,acc,val_loss,val_acc,seconds');
    expect(csv).toHaveLength(3);
    const json = JSON.parse(cli(['runs', 'export', String(runId), '--format', 'json']).stdout) as { history: unknown[]; architecture: unknown };
    expect(json.history).toHaveLength(2);
    expect(cli(['runs', 'delete', String(runId)]).code).toBe(0);
    const missing = cli(['runs', 'show', String(runId)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`layerlab: run ${runId} does not exist\n`);
  });

  it('answers user mistakes with one line and no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-arch-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ inputShape: [784], layers: [{ type: 'dense', units: 512 }, { type: 'dense', units: -3 }] }));
    const r = cli(['train', '--arch', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^layerlab: .*layer 2 \(dense\): units must be a positive integer \(at most 65536\), got -3/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    writeFileSync(bad, '{ not json');
    expect(cli(['summary', '--arch', bad], false).stderr).toMatch(/^layerlab: .*bad\.json is not valid JSON/);
    const flag = cli(['train', '--epochs', 'many']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('layerlab: --epochs must be an integer in decimal digits, got "many"\n');
    expect(cli(['train', '--wat']).code).toBe(2);
    expect(cli(['train', '--train-examples', '70000']).stderr).toMatch(/trainExamples is 70000 but mnist has 60000/);
    expect(cli(['train', '--dataset', 'nope']).stderr).toMatch(/unknown dataset "nope"/);
    expect(cli(['train', '--backend', 'tensorflow-gpu', '--epochs', '1']).stderr).toMatch(/^layerlab: the tensorflow-gpu backend cannot be used: @tensorflow\/tfjs-node-gpu is not installed/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops cleanly on Ctrl-C and keeps the finished epochs', async () => {
    const child = spawn(process.execPath, [BIN, 'train', '--preset', 'keras-mlp', '--epochs', '50', '--train-examples', '600', '--test-examples', '200', '--backend', 'wasm', '--json', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('"type":"epoch"')) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const finished = lines[lines.length - 1]!;
    expect(finished).toMatchObject({ type: 'finished', status: 'stopped' });
    const kept = lines.filter((l) => l.type === 'epoch').length;
    expect(kept).toBeGreaterThanOrEqual(1);
    const run = JSON.parse(cli(['runs', 'show', String(finished.runId), '--json']).stdout) as { status: string; epochs: unknown[] };
    expect(run.status).toBe('stopped');
    expect(run.epochs).toHaveLength(kept);
  });
});
