// Lists that stay fast at any lab size: pages, store-side search and sort, polling by version, bulk delete.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CompileConfigSchema, QueryRunsSchema, type RunQueryParsed } from '../../../src-shared/index.ts';
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';
import { MIGRATIONS, migrate } from '../../../src-main/lab/store/migrations.ts';
import { MAX_CHANGES_PER_ANSWER } from '../../../src-main/lab/store/run-list.ts';
import { newRun } from './store-fixtures.ts';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-list-'));
  dirs.push(dir);
  return join(dir, 'layerlab.sqlite');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const q = (query: Partial<RunQueryParsed> = {}): RunQueryParsed => QueryRunsSchema.parse(query);
const epoch = (n: number, valAcc: number) => ({ epoch: n, loss: 1 / n, acc: 0.5, val_loss: 0.5, val_acc: valAcc, seconds: 1 });
const report = { chosen: 'wasm' as const, requested: 'auto' as const, probes: [], versions: {} };

describe('run pages', () => {
  it('pages newest first with lean rows, totals, the tags and checkpoint availability', () => {
    const store = LabStore.open(tempFile());
    const ids = Array.from({ length: 7 }, (_, i) => store.createRun(newRun(`run ${i}`)));
    store.updateRun(ids[2]!, { tags: ['sweep', 'b'] });
    store.saveCheckpoint(ids[1]!, { kind: 'final', epoch: 3, valLoss: null, weights: new Uint8Array(8) });
    store.saveCheckpoint(ids[1]!, { kind: 'epoch', epoch: 1, valLoss: 0.4, weights: new Uint8Array(8) });
    store.saveCheckpoint(ids[1]!, { kind: 'epoch', epoch: 2, valLoss: 0.3, weights: new Uint8Array(8) });
    const first = store.queryRuns(q({ limit: 3 }));
    expect(first.runs.map((r) => r.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(first).toMatchObject({ total: 7, labTotal: 7, tags: ['b', 'sweep'] });
    const second = store.queryRuns(q({ limit: 3, offset: 3 }));
    expect(second.runs.map((r) => r.id)).toEqual([ids[3], ids[2], ids[1]]);
    const withWeights = store.queryRuns(q({ has: 'weights' }));
    expect(withWeights.runs.map((r) => r.id)).toEqual([ids[1]]);
    expect(withWeights.runs[0]).toMatchObject({
      name: 'run 1',
      architecture: '784 → dense512 relu → dense10 softmax',
      inputShape: [784],
      optimizer: expect.stringMatching(/^SGD/),
      epochs: 3,
      weights: { final: true, best: false, epochs: 2 },
    });
    // Lean: no configs travel.
    expect(Object.keys(withWeights.runs[0]!)).not.toContain('compile');
    expect(store.queryRuns(q({ tag: 'sweep' })).runs.map((r) => r.id)).toEqual([ids[2]]);
    store.close();
  });

  it('searches names, tags, notes, the architecture and optimizer in the index; words all match; a number finds its run', () => {
    const store = LabStore.open(tempFile());
    const a = store.createRun(newRun('baseline mlp'));
    const b = store.createRun({ ...newRun('wide'), compile: CompileConfigSchema.parse({ optimizer: { name: 'adam', learningRate: 0.001 } }) });
    const c = store.createRun(newRun('cnn 100%'));
    store.updateRun(c, { tags: ['conv', 'small'], notes: 'try dropout next' });
    const ids = (search: string) => store.queryRuns(q({ search })).runs.map((r) => r.id);
    expect(ids('MLP')).toEqual([a]);
    expect(ids('adam')).toEqual([b]);
    expect(ids('dense512')).toEqual([c, b, a]);
    expect(ids('dropout next')).toEqual([c]);
    expect(ids('small baseline')).toEqual([]);
    expect(ids('%')).toEqual([c]);
    expect(ids('"')).toEqual([]);
    expect(ids('OR')).toEqual([]);
    expect(ids('NEAR(a b)')).toEqual([]);
    expect(ids(`#${b}`)).toEqual([b]);
    // Renames re-index.
    store.updateRun(a, { name: 'renamed' });
    expect(ids('baseline')).toEqual([]);
    expect(ids('renamed')).toEqual([a]);
    store.markStarted(b, report);
    expect(ids('wasm')).toEqual([b]);
    store.deleteRun(a);
    expect(ids('renamed')).toEqual([]);
    store.close();
  });

  it('sorts in the store with missing values last in either direction', () => {
    const store = LabStore.open(tempFile());
    const [a, b, c] = [store.createRun(newRun('b')), store.createRun(newRun('A')), store.createRun(newRun('c'))];
    store.addEpoch(a!, epoch(1, 0.9), []);
    store.addEpoch(c!, epoch(1, 0.5), []);
    store.addEpoch(c!, epoch(2, 0.95), []);
    const sorted = (sort: RunQueryParsed['sort'], descending: boolean) => store.queryRuns(q({ sort, descending })).runs.map((r) => r.id);
    expect(sorted('valAcc', true)).toEqual([c, a, b]);
    expect(sorted('valAcc', false)).toEqual([a, c, b]);
    expect(sorted('name', false)).toEqual([b, a, c]);
    expect(sorted('id', false)).toEqual([a, b, c]);
    store.close();
  });

  it('sorts and counts filtered runs as it sorts them all, in every order, page by page', () => {
    const store = LabStore.open(tempFile());
    const ids = Array.from({ length: 24 }, (_, i) => store.createRun(newRun(i % 3 ? `keep ${String.fromCharCode(97 + ((i * 7) % 24))}` : `drop ${i}`)));
    ids.forEach((id, i) => {
      if (i % 4) store.addEpoch(id, epoch(1, ((i * 5) % 11) / 10), []);
      store.finishRun(id, i % 5 === 0 ? 'stopped' : 'completed', null);
    });
    const keys = ['id', 'name', 'status', 'valAcc', 'testAcc', 'duration', 'params'] as const;
    for (const sort of keys) {
      for (const descending of [true, false]) {
        // The unfiltered order (no filter: the plain query) with the filter applied afterwards is the reference.
        const all = store.queryRuns(q({ sort, descending, limit: 500 })).runs;
        const expected = all.filter((r) => r.name.startsWith('keep') && r.status === 'completed').map((r) => r.id);
        const pages = [0, 5, 10, 15].flatMap((offset) => store.queryRuns(q({ search: 'keep', status: 'completed', sort, descending, limit: 5, offset })).runs.map((r) => r.id));
        expect(pages, `${sort} ${descending ? 'descending' : 'ascending'}`).toEqual(expected);
        expect(store.queryRuns(q({ search: 'keep', status: 'completed', sort, descending })).total).toBe(expected.length);
      }
    }
    store.close();
  });

  it('checks a filter on an index, never looking the matches up in the runs table (the first search read it from disk)', () => {
    const store = LabStore.open(tempFile());
    for (let i = 0; i < 30; i++) store.createRun(newRun(`run ${i}`));
    const db = store.connectionForTests;
    const statements: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((source: string) => {
      statements.push(source);
      return prepare(source);
    }) as typeof db.prepare;
    for (const sort of ['id', 'valAcc', 'name'] as const) for (const search of ['ru', 'run 1']) store.queryRuns(q({ search, sort, status: 'completed', tag: 'x', has: 'weights' }));
    db.prepare = prepare;
    // Only the page's own rows (at most one page) are read from the table, by id.
    const filtering = statements.filter((sql) => /FROM runs r/.test(sql) && !sql.includes('json_each'));
    expect(filtering.length).toBeGreaterThanOrEqual(12);
    for (const sql of filtering) {
      const blanks = Array.from({ length: sql.split('?').length - 1 }, () => null);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...blanks) as { detail: string }[]).map((p) => p.detail);
      const onRuns = plan.filter((d) => / r\b/.test(d) && /^(SCAN|SEARCH) r\b/.test(d));
      expect(onRuns.length, sql).toBeGreaterThan(0);
      for (const step of onRuns) expect(step, sql).toMatch(/USING COVERING INDEX/);
    }
    store.close();
  });

  it('answers a poll with only what changed since a version, and which shown runs are gone', () => {
    const store = LabStore.open(tempFile());
    const a = store.createRun(newRun('a'));
    const b = store.createRun(newRun('b'));
    const { version } = store.queryRuns(q());
    expect(store.runChanges(version, [a, b])).toEqual({ version, labTotal: 2, changed: [], gone: [], reload: false });
    store.addEpoch(a, epoch(1, 0.8), []);
    const afterEpoch = store.runChanges(version, [a, b]);
    expect(afterEpoch.version).toBeGreaterThan(version);
    expect(afterEpoch.changed.map((r) => [r.id, r.epochsCompleted, r.valAcc])).toEqual([[a, 1, 0.8]]);
    store.deleteRun(b);
    const afterDelete = store.runChanges(afterEpoch.version, [a, b]);
    expect(afterDelete).toMatchObject({ changed: [], gone: [b], labTotal: 1 });
    expect(afterDelete.version).toBeGreaterThan(afterEpoch.version);
    const c = store.createRun(newRun('c'));
    expect(store.runChanges(afterDelete.version, [a]).changed.map((r) => r.id)).toEqual([c]);
    store.close();
  });

  it('asks for a reload when more changed than one answer carries', () => {
    const store = LabStore.open(tempFile());
    const { version } = store.queryRuns(q());
    const insert = store.connectionForTests.transaction(() => {
      for (let i = 0; i <= MAX_CHANGES_PER_ANSWER; i++) store.createRun(newRun(`r${i}`));
    });
    insert();
    expect(store.runChanges(version, [])).toMatchObject({ changed: [], reload: true, labTotal: MAX_CHANGES_PER_ANSWER + 1 });
    store.close();
  });
});

describe('a lab of the previous version', () => {
  it('opens with its runs listed, sorted, tagged, searchable and their checkpoints readable', () => {
    const file = tempFile();
    // The previous version's own store code wrote this file: migrate to version 2 only, then write as it did.
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.slice(0, 2));
    const insertRun = raw.prepare(
      `INSERT INTO runs (name, status, created_at, architecture, compile, train, seed, dataset_name, dataset_hash, total_params, tags, notes)
       VALUES (?, 'completed', '2025-01-01T00:00:00Z', ?, ?, ?, 1, 'mnist', 'h', 407050, ?, ?)`,
    );
    const run = newRun();
    const a = Number(insertRun.run('old baseline', JSON.stringify(run.architecture), JSON.stringify(run.compile), JSON.stringify(run.train), '["keep"]', 'first try').lastInsertRowid);
    const b = Number(insertRun.run('old wide', JSON.stringify(run.architecture), JSON.stringify(run.compile), JSON.stringify(run.train), '[]', '').lastInsertRowid);
    raw.prepare('INSERT INTO epochs (run_id, epoch, loss, acc, val_loss, val_acc, seconds) VALUES (?, ?, 0.5, 0.9, 0.4, ?, 1)').run(a, 1, 0.91);
    raw.prepare('INSERT INTO epochs (run_id, epoch, loss, acc, val_loss, val_acc, seconds) VALUES (?, ?, 0.5, 0.9, 0.4, ?, 1)').run(a, 2, 0.93);
    raw.prepare(`INSERT INTO evaluations (run_id, loss, accuracy, examples, confusion_matrix, per_class, created_at) VALUES (?, 0.3, 0.92, 10, '[]', '[]', 'x')`).run(a);
    const weights = new Uint8Array(24);
    weights.set(new TextEncoder().encode('LLW1'));
    raw.prepare(`INSERT INTO checkpoints (run_id, kind, slot, epoch, val_loss, bytes, created_at, weights) VALUES (?, 'final', 0, 2, NULL, 24, 'x', ?)`).run(a, Buffer.from(weights));
    raw.close();

    const store = LabStore.open(file);
    expect(store.connectionForTests.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const page = store.queryRuns(q({ sort: 'valAcc' }));
    expect(page.runs.map((r) => [r.id, r.epochsCompleted, r.valAcc, r.testAccuracy, r.weights.final])).toEqual([
      [a, 2, 0.93, 0.92, true],
      [b, 0, null, null, false],
    ]);
    expect(page.tags).toEqual(['keep']);
    expect(store.queryRuns(q({ search: 'first' })).runs.map((r) => r.id)).toEqual([a]);
    expect(store.queryRuns(q({ search: 'dense512' })).total).toBe(2);
    expect(store.queryRuns(q({ tag: 'keep' })).runs.map((r) => r.id)).toEqual([a]);
    expect(store.loadCheckpoint(a, { kind: 'final' })?.weights).toEqual(weights);
    // The triggers follow the old runs from now on.
    store.addEpoch(b, epoch(1, 0.5), []);
    expect(store.runChanges(page.version, []).changed.map((r) => [r.id, r.valAcc])).toEqual([[b, 0.5]]);
    store.close();
  });
});

describe('bulk delete and space', () => {
  it('deletes many runs in one transaction and gives their pages back to the disk', () => {
    const file = tempFile();
    const store = LabStore.open(file);
    expect(store.connectionForTests.pragma('auto_vacuum', { simple: true })).toBe(2);
    const weights = new Uint8Array(256 * 1024).fill(7);
    const ids = Array.from({ length: 40 }, (_, i) => {
      const id = store.createRun(newRun(`r${i}`));
      store.saveCheckpoint(id, { kind: 'final', epoch: 1, valLoss: null, weights });
      return id;
    });
    store.connectionForTests.pragma('wal_checkpoint(TRUNCATE)');
    const before = statSync(file).size;
    expect(store.deleteRuns([...ids.slice(0, 30), 9999])).toEqual({ deleted: ids.slice(0, 30), refused: [] });
    store.reclaimSpace();
    const after = statSync(file).size;
    expect(before - after).toBeGreaterThan(30 * weights.byteLength * 0.95);
    expect(store.queryRuns(q()).labTotal).toBe(10);
    store.close();
  });

  it('removes every row of the deleted runs from every table, leaves the others whole and unlinks forks', () => {
    const store = LabStore.open(tempFile());
    const db = store.connectionForTests;
    const fill = (name: string, parentRunId: number | null = null) => {
      const id = store.createRun({ ...newRun(name), parentRunId });
      store.updateRun(id, { tags: ['sweep', name], notes: `notes of ${name}` });
      store.addEpoch(id, epoch(1, 0.5), [{ epoch: 1, batch: 1, loss: 2 }]);
      store.addLogEntry(id, { at: 'now', epoch: 1, batch: 1, kind: 'pause' });
      store.saveCheckpoint(id, { kind: 'final', epoch: 1, valLoss: null, weights: new Uint8Array(5000).fill(1) });
      store.saveCheckpoint(id, { kind: 'epoch', epoch: 1, valLoss: 0.5, weights: new Uint8Array(5000).fill(2) });
      store.saveEvaluation(id, { loss: 0.3, accuracy: 0.9, examples: 2, confusionMatrix: [[1, 0], [0, 1]], perClass: [] }, { testIndices: Uint32Array.from([0, 1]), predicted: Uint8Array.from([0, 1]), confidence: Float32Array.from([0.9, 0.8]) });
      store.saveWeightHistograms(id, 1, []);
      return id;
    };
    const [a, b, c] = [fill('alpha'), fill('bravo'), fill('charlie')];
    const fork = fill('fork', a);
    const tables = ['epochs', 'batch_losses', 'evaluations', 'predictions', 'checkpoints', 'run_log', 'run_tags', 'weight_histograms'];
    const rowsOf = (id: number) => Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE run_id = ?`).get(id) as { n: number }).n]));
    const whole = rowsOf(b);
    expect(Object.values(whole).every((n) => n > 0)).toBe(true);

    // Asked twice and in any order: each deleted once, answered in the order asked; a missing id is not deleted.
    expect(store.deleteRuns([c, a, c, 4242])).toEqual({ deleted: [c, a], refused: [] });
    for (const id of [a, c]) expect(Object.values(rowsOf(id)).every((n) => n === 0)).toBe(true);
    expect(rowsOf(b)).toEqual(whole);
    expect(rowsOf(fork)).toEqual(whole);
    expect(store.getRun(fork)?.parentRunId).toBeNull();
    expect((db.prepare('SELECT rowid FROM runs_fts ORDER BY rowid').all() as { rowid: number }[]).map((r) => r.rowid)).toEqual([b, fork]);
    expect(store.queryRuns(q({ search: 'alpha' })).total).toBe(0);
    expect(store.queryRuns(q({ tag: 'charlie' })).total).toBe(0);
    expect(store.queryRuns(q({ search: 'bravo' })).runs.map((r) => r.id)).toEqual([b]);
    expect(store.deleteRuns([])).toEqual({ deleted: [], refused: [] });
    store.close();
  });

  it('finds a run\'s rows in every table through an index (no delete scans a table), whatever table a migration adds', () => {
    const store = LabStore.open(tempFile());
    const db = store.connectionForTests;
    const references = db
      .prepare(`SELECT m.name AS "table", f."from" AS "column" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f."table" = 'runs'`)
      .all() as { table: string; column: string }[];
    expect(references.map((r) => r.table)).toEqual(expect.arrayContaining(['runs', 'epochs', 'batch_losses', 'checkpoints', 'predictions', 'evaluations', 'run_log', 'run_tags', 'weight_histograms']));
    for (const { table, column } of references) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT 1 FROM "${table}" WHERE "${column}" = ?`).all(1) as { detail: string }[]).map((p) => p.detail).join('; ');
      expect(plan, `${table}.${column}`).toMatch(/^SEARCH /);
    }
    store.close();
  });

  it('gives space back in short steps', () => {
    const store = LabStore.open(tempFile());
    const id = store.createRun(newRun('x'));
    store.saveCheckpoint(id, { kind: 'final', epoch: 1, valLoss: null, weights: new Uint8Array(4 << 20) });
    store.deleteRuns([id]);
    let steps = 0;
    while (!store.reclaimSpace(256)) steps++;
    expect(steps).toBeGreaterThanOrEqual(3);
    expect(store.connectionForTests.pragma('freelist_count', { simple: true })).toBe(0);
    store.close();
  });

  it('leaves a file of the previous version unshrunk until vacuumNow converts it to incremental vacuum', () => {
    const file = tempFile();
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.slice(0, 2));
    raw.close();
    const store = LabStore.open(file);
    expect(store.connectionForTests.pragma('auto_vacuum', { simple: true })).toBe(0);
    const id = store.createRun(newRun('x'));
    store.saveCheckpoint(id, { kind: 'final', epoch: 1, valLoss: null, weights: new Uint8Array(1 << 20) });
    store.deleteRuns([id]);
    expect(store.reclaimSpace()).toBe(true);
    expect(store.connectionForTests.pragma('freelist_count', { simple: true })).toBeGreaterThan(200);
    store.vacuumNow();
    expect(store.connectionForTests.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(store.connectionForTests.pragma('freelist_count', { simple: true })).toBe(0);
    store.close();
  });
});
