// Lifecycle edges of the store: a process that ends without finishing, unknown ids, NaN metrics,
// a migration step that fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LabStore, StoreError } from '../../../src-main/lab/store/lab-store.ts';
import { migrate, MIGRATIONS, type Migration } from '../../../src-main/lab/store/migrations.ts';
import { newRun } from './store-fixtures.ts';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-store-'));
  dirs.push(dir);
  return join(dir, 'layerlab.sqlite');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const epoch = (n: number) => ({ epoch: n, loss: 1 / n, acc: 0.5, val_loss: null, val_acc: null, seconds: 1 });

describe('LabStore lifecycle', () => {
  it('re-opened after the writer closed without finishRun: interrupted, epochs kept, finishedAt null', () => {
    const file = tempFile();
    const first = LabStore.open(file);
    const id = first.createRun(newRun('dropped'));
    const queued = first.createRun(newRun('never started'));
    first.markStarted(id, { chosen: 'cpu', requested: 'auto', probes: [], versions: {} });
    first.addEpoch(id, epoch(1), [{ epoch: 1, batch: 1, loss: 2 }]);
    first.addEpoch(id, epoch(2), [{ epoch: 2, batch: 1, loss: 1 }]);
    first.close();

    const second = LabStore.open(file);
    const run = second.getRun(id)!;
    expect(run).toMatchObject({ status: 'interrupted', statusReason: 'the process running it ended before it finished', finishedAt: null, epochsCompleted: 2 });
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(run.batchLosses).toHaveLength(2);
    expect(second.getRun(queued)?.status).toBe('interrupted');
    second.close();
  });

  it('names unknown runs in a StoreError', () => {
    const store = LabStore.open(tempFile());
    const calls: [string, () => unknown][] = [
      ['markStarted', () => store.markStarted(42, { chosen: 'cpu', requested: 'auto', probes: [], versions: {} })],
      ['addEpoch', () => store.addEpoch(42, epoch(1), [])],
      ['addLogEntry', () => store.addLogEntry(42, { at: 'x', epoch: 1, batch: 1, kind: 'pause' })],
      ['saveCheckpoint', () => store.saveCheckpoint(42, { kind: 'final', epoch: 1, valLoss: null, weights: new Uint8Array(1) })],
      ['finishRun', () => store.finishRun(42, 'completed', null)],
      ['updateRun', () => store.updateRun(42, { notes: 'n' })],
    ];
    for (const [name, call] of calls) {
      expect(call, name).toThrow(StoreError);
      expect(call, name).toThrow(/run 42 does not exist/);
    }
    expect(store.getRun(42)).toBeNull();
    expect(store.deleteRun(42)).toBe(false);
    store.close();
    expect(() => store.listRuns()).toThrow(StoreError);
  });

  it('gives NaN back for the metrics of a diverged epoch', () => {
    const store = LabStore.open(tempFile());
    const id = store.createRun(newRun('diverged'));
    store.addEpoch(id, { epoch: 1, loss: NaN, acc: 0.1, val_loss: NaN, val_acc: 0.1, seconds: 2 }, [{ epoch: 1, batch: 1, loss: NaN }]);
    const run = store.getRun(id)!;
    expect(run.epochs[0]!.loss).toBeNaN();
    expect(run.last!.loss).toBeNaN();
    expect(run.batchLosses[0]!.loss).toBeNaN();
    store.close();
  });

  it('upgrades an older file: its learning-rate sentences become numbers once, its live runs have no owner kind', () => {
    const file = tempFile();
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 2));
    old.prepare(`INSERT INTO runs (id, name, status, created_at, architecture, compile, train, seed, dataset_name, dataset_hash, total_params) VALUES (1, 'old', 'completed', 'x', '{}', '{}', '{}', 1, 'mnist', 'h', 1)`).run();
    const log = old.prepare('INSERT INTO run_log (run_id, at, epoch, batch, kind, message) VALUES (1, ?, 1, ?, ?, ?)');
    log.run('a', 3, 'pause', 'paused at epoch 1, batch 3');
    log.run('b', 3, 'learningRate', 'learning rate set to 1e-4');
    log.run('c', 4, 'learningRate', 'learning rate set to 0.05');
    old.close();
    const store = LabStore.open(file);
    const entries = store.connectionForTests.prepare('SELECT kind, learning_rate FROM run_log ORDER BY id').all();
    expect(entries).toEqual([
      { kind: 'pause', learning_rate: null },
      { kind: 'learningRate', learning_rate: 0.0001 },
      { kind: 'learningRate', learning_rate: 0.05 },
    ]);
    expect(store.connectionForTests.prepare('SELECT owner_kind FROM runs').get()).toEqual({ owner_kind: null });
    store.close();
  });

  it('rolls a failed migration step back whole, version included', () => {
    const db = new Database(tempFile());
    const steps: Migration[] = [
      { description: 'one', up: (d) => d.exec('CREATE TABLE a (x)') },
      { description: 'two', up: (d) => d.exec('CREATE TABLE b (x); CREATE TABLE broken (') },
    ];
    expect(() => migrate(db, steps)).toThrow(/schema version 2 \(two\)/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(['a']);
    db.close();
  });
});
