// `evolab doctor`: every compute backend, whether it loads here and why not, the device it
// found, and a short self-test's throughput (engine/compute/doctor.ts), as a table or JSON.

import type { Command } from 'commander';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { describeCommand } from './commands.ts';
import { textTable } from './text-table.ts';

interface DoctorOptions {
  readonly seconds: string;
  readonly json: boolean;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(describeCommand('doctor'))
    .option('--seconds <s>', 'self-test length per backend, in seconds', '2')
    .option('--json', 'print the report as JSON', false)
    .action(async (options: DoctorOptions) => {
      const seconds = Number(options.seconds);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60)
        throw new UserInputError('--seconds', `must be a number of seconds in (0, 60], not ${options.seconds}`);
      const { autoChoice, diagnoseBackends } = await import('../engine/compute/doctor.ts');
      const reports = await diagnoseBackends(seconds);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
        return;
      }
      const rows = reports.map((r) => [
        r.host === null ? r.backend : `${r.backend} (${r.host})`,
        r.loads ? 'yes' : 'no',
        r.device ?? '-',
        r.gflops === null ? '-' : `${r.gflops.toFixed(2)} GFLOP/s`,
        r.detail,
      ]);
      process.stdout.write(`${textTable(['backend', 'loads', 'device', 'self-test', 'detail'], rows, 5)}\n`);
      process.stdout.write(`self-test: loss and gradient of a 196-100-10 MLP on batches of 256, ${seconds} s per backend\n`);
      const auto = autoChoice(reports);
      const routed = auto?.backend === 'webgpu' ? '; calls too small to repay the GPU round trip run on the CPU' : '';
      process.stdout.write(`auto trains on: ${auto === undefined ? 'nothing loads' : auto.detail}${routed}\n`);
    });
}
