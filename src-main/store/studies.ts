// Hyperparameter studies, their trials and the genealogy. A trial is one evaluated
// configuration (tune) or one member of one generation (GPBT/PBT), linked to the run that
// trained it and, for population members, to the checkpoint of its final weights. Lineage
// edges make the genealogy a DAG in the database: 'weights' (started from that trial's
// weights) and 'hparams' (inherited that trial's hyperparameters).

import type { SqliteDatabase } from './database.ts';

export type StudyKind = 'tune' | 'gpbt' | 'pbt';
/** created: not started yet; running / paused by a user; done, failed or cancelled: finished. */
export type StudyStatus = 'created' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';
export type TrialStatus = 'running' | 'done' | 'pruned' | 'failed' | 'stopped' | 'cancelled';
export type EdgeKind = 'weights' | 'hparams';
export type TrialParams = Readonly<Record<string, number | string | boolean>>;

export interface StudyRow {
  readonly id: number;
  readonly name: string;
  readonly kind: StudyKind;
  readonly config: unknown;
  readonly configHash: string;
  readonly status: StudyStatus;
  readonly state: unknown;
  readonly bestTrial: number | null;
  /** Why a failed study failed. */
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly trials: number;
  readonly finishedTrials: number;
}

export interface TrialRow {
  readonly id: number;
  readonly studyId: number;
  readonly number: number;
  readonly generation: number;
  readonly member: number;
  readonly params: TrialParams;
  readonly status: TrialStatus;
  readonly value: number | null;
  readonly testValue: number | null;
  readonly experimentId: number | null;
  readonly runId: number | null;
  readonly samplerId: number | null;
  readonly checkpointId: number | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface LineageEdge {
  readonly childId: number;
  readonly parentId: number;
  readonly kind: EdgeKind;
}

export interface NewTrial {
  readonly studyId: number;
  /** The trial's number in its study, assigned by the study's method (0, 1, ...). */
  readonly number: number;
  readonly generation: number;
  readonly member: number;
  readonly params: TrialParams;
  readonly samplerId: number | null;
  readonly createdAt: string;
}

export interface TrialChange {
  readonly status?: TrialStatus;
  readonly value?: number | null;
  readonly testValue?: number | null;
  readonly experimentId?: number;
  readonly runId?: number;
  readonly checkpointId?: number | null;
  readonly finishedAt?: string;
}

export interface StudyChange {
  readonly state?: unknown;
  readonly status?: StudyStatus;
  readonly bestTrial?: number | null;
  readonly error?: string | null;
  readonly finishedAt?: string | null;
}

export interface StudyRepositorySync {
  create(study: { name: string; kind: StudyKind; config: unknown; configHash: string; state: unknown; status: StudyStatus; createdAt: string }): number;
  get(id: number): StudyRow | null;
  /** The latest unfinished (created, running or paused) study of this kind and config, to resume. */
  findResumable(kind: StudyKind, configHash: string): StudyRow | null;
  list(): StudyRow[];
  /** Studies with one of these statuses, oldest first. */
  withStatus(statuses: readonly StudyStatus[]): StudyRow[];
  update(id: number, change: StudyChange): void;
  /** Deletes the study with its trials, edges and trial experiments (their runs, metrics and checkpoints). */
  delete(id: number): void;
  addTrial(trial: NewTrial): TrialRow;
  updateTrial(id: number, change: TrialChange): void;
  trial(id: number): TrialRow | null;
  trialByNumber(studyId: number, number: number): TrialRow | null;
  /** The trial a run trains, if any. */
  trialOfRun(runId: number): TrialRow | null;
  trials(studyId: number): TrialRow[];
  addEdge(childId: number, parentId: number, kind: EdgeKind): void;
  edges(studyId: number): LineageEdge[];
}

/** A study and a trial as the stores' SELECTs read them (the same columns in both). */
export interface StudyDbRow {
  id: number;
  name: string;
  kind: StudyKind;
  config: string;
  config_hash: string;
  status: StudyStatus;
  state: string | null;
  best_trial: number | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  trials: number;
  finished_trials: number;
}

export interface TrialDbRow {
  id: number;
  study_id: number;
  number: number;
  generation: number;
  member: number;
  params: string;
  status: TrialStatus;
  value: number | null;
  test_value: number | null;
  experiment_id: number | null;
  run_id: number | null;
  sampler_id: number | null;
  checkpoint_id: number | null;
  created_at: string;
  finished_at: string | null;
}

export function toStudy(row: StudyDbRow): StudyRow {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    config: JSON.parse(row.config) as unknown,
    configHash: row.config_hash,
    status: row.status,
    state: row.state === null ? null : (JSON.parse(row.state) as unknown),
    bestTrial: row.best_trial,
    error: row.error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    trials: row.trials,
    finishedTrials: row.finished_trials,
  };
}

export function toTrial(row: TrialDbRow): TrialRow {
  return {
    id: row.id,
    studyId: row.study_id,
    number: row.number,
    generation: row.generation,
    member: row.member,
    params: JSON.parse(row.params) as TrialParams,
    status: row.status,
    value: row.value,
    testValue: row.test_value,
    experimentId: row.experiment_id,
    runId: row.run_id,
    samplerId: row.sampler_id,
    checkpointId: row.checkpoint_id,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

const STUDY_SELECT = `SELECT s.*,
    (SELECT count(*) FROM trials t WHERE t.study_id = s.id) AS trials,
    (SELECT count(*) FROM trials t WHERE t.study_id = s.id AND t.status <> 'running') AS finished_trials
  FROM studies s`;

export class SqliteStudyRepository implements StudyRepositorySync {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  create(study: { name: string; kind: StudyKind; config: unknown; configHash: string; state: unknown; status: StudyStatus; createdAt: string }): number {
    const result = this.db
      .prepare('INSERT INTO studies (name, kind, config, config_hash, status, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(study.name, study.kind, JSON.stringify(study.config), study.configHash, study.status, JSON.stringify(study.state), study.createdAt);
    return Number(result.lastInsertRowid);
  }

  get(id: number): StudyRow | null {
    const row = this.db.prepare(`${STUDY_SELECT} WHERE s.id = ?`).get(id) as StudyDbRow | undefined;
    return row === undefined ? null : toStudy(row);
  }

  findResumable(kind: StudyKind, configHash: string): StudyRow | null {
    const row = this.db
      .prepare(`${STUDY_SELECT} WHERE s.kind = ? AND s.config_hash = ? AND s.status IN ('created', 'running', 'paused') ORDER BY s.id DESC LIMIT 1`)
      .get(kind, configHash) as StudyDbRow | undefined;
    return row === undefined ? null : toStudy(row);
  }

  list(): StudyRow[] {
    return (this.db.prepare(`${STUDY_SELECT} ORDER BY s.id`).all() as StudyDbRow[]).map(toStudy);
  }

  withStatus(statuses: readonly StudyStatus[]): StudyRow[] {
    if (statuses.length === 0) return [];
    const rows = this.db.prepare(`${STUDY_SELECT} WHERE s.status IN (${statuses.map(() => '?').join(', ')}) ORDER BY s.id`).all(...statuses) as StudyDbRow[];
    return rows.map(toStudy);
  }

  update(id: number, change: StudyChange): void {
    if (change.state !== undefined) this.db.prepare('UPDATE studies SET state = ? WHERE id = ?').run(JSON.stringify(change.state), id);
    if (change.status !== undefined) this.db.prepare('UPDATE studies SET status = ? WHERE id = ?').run(change.status, id);
    if (change.bestTrial !== undefined) this.db.prepare('UPDATE studies SET best_trial = ? WHERE id = ?').run(change.bestTrial, id);
    if (change.error !== undefined) this.db.prepare('UPDATE studies SET error = ? WHERE id = ?').run(change.error, id);
    if (change.finishedAt !== undefined) this.db.prepare('UPDATE studies SET finished_at = ? WHERE id = ?').run(change.finishedAt, id);
  }

  delete(id: number): void {
    // Trial experiments first (their runs, metrics and checkpoints cascade), then the study
    // (its trials and lineage edges cascade).
    this.db.prepare('DELETE FROM experiments WHERE study_id = ?').run(id);
    this.db.prepare('DELETE FROM studies WHERE id = ?').run(id);
  }

  addTrial(trial: NewTrial): TrialRow {
    const number = trial.number;
    const result = this.db
      .prepare(
        `INSERT INTO trials (study_id, number, generation, member, params, status, sampler_id, created_at)
         VALUES (?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(trial.studyId, number, trial.generation, trial.member, JSON.stringify(trial.params), trial.samplerId, trial.createdAt);
    const row = this.trial(Number(result.lastInsertRowid));
    if (row === null) throw new Error('trial vanished after insert');
    return row;
  }

  updateTrial(id: number, change: TrialChange): void {
    const columns: [keyof TrialChange, string][] = [
      ['status', 'status'],
      ['value', 'value'],
      ['testValue', 'test_value'],
      ['experimentId', 'experiment_id'],
      ['runId', 'run_id'],
      ['checkpointId', 'checkpoint_id'],
      ['finishedAt', 'finished_at'],
    ];
    for (const [key, column] of columns) {
      const value = change[key];
      if (value === undefined) continue;
      const stored = typeof value === 'number' && !Number.isFinite(value) ? null : value;
      this.db.prepare(`UPDATE trials SET ${column} = ? WHERE id = ?`).run(stored, id);
    }
  }

  trial(id: number): TrialRow | null {
    const row = this.db.prepare('SELECT * FROM trials WHERE id = ?').get(id) as TrialDbRow | undefined;
    return row === undefined ? null : toTrial(row);
  }

  trialByNumber(studyId: number, number: number): TrialRow | null {
    const row = this.db.prepare('SELECT * FROM trials WHERE study_id = ? AND number = ?').get(studyId, number) as TrialDbRow | undefined;
    return row === undefined ? null : toTrial(row);
  }

  trialOfRun(runId: number): TrialRow | null {
    const row = this.db.prepare('SELECT * FROM trials WHERE run_id = ?').get(runId) as TrialDbRow | undefined;
    return row === undefined ? null : toTrial(row);
  }

  trials(studyId: number): TrialRow[] {
    return (this.db.prepare('SELECT * FROM trials WHERE study_id = ? ORDER BY number').all(studyId) as TrialDbRow[]).map(toTrial);
  }

  addEdge(childId: number, parentId: number, kind: EdgeKind): void {
    this.db.prepare('INSERT OR IGNORE INTO lineage_edges (child_id, parent_id, kind) VALUES (?, ?, ?)').run(childId, parentId, kind);
  }

  edges(studyId: number): LineageEdge[] {
    return this.db
      .prepare(
        `SELECT e.child_id AS childId, e.parent_id AS parentId, e.kind FROM lineage_edges e
         JOIN trials t ON t.id = e.child_id WHERE t.study_id = ? ORDER BY e.child_id, e.parent_id, e.kind`,
      )
      .all(studyId) as LineageEdge[];
  }
}
