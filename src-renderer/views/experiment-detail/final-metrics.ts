// The final-metrics table of an experiment: each final metric summarised over its done runs
// (n, mean ± std, median, min, max, 95% CI of the mean), as the reports do.

import type { FinalMetricName, RunSummary } from '../../../src-shared/api.ts';
import { FINAL_METRICS } from '../../../src-shared/api.ts';
import { type Summary, summarize } from '../../../src-shared/stats/summary.ts';

export interface FinalMetricRow {
  readonly metric: FinalMetricName;
  readonly summary: Summary | null;
}

export function finalMetricRows(runs: readonly RunSummary[]): FinalMetricRow[] {
  const done = runs.filter((r) => r.status === 'done' && r.final !== null);
  return FINAL_METRICS.map((metric) => {
    const values = done.map((r) => r.final?.[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return { metric, summary: values.length > 0 ? summarize(values) : null };
  });
}
