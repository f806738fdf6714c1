// Result files as experiments of the database: one experiment per `<dataset>.<optimizer>.csv`
// of a folder, tagged `imported` and `import:NAME`, with its runs done, their final metrics,
// and their per-epoch metrics when the `.epochs.csv` file is there. The config comes from
// `.meta.json` when present. Each file is imported in one transaction, so a failure never
// leaves half a file behind. Used by `evolab import` and by the AppApi's importResults.

import { join } from 'node:path';
import { parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { ResultGroup } from '../../src-shared/stats/comparison.ts';
import type { Store } from '../store/store.ts';
import type { ResultMeta } from './read-results.ts';

/** The validated config of a group's .meta.json, or null when there is none (or it is not valid). */
function metaConfig(meta: ResultMeta | undefined): ReturnType<typeof parseExperimentConfig> | null {
  if (meta === undefined) return null;
  try {
    return parseExperimentConfig(meta.config);
  } catch {
    return null;
  }
}

/** Stores one result group (read by read-results.ts, with its .meta.json when there was one). */
export function importGroup(store: Store, folder: string, group: ResultGroup, name: string, meta: ResultMeta | undefined): Promise<number> {
  const now = new Date().toISOString();
  const config = metaConfig(meta);
  return store.write(async () => {
    // Imported experiments keep what is known; an unknown config is recorded as such.
    const id = await store.experiments.insert({
      name: `${name}: ${group.dataset}.${group.optimizer}`,
      dataset: group.dataset,
      config: config ?? ({ imported: group.source, optimizer: { type: group.optimizer } } as unknown as ReturnType<typeof parseExperimentConfig>),
      tags: ['imported', `import:${name}`],
      notes: `imported from ${join(folder, group.source)} on ${now}${config === null ? ' (no .meta.json: config unknown)' : ''}`,
      createdAt: now,
    });
    const runs = [...group.runs].sort((a, b) => a.index - b.index);
    for (const run of runs) {
      const runId = await store.runs.insertOne(id, run.index, 0, 0, false, now, run.index);
      const m = run.metrics;
      const epochs = (group.epochs ?? []).filter((e) => e.run === run.index);
      for (const e of epochs) await store.metrics.insertEpoch(runId, e.epoch, e.metrics);
      await store.runs.markDone(
        runId,
        {
          time: m.time,
          final: { train_loss: m.train_loss, train_acc: m.train_acc, val_loss: m.val_loss, val_acc: m.val_acc, test_loss: m.test_loss, test_acc: m.test_acc },
          modelEvals: m.model_evals,
          gradEvals: 0,
          epochsRun: epochs.length,
          bestEpoch: 0,
          stoppedEarly: false,
        },
        now,
      );
    }
    return id;
  });
}
