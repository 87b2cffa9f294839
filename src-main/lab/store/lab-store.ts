// The SQLite store of every run. LabService (in the parent process) is its only writer; the
// trainer never touches the file. Each epoch is one transaction with its batch losses, so a
// crash loses at most the epoch in flight.
import { mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  Architecture,
  BackendReport,
  BatchLoss,
  CheckpointInfo,
  CompileConfig,
  DatasetRef,
  EpochMetrics,
  Evaluation,
  FinalStatus,
  ParamHistogram,
  RunDetail,
  RunChanges,
  RunLogEntry,
  RunPage,
  RunQueryParsed,
  RunStatus,
  RunSummary,
  TrainConfig,
} from '../../../src-shared/index.ts';
import { describeLogEntry, type CheckpointKind } from '../../../src-shared/runs.ts';
import type { CheckpointRef } from '../../../src-shared/schemas.ts';
import type { TestPredictions } from '../training/trainer-protocol.ts';
import { migrate, assertKnownVersion } from './migrations.ts';
import { StoreError, translateError } from './store-error.ts';
import { blobOf, evaluationOf, summaryOf, SUMMARY_SELECT, type EvaluationRow, type SummaryRow } from './row-mapping.ts';
import { matchingIds, queryRunPage, runChangesSince } from './run-list.ts';
import { configSearchText, searchCondition } from './run-search.ts';
import { SweepQueue } from './sweep-queue.ts';

export { StoreError } from './store-error.ts';

export interface NewRun {
  name: string;
  architecture: Architecture;
  compile: CompileConfig;
  train: TrainConfig;
  dataset: DatasetRef;
  totalParams: number;
  parentRunId?: number | null;
  /** Tags it starts with (a sweep's run carries "sweep:ID"). */
  tags?: readonly string[];
}

export interface RunQuery {
  status?: RunStatus;
  search?: string;
  limit?: number;
}

type NullableEpochRow = Omit<EpochMetrics, 'loss' | 'acc' | 'seconds'> & { loss: number | null; acc: number | null; seconds: number | null };

const INTERRUPTED_REASON = 'the process running it ended before it finished';
const OWNER = `${hostname()}:${process.pid}`;
const LIVE_STATUSES = `('running', 'queued')`;

/** The process that owns a queued or running run: only it can finish the run, so only it may end it. */
export interface RunOwner {
  host: string;
  pid: number;
  /** What the process is ("layerlab serve", "the Layerlab app"…), or null when an older Layerlab created the run. */
  kind: string | null;
}

/** A queued or running run whose owner is this process or another live one on this host. */
export interface LiveRun {
  id: number;
  owner: RunOwner | null;
  mine: boolean;
}

function ownerOf(owner: string | null, kind: string | null): RunOwner | null {
  if (!owner) return null;
  const at = owner.lastIndexOf(':');
  const pid = Number(owner.slice(at + 1));
  if (at < 0 || !Number.isInteger(pid)) return null;
  return { host: owner.slice(0, at), pid, kind };
}

function isThisProcess(owner: RunOwner | null): boolean {
  return owner !== null && owner.host === hostname() && owner.pid === process.pid;
}

/** Whether another process on this host still holds the run (a run of this very process is the caller's to judge). */
function isAliveElsewhere(owner: RunOwner | null): boolean {
  if (!owner || owner.host !== hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** "layerlab serve (pid 4242 on box)": who to go to when a run can't be touched from here. */
export function describeOwner(owner: RunOwner): string {
  return `${owner.kind ?? 'another Layerlab process'} (pid ${owner.pid} on ${owner.host})`;
}

interface LogRow {
  at: string;
  epoch: number;
  batch: number;
  kind: RunLogEntry['kind'];
  learning_rate: number | null;
}

function logEntryOfRow({ at, epoch, batch, kind, learning_rate }: LogRow): RunLogEntry {
  // NULL only if an old row's sentence didn't hold a number: NaN says "unknown" without inventing one.
  return kind === 'learningRate' ? { at, epoch, batch, kind, learningRate: learning_rate ?? NaN } : { at, epoch, batch, kind };
}

interface OwnerRow {
  id: number;
  status: RunStatus;
  owner: string | null;
  owner_kind: string | null;
}

const now = () => new Date().toISOString();

export interface LabStoreOptions {
  /** better-sqlite3 build for Electron's ABI. */
  nativeBinding?: string;
  /** What this process is, recorded on the runs it creates so other processes can name it. */
  ownerKind?: string;
}

/**
 * A database file that exists but holds 0 bytes is not a new lab: it was truncated or a copy
 * failed, and SQLite would silently start an empty lab on top of it. Only a file this open
 * creates is new. (An empty file beside a write-ahead log is left to SQLite to recover.)
 */
function refuseEmptyDatabase(file: string): void {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile() || stat.size > 0) return;
  if ((statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0) return;
  throw new StoreError(
    `the lab database ${file} is empty (0 bytes): it was truncated or not copied whole, so the lab's runs are not in it. Restore it from a backup, or delete it to start a new, empty lab there`,
    'damaged',
  );
}

export class LabStore {
  /** The sweeps' persistent queue, in the same file. */
  readonly sweeps: SweepQueue;

  private constructor(
    private readonly db: Database.Database,
    private readonly ownerKind: string | null,
  ) {
    this.sweeps = new SweepQueue(db, OWNER, (owner) => {
      const parsed = ownerOf(owner, null);
      return isThisProcess(parsed) || isAliveElsewhere(parsed);
    });
  }

  static open(file: string, options: LabStoreOptions = {}): LabStore {
    let db: Database.Database;
    try {
      mkdirSync(dirname(file), { recursive: true });
      refuseEmptyDatabase(file);
      db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    } catch (error) {
      throw translateError(error, `open ${file}`);
    }
    try {
      assertKnownVersion(db);
      // A new file frees deleted runs' pages for reuse and hands them back to the disk on reclaimSpace();
      // it has to be set before the first table exists (an older file is converted by reclaimSpace's VACUUM).
      if (db.pragma('page_count', { simple: true }) === 0) db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      // Whoever was running these is gone: no live process writes here but this one.
      // Runs whose owning process is gone can never finish: the CLI and the app may share a
      // lab home, so a run owned by a live process on this host is left alone.
      const live = db.prepare(`SELECT id, status, owner, owner_kind FROM runs WHERE status IN ${LIVE_STATUSES}`).all() as OwnerRow[];
      const interrupt = db.prepare(`UPDATE runs SET status = 'interrupted', status_reason = ? WHERE id = ?`);
      for (const run of live) if (!isAliveElsewhere(ownerOf(run.owner, run.owner_kind))) interrupt.run(INTERRUPTED_REASON, run.id);
    } catch (error) {
      db.close();
      throw translateError(error, `open ${file}`);
    }
    return new LabStore(db, options.ownerKind ?? null);
  }

  get file(): string {
    return this.db.name;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Wraps every access: SQLite failures become StoreErrors naming what failed. */
  private run<T>(action: string, fn: () => T): T {
    if (!this.db.open) throw new StoreError(`the database is closed: could not ${action}`, 'closed');
    try {
      return fn();
    } catch (error) {
      throw translateError(error, action);
    }
  }

  private requireRun(runId: number): void {
    const row = this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId);
    if (!row) throw new StoreError(`run ${runId} does not exist`, 'not-found');
  }

  /** Queued and running runs held by this process or another live one (other processes' dead runs excluded). */
  liveRuns(): LiveRun[] {
    return this.run('list live runs', () =>
      (this.db.prepare(`SELECT id, status, owner, owner_kind FROM runs WHERE status IN ${LIVE_STATUSES}`).all() as OwnerRow[])
        .map((row) => {
          const owner = ownerOf(row.owner, row.owner_kind);
          return { id: row.id, owner, mine: isThisProcess(owner) };
        })
        .filter((run) => run.mine || isAliveElsewhere(run.owner)),
    );
  }

  /**
   * Records a queued run owned by this process. `admit` sees the live runs inside the same write
   * transaction and may refuse by throwing, so two processes starting at once can't both pass a limit.
   */
  createRun(input: NewRun, admit?: (live: LiveRun[]) => void): number {
    return this.run('create a run', () =>
      this.db
        .transaction(() => {
          admit?.(this.liveRuns());
          const info = this.db
            .prepare(
              `INSERT INTO runs (name, status, created_at, architecture, compile, train, seed, dataset_name, dataset_hash, total_params, parent_run_id, owner, owner_kind, tags)
             VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(input.name, now(), JSON.stringify(input.architecture), JSON.stringify(input.compile), JSON.stringify(input.train), input.train.seed, input.dataset.name, input.dataset.hash, input.totalParams, input.parentRunId ?? null, OWNER, this.ownerKind, JSON.stringify(input.tags ?? []));
          const id = Number(info.lastInsertRowid);
          if (!input.name.trim()) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(`run-${id}`, id);
          this.db.prepare('UPDATE runs_fts SET config = ? WHERE rowid = ?').run(configSearchText(JSON.stringify(input.architecture), JSON.stringify(input.compile)), id);
          return id;
        })
        .immediate(),
    );
  }

  markStarted(runId: number, report: BackendReport): void {
    this.run(`start run ${runId}`, () => {
      this.requireRun(runId);
      this.db.prepare(`UPDATE runs SET status = 'running', started_at = ?, backend = ?, backend_report = ? WHERE id = ?`).run(now(), report.chosen, JSON.stringify(report), runId);
    });
  }

  addEpoch(runId: number, metrics: EpochMetrics, batchLosses: BatchLoss[]): void {
    this.run(`save epoch ${metrics.epoch} of run ${runId}`, () =>
      this.db.transaction(() => {
        this.requireRun(runId);
        this.db
          .prepare('INSERT OR REPLACE INTO epochs (run_id, epoch, loss, acc, val_loss, val_acc, seconds) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(runId, metrics.epoch, metrics.loss, metrics.acc, metrics.val_loss, metrics.val_acc, metrics.seconds);
        const byEpoch = new Map<number, BatchLoss[]>();
        for (const b of batchLosses) byEpoch.set(b.epoch, [...(byEpoch.get(b.epoch) ?? []), b]);
        const insert = this.db.prepare('INSERT OR REPLACE INTO batch_losses (run_id, epoch, batches, losses) VALUES (?, ?, ?, ?)');
        for (const [epoch, list] of byEpoch) {
          insert.run(runId, epoch, blobOf(Uint32Array.from(list, (b) => b.batch)), blobOf(Float64Array.from(list, (b) => b.loss)));
        }
      })(),
    );
  }

  addLogEntry(runId: number, entry: RunLogEntry): void {
    this.run(`log to run ${runId}`, () => {
      this.requireRun(runId);
      // message keeps the file readable on its own (sqlite3 CLI); Layerlab reads the typed columns.
      this.db
        .prepare('INSERT INTO run_log (run_id, at, epoch, batch, kind, learning_rate, message) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(runId, entry.at, entry.epoch, entry.batch, entry.kind, entry.kind === 'learningRate' ? entry.learningRate : null, describeLogEntry(entry));
    });
  }

  saveCheckpoint(runId: number, c: { kind: CheckpointKind; epoch: number; valLoss: number | null; weights: Uint8Array }): void {
    this.run(`save the ${c.kind} checkpoint of run ${runId}`, () => {
      this.requireRun(runId);
      this.db
        .prepare('INSERT OR REPLACE INTO checkpoints (run_id, kind, slot, epoch, val_loss, bytes, created_at, weights) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(runId, c.kind, c.kind === 'epoch' ? c.epoch : 0, c.epoch, c.valLoss, c.weights.byteLength, now(), blobOf(c.weights));
    });
  }

  loadCheckpoint(runId: number, ref: CheckpointRef): { epoch: number; weights: Uint8Array } | null {
    return this.run(`load a checkpoint of run ${runId}`, () => {
      const row = this.db
        .prepare('SELECT epoch, weights FROM checkpoints WHERE run_id = ? AND kind = ? AND slot = ?')
        .get(runId, ref.kind, ref.kind === 'epoch' ? ref.epoch : 0) as { epoch: number; weights: Buffer } | undefined;
      return row ? { epoch: row.epoch, weights: new Uint8Array(row.weights.buffer, row.weights.byteOffset, row.weights.byteLength) } : null;
    });
  }

  saveEvaluation(runId: number, evaluation: Evaluation, predictions: TestPredictions): void {
    this.run(`save the evaluation of run ${runId}`, () =>
      this.db.transaction(() => {
        this.requireRun(runId);
        this.db
          .prepare('INSERT OR REPLACE INTO evaluations (run_id, loss, accuracy, examples, confusion_matrix, per_class, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(runId, evaluation.loss, evaluation.accuracy, evaluation.examples, JSON.stringify(evaluation.confusionMatrix), JSON.stringify(evaluation.perClass), now());
        this.db
          .prepare('INSERT OR REPLACE INTO predictions (run_id, test_indices, predicted, confidence) VALUES (?, ?, ?, ?)')
          .run(runId, blobOf(predictions.testIndices), blobOf(predictions.predicted), blobOf(predictions.confidence));
      })(),
    );
  }

  getPredictions(runId: number): TestPredictions | null {
    return this.run(`read the predictions of run ${runId}`, () => {
      const row = this.db.prepare('SELECT test_indices, predicted, confidence FROM predictions WHERE run_id = ?').get(runId) as
        | { test_indices: Buffer; predicted: Buffer; confidence: Buffer }
        | undefined;
      if (!row) return null;
      // Copies: a Buffer from SQLite need not be aligned for a typed-array view.
      return {
        testIndices: new Uint32Array(new Uint8Array(row.test_indices).buffer),
        predicted: new Uint8Array(row.predicted),
        confidence: new Float32Array(new Uint8Array(row.confidence).buffer),
      };
    });
  }

  finishRun(runId: number, status: FinalStatus, reason: string | null): void {
    this.run(`finish run ${runId}`, () => {
      this.requireRun(runId);
      this.db.prepare('UPDATE runs SET status = ?, status_reason = ?, finished_at = ? WHERE id = ?').run(status, reason, now(), runId);
    });
  }

  listRuns(query: RunQuery = {}): RunSummary[] {
    return this.run('list runs', () => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.status) {
        where.push('r.status = ?');
        params.push(query.status);
      }
      const search = searchCondition(query.search);
      if (search.sql) {
        where.push(search.sql);
        params.push(...search.params);
      }
      const sql = `${SUMMARY_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC LIMIT ?`;
      params.push(query.limit ?? -1);
      return (this.db.prepare(sql).all(...params) as SummaryRow[]).map(summaryOf);
    });
  }

  /** One page of lean rows, read in one snapshot (the version is that of the rows). */
  queryRuns(query: RunQueryParsed): RunPage {
    return this.run('list runs', () => this.db.transaction(() => queryRunPage(this.db, query))());
  }

  /** What changed since a version, and which of the shown runs are gone (for polling lists). */
  runChanges(since: number, shown: readonly number[]): RunChanges {
    return this.run('look for changed runs', () => this.db.transaction(() => runChangesSince(this.db, since, shown))());
  }

  /** Ids of every run matching a filter, newest first (select all matching, bulk actions). */
  runIds(query: Parameters<typeof matchingIds>[1]): number[] {
    return this.run('list run ids', () => matchingIds(this.db, query, -1, 0));
  }

  /** Summaries of these runs in the order asked; a missing id is a not-found error. */
  getSummaries(runIds: readonly number[]): RunSummary[] {
    return this.run('read runs', () => {
      const rows = this.db.prepare(`${SUMMARY_SELECT} WHERE r.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(runIds)) as SummaryRow[];
      const byId = new Map(rows.map((row) => [row.id, summaryOf(row)]));
      return runIds.map((id) => {
        const found = byId.get(id);
        if (!found) throw new StoreError(`run ${id} does not exist`, 'not-found');
        return found;
      });
    });
  }

  /** The epoch histories of many runs in one query (for compare and the all-runs CSV). */
  getHistories(runIds: readonly number[]): Map<number, EpochMetrics[]> {
    return this.run('read run histories', () => {
      const out = new Map<number, EpochMetrics[]>(runIds.map((id) => [id, []]));
      const rows = this.db
        .prepare('SELECT run_id, epoch, loss, acc, val_loss, val_acc, seconds FROM epochs WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, epoch')
        .all(JSON.stringify(runIds)) as (NullableEpochRow & { run_id: number })[];
      for (const { run_id, ...e } of rows) out.get(run_id)?.push({ ...e, loss: e.loss ?? NaN, acc: e.acc ?? NaN, seconds: e.seconds ?? 0 });
      return out;
    });
  }

  /** The learning-rate entries of many runs' logs, in order (the per-epoch rate curves of Compare). */
  getLearningRateLogs(runIds: readonly number[]): Map<number, RunLogEntry[]> {
    return this.run('read learning-rate logs', () => {
      const out = new Map<number, RunLogEntry[]>(runIds.map((id) => [id, []]));
      const rows = this.db
        .prepare("SELECT run_id, at, epoch, batch, kind, learning_rate FROM run_log WHERE kind = 'learningRate' AND run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, id")
        .all(JSON.stringify(runIds)) as (LogRow & { run_id: number })[];
      for (const { run_id, ...row } of rows) out.get(run_id)?.push(logEntryOfRow(row));
      return out;
    });
  }

  /** Evaluations and per-epoch checkpoint epochs of many runs (never reads the weight blobs). */
  getEvaluations(runIds: readonly number[]): Map<number, { evaluation: Evaluation | null; checkpointEpochs: number[] }> {
    return this.run('read run evaluations', () => {
      const out = new Map<number, { evaluation: Evaluation | null; checkpointEpochs: number[] }>(runIds.map((id) => [id, { evaluation: null, checkpointEpochs: [] }]));
      const ids = JSON.stringify(runIds);
      const evs = this.db
        .prepare('SELECT run_id, loss, accuracy, examples, confusion_matrix, per_class FROM evaluations WHERE run_id IN (SELECT value FROM json_each(?))')
        .all(ids) as (EvaluationRow & { run_id: number })[];
      for (const ev of evs) {
        const entry = out.get(ev.run_id);
        if (entry) entry.evaluation = evaluationOf(ev);
      }
      const cps = this.db.prepare(`SELECT run_id, epoch FROM checkpoints WHERE kind = 'epoch' AND run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, epoch`).all(ids) as { run_id: number; epoch: number }[];
      for (const c of cps) out.get(c.run_id)?.checkpointEpochs.push(c.epoch);
      return out;
    });
  }

  private summary(runId: number): RunSummary | null {
    const row = this.db.prepare(`${SUMMARY_SELECT} WHERE r.id = ?`).get(runId) as SummaryRow | undefined;
    return row ? summaryOf(row) : null;
  }

  getRun(runId: number): RunDetail | null {
    return this.run(`read run ${runId}`, () => {
      const summary = this.summary(runId);
      if (!summary) return null;
      // SQLite stores NaN (a diverged run) as NULL: give the contract's numbers back, as summaryOf does.
      const epochs = (this.db.prepare('SELECT epoch, loss, acc, val_loss, val_acc, seconds FROM epochs WHERE run_id = ? ORDER BY epoch').all(runId) as NullableEpochRow[]).map(
        (e): EpochMetrics => ({ ...e, loss: e.loss ?? NaN, acc: e.acc ?? NaN, seconds: e.seconds ?? 0 }),
      );
      const batchLosses: BatchLoss[] = [];
      for (const row of this.db.prepare('SELECT epoch, batches, losses FROM batch_losses WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number; batches: Buffer; losses: Buffer }[]) {
        const batches = new Uint32Array(new Uint8Array(row.batches).buffer);
        const losses = new Float64Array(new Uint8Array(row.losses).buffer);
        batches.forEach((batch, i) => batchLosses.push({ epoch: row.epoch, batch, loss: losses[i] ?? NaN }));
      }
      const ev = this.db.prepare('SELECT loss, accuracy, examples, confusion_matrix, per_class FROM evaluations WHERE run_id = ?').get(runId) as
        | EvaluationRow
        | undefined;
      const checkpoints = (this.db.prepare('SELECT kind, epoch, val_loss, bytes FROM checkpoints WHERE run_id = ? ORDER BY kind, epoch').all(runId) as { kind: CheckpointKind; epoch: number; val_loss: number | null; bytes: number }[]).map(
        (c): CheckpointInfo => ({ kind: c.kind, epoch: c.epoch, valLoss: c.val_loss, bytes: c.bytes }),
      );
      const log = (this.db.prepare('SELECT at, epoch, batch, kind, learning_rate FROM run_log WHERE run_id = ? ORDER BY id').all(runId) as LogRow[]).map(logEntryOfRow);
      const reportRow = this.db.prepare('SELECT backend_report FROM runs WHERE id = ?').get(runId) as { backend_report: string | null };
      return {
        ...summary,
        epochs,
        batchLosses,
        evaluation: ev ? evaluationOf(ev) : null,
        checkpoints,
        log,
        backendReport: reportRow.backend_report ? (JSON.parse(reportRow.backend_report) as BackendReport) : null,
      };
    });
  }

  /** Name, tags and notes change together or not at all (one transaction), whoever trains the run. */
  updateRun(runId: number, changes: { name?: string; tags?: string[]; notes?: string }): RunSummary {
    return this.run(`update run ${runId}`, () =>
      this.db.transaction(() => {
        this.requireRun(runId);
        if (changes.name !== undefined) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(changes.name, runId);
        if (changes.tags !== undefined) this.db.prepare('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify([...new Set(changes.tags)]), runId);
        if (changes.notes !== undefined) this.db.prepare('UPDATE runs SET notes = ? WHERE id = ?').run(changes.notes, runId);
        return this.summary(runId) as RunSummary;
      })(),
    );
  }

  /**
   * Removes the run and everything of it (cascade); forks of it keep living, unlinked. A run that
   * another live process is training is refused, naming that process: the check and the delete
   * are one write transaction, so the run can't start between them.
   */
  deleteRun(runId: number): boolean {
    return this.run(`delete run ${runId}`, () =>
      this.db
        .transaction(() => {
          const row = this.db.prepare('SELECT id, status, owner, owner_kind FROM runs WHERE id = ?').get(runId) as OwnerRow | undefined;
          if (!row) return false;
          const owner = ownerOf(row.owner, row.owner_kind);
          if ((row.status === 'running' || row.status === 'queued') && owner && isAliveElsewhere(owner)) {
            throw new StoreError(`run ${runId} is ${row.status === 'running' ? 'training' : 'queued'} in ${describeOwner(owner)}; stop it there before deleting it`, 'conflict');
          }
          return this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId).changes > 0;
        })
        .immediate(),
    );
  }

  /**
   * Removes these runs (one write transaction); returns the ids that existed and were deleted, in the order asked,
   * and those another live process trains or queued (refused, naming that process).
   * Set-based, not run by run: each table holding runs' rows is emptied of all of them in one statement, then the
   * runs go (their FTS rows and tags by trigger, forks unlinked by the foreign key). Row-by-row cascades cost twice as
   * much on a big lab (1,000 runs of 30 epochs: ~27,000 batch-loss rows and ~2,000 checkpoint blobs whose overflow
   * pages SQLite must walk to free); see bench/large-lab/store-timings.ts.
   */
  deleteRuns(runIds: readonly number[]): { deleted: number[]; refused: { runId: number; reason: string }[] } {
    return this.run(`delete ${runIds.length} runs`, () =>
      this.db
        .transaction(() => {
          const asked = [...new Set(runIds)];
          const rows = this.db.prepare('SELECT id, status, owner, owner_kind FROM runs WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(asked)) as OwnerRow[];
          const byId = new Map(rows.map((row) => [row.id, row]));
          const deleted: number[] = [];
          const refused: { runId: number; reason: string }[] = [];
          for (const runId of asked) {
            const row = byId.get(runId);
            if (!row) continue;
            const owner = ownerOf(row.owner, row.owner_kind);
            if ((row.status === 'running' || row.status === 'queued') && owner && isAliveElsewhere(owner)) {
              refused.push({ runId, reason: `run ${runId} is ${row.status === 'running' ? 'training' : 'queued'} in ${describeOwner(owner)}; stop it there before deleting it` });
            } else {
              deleted.push(runId);
            }
          }
          if (deleted.length === 0) return { deleted, refused };
          const ids = JSON.stringify(deleted);
          for (const { table, column } of this.runOwnedTables()) this.db.prepare(`DELETE FROM "${table}" WHERE "${column}" IN (SELECT value FROM json_each(?))`).run(ids);
          this.db.prepare('DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?))').run(ids);
          return { deleted, refused };
        })
        .immediate(),
    );
  }

  #runOwnedTables: { table: string; column: string }[] | null = null;

  /**
   * Tables whose rows belong to a run: a foreign key to runs with ON DELETE CASCADE, read from the schema (so a table
   * a later migration adds is emptied too; the cascade would catch it anyway, row by row).
   */
  private runOwnedTables(): { table: string; column: string }[] {
    this.#runOwnedTables ??= this.db
      .prepare(
        `SELECT m.name AS "table", f."from" AS "column" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table' AND f."table" = 'runs' AND f.on_delete = 'CASCADE' ORDER BY m.name`,
      )
      .all() as { table: string; column: string }[];
    return this.#runOwnedTables;
  }

  /**
   * Gives up to `pages` free pages (deleted runs') back to the disk; true when none are left. A file made since
   * this version is in incremental auto-vacuum mode: each call is one short step, so a serving process can spread
   * a big give-back over many turns of its event loop. A file of an earlier version (no auto-vacuum) reuses its
   * free pages for new runs but does not shrink: converting it takes one VACUUM of the whole file, which blocks
   * for long on a big lab and is left to `vacuumNow()` (tests, tools), never done behind the user's back.
   * When done, the WAL is checkpointed and truncated, so the file on disk shrinks now.
   */
  reclaimSpace(pages = Number.MAX_SAFE_INTEGER): boolean {
    return this.run('give space back to the disk', () => {
      if (this.db.pragma('auto_vacuum', { simple: true }) !== 2) return true;
      this.db.pragma(`incremental_vacuum(${Math.max(1, Math.min(pages, 2 ** 31 - 1))})`);
      const done = (this.db.pragma('freelist_count', { simple: true }) as number) === 0;
      if (done) this.db.pragma('wal_checkpoint(TRUNCATE)');
      return done;
    });
  }

  /** Compacts the whole file now and switches an older file to incremental auto-vacuum (blocks: seconds per 100 MB). */
  vacuumNow(): void {
    this.run('compact the database', () => {
      this.db.pragma('auto_vacuum = INCREMENTAL');
      this.db.exec('VACUUM');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    });
  }

  /** Bytes the database uses (pages in use; free pages not counted), for the storage figures and tests. */
  usedBytes(): number {
    return this.run('measure the database', () => {
      const pageSize = this.db.pragma('page_size', { simple: true }) as number;
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      const free = this.db.pragma('freelist_count', { simple: true }) as number;
      return (pages - free) * pageSize;
    });
  }

  /** The trainer's binned weight histograms of one epoch (the distributions-over-time view). */
  saveWeightHistograms(runId: number, epoch: number, params: ParamHistogram[]): void {
    this.run(`save the weight histograms of run ${runId}`, () => {
      this.requireRun(runId);
      this.db.prepare('INSERT OR REPLACE INTO weight_histograms (run_id, epoch, params) VALUES (?, ?, ?)').run(runId, epoch, JSON.stringify(params));
    });
  }

  getWeightHistograms(runId: number): { epoch: number; params: ParamHistogram[] }[] {
    return this.run(`read the weight histograms of run ${runId}`, () =>
      (this.db.prepare('SELECT epoch, params FROM weight_histograms WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number; params: string }[]).map((row) => ({
        epoch: row.epoch,
        params: JSON.parse(row.params) as ParamHistogram[],
      })),
    );
  }

  /** For tests: the raw connection (e.g. to simulate a full disk with max_page_count). */
  get connectionForTests(): Database.Database {
    return this.db;
  }
}
