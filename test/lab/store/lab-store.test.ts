// The store on real SQLite files in temp dirs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LabStore, StoreError } from '../../../src-main/lab/store/lab-store.ts';
import { newRun } from './store-fixtures.ts';
import { MIGRATIONS } from '../../../src-main/lab/store/migrations.ts';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-store-'));
  dirs.push(dir);
  return join(dir, 'nested', 'layerlab.sqlite');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const epoch = (n: number) => ({ epoch: n, loss: 1 / n, acc: 0.5 + n / 10, val_loss: 0.9 / n, val_acc: 0.6 + n / 10, seconds: 1.5 });
const report = { chosen: 'wasm' as const, requested: 'auto' as const, probes: [], versions: { 'tfjs-core': '4.22.0' } };

describe('LabStore', () => {
  it('creates the schema with WAL and foreign keys, and re-opens idempotently', () => {
    const file = tempFile();
    const a = LabStore.open(file);
    const db = a.connectionForTests;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const id = a.createRun(newRun('keep'));
    a.close();
    const b = LabStore.open(file);
    expect(b.connectionForTests.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(b.getRun(id)?.name).toBe('keep');
    b.close();
  });

  it('refuses a database from a newer Layerlab and leaves it untouched', () => {
    const file = tempFile();
    LabStore.open(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    expect(() => LabStore.open(file)).toThrow(/written by a newer Layerlab/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 5);
    again.close();
  });

  it('keeps a whole run: start, epochs with batch losses, log, checkpoints, evaluation, finish', () => {
    const store = LabStore.open(tempFile());
    const id = store.createRun({ ...newRun(''), parentRunId: null });
    expect(store.getRun(id)).toMatchObject({ name: `run-${id}`, status: 'queued', backend: null });
    store.markStarted(id, report);
    store.addEpoch(id, epoch(1), [{ epoch: 1, batch: 1, loss: 2.3 }, { epoch: 1, batch: 2, loss: 2.1 }]);
    store.addEpoch(id, epoch(2), [{ epoch: 2, batch: 1, loss: 1.1 }]);
    store.addLogEntry(id, { at: 'now', epoch: 2, batch: 1, kind: 'learningRate', learningRate: 0.05 });
    const w = (v: number) => new Uint8Array([v, v, v, v]);
    store.saveCheckpoint(id, { kind: 'best', epoch: 1, valLoss: 0.9, weights: w(1) });
    store.saveCheckpoint(id, { kind: 'best', epoch: 2, valLoss: 0.45, weights: w(2) });
    store.saveCheckpoint(id, { kind: 'epoch', epoch: 1, valLoss: 0.9, weights: w(1) });
    store.saveCheckpoint(id, { kind: 'epoch', epoch: 2, valLoss: 0.45, weights: w(2) });
    store.saveCheckpoint(id, { kind: 'final', epoch: 2, valLoss: null, weights: w(3) });
    const evaluation = { loss: 0.3, accuracy: 0.9, examples: 3, confusionMatrix: [[1, 0], [1, 1]], perClass: [] };
    store.saveEvaluation(id, evaluation, { testIndices: Uint32Array.from([5, 9, 70000]), predicted: Uint8Array.from([1, 2, 3]), confidence: Float32Array.from([0.5, 0.25, 1]) });
    store.finishRun(id, 'completed', null);

    const run = store.getRun(id)!;
    expect(run).toMatchObject({ status: 'completed', backend: 'wasm', epochsCompleted: 2, testAccuracy: 0.9, testLoss: 0.3 });
    expect(run.startedAt).not.toBeNull();
    expect(run.finishedAt).not.toBeNull();
    expect(run.epochs).toEqual([epoch(1), epoch(2)]);
    expect(run.batchLosses).toEqual([{ epoch: 1, batch: 1, loss: 2.3 }, { epoch: 1, batch: 2, loss: 2.1 }, { epoch: 2, batch: 1, loss: 1.1 }]);
    expect(run.log).toEqual([{ at: 'now', epoch: 2, batch: 1, kind: 'learningRate', learningRate: 0.05 }]);
    expect(run.evaluation).toEqual(evaluation);
    expect(run.backendReport?.versions['tfjs-core']).toBe('4.22.0');
    expect(run.checkpoints.map((c) => `${c.kind}@${c.epoch}`).sort()).toEqual(['best@2', 'epoch@1', 'epoch@2', 'final@2']);
    expect(Array.from(store.loadCheckpoint(id, { kind: 'best' })!.weights)).toEqual([2, 2, 2, 2]);
    expect(store.loadCheckpoint(id, { kind: 'epoch', epoch: 1 })?.epoch).toBe(1);
    expect(store.loadCheckpoint(id, { kind: 'epoch', epoch: 7 })).toBeNull();
    const p = store.getPredictions(id)!;
    expect(Array.from(p.testIndices)).toEqual([5, 9, 70000]);
    expect(Array.from(p.confidence)).toEqual([0.5, 0.25, 1]);
    expect(store.listRuns()[0]?.last?.val_acc).toBeCloseTo(0.8);
    store.close();
  });

  it('lists newest first, filters by status and searches name, tags and notes', () => {
    const store = LabStore.open(tempFile());
    const a = store.createRun(newRun('baseline mlp'));
    const b = store.createRun(newRun('wide'));
    const c = store.createRun(newRun('cnn 100%'));
    store.finishRun(b, 'stopped', 'stopped on request');
    store.updateRun(c, { tags: ['conv', 'conv', 'small'], notes: 'try dropout next' });
    expect(store.listRuns().map((r) => r.id)).toEqual([c, b, a]);
    expect(store.listRuns({ status: 'stopped' }).map((r) => r.id)).toEqual([b]);
    expect(store.listRuns({ search: 'MLP' }).map((r) => r.id)).toEqual([a]);
    expect(store.listRuns({ search: 'conv' }).map((r) => r.id)).toEqual([c]);
    expect(store.listRuns({ search: 'dropout' }).map((r) => r.id)).toEqual([c]);
    expect(store.listRuns({ search: '%' }).map((r) => r.id)).toEqual([c]);
    // Tags match one by one, never through their JSON text.
    expect(store.listRuns({ search: 'sma' }).map((r) => r.id)).toEqual([c]);
    expect(store.listRuns({ search: '"' }).map((r) => r.id)).toEqual([]);
    expect(store.listRuns({ search: 'conv","small' }).map((r) => r.id)).toEqual([]);
    expect(store.listRuns({ limit: 1 })).toHaveLength(1);
    expect(store.getRun(c)?.tags).toEqual(['conv', 'small']);
    expect(() => store.updateRun(999, { name: 'x' })).toThrow(StoreError);
    store.close();
  });

  it('deletes a run with its data only; forks of it stay, unlinked', () => {
    const store = LabStore.open(tempFile());
    const parent = store.createRun(newRun('parent'));
    const other = store.createRun(newRun('other'));
    const child = store.createRun({ ...newRun('child'), parentRunId: parent });
    for (const id of [parent, other]) {
      store.addEpoch(id, epoch(1), [{ epoch: 1, batch: 1, loss: 1 }]);
      store.saveCheckpoint(id, { kind: 'final', epoch: 1, valLoss: null, weights: new Uint8Array(8) });
    }
    expect(store.deleteRun(parent)).toBe(true);
    expect(store.deleteRun(parent)).toBe(false);
    expect(store.getRun(parent)).toBeNull();
    const db = store.connectionForTests;
    for (const table of ['epochs', 'batch_losses', 'checkpoints']) {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(parent)).toEqual({ n: 0 });
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(other)).toEqual({ n: 1 });
    }
    expect(store.getRun(child)?.parentRunId).toBeNull();
    store.close();
  });

  it('turns a full disk into a clear error and keeps what was saved', () => {
    const file = tempFile();
    const store = LabStore.open(file);
    const id = store.createRun(newRun('full'));
    store.addEpoch(id, epoch(1), []);
    const db = store.connectionForTests;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const big = new Uint8Array(4 * 1024 * 1024);
    let error: unknown;
    try {
      store.saveCheckpoint(id, { kind: 'final', epoch: 1, valLoss: null, weights: big });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('disk-full');
    expect((error as Error).message).toMatch(/^the disk is full: could not save the final checkpoint of run \d+/);
    expect(store.getRun(id)?.epochs).toHaveLength(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.pragma('max_page_count = 1073741823');
    store.addEpoch(id, epoch(2), []);
    expect(store.getRun(id)?.epochs).toHaveLength(2);
    store.close();
  });

  it('marks runs of a killed process interrupted and keeps their committed epochs', async () => {
    const file = tempFile();
    LabStore.open(file).close();
    const script = join(dirs[dirs.length - 1]!, 'writer.mts');
    writeFileSync(
      script,
      `import { LabStore } from ${JSON.stringify(join(import.meta.dirname, '../../../src-main/lab/store/lab-store.ts'))};
       import { newRun } from ${JSON.stringify(join(import.meta.dirname, 'store-fixtures.ts'))};
       const store = LabStore.open(${JSON.stringify(file)});
       const id = store.createRun(newRun('killed'));
       store.markStarted(id, { chosen: 'cpu', requested: 'auto', probes: [], versions: {} });
       for (let e = 1; ; e++) {
         store.addEpoch(id, { epoch: e, loss: 1, acc: 0.5, val_loss: null, val_acc: null, seconds: 0 }, []);
         if (e === 3) process.stdout.write('3 epochs\\n');
         await new Promise((r) => setTimeout(r, 5));
       }`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: join(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const store = LabStore.open(file);
    const [run] = store.listRuns();
    expect(run).toMatchObject({ name: 'killed', status: 'interrupted', statusReason: 'the process running it ended before it finished' });
    expect(run!.epochsCompleted).toBeGreaterThanOrEqual(3);
    expect(store.getRun(run!.id)!.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: run!.epochsCompleted }, (_, i) => i + 1));
    store.close();
  });

  it('leaves alone a run whose owning process is still alive (a CLI and the app sharing a lab)', async () => {
    const file = tempFile();
    const store = LabStore.open(file);
    const id = store.createRun(newRun('shared'));
    store.close();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const raw = new Database(file);
    raw.prepare('UPDATE runs SET owner = ? WHERE id = ?').run(`${hostname()}:${other.pid}`, id);
    raw.close();
    const again = LabStore.open(file);
    expect(again.getRun(id)?.status).toBe('queued');
    again.close();
    other.kill('SIGKILL');
    await new Promise((resolve) => other.on('exit', resolve));
    const later = LabStore.open(file);
    expect(later.getRun(id)?.status).toBe('interrupted');
    later.close();
  });

  it('lists 1,000 runs of 50 epochs in one query', () => {
    const store = LabStore.open(tempFile());
    const db = store.connectionForTests;
    db.transaction(() => {
      for (let r = 0; r < 1000; r++) {
        const id = store.createRun(newRun(`run ${r}`));
        for (let e = 1; e <= 50; e++) store.addEpoch(id, epoch(e), []);
      }
    })();
    const started = performance.now();
    const runs = store.listRuns();
    const ms = performance.now() - started;
    expect(runs).toHaveLength(1000);
    expect(runs[0]!.epochsCompleted).toBe(50);
    expect(runs[0]!.last?.epoch).toBe(50);
    console.log(`listRuns over 1,000 runs x 50 epochs: ${ms.toFixed(0)} ms`);
    store.close();
  });
});
