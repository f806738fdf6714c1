// The `evolab` commands: name, one-line description, and the module that defines the rest.
// `evolab --help` and `--version` read only this table; running a command loads only its own
// module (and that module loads its heavy parts, the engine, the database, the report, only
// in its action), so the CLI answers at once.

import type { Command } from 'commander';

interface CommandEntry {
  readonly name: string;
  readonly description: string;
  /** Registers the command (with its options and sub-commands) on the program. */
  readonly load: () => Promise<(program: Command) => void>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    description: 'train a config N times and write <dataset>.<optimizer>.csv, .epochs.csv and .meta.json',
    load: async () => (await import('./run.ts')).registerRunCommand,
  },
  {
    name: 'queue',
    description: 'add experiments to the queue and manage it (the queue runs in `evolab serve`)',
    load: async () => (await import('./queue.ts')).registerQueueCommand,
  },
  {
    name: 'serve',
    description: 'run the queue and serve the AppApi (HTTP + WebSocket) and the web UI',
    load: async () => (await import('./serve.ts')).registerServeCommand,
  },
  {
    name: 'worker',
    description: 'take runs from a shared PostgreSQL queue and train them on this machine',
    load: async () => (await import('./worker.ts')).registerWorkerCommand,
  },
  {
    name: 'experiments',
    description: 'experiments stored in the database: ids, names, status, runs',
    load: async () => (await import('./experiments.ts')).registerExperimentsCommand,
  },
  { name: 'runs', description: 'runs stored in the experiment database', load: async () => (await import('./runs.ts')).registerRunsCommand },
  {
    name: 'export',
    description: "write an experiment's done runs as <dataset>.<optimizer>.csv, .epochs.csv and .meta.json",
    load: async () => (await import('./export.ts')).registerExportCommand,
  },
  {
    name: 'tune',
    description: 'tune hyperparameters: a study of trials through the queue, resumable',
    load: async () => (await import('./tune.ts')).registerTuneCommand,
  },
  {
    name: 'gpbt',
    description: 'Genealogical Population-Based Training (Scardigli et al. 2021)',
    load: async () => (await import('./gpbt.ts')).registerPopulationCommands,
  },
  { name: 'pbt', description: 'Population-Based Training (Jaderberg et al. 2017)', load: async () => (await import('./gpbt.ts')).registerPopulationCommands },
  {
    name: 'study',
    description: 'hyperparameter studies: list, trials, best configuration, genealogy, pause, resume, cancel',
    load: async () => (await import('./study.ts')).registerStudyCommand,
  },
  {
    name: 'evaluate',
    description: 'compare the <dataset>.<optimizer>.csv result files of a folder: summaries and pairwise tests',
    load: async () => (await import('./evaluate.ts')).registerEvaluateCommand,
  },
  {
    name: 'compare',
    description: 'compare experiments of the database: summaries and pairwise one-sided tests per data set and metric',
    load: async () => (await import('./compare.ts')).registerCompareCommand,
  },
  {
    name: 'import',
    description: 'import a folder of <dataset>.<optimizer>.csv result files as experiments (one per file)',
    load: async () => (await import('./import.ts')).registerImportCommand,
  },
  {
    name: 'doctor',
    description: 'compute backends: which load here, the device found, and a short self-test in GFLOP/s',
    load: async () => (await import('./doctor.ts')).registerDoctorCommand,
  },
  {
    name: 'report',
    description: 'comparison report (tables, boxplots, learning curves, configs) as HTML and/or PDF',
    load: async () => (await import('./report.ts')).registerReportCommand,
  },
];

/** A command's description, as the table says (its module uses this rather than repeat it). */
export function describeCommand(name: string): string {
  return COMMANDS.find((c) => c.name === name)?.description ?? '';
}
