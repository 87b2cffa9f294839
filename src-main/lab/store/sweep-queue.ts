// The sweeps' persistent queue: sweeps and their items in SQLite. Claiming an item is one conditional UPDATE, so
// two processes pumping the same lab never start the same item twice; a restart finds every item where it was.
import type Database from 'better-sqlite3';
import {
  SWEEP_REQUEUE_LIMIT,
  type CreateSweepParsed,
  type RunStatus,
  type StartRunParsed,
  type SweepCounts,
  type SweepDetail,
  type SweepItem,
  type SweepItemState,
  type SweepMetric,
  type SweepStatus,
  type SweepSummary,
  type SweepValue,
} from '../../../src-shared/index.ts';
import { StoreError } from './store-error.ts';

export interface NewSweepItem {
  params: Record<string, SweepValue>;
  repeat: number;
  request: StartRunParsed;
}

/** A queued item ready to start: its id and the run request it carries. */
export interface StartableItem {
  id: number;
  sweepId: number;
  sweepName: string;
  params: Record<string, SweepValue>;
  request: StartRunParsed;
}

interface SweepRow {
  id: number;
  name: string;
  status: 'active' | 'paused' | 'cancelled';
  created_at: string;
  spec: string;
  metric: SweepMetric;
  parallel: number;
}

interface ItemRow {
  id: number;
  position: number;
  params: string;
  repeat: number;
  state: SweepItemState;
  run_id: number | null;
  attempts: number;
  note: string | null;
  run_status: RunStatus | null;
  epochs_done: number | null;
  epochs: number | null;
  val_acc: number | null;
  val_loss: number | null;
  test_acc: number | null;
  test_loss: number | null;
  seconds: number | null;
}

const now = () => new Date().toISOString();

function fieldsOf(spec: string): string[] {
  return (JSON.parse(spec) as CreateSweepParsed).search.params.map((p) => p.field);
}

const METRIC_COLUMN: Record<SweepMetric, keyof ItemRow> = { test_acc: 'test_acc', test_loss: 'test_loss', val_acc: 'val_acc', val_loss: 'val_loss' };

export class SweepQueue {
  constructor(
    private readonly db: Database.Database,
    /** host:pid of this process, as runs.owner. */
    private readonly owner: string,
    /** Whether the process named by an owner string is alive (this one included). */
    private readonly ownerAlive: (owner: string) => boolean,
  ) {}

  create(name: string, spec: CreateSweepParsed, items: readonly NewSweepItem[]): number {
    return this.db
      .transaction(() => {
        const info = this.db
          .prepare(`INSERT INTO sweeps (name, status, created_at, spec, metric, parallel) VALUES (?, 'active', ?, ?, ?, ?)`)
          .run(name, now(), JSON.stringify(spec), spec.metric, spec.parallel);
        const id = Number(info.lastInsertRowid);
        if (!name.trim()) this.db.prepare('UPDATE sweeps SET name = ? WHERE id = ?').run(`sweep-${id}`, id);
        const insert = this.db.prepare(`INSERT INTO sweep_items (sweep_id, position, params, repeat, request, state) VALUES (?, ?, ?, ?, ?, 'queued')`);
        items.forEach((item, i) => insert.run(id, i, JSON.stringify(item.params), item.repeat, JSON.stringify(item.request)));
        return id;
      })
      .immediate();
  }

  private sweepRow(sweepId: number): SweepRow {
    const row = this.db.prepare('SELECT * FROM sweeps WHERE id = ?').get(sweepId) as SweepRow | undefined;
    if (!row) throw new StoreError(`sweep ${sweepId} does not exist`, 'not-found');
    return row;
  }

  private counts(sweepIds: readonly number[]): Map<number, SweepCounts> {
    const out = new Map<number, SweepCounts>(sweepIds.map((id) => [id, { total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 }]));
    const rows = this.db
      .prepare('SELECT sweep_id, state, COUNT(*) AS n FROM sweep_items WHERE sweep_id IN (SELECT value FROM json_each(?)) GROUP BY sweep_id, state')
      .all(JSON.stringify(sweepIds)) as { sweep_id: number; state: SweepItemState; n: number }[];
    for (const { sweep_id, state, n } of rows) {
      const c = out.get(sweep_id);
      if (!c) continue;
      c[state] += n;
      c.total += n;
    }
    return out;
  }

  private summaryOf(row: SweepRow, counts: SweepCounts): SweepSummary {
    const open = counts.queued + counts.running > 0;
    const status: SweepStatus = row.status === 'cancelled' ? 'cancelled' : open ? row.status : 'finished';
    return { id: row.id, name: row.name, status, createdAt: row.created_at, metric: row.metric, fields: fieldsOf(row.spec), parallel: row.parallel, counts };
  }

  list(): SweepSummary[] {
    const rows = this.db.prepare('SELECT * FROM sweeps ORDER BY id DESC').all() as SweepRow[];
    const counts = this.counts(rows.map((r) => r.id));
    return rows.map((r) => this.summaryOf(r, counts.get(r.id) as SweepCounts));
  }

  summary(sweepId: number): SweepSummary {
    const row = this.sweepRow(sweepId);
    return this.summaryOf(row, this.counts([sweepId]).get(sweepId) as SweepCounts);
  }

  /** The sweep with every item and its run's progress and metric: one query over indexed columns (no epoch scan). */
  detail(sweepId: number): SweepDetail {
    const summary = this.summary(sweepId);
    const rows = this.db
      .prepare(
        `SELECT i.id, i.position, i.params, i.repeat, i.state, i.run_id, i.attempts, i.note,
                r.status AS run_status, r.epochs_done, json_extract(r.train, '$.epochs') AS epochs,
                r.last_val_acc AS val_acc,
                (SELECT e.val_loss FROM epochs e WHERE e.run_id = r.id ORDER BY e.epoch DESC LIMIT 1) AS val_loss,
                r.test_accuracy AS test_acc, ev.loss AS test_loss,
                (julianday(r.finished_at) - julianday(r.started_at)) * 86400 AS seconds
         FROM sweep_items i LEFT JOIN runs r ON r.id = i.run_id LEFT JOIN evaluations ev ON ev.run_id = r.id
         WHERE i.sweep_id = ? ORDER BY i.position, i.id`,
      )
      .all(sweepId) as ItemRow[];
    const column = METRIC_COLUMN[summary.metric];
    const items: SweepItem[] = rows.map((r) => ({
      id: r.id,
      position: r.position,
      params: JSON.parse(r.params) as Record<string, SweepValue>,
      repeat: r.repeat,
      state: r.state,
      runId: r.run_id,
      attempts: r.attempts,
      note: r.note,
      run:
        r.run_status === null
          ? null
          : { status: r.run_status, epochsDone: r.epochs_done ?? 0, epochs: r.epochs ?? 0, metric: (r[column] as number | null) ?? null, seconds: r.seconds },
    }));
    return { ...summary, items };
  }

  /** Items running now in a sweep (for its `parallel`). */
  private runningIn(sweepId: number): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM sweep_items WHERE sweep_id = ? AND state = 'running'`).get(sweepId) as { n: number }).n;
  }

  /**
   * Claims the next queued item of an active sweep with room under its `parallel` (oldest sweep first, then queue
   * position); null when none. `onlySweep` restricts the choice (the CLI runs its own sweep).
   */
  claimNext(onlySweep?: number): StartableItem | null {
    return this.db
      .transaction(() => {
        const sweeps = this.db
          .prepare(`SELECT id, name, parallel FROM sweeps WHERE status = 'active' ${onlySweep !== undefined ? 'AND id = ?' : ''} ORDER BY id`)
          .all(...(onlySweep !== undefined ? [onlySweep] : [])) as { id: number; name: string; parallel: number }[];
        for (const sweep of sweeps) {
          if (this.runningIn(sweep.id) >= sweep.parallel) continue;
          const item = this.db.prepare(`SELECT id, params, request FROM sweep_items WHERE sweep_id = ? AND state = 'queued' ORDER BY position, id LIMIT 1`).get(sweep.id) as
            | { id: number; params: string; request: string }
            | undefined;
          if (!item) continue;
          this.db.prepare(`UPDATE sweep_items SET state = 'running', owner = ?, attempts = attempts + 1 WHERE id = ? AND state = 'queued'`).run(this.owner, item.id);
          return { id: item.id, sweepId: sweep.id, sweepName: sweep.name, params: JSON.parse(item.params) as Record<string, SweepValue>, request: JSON.parse(item.request) as StartRunParsed };
        }
        return null;
      })
      .immediate();
  }

  /** A claimed item that could not start for want of room in the lab: back to the queue, the attempt not counted. */
  release(itemId: number): void {
    this.db.prepare(`UPDATE sweep_items SET state = 'queued', owner = NULL, attempts = attempts - 1 WHERE id = ? AND state = 'running' AND run_id IS NULL`).run(itemId);
  }

  attachRun(itemId: number, runId: number): void {
    this.db.prepare('UPDATE sweep_items SET run_id = ? WHERE id = ?').run(runId, itemId);
  }

  /** A claimed item that could not become a run (its config refused): failed, with why. */
  fail(itemId: number, note: string): void {
    this.db.prepare(`UPDATE sweep_items SET state = 'failed', owner = NULL, note = ? WHERE id = ?`).run(note, itemId);
  }

  /** The item of a run that ended; null when the run is no sweep's. */
  finishRun(runId: number, status: RunStatus, reason: string | null): number | null {
    const item = this.db.prepare(`SELECT id, sweep_id FROM sweep_items WHERE run_id = ? AND state = 'running'`).get(runId) as { id: number; sweep_id: number } | undefined;
    if (!item) return null;
    const state: SweepItemState = status === 'failed' ? 'failed' : 'done';
    // A failure's reason replaces the note; otherwise an earlier note (re-queued after an interruption) stays.
    this.db.prepare('UPDATE sweep_items SET state = ?, owner = NULL, note = coalesce(?, note) WHERE id = ?').run(state, status === 'failed' ? reason : null, item.id);
    return item.sweep_id;
  }

  /**
   * After a restart: items left 'running' by a process that is gone. One whose run ended meanwhile is done; one
   * whose run was cut off (interrupted) is re-queued once with a note, failed the second time; one claimed but never
   * started goes back to the queue. Items of live processes are theirs.
   */
  recover(): { requeued: number[]; failed: number[] } {
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare(`SELECT i.id, i.run_id, i.attempts, i.owner, r.status AS run_status FROM sweep_items i LEFT JOIN runs r ON r.id = i.run_id WHERE i.state = 'running'`)
          .all() as { id: number; run_id: number | null; attempts: number; owner: string | null; run_status: RunStatus | null }[];
        const requeued: number[] = [];
        const failed: number[] = [];
        for (const row of rows) {
          if (row.owner !== null && row.owner !== this.owner && this.ownerAlive(row.owner)) continue;
          if (row.run_status === 'queued' || row.run_status === 'running') continue; // still held by a live process
          if (row.run_id === null) {
            this.db.prepare(`UPDATE sweep_items SET state = 'queued', owner = NULL, attempts = max(0, attempts - 1) WHERE id = ?`).run(row.id);
          } else if (row.run_status === 'interrupted' || row.run_status === null) {
            (this.interruptItem(row.id, row.run_id, row.attempts, 'its process ended') ? requeued : failed).push(row.id);
          } else {
            this.db.prepare(`UPDATE sweep_items SET state = ?, owner = NULL WHERE id = ?`).run(row.run_status === 'failed' ? 'failed' : 'done', row.id);
          }
        }
        return { requeued, failed };
      })
      .immediate();
  }

  /** Re-queues an interrupted item once (SWEEP_REQUEUE_LIMIT), then fails it; true when re-queued. */
  private interruptItem(itemId: number, runId: number, attempts: number, why: string): boolean {
    if (attempts <= SWEEP_REQUEUE_LIMIT) {
      this.db.prepare(`UPDATE sweep_items SET state = 'queued', owner = NULL, run_id = NULL, note = ? WHERE id = ?`).run(`run ${runId} was interrupted (${why}); re-queued once`, itemId);
      return true;
    }
    this.db.prepare(`UPDATE sweep_items SET state = 'failed', owner = NULL, note = ? WHERE id = ?`).run(`run ${runId} was interrupted again (${why}); not re-queued a second time`, itemId);
    return false;
  }

  /** A sweep run cut off by the lab closing: re-queued once, as after a crash. Null when the run is no sweep's. */
  interruptRun(runId: number, why: string): number | null {
    const item = this.db.prepare(`SELECT id, sweep_id, attempts FROM sweep_items WHERE run_id = ? AND state = 'running'`).get(runId) as { id: number; sweep_id: number; attempts: number } | undefined;
    if (!item) return null;
    this.interruptItem(item.id, runId, item.attempts, why);
    return item.sweep_id;
  }

  setStatus(sweepId: number, status: 'active' | 'paused'): SweepSummary {
    const row = this.sweepRow(sweepId);
    if (row.status === 'cancelled') throw new StoreError(`sweep ${sweepId} was cancelled; start a new one`, 'conflict');
    this.db.prepare('UPDATE sweeps SET status = ? WHERE id = ?').run(status, sweepId);
    return this.summary(sweepId);
  }

  /** Cancels the queued items; returns the runs still training (the caller stops them). */
  cancel(sweepId: number): number[] {
    this.sweepRow(sweepId);
    return this.db
      .transaction(() => {
        this.db.prepare(`UPDATE sweeps SET status = 'cancelled' WHERE id = ?`).run(sweepId);
        this.db.prepare(`UPDATE sweep_items SET state = 'cancelled', note = 'cancelled before it started' WHERE sweep_id = ? AND state = 'queued'`).run(sweepId);
        return (this.db.prepare(`SELECT run_id FROM sweep_items WHERE sweep_id = ? AND state = 'running' AND run_id IS NOT NULL`).all(sweepId) as { run_id: number }[]).map((r) => r.run_id);
      })
      .immediate();
  }

  /** New start order for the queued items: `itemIds` must be exactly them. */
  reorder(sweepId: number, itemIds: readonly number[]): void {
    this.sweepRow(sweepId);
    this.db
      .transaction(() => {
        const queued = (this.db.prepare(`SELECT id, position FROM sweep_items WHERE sweep_id = ? AND state = 'queued' ORDER BY position`).all(sweepId) as { id: number; position: number }[]);
        const given = new Set(itemIds);
        if (given.size !== itemIds.length || given.size !== queued.length || queued.some((q) => !given.has(q.id))) {
          throw new StoreError(`a new order must list each of sweep ${sweepId}'s ${queued.length} queued items once (ids ${queued.map((q) => q.id).join(', ') || 'none'})`, 'conflict');
        }
        // The queued items take the positions they held, in the new order; others keep theirs.
        const slots = queued.map((q) => q.position);
        const set = this.db.prepare('UPDATE sweep_items SET position = ? WHERE id = ?');
        itemIds.forEach((id, i) => set.run(slots[i], id));
      })
      .immediate();
  }

  /** The sweep a run belongs to, if any (for its tag and the Runs screen). */
  sweepOfRun(runId: number): number | null {
    const row = this.db.prepare('SELECT sweep_id FROM sweep_items WHERE run_id = ?').get(runId) as { sweep_id: number } | undefined;
    return row?.sweep_id ?? null;
  }
}
