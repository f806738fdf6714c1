// Every shipped study config is valid: its base config resolves and its search space names
// fields that the base config accepts.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStudy } from '../src-main/cli/read-study.ts';
import { shippedStudies } from '../src-main/services/shipped-studies.ts';

const folder = resolve(import.meta.dirname, '../resources/studies');
const files = readdirSync(folder).filter((f) => f.endsWith('.json'));

describe('shipped study configs', () => {
  it('include the reference tuning studies and the GPBT/PBT pairs for MNIST and Iris', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'iris_cmaes_tune.json',
        'mnist_sgd_tune.json',
        'mnist_adam_gpbt.json',
        'mnist_adam_pbt.json',
        'iris_adam_gpbt.json',
        'iris_adam_pbt.json',
      ]),
    );
    expect(files).toHaveLength(12);
  });

  it('are all offered as templates by the service, base configs inline', () => {
    const templates = shippedStudies(folder);
    expect(templates.map((t) => t.file)).toEqual([...files].sort());
    const gpbt = templates.find((t) => t.file === 'iris_adam_gpbt.json');
    expect(gpbt).toMatchObject({ name: 'iris adam GPBT', kind: 'gpbt', config: { base: { dataset: { name: 'iris' } } } });
  });

  it.each(files)('%s is valid', (file) => {
    const study = readStudy(join(folder, file));
    expect(Object.keys(study.space).length).toBeGreaterThan(0);
    expect([study.tune, study.gpbt, study.pbt].filter((m) => m !== undefined)).toHaveLength(1);
  });
});
