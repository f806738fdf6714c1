// `evolab study ls | show ID | best ID --out FILE | genealogy ID --format json|csv --out FILE`:
// the studies in the database, their trials, the best configuration (and, for GPBT/PBT, the
// hyperparameter schedule along the winner's lineage), and the genealogy as JSON or CSV edges.

import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { ApiError } from '../../src-shared/api-errors.ts';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import { SearchSpace } from '../hpo/space.ts';
import type { Store } from '../store/store.ts';
import type { StudyRow, TrialRow } from '../store/studies.ts';
import { databaseOption, type DatabaseOptions, withServices } from './database-option.ts';
import { positiveInteger } from './options.ts';
import { formatNumber, textTable } from './text-table.ts';

export function trialTable(trials: readonly TrialRow[], metric: string): string {
  const rows = trials.map((t) => [
    String(t.number),
    String(t.generation),
    t.status,
    formatNumber(t.value),
    formatNumber(t.testValue),
    t.runId === null ? '-' : String(t.runId),
    Object.entries(t.params)
      .map(([k, v]) => `${k.split('.').pop()}=${typeof v === 'number' ? formatNumber(v) : String(v)}`)
      .join(' '),
  ]);
  return textTable(['trial', 'gen', 'status', metric, `test_${metric.replace(/^(val|test|train)_/, '')}`, 'run', 'params'], rows, 0);
}

function studyOf(store: Store, id: number): StudyRow {
  const study = store.studies.get(id);
  if (study === null) throw ApiError.notFound('study', id);
  return study;
}

/** The best trial's lineage (root first), following 'weights' edges. */
export function lineage(store: Store, study: StudyRow, trialId: number): TrialRow[] {
  const trials = new Map(store.studies.trials(study.id).map((t) => [t.id, t]));
  const edges = store.studies.edges(study.id).filter((e) => e.kind === 'weights');
  const chain: TrialRow[] = [];
  for (let id: number | undefined = trialId; id !== undefined; id = edges.find((e) => e.childId === id)?.parentId) {
    const trial = trials.get(id);
    if (trial === undefined) break;
    chain.unshift(trial);
  }
  return chain;
}

export function registerStudyCommand(program: Command): void {
  const study = program.command('study').description('hyperparameter studies: list, trials, best configuration, genealogy');

  study
    .command('ls')
    .description('every study with its kind, status and trial counts')
    .addOption(databaseOption())
    .action(async (options: DatabaseOptions) => {
      await withServices(options, async ({ store }) => {
        const rows = store.studies.list().map((s) => [String(s.id), s.name, s.kind, s.status, `${s.finishedTrials}/${s.trials}`, s.bestTrial === null ? '-' : String(s.bestTrial), s.createdAt]);
        process.stdout.write(`${textTable(['study', 'name', 'kind', 'status', 'trials', 'best', 'created'], rows, 4)}\n`);
      });
    });

  study
    .command('show')
    .description('the trials of a study')
    .argument('<id>', 'study id', positiveInteger)
    .addOption(databaseOption())
    .action(async (id: number, options: DatabaseOptions) => {
      await withServices(options, async ({ store }) => {
        const row = studyOf(store, id);
        const config = row.config as StudyConfig;
        process.stdout.write(`study ${row.id} "${row.name}" (${row.kind}, ${row.status}): ${config.objective.direction} ${config.objective.metric}\n\n`);
        process.stdout.write(`${trialTable(store.studies.trials(id), config.objective.metric)}\n`);
      });
    });

  study
    .command('best')
    .description('the best trial: its experiment config (and the HP schedule of its lineage for GPBT/PBT)')
    .argument('<id>', 'study id', positiveInteger)
    .option('-o, --out <file>', 'write the best experiment config to this file')
    .addOption(databaseOption())
    .action(async (id: number, options: DatabaseOptions & { out?: string }) => {
      await withServices(options, async ({ store }) => {
        const row = studyOf(store, id);
        if (row.bestTrial === null) throw new ApiError('conflict', `study ${id} has no finished best trial yet`, 'id');
        const best = store.studies.trial(row.bestTrial);
        if (best === null) throw ApiError.notFound('trial', row.bestTrial);
        const config = row.config as StudyConfig;
        const space = new SearchSpace(config.space);
        const experiment = space.apply(config.base, best.params);
        process.stdout.write(`best trial ${best.number}: ${config.objective.metric} ${best.value} (test ${best.testValue}), ${JSON.stringify(best.params)}\n`);
        if (row.kind !== 'tune') {
          process.stdout.write('hyperparameter schedule along its lineage:\n');
          for (const t of lineage(store, row, best.id)) process.stdout.write(`  generation ${t.generation} (trial ${t.number}): ${JSON.stringify(t.params)}\n`);
        }
        if (options.out !== undefined) {
          writeFileSync(options.out, `${JSON.stringify({ ...experiment, description: `best trial ${best.number} of study ${id} (${row.name})` }, null, 2)}\n`);
          process.stdout.write(`wrote ${options.out}\n`);
        }
      });
    });

  study
    .command('genealogy')
    .description('the genealogy: trials (nodes) and lineage edges, as JSON or CSV edges')
    .argument('<id>', 'study id', positiveInteger)
    .addOption(new Option('--format <format>', 'json: nodes and edges; csv: one edge per line').choices(['json', 'csv']).default('json'))
    .option('-o, --out <file>', 'write to this file instead of standard output')
    .addOption(databaseOption())
    .action(async (id: number, options: DatabaseOptions & { format: 'json' | 'csv'; out?: string }) => {
      await withServices(options, async ({ store }) => {
        const row = studyOf(store, id);
        const trials = store.studies.trials(id);
        const edges = store.studies.edges(id);
        const byId = new Map(trials.map((t) => [t.id, t]));
        let text: string;
        if (options.format === 'json') {
          text = `${JSON.stringify(
            {
              study: { id: row.id, name: row.name, kind: row.kind, bestTrial: row.bestTrial },
              nodes: trials.map((t) => ({ id: t.id, number: t.number, generation: t.generation, member: t.member, status: t.status, value: t.value, testValue: t.testValue, params: t.params, runId: t.runId, checkpointId: t.checkpointId })),
              edges,
            },
            null,
            2,
          )}\n`;
        } else {
          const lines = ['child,parent,kind,child_generation,parent_generation,child_value,parent_value'];
          for (const e of edges) {
            const child = byId.get(e.childId);
            const parent = byId.get(e.parentId);
            lines.push([e.childId, e.parentId, e.kind, child?.generation, parent?.generation, child?.value ?? '', parent?.value ?? ''].join(','));
          }
          text = `${lines.join('\n')}\n`;
        }
        if (options.out === undefined) process.stdout.write(text);
        else {
          writeFileSync(options.out, text);
          process.stdout.write(`wrote ${options.out}\n`);
        }
      });
    });
}
