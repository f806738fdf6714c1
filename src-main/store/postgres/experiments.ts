// Experiments on PostgreSQL: the same queries as ../experiments.ts (SQLite), answering the
// same. Counts and means come from experiment_stats, kept current by triggers
// (migrations.ts). Where the two dialects differ: tags are aggregated into an array rather
// than a JSON list; SQLite's ASCII-only case folding (LIKE, COLLATE NOCASE) is lower() on
// "C"-collated text, which folds ASCII only too; NULL means sort last either way, as there.

import {
  type ExperimentDetail,
  type ExperimentPage,
  type ExperimentSummary,
  FINAL_METRICS,
  type FinalMetricName,
  type ParsedRequest,
} from '../../../src-shared/api.ts';
import type { ExperimentRepository } from '../contract.ts';
import { configHash, type NewExperiment } from '../experiments.ts';
import { type PostgresDatabase, Placeholders, type SqlValue } from './database.ts';

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
  tags: string[];
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
    // Sorted as SQLite's repository sorts its parsed JSON list: by JS string order.
    tags: [...row.tags].sort(),
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
// runs done) > failed > cancelled.
const SUMMARY_SELECT = `
  SELECT * FROM (
    SELECT e.id, e.name, e.dataset, e.optimizer, e.notes, e.created_at, e.config_hash, e.study_id, e.archived_at,
      ARRAY(SELECT t.tag FROM experiment_tags t WHERE t.experiment_id = e.id) AS tags,
      a.total, a.done, a.failed, a.running, a.best_test_acc, a.mean_test_acc,
      a.mean_time, a.mean_train_loss, a.mean_train_acc, a.mean_val_loss, a.mean_val_acc, a.mean_test_loss,
      a.mean_model_evals,
      CASE WHEN a.running > 0 THEN 'running'
           WHEN a.waiting > 0 THEN 'pending'
           WHEN a.done = a.total THEN 'done'
           WHEN a.failed > 0 THEN 'failed'
           ELSE 'cancelled' END COLLATE "C" AS status
    FROM experiments e JOIN experiment_stats a ON a.experiment_id = e.id
    WHERE e.deleted_at IS NULL
  ) s`;

// The text columns are COLLATE "C" (byte order, as SQLite's BINARY); lower() of such text folds
// ASCII letters only, as SQLite's NOCASE does.
const SORT_COLUMNS = {
  id: 'id',
  name: 'lower(name)',
  created: 'created_at',
  status: 'status',
  dataset: 'dataset',
  optimizer: 'optimizer',
  runs: 'total',
} as const;

/** SQLite's LIKE folds ASCII letters only: the pattern is folded the same way, the text by lower() on "C" text. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/[A-Z]/g, (c) => c.toLowerCase())}%`;
}

export class PostgresExperimentRepository implements ExperimentRepository {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async insert(experiment: NewExperiment): Promise<number> {
    // One statement (one round trip): the experiment, then its tags.
    const rows = await this.db.query<{ id: number }>(
      `WITH inserted AS (
         INSERT INTO experiments (name, dataset, optimizer, config, config_hash, notes, created_at, study_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
       ), tagged AS (
         INSERT INTO experiment_tags (experiment_id, tag) SELECT inserted.id, tag FROM inserted, unnest($9::text[]) AS tag ON CONFLICT DO NOTHING
       )
       SELECT id FROM inserted`,
      [
        experiment.name,
        experiment.dataset,
        experiment.config.optimizer.type,
        JSON.stringify(experiment.config),
        configHash(experiment.config),
        experiment.notes,
        experiment.createdAt,
        experiment.studyId ?? null,
        [...new Set(experiment.tags)],
      ],
    );
    return rows[0].id;
  }

  private async setTags(id: number, tags: readonly string[]): Promise<void> {
    await this.db.execute('DELETE FROM experiment_tags WHERE experiment_id = $1', [id]);
    if (tags.length === 0) return;
    await this.db.execute('INSERT INTO experiment_tags (experiment_id, tag) SELECT $1::bigint, unnest($2::text[]) ON CONFLICT DO NOTHING', [
      id,
      [...new Set(tags)],
    ]);
  }

  async get(id: number): Promise<ExperimentDetail | null> {
    const row = await this.db.one<SummaryRow & { config: string | null }>(
      `SELECT s.*, (SELECT x.config FROM experiments x WHERE x.id = s.id) AS config FROM (${SUMMARY_SELECT}) s WHERE s.id = $1`,
      [id],
    );
    if (row === null || row.config === null) return null;
    return { ...toSummary(row), config: JSON.parse(row.config) as unknown };
  }

  async list(query: ParsedRequest<'listExperiments'>): Promise<ExperimentPage> {
    const where: string[] = [];
    const params = new Placeholders();
    // A study's trials are its own business: listed only when asked for, or by study.
    if (query.studyId !== undefined) where.push(`study_id = ${params.add(query.studyId)}`);
    else if (!query.includeTrials) where.push('study_id IS NULL');
    // Archived experiments are hidden from the default list, shown on their own or with the rest.
    if (query.archived === 'exclude') where.push('archived_at IS NULL');
    else if (query.archived === 'only') where.push('archived_at IS NOT NULL');
    if (query.search !== undefined && query.search !== '') {
      const pattern = params.add(likePattern(query.search));
      where.push(
        `(lower(name) LIKE ${pattern} OR lower(notes) LIKE ${pattern} OR EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = s.id AND lower(t.tag) LIKE ${pattern}))`,
      );
    }
    for (const tag of query.tags ?? []) {
      where.push(`EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = s.id AND t.tag = ${params.add(tag)})`);
    }
    if (query.status !== undefined && query.status.length > 0) where.push(`status = ANY (${params.add(query.status)}::text[])`);
    if (query.dataset !== undefined) where.push(`dataset = ${params.add(query.dataset)}`);
    if (query.optimizer !== undefined) where.push(`optimizer = ${params.add(query.optimizer)}`);
    // created_at is stored as ISO UTC; compare instants, not strings with offsets.
    if (query.createdFrom !== undefined) where.push(`created_at >= ${params.add(new Date(query.createdFrom).toISOString())}`);
    if (query.createdTo !== undefined) where.push(`created_at <= ${params.add(new Date(query.createdTo).toISOString())}`);
    const { by, metric, direction } = query.sort;
    // Only names from the schema's enums reach the SQL text.
    const column = by === 'metric' ? `mean_${metric ?? 'test_acc'}` : SORT_COLUMNS[by];
    const dir = direction === 'asc' ? 'ASC' : 'DESC';
    // Metric means are NULL until a run is done: those experiments go last either way.
    const nullsLast = by === 'metric' ? `${column} IS NULL, ` : '';
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const filterParams = [...params.values];
    const sql = `SELECT * FROM (${SUMMARY_SELECT}) s ${filter} ORDER BY ${nullsLast}${column} ${dir}, id ${dir} LIMIT ${params.add(query.limit)} OFFSET ${params.add(query.offset)}`;
    const rows = await this.db.query<SummaryRow & Record<`mean_${FinalMetricName}`, number | null>>(sql, params.values);
    // The total needs its own count unless this page shows everything that matched.
    const total = query.offset === 0 && rows.length < query.limit ? rows.length : await this.countMatching(filter, filterParams);
    if (!query.withDetails) return { total, items: rows.map(toSummary) };
    // The configs (hyperparameter columns) and every final metric's mean (range filters).
    const configs = new Map<number, string>();
    if (rows.length > 0) {
      const found = await this.db.query<{ id: number; config: string }>('SELECT id, config FROM experiments WHERE id = ANY ($1::bigint[])', [
        rows.map((r) => r.id),
      ]);
      for (const row of found) configs.set(row.id, row.config);
    }
    return {
      total,
      items: rows.map((row) => ({
        ...toSummary(row),
        config: JSON.parse(configs.get(row.id) ?? 'null') as unknown,
        means: Object.fromEntries(FINAL_METRICS.map((m) => [m, row[`mean_${m}`] ?? null])) as Record<FinalMetricName, number | null>,
      })),
    };
  }

  private async countMatching(filter: string, params: SqlValue[]): Promise<number> {
    const row = await this.db.one<{ n: number }>(`SELECT count(*) AS n FROM (${SUMMARY_SELECT}) s ${filter}`, params);
    return row?.n ?? 0;
  }

  update(id: number, change: { name?: string; tags?: readonly string[]; notes?: string }): Promise<void> {
    return this.db.atomic(async () => {
      if (change.name !== undefined) await this.db.execute('UPDATE experiments SET name = $1 WHERE id = $2', [change.name, id]);
      if (change.notes !== undefined) await this.db.execute('UPDATE experiments SET notes = $1 WHERE id = $2', [change.notes, id]);
      if (change.tags !== undefined) await this.setTags(id, change.tags);
    });
  }

  async count(): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT count(*) AS n FROM experiments WHERE deleted_at IS NULL'))?.n ?? 0;
  }

  async setArchived(ids: readonly number[], at: string | null): Promise<void> {
    await this.db.execute('UPDATE experiments SET archived_at = $1 WHERE id = ANY ($2::bigint[]) AND deleted_at IS NULL', [at, ids]);
  }

  markDeleted(ids: readonly number[], at: string): Promise<void> {
    return this.db.atomic(async () => {
      await this.db.execute('UPDATE experiments SET deleted_at = $1 WHERE id = ANY ($2::bigint[]) AND deleted_at IS NULL', [at, ids]);
      // Only experiments outside studies are deleted this way, so `held` is theirs alone to set and clear.
      await this.db.execute("UPDATE runs SET held = 1 WHERE experiment_id = ANY ($1::bigint[]) AND status IN ('pending', 'interrupted')", [ids]);
    });
  }

  async deletedSince(ids: readonly number[], since: string): Promise<number[]> {
    const rows = await this.db.query<{ id: number }>(
      'SELECT id FROM experiments WHERE id = ANY ($1::bigint[]) AND deleted_at IS NOT NULL AND deleted_at >= $2',
      [ids, since],
    );
    const found = new Set(rows.map((r) => r.id));
    // In the order asked, repeats kept, as SQLite's repository answers.
    return ids.filter((id) => found.has(id));
  }

  restoreDeleted(ids: readonly number[]): Promise<void> {
    return this.db.atomic(async () => {
      await this.db.execute('UPDATE experiments SET deleted_at = NULL WHERE id = ANY ($1::bigint[])', [ids]);
      await this.db.execute('UPDATE runs SET held = 0 WHERE experiment_id = ANY ($1::bigint[])', [ids]);
    });
  }

  async deletedBefore(before: string): Promise<number[]> {
    const rows = await this.db.query<{ id: number }>('SELECT id FROM experiments WHERE deleted_at IS NOT NULL AND deleted_at < $1 ORDER BY id', [before]);
    return rows.map((r) => r.id);
  }

  async purge(ids: readonly number[]): Promise<void> {
    // ON DELETE CASCADE takes runs, metrics, checkpoints, tags and stats with it.
    await this.db.execute('DELETE FROM experiments WHERE id = ANY ($1::bigint[]) AND deleted_at IS NOT NULL', [ids]);
  }
}
