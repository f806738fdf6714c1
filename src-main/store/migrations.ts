// The database schema as a list of migrations. Migration k brings a database from
// `PRAGMA user_version` k-1 to k and runs in one transaction with that version bump, so a
// crash mid-migration leaves the previous version intact. Never edit a released migration:
// add the next one.

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
  /**
   * The migration rebuilds tables that others reference (SQLite changes a CHECK constraint
   * only by copying the table): it runs with foreign-key enforcement off, so that dropping
   * the old table does not cascade, and the foreign keys are checked before it commits
   * (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes").
   */
  readonly rebuildsTables?: boolean;
}

/** Marks the file as Evolab's (PRAGMA application_id, "EVLB"), to refuse other apps' databases. */
export const APPLICATION_ID = 0x45564c42;

/** Recomputes the stats row of one experiment from its runs (final metrics count when done). */
function refreshStats(experimentId: string): string {
  return `UPDATE experiment_stats SET
      (total, done, failed, running, waiting, best_test_acc, mean_time, mean_train_loss, mean_train_acc,
       mean_val_loss, mean_val_acc, mean_test_loss, mean_test_acc, mean_model_evals) =
      (SELECT count(*), coalesce(sum(status = 'done'), 0), coalesce(sum(status = 'failed'), 0),
         coalesce(sum(status = 'running'), 0), coalesce(sum(status IN ('pending', 'interrupted')), 0),
         max(CASE WHEN status = 'done' THEN test_acc END), avg(CASE WHEN status = 'done' THEN time END),
         avg(CASE WHEN status = 'done' THEN train_loss END), avg(CASE WHEN status = 'done' THEN train_acc END),
         avg(CASE WHEN status = 'done' THEN val_loss END), avg(CASE WHEN status = 'done' THEN val_acc END),
         avg(CASE WHEN status = 'done' THEN test_loss END), avg(CASE WHEN status = 'done' THEN test_acc END),
         avg(CASE WHEN status = 'done' THEN model_evals END)
       FROM runs WHERE experiment_id = ${experimentId})
    WHERE experiment_id = ${experimentId};`;
}

const REFRESH_TRIGGERS = `
      CREATE TRIGGER experiment_stats_run_insert AFTER INSERT ON runs BEGIN
        ${refreshStats('new.experiment_id')}
      END;
      CREATE TRIGGER experiment_stats_run_update
        AFTER UPDATE OF status, time, train_loss, train_acc, val_loss, val_acc, test_loss, test_acc, model_evals ON runs BEGIN
        ${refreshStats('new.experiment_id')}
      END;
      CREATE TRIGGER experiment_stats_run_delete AFTER DELETE ON runs BEGIN
        ${refreshStats('old.experiment_id')}
      END;`;

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

      -- Per-experiment run counts and final-metric summaries, kept current by triggers so
      -- that listing and sorting 10,000 experiments does not aggregate all their runs.
      CREATE TABLE experiment_stats (
        experiment_id    INTEGER PRIMARY KEY REFERENCES experiments (id) ON DELETE CASCADE,
        total            INTEGER NOT NULL DEFAULT 0,
        done             INTEGER NOT NULL DEFAULT 0,
        failed           INTEGER NOT NULL DEFAULT 0,
        running          INTEGER NOT NULL DEFAULT 0,
        waiting          INTEGER NOT NULL DEFAULT 0,  -- pending + interrupted
        best_test_acc    REAL,
        mean_time        REAL,                        -- means over done runs
        mean_train_loss  REAL,
        mean_train_acc   REAL,
        mean_val_loss    REAL,
        mean_val_acc     REAL,
        mean_test_loss   REAL,
        mean_test_acc    REAL,
        mean_model_evals REAL
      );
      CREATE TRIGGER experiment_stats_create AFTER INSERT ON experiments BEGIN
        INSERT INTO experiment_stats (experiment_id) VALUES (new.id);
      END;
${REFRESH_TRIGGERS}

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
  {
    version: 2,
    description: 'hyperparameter studies, their trials and the lineage DAG; runs that keep their final checkpoint',
    sql: `
      CREATE TABLE studies (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('tune', 'gpbt', 'pbt')),
        config      TEXT NOT NULL CHECK (json_valid(config)),  -- the study config, base resolved
        config_hash TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
        state       TEXT CHECK (state IS NULL OR json_valid(state)),  -- sampler / population state
        best_trial  INTEGER,
        created_at  TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX studies_resume ON studies (config_hash, status);

      -- A trial: one configuration evaluated (tune), or one member in one generation (GPBT/PBT).
      CREATE TABLE trials (
        id            INTEGER PRIMARY KEY,
        study_id      INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
        number        INTEGER NOT NULL,            -- 0, 1, ... within the study
        generation    INTEGER NOT NULL DEFAULT 0,
        member        INTEGER NOT NULL DEFAULT 0,  -- slot in the population
        params        TEXT NOT NULL CHECK (json_valid(params)),
        status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'pruned', 'failed', 'stopped')),
        value         REAL,                        -- the objective (as configured: min or max)
        test_value    REAL,                        -- the same metric on the test split
        experiment_id INTEGER REFERENCES experiments (id) ON DELETE SET NULL,
        run_id        INTEGER REFERENCES runs (id) ON DELETE SET NULL,
        sampler_id    INTEGER,                     -- the sampler's proposal id (tune)
        checkpoint_id INTEGER REFERENCES checkpoints (id) ON DELETE SET NULL,
        created_at    TEXT NOT NULL,
        finished_at   TEXT,
        UNIQUE (study_id, number)
      );
      CREATE INDEX trials_generation ON trials (study_id, generation);

      -- The genealogy as a DAG: 'weights' = the child started from the parent's weights,
      -- 'hparams' = it inherited the parent's hyperparameters.
      CREATE TABLE lineage_edges (
        child_id  INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
        parent_id INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
        kind      TEXT NOT NULL CHECK (kind IN ('weights', 'hparams')),
        PRIMARY KEY (child_id, parent_id, kind)
      ) WITHOUT ROWID;
      CREATE INDEX lineage_parent ON lineage_edges (parent_id);

      ALTER TABLE runs ADD COLUMN keep_checkpoint INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 3,
    // So that `evolab queue ls` can show the live state of the process running the queue, such
    // as a queue stopped because the disk is full, which that process cannot write down.
    description: 'the HTTP address of the process holding the queue',
    sql: `
      ALTER TABLE service_lock ADD COLUMN url TEXT;
    `,
  },
  {
    version: 4,
    description:
      'studies as services: created/paused/cancelled states, cancelled trials, trial experiments tied to their study, runs held while their study is paused',
    rebuildsTables: true,
    sql: `
      CREATE TABLE studies_new (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('tune', 'gpbt', 'pbt')),
        config      TEXT NOT NULL CHECK (json_valid(config)),  -- the study config, base resolved
        config_hash TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('created', 'running', 'paused', 'done', 'failed', 'cancelled')),
        state       TEXT CHECK (state IS NULL OR json_valid(state)),  -- the method's state (hpo/), saved with every trial
        best_trial  INTEGER,
        error       TEXT,
        created_at  TEXT NOT NULL,
        finished_at TEXT
      );
      INSERT INTO studies_new (id, name, kind, config, config_hash, status, state, best_trial, created_at, finished_at)
        SELECT id, name, kind, config, config_hash, status, state, best_trial, created_at, finished_at FROM studies;
      DROP TABLE studies;
      ALTER TABLE studies_new RENAME TO studies;
      CREATE INDEX studies_resume ON studies (config_hash, status);

      CREATE TABLE trials_new (
        id            INTEGER PRIMARY KEY,
        study_id      INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
        number        INTEGER NOT NULL,            -- 0, 1, ... within the study (the method assigns it)
        generation    INTEGER NOT NULL DEFAULT 0,
        member        INTEGER NOT NULL DEFAULT 0,  -- slot in the population
        params        TEXT NOT NULL CHECK (json_valid(params)),
        status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'pruned', 'failed', 'stopped', 'cancelled')),
        value         REAL,                        -- the objective (as configured: min or max)
        test_value    REAL,                        -- the same metric on the test split
        experiment_id INTEGER REFERENCES experiments (id) ON DELETE SET NULL,
        run_id        INTEGER REFERENCES runs (id) ON DELETE SET NULL,
        sampler_id    INTEGER,                     -- the sampler's proposal id (tune)
        checkpoint_id INTEGER REFERENCES checkpoints (id) ON DELETE SET NULL,
        created_at    TEXT NOT NULL,
        finished_at   TEXT,
        UNIQUE (study_id, number)
      );
      INSERT INTO trials_new SELECT * FROM trials;
      DROP TABLE trials;
      ALTER TABLE trials_new RENAME TO trials;
      CREATE INDEX trials_generation ON trials (study_id, generation);
      CREATE INDEX trials_run ON trials (run_id);

      -- The experiments a study made for its trials: hidden from the experiments list by
      -- default, deleted with their study.
      ALTER TABLE experiments ADD COLUMN study_id INTEGER REFERENCES studies (id) ON DELETE CASCADE;
      CREATE INDEX experiments_study ON experiments (study_id);
      UPDATE experiments SET study_id = (SELECT t.study_id FROM trials t WHERE t.experiment_id = experiments.id LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM trials t WHERE t.experiment_id = experiments.id);

      -- A waiting run of a paused study is held: the scheduler does not start it.
      ALTER TABLE runs ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 5,
    // Archive hides an experiment from the default list (reversible at any time). Delete is
    // soft first: the experiment is hidden at once and purged when its undo window has passed
    // (by the process that deleted it, or by the next one to list experiments), so closing the
    // app inside the window loses nothing and the deletion still happens.
    description: 'archived experiments, and deleted experiments waiting for their undo window to pass',
    sql: `
      ALTER TABLE experiments ADD COLUMN archived_at TEXT;  -- ISO 8601 UTC; NULL = not archived
      ALTER TABLE experiments ADD COLUMN deleted_at TEXT;   -- ISO 8601 UTC; NULL = not deleted
      CREATE INDEX experiments_deleted ON experiments (deleted_at) WHERE deleted_at IS NOT NULL;
    `,
  },
  {
    version: 6,
    // Workers (evolab worker, on any machine sharing a PostgreSQL store) register here and
    // beat; each run records the worker that trained it. SQLite has the same tables, so the
    // two stores keep one contract.
    description: 'workers, and the worker that trains each run',
    sql: `
      CREATE TABLE workers (
        id            INTEGER PRIMARY KEY,
        host          TEXT NOT NULL,
        pid           INTEGER NOT NULL,
        slots         INTEGER NOT NULL CHECK (slots >= 1),
        backend       TEXT NOT NULL,
        started_at    TEXT NOT NULL,        -- ISO 8601 UTC
        heartbeat_at  TEXT NOT NULL,        -- ISO 8601 UTC, refreshed every few seconds
        stopped_at    TEXT                  -- NULL while it runs (or until its heartbeat lapses)
      );
      ALTER TABLE runs ADD COLUMN worker_id INTEGER REFERENCES workers(id) ON DELETE SET NULL;
      CREATE INDEX runs_worker ON runs (worker_id) WHERE worker_id IS NOT NULL;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
