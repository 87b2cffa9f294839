// The SQLite store of every run. LabService (in the parent process) is its only writer; the
// trainer never touches the file. Each epoch is one transaction with its batch losses, so a
// crash loses at most the epoch in flight.
import { mkdirSync } from 'node:fs';
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
  RunLogEntry,
  RunStatus,
  RunSummary,
  TrainConfig,
} from '../../../src-shared/index.ts';
import type { CheckpointKind } from '../../../src-shared/runs.ts';
import type { CheckpointRef } from '../../../src-shared/schemas.ts';
import type { TestPredictions } from '../training/trainer-protocol.ts';
import { migrate, assertKnownVersion } from './migrations.ts';
import { StoreError, translateError } from './store-error.ts';
import { blobOf, evaluationOf, summaryOf, SUMMARY_SELECT, type EvaluationRow, type SummaryRow } from './row-mapping.ts';

export { StoreError } from './store-error.ts';

export interface NewRun {
  name: string;
  architecture: Architecture;
  compile: CompileConfig;
  train: TrainConfig;
  dataset: DatasetRef;
  totalParams: number;
  parentRunId?: number | null;
}

export interface RunQuery {
  status?: RunStatus;
  search?: string;
  limit?: number;
}

type NullableEpochRow = Omit<EpochMetrics, 'loss' | 'acc' | 'seconds'> & { loss: number | null; acc: number | null; seconds: number | null };

const INTERRUPTED_REASON = 'the process running it ended before it finished';
const OWNER = `${hostname()}:${process.pid}`;

function ownerIsAlive(owner: string | null): boolean {
  if (!owner) return false;
  const at = owner.lastIndexOf(':');
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  if (host !== hostname() || !Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
const now = () => new Date().toISOString();

export class LabStore {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string, options: { nativeBinding?: string } = {}): LabStore {
    let db: Database.Database;
    try {
      mkdirSync(dirname(file), { recursive: true });
      db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    } catch (error) {
      throw translateError(error, `open ${file}`);
    }
    try {
      assertKnownVersion(db);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      // Whoever was running these is gone: no live process writes here but this one.
      // Runs whose owning process is gone can never finish: the CLI and the app may share a
      // lab home, so a run owned by a live process on this host is left alone.
      const live = db.prepare(`SELECT id, owner FROM runs WHERE status IN ('running', 'queued')`).all() as { id: number; owner: string | null }[];
      const interrupt = db.prepare(`UPDATE runs SET status = 'interrupted', status_reason = ? WHERE id = ?`);
      for (const run of live) if (!ownerIsAlive(run.owner)) interrupt.run(INTERRUPTED_REASON, run.id);
    } catch (error) {
      db.close();
      throw translateError(error, `open ${file}`);
    }
    return new LabStore(db);
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

  createRun(input: NewRun): number {
    return this.run('create a run', () =>
      this.db.transaction(() => {
        const info = this.db
          .prepare(
            `INSERT INTO runs (name, status, created_at, architecture, compile, train, seed, dataset_name, dataset_hash, total_params, parent_run_id, owner)
             VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(input.name, now(), JSON.stringify(input.architecture), JSON.stringify(input.compile), JSON.stringify(input.train), input.train.seed, input.dataset.name, input.dataset.hash, input.totalParams, input.parentRunId ?? null, OWNER);
        const id = Number(info.lastInsertRowid);
        if (!input.name.trim()) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(`run-${id}`, id);
        return id;
      })(),
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
      this.db.prepare('INSERT INTO run_log (run_id, at, epoch, batch, kind, message) VALUES (?, ?, ?, ?, ?, ?)').run(runId, entry.at, entry.epoch, entry.batch, entry.kind, entry.message);
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
      if (query.search?.trim()) {
        // Tags are a JSON array: match each tag, not the JSON text (a search for `"` or `,` must not match every run).
        where.push(`(r.name LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM json_each(r.tags) t WHERE t.value LIKE ? ESCAPE '\\') OR r.notes LIKE ? ESCAPE '\\')`);
        const like = `%${query.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        params.push(like, like, like);
      }
      const sql = `${SUMMARY_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC LIMIT ?`;
      params.push(query.limit ?? -1);
      return (this.db.prepare(sql).all(...params) as SummaryRow[]).map(summaryOf);
    });
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
      const log = this.db.prepare('SELECT at, epoch, batch, kind, message FROM run_log WHERE run_id = ? ORDER BY id').all(runId) as RunLogEntry[];
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

  updateRun(runId: number, changes: { name?: string; tags?: string[]; notes?: string }): RunSummary {
    return this.run(`update run ${runId}`, () => {
      this.requireRun(runId);
      if (changes.name !== undefined) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(changes.name, runId);
      if (changes.tags !== undefined) this.db.prepare('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify([...new Set(changes.tags)]), runId);
      if (changes.notes !== undefined) this.db.prepare('UPDATE runs SET notes = ? WHERE id = ?').run(changes.notes, runId);
      return this.summary(runId) as RunSummary;
    });
  }

  /** Removes the run and everything of it (cascade); forks of it keep living, unlinked. */
  deleteRun(runId: number): boolean {
    return this.run(`delete run ${runId}`, () => this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId).changes > 0);
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
