// Studies, trials and lineage edges on PostgreSQL, as ../studies.ts (SQLite). JSON (config,
// state, params) is stored as the text JSON.stringify makes and parsed on the way out, so
// both stores return the same values.

import type { StudyRepository } from '../contract.ts';
import {
  type EdgeKind,
  type LineageEdge,
  type NewTrial,
  type StudyChange,
  type StudyDbRow,
  type StudyKind,
  type StudyRow,
  type StudyStatus,
  type TrialChange,
  type TrialDbRow,
  type TrialRow,
  toStudy,
  toTrial,
} from '../studies.ts';
import { type PostgresDatabase, Placeholders, type SqlValue } from './database.ts';

const STUDY_SELECT = `SELECT s.*,
    (SELECT count(*) FROM trials t WHERE t.study_id = s.id) AS trials,
    (SELECT count(*) FROM trials t WHERE t.study_id = s.id AND t.status <> 'running') AS finished_trials
  FROM studies s`;

const TRIAL_COLUMNS: readonly (readonly [keyof TrialChange, string])[] = [
  ['status', 'status'],
  ['value', 'value'],
  ['testValue', 'test_value'],
  ['experimentId', 'experiment_id'],
  ['runId', 'run_id'],
  ['checkpointId', 'checkpoint_id'],
  ['finishedAt', 'finished_at'],
];

export class PostgresStudyRepository implements StudyRepository {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async create(study: {
    name: string;
    kind: StudyKind;
    config: unknown;
    configHash: string;
    state: unknown;
    status: StudyStatus;
    createdAt: string;
  }): Promise<number> {
    const rows = await this.db.query<{ id: number }>(
      'INSERT INTO studies (name, kind, config, config_hash, status, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
      [study.name, study.kind, JSON.stringify(study.config), study.configHash, study.status, JSON.stringify(study.state) ?? null, study.createdAt],
    );
    return rows[0].id;
  }

  async get(id: number): Promise<StudyRow | null> {
    const row = await this.db.one<StudyDbRow>(`${STUDY_SELECT} WHERE s.id = $1`, [id]);
    return row === null ? null : toStudy(row);
  }

  async findResumable(kind: StudyKind, configHash: string): Promise<StudyRow | null> {
    const row = await this.db.one<StudyDbRow>(
      `${STUDY_SELECT} WHERE s.kind = $1 AND s.config_hash = $2 AND s.status IN ('created', 'running', 'paused') ORDER BY s.id DESC LIMIT 1`,
      [kind, configHash],
    );
    return row === null ? null : toStudy(row);
  }

  async list(): Promise<StudyRow[]> {
    return (await this.db.query<StudyDbRow>(`${STUDY_SELECT} ORDER BY s.id`)).map(toStudy);
  }

  async withStatus(statuses: readonly StudyStatus[]): Promise<StudyRow[]> {
    if (statuses.length === 0) return [];
    const rows = await this.db.query<StudyDbRow>(`${STUDY_SELECT} WHERE s.status = ANY ($1::text[]) ORDER BY s.id`, [statuses]);
    return rows.map(toStudy);
  }

  async update(id: number, change: StudyChange): Promise<void> {
    // One statement for every field given (SQLite's repository runs one per field, in one unit as well).
    const set: string[] = [];
    const params = new Placeholders();
    if (change.state !== undefined) set.push(`state = ${params.add(JSON.stringify(change.state))}`);
    if (change.status !== undefined) set.push(`status = ${params.add(change.status)}`);
    if (change.bestTrial !== undefined) set.push(`best_trial = ${params.add(change.bestTrial)}`);
    if (change.error !== undefined) set.push(`error = ${params.add(change.error)}`);
    if (change.finishedAt !== undefined) set.push(`finished_at = ${params.add(change.finishedAt)}`);
    if (set.length === 0) return;
    await this.db.execute(`UPDATE studies SET ${set.join(', ')} WHERE id = ${params.add(id)}`, params.values);
  }

  delete(id: number): Promise<void> {
    return this.db.atomic(async () => {
      // Trial experiments first (their runs, metrics and checkpoints cascade), then the study
      // (its trials and lineage edges cascade).
      await this.db.execute('DELETE FROM experiments WHERE study_id = $1', [id]);
      await this.db.execute('DELETE FROM studies WHERE id = $1', [id]);
    });
  }

  async addTrial(trial: NewTrial): Promise<TrialRow> {
    const rows = await this.db.query<TrialDbRow>(
      `INSERT INTO trials (study_id, number, generation, member, params, status, sampler_id, created_at)
       VALUES ($1, $2, $3, $4, $5, 'running', $6, $7) RETURNING *`,
      [trial.studyId, trial.number, trial.generation, trial.member, JSON.stringify(trial.params), trial.samplerId, trial.createdAt],
    );
    return toTrial(rows[0]);
  }

  async updateTrial(id: number, change: TrialChange): Promise<void> {
    const set: string[] = [];
    const params = new Placeholders();
    for (const [key, column] of TRIAL_COLUMNS) {
      const value = change[key];
      if (value === undefined) continue;
      const stored: SqlValue = typeof value === 'number' && !Number.isFinite(value) ? null : value;
      set.push(`${column} = ${params.add(stored)}`);
    }
    if (set.length === 0) return;
    await this.db.execute(`UPDATE trials SET ${set.join(', ')} WHERE id = ${params.add(id)}`, params.values);
  }

  async trial(id: number): Promise<TrialRow | null> {
    const row = await this.db.one<TrialDbRow>('SELECT * FROM trials WHERE id = $1', [id]);
    return row === null ? null : toTrial(row);
  }

  async trialByNumber(studyId: number, number: number): Promise<TrialRow | null> {
    const row = await this.db.one<TrialDbRow>('SELECT * FROM trials WHERE study_id = $1 AND number = $2', [studyId, number]);
    return row === null ? null : toTrial(row);
  }

  async trialOfRun(runId: number): Promise<TrialRow | null> {
    // SQLite answers the first in index order (trials_run: the lowest id).
    const row = await this.db.one<TrialDbRow>('SELECT * FROM trials WHERE run_id = $1 ORDER BY id LIMIT 1', [runId]);
    return row === null ? null : toTrial(row);
  }

  async trials(studyId: number): Promise<TrialRow[]> {
    return (await this.db.query<TrialDbRow>('SELECT * FROM trials WHERE study_id = $1 ORDER BY number', [studyId])).map(toTrial);
  }

  async addEdge(childId: number, parentId: number, kind: EdgeKind): Promise<void> {
    await this.db.execute('INSERT INTO lineage_edges (child_id, parent_id, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [childId, parentId, kind]);
  }

  edges(studyId: number): Promise<LineageEdge[]> {
    return this.db.query<LineageEdge>(
      `SELECT e.child_id AS "childId", e.parent_id AS "parentId", e.kind FROM lineage_edges e
       JOIN trials t ON t.id = e.child_id WHERE t.study_id = $1 ORDER BY e.child_id, e.parent_id, e.kind`,
      [studyId],
    );
  }
}
