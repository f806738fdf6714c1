// Experiments: a named, validated config with tags and notes. Listing computes each
// experiment's status and run counts from its runs in one query, with filters (search,
// tags, status, dataset, optimizer, creation date), sorting (including by a final metric
// averaged over done runs) and paging; the total matching count comes with the page.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ExperimentDetail, ExperimentPage, ExperimentSummary, ParsedRequest } from '../../src-shared/api.ts';
import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { SqliteDatabase } from './database.ts';

export interface NewExperiment {
  readonly name: string;
  readonly dataset: string;
  readonly config: ExperimentConfig;
  readonly tags: readonly string[];
  readonly notes: string;
  readonly createdAt: string;
}

export interface ExperimentRepository {
  insert(experiment: NewExperiment): number;
  get(id: number): ExperimentDetail | null;
  list(query: ParsedRequest<'listExperiments'>): ExperimentPage;
  update(id: number, change: { name?: string; tags?: readonly string[]; notes?: string }): void;
  count(): number;
}

/** Key-order-independent JSON, so equal configs hash equally. */
function canonicalJson(value: unknown): string {
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
  tags: string;
  status: ExperimentSummary['status'];
  total: number;
  done: number;
  failed: number;
  running: number;
  best_test_acc: number | null;
  mean_test_acc: number | null;
  matching: number;
}

const tagList = z.array(z.string());

function toSummary(row: SummaryRow): ExperimentSummary {
  return {
    id: row.id,
    name: row.name,
    dataset: row.dataset,
    optimizer: row.optimizer,
    tags: tagList.parse(JSON.parse(row.tags)).sort(),
    notes: row.notes,
    createdAt: row.created_at,
    configHash: row.config_hash,
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
// runs done) > failed > cancelled.
const SUMMARY_SELECT = (sortMetric: string) => `
  SELECT * FROM (
    SELECT e.id, e.name, e.dataset, e.optimizer, e.notes, e.created_at, e.config_hash,
      (SELECT json_group_array(tag) FROM experiment_tags t WHERE t.experiment_id = e.id) AS tags,
      coalesce(a.total, 0) AS total, coalesce(a.done, 0) AS done, coalesce(a.failed, 0) AS failed,
      coalesce(a.running, 0) AS running, a.best_test_acc, a.mean_test_acc, a.sort_metric,
      CASE WHEN a.running > 0 THEN 'running'
           WHEN a.waiting > 0 THEN 'pending'
           WHEN coalesce(a.done, 0) = coalesce(a.total, 0) THEN 'done'
           WHEN a.failed > 0 THEN 'failed'
           ELSE 'cancelled' END AS status
    FROM experiments e
    LEFT JOIN (
      SELECT experiment_id, count(*) AS total,
        sum(status = 'done') AS done, sum(status = 'failed') AS failed, sum(status = 'running') AS running,
        sum(status IN ('pending', 'interrupted')) AS waiting,
        max(test_acc) AS best_test_acc, avg(test_acc) AS mean_test_acc, avg(${sortMetric}) AS sort_metric
      FROM runs GROUP BY experiment_id
    ) a ON a.experiment_id = e.id
  ) s`;

const SORT_COLUMNS = {
  id: 'id',
  name: 'name COLLATE NOCASE',
  created: 'created_at',
  status: 'status',
  dataset: 'dataset',
  optimizer: 'optimizer',
  runs: 'total',
  metric: 'sort_metric',
} as const;

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class SqliteExperimentRepository implements ExperimentRepository {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  insert(experiment: NewExperiment): number {
    const result = this.db
      .prepare(
        `INSERT INTO experiments (name, dataset, optimizer, config, config_hash, notes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        experiment.name,
        experiment.dataset,
        experiment.config.optimizer.type,
        JSON.stringify(experiment.config),
        configHash(experiment.config),
        experiment.notes,
        experiment.createdAt,
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
    const row = this.db.prepare(`${SUMMARY_SELECT('test_acc')} WHERE id = ?`).get(id) as (SummaryRow & { sort_metric: unknown }) | undefined;
    if (row === undefined) return null;
    const config = (this.db.prepare('SELECT config FROM experiments WHERE id = ?').get(id) as { config: string }).config;
    return { ...toSummary({ ...row, matching: 1 }), config: JSON.parse(config) as unknown };
  }

  list(query: ParsedRequest<'listExperiments'>): ExperimentPage {
    const where: string[] = [];
    const params: (string | number)[] = [];
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
    const sortMetric = metric ?? 'test_acc';
    const dir = direction === 'asc' ? 'ASC' : 'DESC';
    const sql = `SELECT *, count(*) OVER () AS matching FROM (${SUMMARY_SELECT(sortMetric)}) s
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${SORT_COLUMNS[by]} IS NULL, ${SORT_COLUMNS[by]} ${dir}, id ${dir}
      LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(...params, query.limit, query.offset) as SummaryRow[];
    const total = rows.length > 0 ? rows[0].matching : this.countMatching(where, params);
    return { total, items: rows.map(toSummary) };
  }

  private countMatching(where: string[], params: (string | number)[]): number {
    const sql = `SELECT count(*) AS n FROM (${SUMMARY_SELECT('test_acc')}) s ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}`;
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  update(id: number, change: { name?: string; tags?: readonly string[]; notes?: string }): void {
    if (change.name !== undefined) this.db.prepare('UPDATE experiments SET name = ? WHERE id = ?').run(change.name, id);
    if (change.notes !== undefined) this.db.prepare('UPDATE experiments SET notes = ? WHERE id = ?').run(change.notes, id);
    if (change.tags !== undefined) this.setTags(id, change.tags);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM experiments').get() as { n: number }).n;
  }
}
