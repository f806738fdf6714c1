// The database schema as a list of migrations. Migration k brings a database from
// `PRAGMA user_version` k-1 to k and runs in one transaction with that version bump, so a
// crash mid-migration leaves the previous version intact. Never edit a released migration:
// add the next one (the HPO tables - studies, trials, lineage edges - come as migration 2).

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Marks the file as Evolab's (PRAGMA application_id, "EVLB"), to refuse other apps' databases. */
export const APPLICATION_ID = 0x45564c42;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'experiments, runs, per-epoch metrics, checkpoints, queue settings',
    sql: `
      CREATE TABLE experiments (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        dataset     TEXT NOT NULL,             -- <dataset> of <dataset>.<optimizer>.csv
        optimizer   TEXT NOT NULL,             -- sgd | adam | cmaes | layerwise_cmaes
        config      TEXT NOT NULL CHECK (json_valid(config)),
        config_hash TEXT NOT NULL,             -- sha256 of the canonical config JSON
        notes       TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL              -- ISO 8601 UTC
      );
      CREATE INDEX experiments_created ON experiments (created_at);
      CREATE INDEX experiments_config_hash ON experiments (config_hash);

      CREATE TABLE experiment_tags (
        experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
        tag           TEXT NOT NULL,
        PRIMARY KEY (experiment_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX experiment_tags_tag ON experiment_tags (tag);

      CREATE TABLE runs (
        id              INTEGER PRIMARY KEY,
        experiment_id   INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
        run_index       INTEGER NOT NULL,
        seed            INTEGER NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        priority        INTEGER NOT NULL DEFAULT 0,
        queue_position  INTEGER NOT NULL,      -- FIFO order within a priority (reorder changes it)
        attempts        INTEGER NOT NULL DEFAULT 0,
        epoch           INTEGER NOT NULL DEFAULT 0,  -- last completed epoch
        max_epochs      INTEGER NOT NULL,
        backend         TEXT,
        optimizer       TEXT,                  -- strategy variant, dimension, lambda
        parameter_count INTEGER,
        time            REAL,                  -- final metrics (NULL until done)
        train_loss      REAL,
        train_acc       REAL,
        val_loss        REAL,
        val_acc         REAL,
        test_loss       REAL,
        test_acc        REAL,
        model_evals     INTEGER,
        grad_evals      INTEGER,
        epochs_run      INTEGER,
        best_epoch      INTEGER,
        stopped_early   INTEGER,
        error           TEXT,
        queued_at       TEXT NOT NULL,
        started_at      TEXT,
        finished_at     TEXT,
        UNIQUE (experiment_id, run_index)
      );
      CREATE INDEX runs_queue ON runs (status, priority DESC, queue_position);

      CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        epoch  INTEGER NOT NULL,
        value  REAL,                            -- NULL where the value was NaN
        PRIMARY KEY (run_id, name, epoch)
      ) WITHOUT ROWID;

      CREATE TABLE checkpoints (
        id         INTEGER PRIMARY KEY,
        run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        epoch      INTEGER NOT NULL,
        state      TEXT NOT NULL,               -- RunCheckpoint JSON (model, optimizer, RNG)
        created_at TEXT NOT NULL
      );
      CREATE INDEX checkpoints_run ON checkpoints (run_id, epoch);

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value))
      ) WITHOUT ROWID;

      -- The one process that runs the queue (see store/service-lock.ts).
      CREATE TABLE service_lock (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        pid        INTEGER NOT NULL,
        host       TEXT NOT NULL,
        started_at TEXT NOT NULL
      );
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
