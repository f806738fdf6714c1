// Result files in the reference project's format, so existing analyses keep working:
//   <dataset>.<optimizer>.csv         one row per run:
//     ,time,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,model_evals
//   <dataset>.<optimizer>.epochs.csv  one row per run and epoch:
//     run,epoch,train_loss,train_acc,val_loss,val_acc,elapsed_s
// plus <dataset>.<optimizer>.meta.json with what the CSVs cannot hold (config, backend,
// gradient evaluations, epochs run, best epoch). Numbers are written at full precision.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { RunResult } from '../engine/train.ts';

export const RUN_COLUMNS = ['', 'time', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'test_loss', 'test_acc', 'model_evals'] as const;
export const EPOCH_COLUMNS = ['run', 'epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'elapsed_s'] as const;

export function runsCsv(runs: readonly RunResult[]): string {
  const lines = [RUN_COLUMNS.join(',')];
  runs.forEach((r, index) => {
    const f = r.final;
    lines.push([index, r.time, f.train_loss, f.train_acc, f.val_loss, f.val_acc, f.test_loss, f.test_acc, r.model_evals].join(','));
  });
  return `${lines.join('\n')}\n`;
}

export function epochsCsv(runs: readonly RunResult[]): string {
  const lines = [EPOCH_COLUMNS.join(',')];
  runs.forEach((r, index) => {
    for (const e of r.epochs) lines.push([index, e.epoch, e.train_loss, e.train_acc, e.val_loss, e.val_acc, e.elapsed_s].join(','));
  });
  return `${lines.join('\n')}\n`;
}

export interface RunMetadata {
  readonly evolab: string;
  readonly node: string;
  readonly config: ExperimentConfig;
  readonly runs: readonly {
    readonly run: number;
    readonly seed: number;
    readonly backend: string;
    readonly optimizer: string;
    readonly parameter_count: number;
    readonly epochs_run: number;
    readonly best_epoch: number;
    readonly stopped_early: boolean;
    readonly model_evals: number;
    readonly grad_evals: number;
  }[];
}

export function runMetadata(config: ExperimentConfig, runs: readonly RunResult[], version: string): RunMetadata {
  return {
    evolab: version,
    node: process.version,
    config,
    runs: runs.map((r, index) => ({
      run: index,
      seed: r.seed,
      backend: r.backend,
      optimizer: r.optimizer,
      parameter_count: r.parameterCount,
      epochs_run: r.epochsRun,
      best_epoch: r.bestEpoch,
      stopped_early: r.stoppedEarly,
      model_evals: r.model_evals,
      grad_evals: r.grad_evals,
    })),
  };
}

/** Writes a file atomically (temporary file + rename), so a crash never leaves half a file. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.partial-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Writes the three result files of one experiment; returns their paths. */
export function writeResultFiles(outDir: string, stem: string, config: ExperimentConfig, runs: readonly RunResult[], version: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: [string, string][] = [
    [join(outDir, `${stem}.csv`), runsCsv(runs)],
    [join(outDir, `${stem}.epochs.csv`), epochsCsv(runs)],
    [join(outDir, `${stem}.meta.json`), `${JSON.stringify(runMetadata(config, runs, version), null, 2)}\n`],
  ];
  for (const [path, text] of files) writeAtomically(path, text);
  return files.map(([path]) => path);
}
