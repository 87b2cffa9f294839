// `layerlab runs compare` and the new export formats, as a user runs them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/layerlab.js');
const home = mkdtempSync(join(tmpdir(), 'layerlab-runs-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--home', home], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  for (const lr of ['0.1', '0.05']) {
    const r = cli(['train', '--preset', 'keras-mlp', '--epochs', '1', '--train-examples', '500', '--test-examples', '200', '--lr', lr, '--backend', 'wasm', '--json', '--name', `lr ${lr}`]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

describe('layerlab runs compare / export', () => {
  it('compare prints only the settings that differ (--all: every one)', () => {
    const r = cli(['runs', 'compare', '1', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/learning rate\s+0\.1\s+0\.05/);
    expect(r.stdout).not.toContain('batch size');
    expect(cli(['runs', 'compare', '1', '2', '--all']).stdout).toContain('batch size');
    expect(cli(['runs', 'compare', '1']).code).not.toBe(0);
  });

  it('exports all chosen runs as one CSV, a Keras snippet and a TensorFlow.js model folder', () => {
    const csv = cli(['runs', 'export', '1', '2', '--format', 'csv-all']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.trim().split('\n')).toHaveLength(3);
    expect(cli(['runs', 'export', '1', '--format', 'keras']).stdout).toContain('model.compile(');
    const dir = join(home, 'model-1');
    const tfjs = cli(['runs', 'export', '1', '--format', 'tfjs', '--out', dir]);
    expect(tfjs.code, tfjs.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(model.format).toBe('layers-model');
    expect(readFileSync(join(dir, model.weightsManifest[0]!.paths[0]!)).byteLength).toBe(407_050 * 4);
    expect(cli(['runs', 'export', '1', '--format', 'tfjs']).code).not.toBe(0);
  });

  it('lists newest first, a page at a time (--limit, --offset), and refuses a bad page flag', () => {
    const first = cli(['runs', 'list', '--limit', '1']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^\s+2\s+completed/);
    expect(first.stdout).toContain('Runs 1–1 of 2, newest first. Next page: --offset 1');
    const second = cli(['runs', 'list', '--limit', '1', '--offset', '1', '--json']);
    expect((JSON.parse(second.stdout) as { id: number; weights: { final: boolean } }[]).map((r) => [r.id, r.weights.final])).toEqual([[1, true]]);
    expect(cli(['runs', 'list', '--search', 'lr 0.05', '--json']).stdout).toMatch(/"id":2/);
    expect(cli(['runs', 'list', '--limit', '2e3']).code).toBe(2);
    expect(cli(['runs', 'list', '--limit', '0']).code).not.toBe(0);
  });
});
