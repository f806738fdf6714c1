// The tuning loop with a scripted executor: every trial is told to its sampler and stored,
// at most `parallel` trials are in flight, and median pruning stops exactly the trials whose
// intermediate value is worse than the median of the finished trials at that epoch.
import { describe, expect, it } from 'vitest';
import { parseStudyConfig } from '../../src-shared/config/study.ts';
import { openStore } from '../store/store.ts';
import type { EpochValues, TrialExecutor, TrialOutcome, TrialSpec } from './executor.ts';
import { runTuneStudy } from './tune.ts';

const base = { dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 16, max_epochs: 6 } };

/** val_loss at epoch e = (log10 lr + 2)^2 + 1 / e; runs asynchronously to allow overlap. */
class CurveExecutor implements TrialExecutor {
  running = 0;
  maxRunning = 0;
  readonly curves = new Map<string, number[]>();
  /** Curves of the trials that finished (done), in order. */
  readonly finished: number[][] = [];
  /** Decisions that disagree with the median rule (startup 3, warm-up 1). */
  readonly mismatches: string[] = [];

  private expectedStop(epoch: number, loss: number): boolean {
    const values = this.finished.map((c) => c[epoch - 1]).filter((v) => v !== undefined).sort((a, b) => a - b);
    if (epoch <= 1 || values.length < 3) return false;
    const mid = values.length >> 1;
    const median = values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    return loss > median;
  }

  async run(spec: TrialSpec): Promise<TrialOutcome> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((next) => setImmediate(next));
    const lr = spec.config.optimizer.type === 'adam' ? spec.config.optimizer.lr : 1;
    const curve: number[] = [];
    this.curves.set(spec.label, curve);
    let last: EpochValues | null = null;
    try {
      for (let epoch = 1; epoch <= spec.config.training.max_epochs; epoch++) {
        const loss = (Math.log10(lr) + 2) ** 2 + 1 / epoch;
        curve.push(loss);
        last = { epoch, train_loss: loss, train_acc: 0, val_loss: loss, val_acc: 0 };
        const stop = spec.onEpoch !== undefined && !spec.onEpoch(last);
        if (stop !== this.expectedStop(epoch, loss)) this.mismatches.push(`${spec.label} epoch ${epoch}: stop ${stop}`);
        if (stop) return { status: 'stopped', final: null, lastEpoch: last, checkpoint: null, error: null };
      }
      this.finished.push(curve);
      return {
        status: 'done',
        final: { train_loss: 0, train_acc: 0, val_loss: last?.val_loss ?? 0, val_acc: 0, test_loss: 1, test_acc: 0 },
        lastEpoch: last,
        checkpoint: null,
        error: null,
      };
    } finally {
      this.running--;
    }
  }
}

describe('tuning study', () => {
  it('stores every trial, keeps `parallel` in flight, and prunes by the median rule', async () => {
    const store = openStore(':memory:');
    const executor = new CurveExecutor();
    const study = parseStudyConfig(
      {
        base,
        space: { 'optimizer.lr': { type: 'loguniform', low: 1e-4, high: 1 } },
        seed: 1,
        tune: { trials: 24, sampler: { type: 'random' }, pruning: { type: 'median', startup_trials: 3, warmup_epochs: 1 } },
      },
      () => ({}),
    );
    const result = await runTuneStudy({ store, executor, study, name: 's', parallel: 3 });
    expect(result.trials).toHaveLength(24);
    expect(executor.maxRunning).toBe(3);
    const pruned = result.trials.filter((t) => t.status === 'pruned');
    const done = result.trials.filter((t) => t.status === 'done');
    expect(pruned.length).toBeGreaterThan(0);
    expect(done.length + pruned.length).toBe(24);
    // Every continue/stop decision followed the median rule over the trials finished by then.
    expect(executor.mismatches).toEqual([]);
    for (const t of pruned) {
      const curve = executor.curves.get(`s trial ${t.number}`) ?? [];
      const epoch = curve.length;
      expect(epoch).toBeGreaterThan(1); // warm-up epochs are never pruned
      expect(t.value).toBe(curve[epoch - 1]);
    }
    expect(result.best?.value).toBe(Math.min(...done.map((t) => t.value ?? Infinity)));
    expect(store.studies.get(result.studyId)).toMatchObject({ status: 'done', bestTrial: result.best?.id });
  });
});
