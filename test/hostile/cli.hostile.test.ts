// The layerlab command against a clumsy or hostile user: enum flags with unknown values, numbers
// Number() would quietly accept, file-system mistakes, escape sequences in stored text, a closed
// pipe, an empty database file, and architecture files with a byte-order mark. Real processes,
// a real lab home; runs are written straight into the store (no training needed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main.ts';
import { DATABASE_FILE } from '../../src-main/lab/home.ts';
import { LabStore } from '../../src-main/lab/store/lab-store.ts';
import { CompileConfigSchema, PRESETS, TrainConfigSchema } from '../../src-shared/index.ts';

const BIN = join(import.meta.dirname, '../../bin/layerlab.js');
const root = mkdtempSync(join(tmpdir(), 'layerlab-hostile-cli-'));
const home = join(root, 'lab');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The command in this process (a fresh process per case would cost seconds each): what it wrote and its exit code. */
async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (write: (text: string) => void) => new Writable({ write: (chunk: Buffer, _enc, done) => (write(chunk.toString()), done()) });
  const code = await main(args, sink((t) => (stdout += t)), sink((t) => (stderr += t)));
  return { code, stdout, stderr };
}

/** A user mistake: one line on stderr naming the problem, no stack, no "unexpected error". */
function expectUserError(r: Awaited<ReturnType<typeof cli>>, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at |LAYERLAB_DEBUG/);
}

const HOSTILE_NAME = 'red\x1b[31m\x1b]0;pwned\x07 \x9b2J\u202Etxt.exe';
const ESC = /[\x1b\x07\x9b\u202e]/;

beforeAll(() => {
  const store = LabStore.open(join(home, DATABASE_FILE));
  const preset = PRESETS[0]!;
  for (let i = 0; i < 400; i++) {
    const id = store.createRun({
      name: i === 0 ? HOSTILE_NAME : `run ${i}`,
      architecture: preset.architecture,
      compile: CompileConfigSchema.parse({}),
      train: TrainConfigSchema.parse({}),
      dataset: { name: 'mnist', hash: '0'.repeat(64) },
      totalParams: 407_050,
    });
    if (i === 0) store.updateRun(id, { tags: ['\x1b[2Jtag'], notes: 'line one\nline two \x1b[8m hidden' });
  }
  store.close();
});

describe('enum flags', () => {
  it.each([
    [['runs', 'list', '--status', 'bogus'], /--status must be one of queued, running, completed, stopped, failed, interrupted, got "bogus"/],
    [['runs', 'export', '1', '--format', 'xml'], /--format must be one of csv, json, keras, tfjs, csv-all, got "xml"/],
    [['train', '--optimizer', 'adamw', '--epochs', '1'], /--optimizer must be one of sgd, adam, rmsprop, adagrad, got "adamw"/],
    [['train', '--backend', 'gpu', '--epochs', '1'], /--backend must be one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu, got "gpu"/],
  ])('%j is a usage error listing the values', async (args, message) => {
    const r = await cli([...args, '--home', home]);
    expectUserError(r, 2, message);
    expect(r.stdout).toBe('');
  });
});

describe('strict numbers', () => {
  it.each([
    [['train', '--epochs', '0x2'], /--epochs must be an integer in decimal digits, got "0x2"/],
    [['train', '--train-examples', '2e3'], /--train-examples must be an integer .*got "2e3"/],
    [['train', '--batch-size', ''], /--batch-size must be an integer .*got ""/],
    [['train', '--seed', ' 7'], /--seed must be an integer .*got " 7"/],
    [['train', '--lr', '0x10'], /--lr must be a decimal number, got "0x10"/],
    [['serve', '--port', ''], /--port must be an integer .*got ""/],
    [['serve', '--port', '0x50'], /--port must be an integer .*got "0x50"/],
    [['runs', 'show', '0x1'], /a run id is a positive integer, got "0x1"/],
    [['runs', 'export', '1', '--format', 'tfjs', '--out', 'x', '--epoch', '1e0'], /--epoch must be an integer/],
  ])('%j is refused', async (args, message) => {
    expectUserError(await cli([...args, '--home', home]), 2, message);
  });

  it('still takes a learning rate written with an exponent', async () => {
    // Refused for its value by the contract, not for how it is written.
    const r = await cli(['train', '--lr', '1e3', '--epochs', '1', '--home', home]);
    expect(r.stderr).toMatch(/learningRate/);
    expect(r.stderr).not.toMatch(/decimal number/);
  });
});

describe('file-system mistakes', () => {
  it('an empty --home is an error, not the default lab', async () => {
    expectUserError(await cli(['runs', 'list', '--home', '']), 1, /--home is empty/);
  });

  it('--home naming a file says so, with the path', async () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    expectUserError(await cli(['runs', 'list', '--home', file]), 1, new RegExp(`the lab home ${file} is a file, not a folder`));
    expectUserError(await cli(['runs', 'list', '--home', join(file, 'sub')]), 1, new RegExp(`${file}/sub.*: a part of this path is a file, not a folder`));
  });

  it('--out naming a file where a folder must go names the path', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expectUserError(await cli(['runs', 'export', '1', '--format', 'tfjs', '--out', file, '--home', home]), 2, new RegExp(`--out ${file} is a file; --format tfjs writes a folder`));
    expectUserError(await cli(['runs', 'list', '--home', join(file, 'lab')]), 1, new RegExp(`${file}/lab: a part of this path is a file, not a folder`));
  });

  it('--out in a missing folder names the path', async () => {
    const out = join(root, 'missing', 'history.csv');
    expectUserError(await cli(['runs', 'export', '1', '--format', 'csv', '--out', out, '--home', home]), 1, new RegExp(`${out}: no such file or folder`));
  });

  it('reports a 0-byte layerlab.sqlite instead of starting an empty lab on it', async () => {
    const truncated = join(root, 'truncated');
    mkdirSync(truncated);
    writeFileSync(join(truncated, DATABASE_FILE), '');
    expectUserError(await cli(['runs', 'list', '--home', truncated]), 1, /is empty \(0 bytes\).*Restore it from a backup, or delete it/);
    // A brand-new lab (no file yet) starts as before.
    const fresh = await cli(['runs', 'list', '--home', join(root, 'fresh')]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/No runs yet/);
  });

  it('reads an architecture file saved with a UTF-8 byte-order mark', async () => {
    const file = join(root, 'bom.json');
    writeFileSync(file, `\uFEFF${JSON.stringify(PRESETS[0]!.architecture)}`);
    const r = await cli(['summary', '--arch', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Total params: 407,050');
  });
});

describe('stored text on a terminal', () => {
  it('runs list escapes control characters in names', async () => {
    const r = await cli(['runs', 'list', '--home', home, '--limit', '500']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(ESC);
    expect(r.stdout).toContain('red\\x1b[31m\\x1b]0;pwn');
  });

  it('runs show escapes the name, tags and notes', async () => {
    const r = await cli(['runs', 'show', '1', '--home', home]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(ESC);
    expect(r.stdout).toContain('\\x9b2J\\u202etxt.exe');
    expect(r.stdout).toContain('Tags: \\x1b[2Jtag');
    expect(r.stdout).toContain('Notes: line one\\x0aline two \\x1b[8m hidden');
  });

  it('--json keeps the value exact and the bytes inert', async () => {
    const r = await cli(['runs', 'show', '1', '--json', '--home', home]);
    expect(r.stdout).not.toMatch(ESC);
    expect((JSON.parse(r.stdout) as { name: string }).name).toBe(HOSTILE_NAME);
  });
});

describe('a closed pipe', () => {
  it('runs list | head -1 prints one line and no EPIPE stack', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" runs list --home "${home}" | head -1`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe('');
  });
});
