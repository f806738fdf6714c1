// `evolab study ls | show ID | best ID [--out FILE] [--queue --runs N] | genealogy ID
// --format json|csv | pause ID | resume ID | cancel ID | delete ID`: the studies in the
// database, their trials, the best configuration (and, for GPBT/PBT, the hyperparameter
// schedule along the winner's lineage, or its replication as N seeded runs), the genealogy as
// JSON or CSV edges, and the study's lifecycle. Changes go to the process that runs the
// study when one answers (`evolab serve`), else straight to the database.

import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { describeCommand } from './commands.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import type { AppApi, StudyDetail, TrialSummary } from '../../src-shared/api.ts';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import type { Store } from '../store/store.ts';
import type { StudyRow, TrialRow } from '../store/studies.ts';
import { databaseOption, type DatabaseOptions, withServices } from './database-option.ts';
import { nonNegativeInteger, positiveInteger } from './options.ts';
import { remoteApi, servingUrl } from './study-client.ts';
import { formatNumber, paramsText, textTable } from './text-table.ts';

export function trialTable(
  trials: readonly Pick<TrialRow, 'number' | 'generation' | 'status' | 'value' | 'testValue' | 'runId' | 'params'>[],
  metric: string,
): string {
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

async function studyOf(store: Store, id: number): Promise<StudyRow> {
  const study = await store.studies.get(id);
  if (study === null) throw ApiError.notFound('study', id);
  return study;
}

/** The best trial's lineage (root first), following 'weights' edges. */
export async function lineage(store: Store, study: StudyRow, trialId: number): Promise<TrialRow[]> {
  const trials = new Map((await store.studies.trials(study.id)).map((t) => [t.id, t]));
  const edges = (await store.studies.edges(study.id)).filter((e) => e.kind === 'weights');
  const chain: TrialRow[] = [];
  for (let id: number | undefined = trialId; id !== undefined; id = edges.find((e) => e.childId === id)?.parentId) {
    const trial = trials.get(id);
    if (trial === undefined) break;
    chain.unshift(trial);
  }
  return chain;
}

/** The winner's lineage (root first) in a study detail, following 'weights' edges. */
function lineageOf(study: StudyDetail, trialId: number): TrialSummary[] {
  const trials = new Map(study.trialList.map((t) => [t.id, t]));
  const chain: TrialSummary[] = [];
  for (let id: number | undefined = trialId; id !== undefined; id = study.edges.find((e) => e.childId === id && e.kind === 'weights')?.parentId) {
    const trial = trials.get(id);
    if (trial === undefined) break;
    chain.unshift(trial);
  }
  return chain;
}

/** What tune / gpbt / pbt print when their study ends: the trials, the winner, its schedule. */
export function printStudyResult(study: StudyDetail): void {
  process.stdout.write(
    `\n${trialTable(
      [...study.trialList].sort((a, b) => a.number - b.number),
      study.objective.metric,
    )}\n\n`,
  );
  if (study.status !== 'done') process.stdout.write(`study ${study.id} ${study.status}${study.error !== null ? `: ${study.error}` : ''}\n`);
  const best = study.trialList.find((t) => t.number === study.bestTrial);
  if (best !== undefined) {
    process.stdout.write(
      `best: trial ${best.number}${study.kind === 'tune' ? '' : ` (generation ${best.generation})`}, ${study.objective.metric} ${formatNumber(best.value)}, test ${formatNumber(best.testValue)}, ${paramsText(best.params)}\n`,
    );
    if (study.kind !== 'tune') {
      process.stdout.write('hyperparameter schedule:\n');
      for (const step of lineageOf(study, best.id))
        process.stdout.write(`  generation ${step.generation} (trial ${step.number}): ${paramsText(step.params)}\n`);
    }
  }
  process.stdout.write(
    `study ${study.id}: evolab study best ${study.id} --out best_config.json${study.kind === 'tune' ? '' : ` | evolab study genealogy ${study.id} --format csv`}\n`,
  );
}

/** The AppApi of the process running the studies when one answers, else this process's (database edits only). */
async function withStudyApi<T>(options: DatabaseOptions, work: (api: AppApi) => Promise<T>): Promise<T> {
  const url = await servingUrl(options);
  if (url !== null) return work(remoteApi(url));
  return withServices(options, ({ service }) => work(service));
}

export function registerStudyCommand(program: Command): void {
  const study = program.command('study').description(describeCommand('study'));

  study
    .command('ls')
    .description('every study with its kind, status and trial counts')
    .addOption(databaseOption())
    .action(async (options: DatabaseOptions) => {
      await withServices(options, async ({ store }) => {
        const rows: string[][] = [];
        for (const s of await store.studies.list())
          rows.push([
            String(s.id),
            s.name,
            s.kind,
            s.status,
            `${s.finishedTrials}/${s.trials}`,
            s.bestTrial === null ? '-' : String((await store.studies.trial(s.bestTrial))?.number ?? '-'),
            s.createdAt,
          ]);
        process.stdout.write(`${textTable(['study', 'name', 'kind', 'status', 'trials', 'best trial', 'created'], rows, 4)}\n`);
      });
    });

  study
    .command('show')
    .description('the trials of a study')
    .argument('<id>', 'study id', positiveInteger)
    .addOption(databaseOption())
    .action(async (id: number, options: DatabaseOptions) => {
      await withServices(options, async ({ store }) => {
        const row = await studyOf(store, id);
        const config = row.config as StudyConfig;
        process.stdout.write(`study ${row.id} "${row.name}" (${row.kind}, ${row.status}): ${config.objective.direction} ${config.objective.metric}\n\n`);
        process.stdout.write(`${trialTable(await store.studies.trials(id), config.objective.metric)}\n`);
      });
    });

  study
    .command('best')
    .description('the best trial: its experiment config (and the HP schedule of its lineage for GPBT/PBT); --queue trains it with N seeds')
    .argument('<id>', 'study id', positiveInteger)
    .option('-o, --out <file>', 'write the best experiment config to this file')
    .option('--queue', 'queue the best configuration as an experiment of --runs seeded runs', false)
    .option('-n, --runs <n>', 'runs of the best configuration with --queue', positiveInteger, 5)
    .option('--first-seed <seed>', 'seed of the first of those runs', nonNegativeInteger, 0)
    .addOption(databaseOption())
    .addHelpText('after', '\nExamples:\n  evolab study best 3 --out best_config.json\n  evolab study best 3 --queue --runs 10')
    .action(async (id: number, options: DatabaseOptions & { out?: string; queue: boolean; runs: number; firstSeed: number }) => {
      if (options.queue) {
        await withStudyApi(options, async (api) => {
          const experiment = await api.queueStudyBest({ id, runs: options.runs, firstSeed: options.firstSeed });
          process.stdout.write(`experiment ${experiment.id} "${experiment.name}": ${experiment.runsTotal} run(s) queued\n`);
        });
        return;
      }
      await withServices(options, async ({ store, service }) => {
        const row = await studyOf(store, id);
        if (row.bestTrial === null) throw new ApiError('conflict', `study ${id} has no finished best trial yet`, 'id');
        const best = await store.studies.trial(row.bestTrial);
        if (best === null) throw ApiError.notFound('trial', row.bestTrial);
        const config = row.config as StudyConfig;
        const experiment = (await (await service.studies()).bestConfig(id)).config;
        process.stdout.write(
          `best trial ${best.number}: ${config.objective.metric} ${formatNumber(best.value)} (test ${formatNumber(best.testValue)}), ${paramsText(best.params)}\n`,
        );
        if (row.kind !== 'tune') {
          process.stdout.write('hyperparameter schedule along its lineage:\n');
          for (const t of await lineage(store, row, best.id))
            process.stdout.write(`  generation ${t.generation} (trial ${t.number}): ${paramsText(t.params)}\n`);
        }
        if (options.out !== undefined) {
          writeFileSync(options.out, `${JSON.stringify({ ...experiment, description: `best trial ${best.number} of study ${id} (${row.name})` }, null, 2)}\n`);
          process.stdout.write(`wrote ${options.out}\n`);
        }
      });
    });

  study
    .command('genealogy')
    .description('the genealogy: trials (nodes) and lineage edges, as JSON or CSV edges, by per-study trial number')
    .argument('<id>', 'study id', positiveInteger)
    .addOption(new Option('--format <format>', 'json: nodes and edges; csv: one edge per line').choices(['json', 'csv']).default('json'))
    .option('-o, --out <file>', 'write to this file instead of standard output')
    .option('--ids', 'also give the database ids of trials, runs and checkpoints (JSON)', false)
    .addOption(databaseOption())
    .action(async (id: number, options: DatabaseOptions & { format: 'json' | 'csv'; out?: string; ids: boolean }) => {
      await withServices(options, async ({ store }) => {
        const row = await studyOf(store, id);
        const trials = await store.studies.trials(id);
        // Trials are named by their per-study number, as in every other output.
        const byId = new Map(trials.map((t) => [t.id, t]));
        const edges = (await store.studies.edges(id)).map((e) => ({ child: byId.get(e.childId), parent: byId.get(e.parentId), kind: e.kind }));
        const best = row.bestTrial === null ? null : (byId.get(row.bestTrial)?.number ?? null);
        let text: string;
        if (options.format === 'json') {
          const nodes = trials.map((t) => ({
            trial: t.number,
            generation: t.generation,
            member: t.member,
            status: t.status,
            value: t.value,
            testValue: t.testValue,
            params: t.params,
            ...(options.ids ? { ids: { trial: t.id, run: t.runId, checkpoint: t.checkpointId } } : {}),
          }));
          const links = edges.map((e) => ({ child: e.child?.number ?? null, parent: e.parent?.number ?? null, kind: e.kind }));
          text = `${JSON.stringify({ study: { id: row.id, name: row.name, kind: row.kind, bestTrial: best }, nodes, edges: links }, null, 2)}\n`;
        } else {
          const lines = ['child,parent,kind,child_generation,parent_generation,child_value,parent_value'];
          for (const e of edges)
            lines.push(
              [e.child?.number, e.parent?.number, e.kind, e.child?.generation, e.parent?.generation, e.child?.value ?? '', e.parent?.value ?? ''].join(','),
            );
          text = `${lines.join('\n')}\n`;
        }
        if (options.out === undefined) process.stdout.write(text);
        else {
          writeFileSync(options.out, text);
          process.stdout.write(`wrote ${options.out}\n`);
        }
      });
    });

  const control = (name: 'pause' | 'resume' | 'cancel' | 'delete', description: string): void => {
    study
      .command(name)
      .description(description)
      .argument('<id>', 'study id', positiveInteger)
      .addOption(databaseOption())
      .action(async (id: number, options: DatabaseOptions) => {
        await withStudyApi(options, async (api) => {
          if (name === 'delete') {
            await api.deleteStudy({ id });
            process.stdout.write(`study ${id} deleted, with its trials and their runs\n`);
            return;
          }
          const summary = name === 'pause' ? await api.pauseStudy({ id }) : name === 'resume' ? await api.resumeStudy({ id }) : await api.cancelStudy({ id });
          process.stdout.write(`study ${id}: ${summary.status} (${summary.finishedTrials}/${summary.budget} trials finished)\n`);
        });
      });
  };
  control('pause', 'pause a study: no new trial starts, its waiting runs are held');
  control('resume', 'resume a paused study');
  control('cancel', 'cancel a study and every run of it that has not finished');
  control('delete', 'delete a study with its trials, their experiments and runs');
}
