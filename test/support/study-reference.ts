// The reference a study run through the queue must equal, whoever ran it and whatever crashed
// meanwhile: the same study run in this process by the engine (hpo/in-process.ts), by trial
// number — parameters, statuses, values, lineage edges and the winner.

import type { StudyConfig } from '../../src-shared/config/study.ts';
import { JsBackend } from '../../src-main/engine/compute/js-backend.ts';
import { runStudyInProcess } from '../../src-main/hpo/in-process.ts';

export async function referenceStudy(config: StudyConfig): Promise<unknown> {
  const run = await runStudyInProcess(config, new JsBackend(null));
  const trials = [...run.trials].sort((a, b) => a.plan.number - b.plan.number);
  const edges = trials.flatMap((t) =>
    t.plan.source === null ? [] : t.plan.source.kinds.map((kind) => ({ child: t.plan.number, parent: t.plan.source?.trial, kind })),
  );
  return {
    status: 'done',
    winner: run.best,
    trials: trials.map((t) => ({
      number: t.plan.number,
      generation: t.plan.generation,
      member: t.plan.member,
      status: t.result.status,
      value: t.result.value,
      testValue: t.result.testValue,
      params: t.plan.params,
    })),
    edges: edges.sort((a, b) => a.child - b.child || a.kind.localeCompare(b.kind)),
  };
}
