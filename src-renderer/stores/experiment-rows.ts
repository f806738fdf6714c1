// The rows of the experiments list: the experiments the service returned, and each study as
// one row of its own (its trial experiments are left out unless asked for). Studies follow
// the list's search and status filter (a study's status read as an experiment's); a filter
// on a data set, optimizer or tag, which a study does not have, hides them. They sit among
// the experiments by creation date or name when the list is sorted so, else on top.

import type { ExperimentStatus, ExperimentSummary, StudySummary } from '../../src-shared/api.ts';

export type ListRow = { readonly kind: 'experiment'; readonly experiment: ExperimentSummary } | { readonly kind: 'study'; readonly study: StudySummary };

export interface RowQuery {
  readonly search: string;
  readonly status: ExperimentStatus | '';
  /** Any filter a study cannot match (data set, optimizer, tag). */
  readonly otherFilter: boolean;
  readonly sortBy: string;
  readonly direction: 'asc' | 'desc';
}

/** A study's status in the experiments' terms (created and paused studies wait, like pending runs). */
export function studyAsExperimentStatus(status: StudySummary['status']): ExperimentStatus {
  return status === 'created' || status === 'paused' ? 'pending' : status;
}

function matches(study: StudySummary, query: RowQuery): boolean {
  if (query.otherFilter) return false;
  if (query.status !== '' && studyAsExperimentStatus(study.status) !== query.status) return false;
  const search = query.search.trim().toLowerCase();
  return search === '' || study.name.toLowerCase().includes(search) || study.method.toLowerCase().includes(search);
}

/** Experiments and studies as one list, in the list's order. */
export function listRows(experiments: readonly ExperimentSummary[], studies: readonly StudySummary[], query: RowQuery): ListRow[] {
  const experimentRows = experiments.map((experiment): ListRow => ({ kind: 'experiment', experiment }));
  const studyRows = studies.filter((s) => matches(s, query)).map((study): ListRow => ({ kind: 'study', study }));
  if (studyRows.length === 0) return experimentRows;
  const keyOf =
    query.sortBy === 'created'
      ? (r: ListRow) => (r.kind === 'study' ? r.study.createdAt : r.experiment.createdAt)
      : query.sortBy === 'name'
        ? (r: ListRow) => (r.kind === 'study' ? r.study.name : r.experiment.name).toLowerCase()
        : null;
  if (keyOf === null) return [...studyRows, ...experimentRows];
  const sign = query.direction === 'asc' ? 1 : -1;
  const sortedStudies = [...studyRows].sort((a, b) => sign * keyOf(a).localeCompare(keyOf(b)));
  // Merge: the experiments keep the service's order; each study goes before the first experiment it precedes.
  const rows: ListRow[] = [];
  let s = 0;
  for (const row of experimentRows) {
    while (s < sortedStudies.length && sign * keyOf(sortedStudies[s]).localeCompare(keyOf(row)) <= 0) rows.push(sortedStudies[s++]);
    rows.push(row);
  }
  return [...rows, ...sortedStudies.slice(s)];
}

/** The key of a row, unique across both kinds (for Vue's :key). */
export function rowKeyOf(row: ListRow): string {
  return row.kind === 'study' ? `s${row.study.id}` : `e${row.experiment.id}`;
}
