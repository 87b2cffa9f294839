// Schema steps driven by PRAGMA user_version: step i takes the file from version i to i + 1.
// Steps are append-only: never edit one that has shipped, add the next.
import type Database from 'better-sqlite3';
import { StoreError } from './store-error.ts';
import { configSearchText } from './run-search.ts';

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
    description: 'what kind of process owns a live run (layerlab serve, the app…); learning-rate changes in the run log as numbers',
    up(db) {
      db.exec(`
        -- So another process refusing to delete a live run can say who holds it.
        ALTER TABLE runs ADD COLUMN owner_kind TEXT;
        -- The log's data, typed: read back as a number, never parsed from the sentence in message.
        ALTER TABLE run_log ADD COLUMN learning_rate REAL;
        -- Older rows said "learning rate set to 0.05": their number is taken out once, here.
        UPDATE run_log SET learning_rate = CAST(substr(message, length('learning rate set to ') + 1) AS REAL)
          WHERE kind = 'learningRate' AND message LIKE 'learning rate set to %';
      `);
    },
  },
  {
    description: 'a lab that stays fast with many runs: a change counter for polling, list columns kept by triggers, a full-text index',
    up(db) {
      db.exec(`
        -- One counter for the whole lab: every change to a run (its row, an epoch, its evaluation, a checkpoint,
        -- its deletion) takes the next value, and the run keeps it in change_seq. A list asks what changed since the
        -- value it last saw. Triggers keep it, so every writer (another process on the same file too) counts.
        CREATE TABLE lab_clock (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
        INSERT INTO lab_clock (id, seq) VALUES (1, 0);
        ALTER TABLE runs ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX runs_by_change ON runs(change_seq);

        -- What the list shows and sorts by, kept on the run by triggers, so a sort reads a small index instead of
        -- every run's epochs (and never the wide JSON columns).
        ALTER TABLE runs ADD COLUMN epochs_done INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN last_val_acc REAL;
        ALTER TABLE runs ADD COLUMN test_accuracy REAL;
        UPDATE runs SET
          epochs_done = (SELECT COUNT(*) FROM epochs e WHERE e.run_id = runs.id),
          last_val_acc = (SELECT e.val_acc FROM epochs e WHERE e.run_id = runs.id ORDER BY e.epoch DESC LIMIT 1),
          test_accuracy = (SELECT ev.accuracy FROM evaluations ev WHERE ev.run_id = runs.id);
        CREATE INDEX runs_by_val_acc ON runs(last_val_acc, id);
        CREATE INDEX runs_by_test_accuracy ON runs(test_accuracy, id);
        CREATE INDEX runs_by_params ON runs(total_params, id);
        CREATE INDEX runs_by_name ON runs(name COLLATE NOCASE, id);
        CREATE INDEX runs_by_duration ON runs((julianday(finished_at) - julianday(started_at)), id);

        CREATE TRIGGER runs_stamp_insert AFTER INSERT ON runs BEGIN
          UPDATE lab_clock SET seq = seq + 1;
          UPDATE runs SET change_seq = (SELECT seq FROM lab_clock) WHERE id = NEW.id;
        END;
        -- The guard skips the stamp's own update (and one already stamped by a child table's trigger).
        CREATE TRIGGER runs_stamp_update AFTER UPDATE ON runs WHEN NEW.change_seq IS OLD.change_seq BEGIN
          UPDATE lab_clock SET seq = seq + 1;
          UPDATE runs SET change_seq = (SELECT seq FROM lab_clock) WHERE id = NEW.id;
        END;
        CREATE TRIGGER runs_stamp_delete AFTER DELETE ON runs BEGIN
          UPDATE lab_clock SET seq = seq + 1;
        END;
        CREATE TRIGGER epochs_stamp AFTER INSERT ON epochs BEGIN
          UPDATE lab_clock SET seq = seq + 1;
          UPDATE runs SET
            change_seq = (SELECT seq FROM lab_clock),
            epochs_done = (SELECT COUNT(*) FROM epochs e WHERE e.run_id = NEW.run_id),
            last_val_acc = (SELECT e.val_acc FROM epochs e WHERE e.run_id = NEW.run_id ORDER BY e.epoch DESC LIMIT 1)
          WHERE id = NEW.run_id;
        END;
        CREATE TRIGGER evaluations_stamp AFTER INSERT ON evaluations BEGIN
          UPDATE lab_clock SET seq = seq + 1;
          UPDATE runs SET change_seq = (SELECT seq FROM lab_clock), test_accuracy = NEW.accuracy WHERE id = NEW.run_id;
        END;
        CREATE TRIGGER checkpoints_stamp AFTER INSERT ON checkpoints BEGIN
          UPDATE lab_clock SET seq = seq + 1;
          UPDATE runs SET change_seq = (SELECT seq FROM lab_clock) WHERE id = NEW.run_id;
        END;

        -- Tags one per row: the tag filter and the list of every tag read this index, not every run's JSON.
        CREATE TABLE run_tags (
          tag     TEXT NOT NULL,
          run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          PRIMARY KEY (tag, run_id)
        ) WITHOUT ROWID;
        CREATE INDEX run_tags_by_run ON run_tags(run_id);
        INSERT OR IGNORE INTO run_tags (tag, run_id) SELECT t.value, r.id FROM runs r, json_each(r.tags) t;
        CREATE TRIGGER run_tags_insert AFTER INSERT ON runs BEGIN
          INSERT OR IGNORE INTO run_tags (tag, run_id) SELECT value, NEW.id FROM json_each(NEW.tags);
        END;
        CREATE TRIGGER run_tags_update AFTER UPDATE OF tags ON runs BEGIN
          DELETE FROM run_tags WHERE run_id = NEW.id;
          INSERT OR IGNORE INTO run_tags (tag, run_id) SELECT value, NEW.id FROM json_each(NEW.tags);
        END;

        -- Search in the store: trigram tokens match any substring of 3+ characters, as the old LIKE search did.
        -- rowid is the run id. name, tags, notes and backend follow the run by trigger; config (architecture line and
        -- optimizer, computed in TypeScript) is written when the run is created.
        CREATE VIRTUAL TABLE runs_fts USING fts5(name, tags, notes, backend, config, tokenize = 'trigram');
        CREATE TRIGGER runs_fts_insert AFTER INSERT ON runs BEGIN
          INSERT INTO runs_fts (rowid, name, tags, notes, backend, config)
          VALUES (NEW.id, NEW.name, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(NEW.tags)), NEW.notes, coalesce(NEW.backend, ''), '');
        END;
        CREATE TRIGGER runs_fts_update AFTER UPDATE OF name, tags, notes, backend ON runs BEGIN
          UPDATE runs_fts
          SET name = NEW.name, tags = (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(NEW.tags)), notes = NEW.notes, backend = coalesce(NEW.backend, '')
          WHERE rowid = NEW.id;
        END;
        CREATE TRIGGER runs_fts_delete AFTER DELETE ON runs BEGIN
          DELETE FROM runs_fts WHERE rowid = OLD.id;
        END;
      `);
      const insert = db.prepare(
        `INSERT INTO runs_fts (rowid, name, tags, notes, backend, config)
         VALUES (?, ?, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(?)), ?, ?, ?)`,
      );
      // all(), not iterate(): better-sqlite3 allows no other statement while one is being iterated.
      const rows = db.prepare('SELECT id, name, tags, notes, backend, architecture, compile FROM runs').all() as {
        id: number;
        name: string;
        tags: string;
        notes: string;
        backend: string | null;
        architecture: string;
        compile: string;
      }[];
      for (const row of rows) insert.run(row.id, row.name, row.tags, row.notes, row.backend ?? '', configSearchText(row.architecture, row.compile));
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
  // Issue 15's step (numbered 6 on its branch; renumbering at a merge only moves this entry).
  {
    description: 'sweeps: a persistent queue of runs over a search space',
    up(db) {
      db.exec(`
        CREATE TABLE sweeps (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          name        TEXT NOT NULL,
          -- Set by the user: 'finished' is derived (no item queued or running), never stored.
          status      TEXT NOT NULL CHECK (status IN ('active', 'paused', 'cancelled')),
          created_at  TEXT NOT NULL,
          spec        TEXT NOT NULL, -- JSON: the CreateSweep request as parsed
          metric      TEXT NOT NULL,
          parallel    INTEGER NOT NULL
        );
        -- One row per run of the sweep. request is the full startRun payload, so a queued row is a plain run job
        -- any scheduler could take. owner: the process that claimed it (host:pid), as runs.owner.
        CREATE TABLE sweep_items (
          id        INTEGER PRIMARY KEY,
          sweep_id  INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
          position  INTEGER NOT NULL,
          params    TEXT NOT NULL, -- JSON: swept field -> value (and seed when repeated)
          repeat    INTEGER NOT NULL,
          request   TEXT NOT NULL, -- JSON: StartRunParsed
          state     TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
          run_id    INTEGER REFERENCES runs(id) ON DELETE SET NULL,
          attempts  INTEGER NOT NULL DEFAULT 0,
          owner     TEXT,
          note      TEXT
        );
        CREATE INDEX sweep_items_by_sweep ON sweep_items(sweep_id, position);
        CREATE INDEX sweep_items_by_state ON sweep_items(state, sweep_id, position);
        CREATE INDEX sweep_items_by_run ON sweep_items(run_id);
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
