// Schema steps driven by PRAGMA user_version: step i takes the file from version i to i + 1.
// Steps are append-only: never edit one that has shipped, add the next.
import type Database from 'better-sqlite3';
import { StoreError } from './store-error.ts';

export interface Migration {
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    description: 'runs, epochs, batch losses, evaluations, predictions, checkpoints, log',
    up(db) {
      db.exec(`
        -- AUTOINCREMENT: a deleted run's id is never handed to a new run (exports name ids).
        CREATE TABLE runs (
          id              INTEGER PRIMARY KEY AUTOINCREMENT,
          name            TEXT NOT NULL,
          status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'stopped', 'failed', 'interrupted')),
          status_reason   TEXT,
          created_at      TEXT NOT NULL,
          started_at      TEXT,
          finished_at     TEXT,
          architecture    TEXT NOT NULL, -- JSON
          compile         TEXT NOT NULL, -- JSON
          train           TEXT NOT NULL, -- JSON
          seed            INTEGER NOT NULL,
          dataset_name    TEXT NOT NULL,
          dataset_hash    TEXT NOT NULL,
          total_params    INTEGER NOT NULL,
          backend         TEXT,
          backend_report  TEXT,          -- JSON, versions included
          tags            TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
          notes           TEXT NOT NULL DEFAULT '',
          parent_run_id   INTEGER REFERENCES runs(id) ON DELETE SET NULL
        );
        CREATE INDEX runs_by_status ON runs(status);
        -- Deleting a parent looks its children up by this column.
        CREATE INDEX runs_by_parent ON runs(parent_run_id);

        -- Metrics are nullable: a diverged run reports NaN, which SQLite stores as NULL.
        CREATE TABLE epochs (
          run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          epoch     INTEGER NOT NULL,
          loss      REAL,
          acc       REAL,
          val_loss  REAL,
          val_acc   REAL,
          seconds   REAL,
          PRIMARY KEY (run_id, epoch)
        ) WITHOUT ROWID;

        -- One row per epoch, not per batch: 469 batches x 50 epochs x 1000 runs would be 23M rows.
        CREATE TABLE batch_losses (
          run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          epoch    INTEGER NOT NULL,
          batches  BLOB NOT NULL, -- Uint32Array
          losses   BLOB NOT NULL, -- Float64Array
          PRIMARY KEY (run_id, epoch)
        );

        CREATE TABLE evaluations (
          run_id            INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
          loss              REAL,
          accuracy          REAL,
          examples          INTEGER NOT NULL,
          confusion_matrix  TEXT NOT NULL, -- JSON
          per_class         TEXT NOT NULL, -- JSON
          created_at        TEXT NOT NULL
        );

        -- Apart from evaluations so listing runs never pages through these blobs.
        CREATE TABLE predictions (
          run_id        INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
          test_indices  BLOB NOT NULL, -- Uint32Array
          predicted     BLOB NOT NULL, -- Uint8Array
          confidence    BLOB NOT NULL  -- Float32Array
        );

        -- slot is 0 for 'final' and 'best' (one each) and the epoch for 'epoch' (one per epoch).
        -- weights last: reading the other columns never touches its overflow pages.
        CREATE TABLE checkpoints (
          id          INTEGER PRIMARY KEY,
          run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          kind        TEXT NOT NULL CHECK (kind IN ('final', 'best', 'epoch')),
          slot        INTEGER NOT NULL,
          epoch       INTEGER NOT NULL,
          val_loss    REAL,
          bytes       INTEGER NOT NULL,
          created_at  TEXT NOT NULL,
          weights     BLOB NOT NULL,
          UNIQUE (run_id, kind, slot)
        );

        CREATE TABLE run_log (
          id       INTEGER PRIMARY KEY,
          run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          at       TEXT NOT NULL,
          epoch    INTEGER NOT NULL,
          batch    INTEGER NOT NULL,
          kind     TEXT NOT NULL,
          message  TEXT NOT NULL
        );
        CREATE INDEX run_log_by_run ON run_log(run_id, id);
      `);
    },
  },
  {
    description: 'the process that owns a live run, so a second lab on the same file interrupts only dead ones',
    up(db) {
      db.exec(`ALTER TABLE runs ADD COLUMN owner TEXT;`);
    },
  },
  {
    description: 'binned weight histograms per epoch (the inside views\' distributions over time)',
    up(db) {
      db.exec(`
        CREATE TABLE weight_histograms (
          run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          epoch   INTEGER NOT NULL,
          params  TEXT NOT NULL, -- JSON: ParamHistogram[] (binned, a few hundred numbers per layer)
          PRIMARY KEY (run_id, epoch)
        ) WITHOUT ROWID;
      `);
    },
  },
];

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a file written by a newer Layerlab before anything (WAL switch included) touches it. */
export function assertKnownVersion(db: Database.Database, steps: readonly Migration[] = MIGRATIONS): void {
  const version = schemaVersion(db);
  if (version > steps.length) {
    throw new StoreError(
      `the database ${db.name} was written by a newer Layerlab (schema version ${version}; this one knows up to ${steps.length}); ` +
        'update Layerlab to open it. The file was left untouched.',
      'schema-too-new',
    );
  }
}

/** Applies the missing steps, each with its version bump in one IMMEDIATE transaction. */
export function migrate(db: Database.Database, steps: readonly Migration[] = MIGRATIONS): void {
  assertKnownVersion(db, steps);
  for (;;) {
    // The version is re-read inside the write lock, so two processes opening at once don't
    // both apply a step.
    const done = db
      .transaction(() => {
        const version = schemaVersion(db);
        const step = steps[version];
        if (step === undefined) return true;
        try {
          step.up(db);
        } catch (error) {
          throw new StoreError(
            `the database could not be upgraded to schema version ${version + 1} (${step.description}): ${(error as Error).message}`,
            'migration-failed',
            { cause: error },
          );
        }
        db.pragma(`user_version = ${version + 1}`);
        return false;
      })
      .immediate();
    if (done) return;
  }
}
