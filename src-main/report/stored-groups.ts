// Experiments in the database as result groups for comparisons and reports: the done runs'
// final metrics (by run index) and their per-epoch metrics, labelled by experiment name; and
// for the report, each experiment's description: its name, its optimizer's type (from the
// config; imported experiments keep the file's optimizer there), its config and the seeds.

import { EPOCH_METRICS } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { recordFromWire } from '../../src-shared/metric-codec.ts';
import type { ResultEpoch, ResultGroup, ResultRun } from '../../src-shared/stats/comparison.ts';
import type { Store } from '../store/store.ts';
import type { GroupDescription } from './html-report.ts';

export interface StoredGroups {
  readonly groups: ResultGroup[];
  readonly configs: Map<string, unknown>;
  readonly backends: string[];
  readonly descriptions: GroupDescription[];
}

export async function storedGroups(store: Store, experimentIds: readonly number[]): Promise<StoredGroups> {
  const groups: ResultGroup[] = [];
  const configs = new Map<string, unknown>();
  const backends = new Set<string>();
  const descriptions: GroupDescription[] = [];
  const names = new Map<string, number>();
  for (const id of experimentIds) {
    const experiment = await store.experiments.get(id);
    if (experiment === null) throw new ApiError('not_found', `experiment ${id} does not exist`, 'experiment');
    names.set(experiment.name, (names.get(experiment.name) ?? 0) + 1);
  }
  for (const id of experimentIds) {
    const experiment = await store.experiments.get(id);
    if (experiment === null) continue;
    const label = (names.get(experiment.name) ?? 0) > 1 ? `${experiment.name} (#${id})` : experiment.name;
    const runs: ResultRun[] = [];
    const epochs: ResultEpoch[] = [];
    const seeds: number[] = [];
    for (const run of (await store.runs.list({ experimentId: id, limit: 10_000, offset: 0, status: ['done'] })).items) {
      if (run.final === null) continue;
      if (run.backend !== null) backends.add(run.backend);
      runs.push({ index: run.index, metrics: recordFromWire(run.final) });
      seeds.push(run.seed);
      const series = await store.metrics.series(run.id, EPOCH_METRICS);
      const first = series.get('val_loss') ?? { epochs: [], values: [] };
      first.epochs.forEach((epoch, i) => {
        const values: Record<string, number> = {};
        for (const name of EPOCH_METRICS) {
          const column = series.get(name);
          const value = column?.epochs[i] === epoch ? column.values[i] : null;
          if (value !== null && value !== undefined) values[name] = value;
        }
        epochs.push({ run: run.index, epoch, metrics: values });
      });
    }
    const source = `experiment ${id}`;
    groups.push({ dataset: experiment.dataset, optimizer: label, source, runs, epochs: epochs.length > 0 ? epochs : null });
    configs.set(`${source}: ${experiment.name}`, experiment.config);
    const type = (experiment.config as { optimizer?: { type?: unknown } }).optimizer?.type;
    descriptions.push({ source, experiment: experiment.name, optimizer: typeof type === 'string' ? type : 'unknown', config: experiment.config, seeds });
  }
  return { groups, configs, backends: [...backends], descriptions };
}
