// Experiments: a named, validated config with tags and notes. Listing computes each
// experiment's status and run counts from its runs in one query, with filters (search,
// tags, status, dataset, optimizer, creation date), sorting (including by a final metric
// averaged over done runs) and paging; the total matching count comes with the page.
// Archived experiments are left out of the list unless asked for; deleted ones (waiting for
// their undo window to pass before they are purged) are left out of everything but restore.

import { createHash } from 'node:crypto';
import {
  type ExperimentDetail,
  type ExperimentPage,
  type ExperimentSummary,
  FINAL_METRICS,
  type FinalMetricName,
  type ParsedRequest,
} from '../../src-shared/api.ts';
import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { SqliteDatabase } from './database.ts';

export interface NewExperiment {
  readonly name: string;
  readonly dataset: string;
  readonly config: ExperimentConfig;
  readonly tags: readonly string[];
  readonly notes: string;
  readonly createdAt: string;
  /** The study whose trial this experiment is (hidden from the list by default). */
  readonly studyId?: number;
}

export interface ExperimentRepositorySync {
  insert(experiment: NewExperiment): number;
  get(id: number): ExperimentDetail | null;
  list(query: ParsedRequest<'listExperiments'>): ExperimentPage;
  update(id: number, change: { name?: string; tags?: readonly string[]; notes?: string }): void;
  count(): number;
  /** Archives (at `at`) or unarchives experiments; deleted ones are left alone. */
  setArchived(ids: readonly number[], at: string | null): void;
  /** Marks experiments deleted at `at` and holds their waiting runs (they must not start meanwhile). */
  markDeleted(ids: readonly number[], at: string): void;
  /** Of these ids, those deleted at or after `since` (still inside their undo window). */
  deletedSince(ids: readonly number[], since: string): number[];
  /** Brings deleted experiments back as they were: listed again, their waiting runs released. */
  restoreDeleted(ids: readonly number[]): void;
  /** Experiments deleted before `before`, whose undo window has passed. */
  deletedBefore(before: string): number[];
  /** Removes experiments for good (runs, metrics, checkpoints and tags go with them). */
  purge(ids: readonly number[]): void;
}

/** Key-order-independent JSON, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of the config without its free-text fields (name, description). */
export function configHash(config: ExperimentConfig): string {
  const { name: _name, description: _description, ...rest } = config;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

interface SummaryRow {
  id: number;
  name: string;
  dataset: string;
  optimizer: string;
  notes: string;
  created_at: string;
  config_hash: string;
  study_id: number | null;
  archived_at: string | null;
  tags: string;
  status: ExperimentSummary['status'];
  total: number;
  done: number;
  failed: number;
  running: number;
  best_test_acc: number | null;
  mean_test_acc: number | null;
}

function toSummary(row: SummaryRow): ExperimentSummary {
  return {
    id: row.id,
    name: row.name,
    dataset: row.dataset,
    optimizer: row.optimizer,
    // json_group_array of TEXT values: a JSON list of strings by construction.
    tags: (JSON.parse(row.tags) as string[]).sort(),
    notes: row.notes,
    createdAt: row.created_at,
    configHash: row.config_hash,
    studyId: row.study_id,
    archivedAt: row.archived_at,
    status: row.status,
    runsTotal: row.total,
    runsDone: row.done,
    runsFailed: row.failed,
    runsRunning: row.running,
    bestTestAcc: row.best_test_acc,
    meanTestAcc: row.mean_test_acc,
  };
}

// Status precedence: running > pending (incl. interrupted, which will resume) > done (all
// runs done) > failed > cancelled. Counts and means come from experiment_stats (triggers).
const SUMMARY_SELECT = `
  SELECT * FROM (
    SELECT e.id, e.name, e.dataset, e.optimizer, e.notes, e.created_at, e.config_hash, e.study_id, e.archived_at,
      (SELECT json_group_array(tag) FROM experiment_tags t WHERE t.experiment_id = e.id) AS tags,
      a.total, a.done, a.failed, a.running, a.best_test_acc, a.mean_test_acc,
      a.mean_time, a.mean_train_loss, a.mean_train_acc, a.mean_val_loss, a.mean_val_acc, a.mean_test_loss,
      a.mean_model_evals,
      CASE WHEN a.running > 0 THEN 'running'
           WHEN a.waiting > 0 THEN 'pending'
           WHEN a.done = a.total THEN 'done'
           WHEN a.failed > 0 THEN 'failed'
           ELSE 'cancelled' END AS status
    FROM experiments e JOIN experiment_stats a ON a.experiment_id = e.id
    WHERE e.deleted_at IS NULL
  ) s`;

const SORT_COLUMNS = {
  id: 'id',
  name: 'name COLLATE NOCASE',
  created: 'created_at',
  status: 'status',
  dataset: 'dataset',
  optimizer: 'optimizer',
  runs: 'total',
} as const;

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class SqliteExperimentRepository implements ExperimentRepositorySync {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  insert(experiment: NewExperiment): number {
    const result = this.db
      .prepare(
        `INSERT INTO experiments (name, dataset, optimizer, config, config_hash, notes, created_at, study_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        experiment.name,
        experiment.dataset,
        experiment.config.optimizer.type,
        JSON.stringify(experiment.config),
        configHash(experiment.config),
        experiment.notes,
        experiment.createdAt,
        experiment.studyId ?? null,
      );
    const id = Number(result.lastInsertRowid);
    this.setTags(id, experiment.tags);
    return id;
  }

  private setTags(id: number, tags: readonly string[]): void {
    this.db.prepare('DELETE FROM experiment_tags WHERE experiment_id = ?').run(id);
    const insert = this.db.prepare('INSERT OR IGNORE INTO experiment_tags (experiment_id, tag) VALUES (?, ?)');
    for (const tag of tags) insert.run(id, tag);
  }

  get(id: number): ExperimentDetail | null {
    const row = this.db.prepare(`${SUMMARY_SELECT} WHERE id = ?`).get(id) as SummaryRow | undefined;
    if (row === undefined) return null;
    const config = (this.db.prepare('SELECT config FROM experiments WHERE id = ?').get(id) as { config: string }).config;
    return { ...toSummary(row), config: JSON.parse(config) as unknown };
  }

  list(query: ParsedRequest<'listExperiments'>): ExperimentPage {
    const where: string[] = [];
    const params: (string | number)[] = [];
    // A study's trials are its own business: listed only when asked for, or by study.
    if (query.studyId !== undefined) {
      where.push('study_id = ?');
      params.push(query.studyId);
    } else if (!query.includeTrials) {
      where.push('study_id IS NULL');
    }
    // Archived experiments are hidden from the default list, shown on their own or with the rest.
    if (query.archived === 'exclude') where.push('archived_at IS NULL');
    else if (query.archived === 'only') where.push('archived_at IS NOT NULL');
    if (query.search !== undefined && query.search !== '') {
      const pattern = likePattern(query.search);
      where.push(
        `(name LIKE ? ESCAPE '\\' OR notes LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = s.id AND t.tag LIKE ? ESCAPE '\\'))`,
      );
      params.push(pattern, pattern, pattern);
    }
    for (const tag of query.tags ?? []) {
      where.push('EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = s.id AND t.tag = ?)');
      params.push(tag);
    }
    if (query.status !== undefined && query.status.length > 0) {
      where.push(`status IN (${query.status.map(() => '?').join(', ')})`);
      params.push(...query.status);
    }
    if (query.dataset !== undefined) {
      where.push('dataset = ?');
      params.push(query.dataset);
    }
    if (query.optimizer !== undefined) {
      where.push('optimizer = ?');
      params.push(query.optimizer);
    }
    // created_at is stored as ISO UTC; compare instants, not strings with offsets.
    if (query.createdFrom !== undefined) {
      where.push('created_at >= ?');
      params.push(new Date(query.createdFrom).toISOString());
    }
    if (query.createdTo !== undefined) {
      where.push('created_at <= ?');
      params.push(new Date(query.createdTo).toISOString());
    }
    const { by, metric, direction } = query.sort;
    // Only names from the schema's enums reach the SQL text.
    const column = by === 'metric' ? `mean_${metric ?? 'test_acc'}` : SORT_COLUMNS[by];
    const dir = direction === 'asc' ? 'ASC' : 'DESC';
    // Metric means are NULL until a run is done: those experiments go last either way.
    const nullsLast = by === 'metric' ? `${column} IS NULL, ` : '';
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const sql = `SELECT * FROM (${SUMMARY_SELECT}) s ${filter} ORDER BY ${nullsLast}${column} ${dir}, id ${dir} LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(...params, query.limit, query.offset) as (SummaryRow & Record<`mean_${FinalMetricName}`, number | null>)[];
    // The total needs its own count unless this page shows everything that matched.
    const total = query.offset === 0 && rows.length < query.limit ? rows.length : this.countMatching(filter, params);
    if (!query.withDetails) return { total, items: rows.map(toSummary) };
    // The configs (hyperparameter columns) and every final metric's mean (range filters).
    const configs = new Map<number, string>();
    const select = this.db.prepare('SELECT id, config FROM experiments WHERE id = ?');
    for (const row of rows) configs.set(row.id, (select.get(row.id) as { config: string }).config);
    return {
      total,
      items: rows.map((row) => ({
        ...toSummary(row),
        config: JSON.parse(configs.get(row.id) ?? 'null') as unknown,
        means: Object.fromEntries(FINAL_METRICS.map((m) => [m, row[`mean_${m}`] ?? null])) as Record<FinalMetricName, number | null>,
      })),
    };
  }

  private countMatching(filter: string, params: (string | number)[]): number {
    const sql = `SELECT count(*) AS n FROM (${SUMMARY_SELECT}) s ${filter}`;
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  update(id: number, change: { name?: string; tags?: readonly string[]; notes?: string }): void {
    if (change.name !== undefined) this.db.prepare('UPDATE experiments SET name = ? WHERE id = ?').run(change.name, id);
    if (change.notes !== undefined) this.db.prepare('UPDATE experiments SET notes = ? WHERE id = ?').run(change.notes, id);
    if (change.tags !== undefined) this.setTags(id, change.tags);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM experiments WHERE deleted_at IS NULL').get() as { n: number }).n;
  }

  setArchived(ids: readonly number[], at: string | null): void {
    const update = this.db.prepare('UPDATE experiments SET archived_at = ? WHERE id = ? AND deleted_at IS NULL');
    for (const id of ids) update.run(at, id);
  }

  markDeleted(ids: readonly number[], at: string): void {
    const mark = this.db.prepare('UPDATE experiments SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL');
    // Only experiments outside studies are deleted this way, so `held` is theirs alone to set and clear.
    const hold = this.db.prepare("UPDATE runs SET held = 1 WHERE experiment_id = ? AND status IN ('pending', 'interrupted')");
    for (const id of ids) {
      mark.run(at, id);
      hold.run(id);
    }
  }

  deletedSince(ids: readonly number[], since: string): number[] {
    const select = this.db.prepare('SELECT id FROM experiments WHERE id = ? AND deleted_at IS NOT NULL AND deleted_at >= ?');
    return ids.filter((id) => select.get(id, since) !== undefined);
  }

  restoreDeleted(ids: readonly number[]): void {
    const restore = this.db.prepare('UPDATE experiments SET deleted_at = NULL WHERE id = ?');
    const release = this.db.prepare('UPDATE runs SET held = 0 WHERE experiment_id = ?');
    for (const id of ids) {
      restore.run(id);
      release.run(id);
    }
  }

  deletedBefore(before: string): number[] {
    const rows = this.db.prepare('SELECT id FROM experiments WHERE deleted_at IS NOT NULL AND deleted_at < ? ORDER BY id').all(before) as { id: number }[];
    return rows.map((r) => r.id);
  }

  purge(ids: readonly number[]): void {
    // ON DELETE CASCADE takes runs, metrics, checkpoints, tags and stats with it.
    const remove = this.db.prepare('DELETE FROM experiments WHERE id = ? AND deleted_at IS NOT NULL');
    for (const id of ids) remove.run(id);
  }
}
