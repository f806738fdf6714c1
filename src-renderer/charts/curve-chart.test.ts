// The curve chart toolkit's option state: what each control changes in what is drawn, the
// band rule (n >= 3), the metric's domain, the CSV of the drawn data and the URL round trip.
import { describe, expect, it } from 'vitest';
import {
  chartCsv,
  controlsFromQuery,
  controlsToQuery,
  type CurveControls,
  curveChart,
  type CurveGroup,
  DEFAULT_CONTROLS,
  runPoints,
  type RunCurves,
} from './curve-chart.ts';

const colors = { fg: '#000', muted: '#666', line: '#ccc' };

/** A run of `epochs` epochs: loss falling from `start`, accuracy rising, 0.5 s and 100 evals per epoch (times `speed`). */
function run(id: number, args: { epochs: number; start?: number; speed?: number; acc?: number }): RunCurves {
  const e = Array.from({ length: args.epochs }, (_, i) => i + 1);
  const speed = args.speed ?? 1;
  return {
    id,
    label: `run ${id}`,
    series: {
      val_loss: e.map((k) => [k, (args.start ?? 1) / k] as const),
      val_acc: e.map((k) => [k, Math.min(1, (args.acc ?? 0.9) + 0.01 * k)] as const),
      elapsed_s: e.map((k) => [k, 0.5 * k * speed] as const),
      model_evals: e.map((k) => [k, 100 * k * speed] as const),
    },
  };
}

const group = (name: string, runs: RunCurves[]): CurveGroup => ({ name, color: '#2563eb', runs });
const controls = (patch: Partial<CurveControls> = {}): CurveControls => ({ ...DEFAULT_CONTROLS, ...patch });

interface Series {
  id: string;
  data: [number, number | null][];
  lineStyle?: { color?: string };
}
const seriesOf = (option: object): Series[] => (option as { series: Series[] }).series;
const ids = (option: object): string[] => seriesOf(option).map((s) => s.id);

describe('curveChart', () => {
  const three = group('adam', [run(1, { epochs: 5 }), run(2, { epochs: 5, start: 1.2 }), run(3, { epochs: 3, start: 0.8 })]);

  it('mean view: a mean line and a band only where >= 3 runs reach the epoch', () => {
    const chart = curveChart({ metric: 'val_loss', groups: [three], controls: controls(), colors });
    expect(ids(chart.option)).toEqual(['mean:adam', 'band-low:adam', 'band:adam']);
    const band = seriesOf(chart.option).find((s) => s.id === 'band:adam');
    expect(band?.data.map((p) => p[1] !== null)).toEqual([true, true, true, false, false]);
    const mean = seriesOf(chart.option)[0].data;
    expect(mean[0][1]).toBeCloseTo((1 + 1.2 + 0.8) / 3, 12);
    expect(chart.columns.map((c) => c.name)).toEqual(['adam', 'adam 95% low', 'adam 95% high', 'adam n']);
  });

  it('draws no band for a group of fewer than 3 runs', () => {
    const two = group('sgd', [run(1, { epochs: 5 }), run(2, { epochs: 5, start: 2 })]);
    const chart = curveChart({ metric: 'val_loss', groups: [two], controls: controls(), colors });
    expect(ids(chart.option).filter((id) => id.startsWith('band'))).toEqual([]);
  });

  it('seeds view: one line per run; run view: the selected run only', () => {
    const seeds = curveChart({ metric: 'val_loss', groups: [three], controls: controls({ view: 'seeds' }), colors, runColors: true });
    expect(ids(seeds.option)).toEqual(['run:adam:1', 'run:adam:2', 'run:adam:3']);
    // The palette's colours per run in the detail view.
    expect(new Set(seriesOf(seeds.option).map((s) => s.lineStyle?.color)).size).toBe(3);
    const one = curveChart({ metric: 'val_loss', groups: [three], controls: controls({ view: 'run' }), colors, selectedRun: 2 });
    expect(ids(one.option)).toEqual(['run:adam:2']);
  });

  it('smoothing changes the drawn values and keeps the raw curve faint behind', () => {
    const raw = curveChart({ metric: 'val_loss', groups: [three], controls: controls({ view: 'seeds' }), colors });
    const smooth = curveChart({ metric: 'val_loss', groups: [three], controls: controls({ view: 'seeds', smoothing: 0.6 }), colors });
    expect(ids(smooth.option)).toContain('raw:adam:1');
    const rawLine = seriesOf(smooth.option).find((s) => s.id === 'raw:adam:1');
    const smoothLine = seriesOf(smooth.option).find((s) => s.id === 'run:adam:1');
    expect(rawLine?.data).toEqual(seriesOf(raw.option).find((s) => s.id === 'run:adam:1')?.data);
    expect(rawLine?.lineStyle?.color).toMatch(/^rgba\(.*0\.28\)$/);
    // Debiased EMA, w = 0.6, of 1, 1/2: s2 = (0.6 * 0.4 * 1 + 0.4 * 0.5) / (1 - 0.36) = 0.6875
    expect(smoothLine?.data[1][1]).toBeCloseTo(0.6875, 12);
  });

  it('x axis: epoch, wall time and model evaluations change the axis name and the x values', () => {
    const xs = (x: CurveControls['x']) => {
      const chart = curveChart({ metric: 'val_loss', groups: [three], controls: controls({ view: 'seeds', x }), colors });
      const option = chart.option as { xAxis: { name: string; min: number; minInterval?: number } };
      return { name: option.xAxis.name, first: seriesOf(chart.option)[0].data.map((p) => p[0]), minInterval: option.xAxis.minInterval };
    };
    // Only epochs are whole numbers: no tick between two epochs.
    expect(xs('epoch')).toEqual({ name: 'epoch', first: [1, 2, 3, 4, 5], minInterval: 1 });
    expect(xs('wall')).toEqual({ name: 'wall time (s)', first: [0.5, 1, 1.5, 2, 2.5], minInterval: undefined });
    expect(xs('evals')).toEqual({ name: 'model evaluations', first: [100, 200, 300, 400, 500], minInterval: undefined });
  });

  it('aggregates runs with different x on a common grid (evaluation-matched)', () => {
    const g = group('cmaes', [run(1, { epochs: 4 }), run(2, { epochs: 4, speed: 2 }), run(3, { epochs: 4 })]);
    const chart = curveChart({ metric: 'val_loss', groups: [g], controls: controls({ x: 'evals' }), colors });
    const n = chart.columns.find((c) => c.name === 'cmaes n');
    // Runs 1 and 3 reach 400 evals, run 2 reaches 800: n = 3 up to 400, then 1.
    expect(n?.points.find((p) => p[0] === 400)?.[1]).toBe(3);
    expect(n?.points.find((p) => p[0] === 800)?.[1]).toBe(1);
    // At 200 evals run 2 is at its epoch 1 (loss 1), runs 1 and 3 at epoch 2 (0.5): mean 2/3.
    expect(chart.columns[0].points.find((p) => p[0] === 200)?.[1]).toBeCloseTo(2 / 3, 12);
  });

  it('aggregates thinned epoch series (long runs downsampled apart) on a common grid, not per exact epoch', () => {
    const thin = (id: number, epochs: number[]): RunCurves => ({ id, label: `run ${id}`, series: { val_loss: epochs.map((e) => [e, 1 / e] as const) } });
    const g = group('long', [thin(1, [1, 5, 9]), thin(2, [1, 4, 9]), thin(3, [1, 6, 9])]);
    const chart = curveChart({ metric: 'val_loss', groups: [g], controls: controls(), colors });
    const n = chart.columns.find((c) => c.name === 'long n');
    // Every grid epoch is inside all three runs: n = 3 throughout (per exact epoch it would be 1 at 4, 5 and 6).
    expect(n?.points.map((p) => p[1])).toEqual([3, 3, 3, 3, 3]);
    expect(n?.points.map((p) => p[0])).toEqual([1, 4, 5, 6, 9]);
  });

  it('log y: a log axis for losses with every value > 0; never for accuracies or values <= 0', () => {
    const log = curveChart({ metric: 'val_loss', groups: [three], controls: controls({ logY: true }), colors });
    expect((log.option as { yAxis: { type: string; min: number } }).yAxis.type).toBe('log');
    expect((log.option as { yAxis: { min: number } }).yAxis.min).toBeGreaterThan(0);
    const acc = curveChart({ metric: 'val_acc', groups: [three], controls: controls({ logY: true }), colors });
    expect((acc.option as { yAxis: { type: string } }).yAxis.type).toBe('value');
    expect(acc.logBlocked).toMatch(/accuracies/);
    const zero: RunCurves = {
      id: 9,
      label: 'run 9',
      series: {
        val_loss: [
          [1, 0],
          [2, 0.1],
        ],
      },
    };
    const blocked = curveChart({ metric: 'val_loss', groups: [group('z', [zero])], controls: controls({ logY: true, view: 'seeds' }), colors });
    expect(blocked.logY).toBe(false);
    expect(blocked.logBlocked).toMatch(/> 0/);
  });

  it('clips bands and the y axis to the metric domain (accuracy <= 1, loss >= 0)', () => {
    // Accuracies near 1 with a wide spread: the t-band would pass 1.
    const accRuns = [0.97, 0.9, 0.99].map((a, i) => run(i + 1, { epochs: 5, acc: a }));
    const acc = curveChart({ metric: 'val_acc', groups: [group('a', accRuns)], controls: controls(), colors });
    const high = acc.columns.find((c) => c.name === 'a 95% high');
    expect(Math.max(...(high?.points.map((p) => p[1] ?? 0) ?? []))).toBe(1);
    expect((acc.option as { yAxis: { max: number } }).yAxis.max).toBeLessThanOrEqual(1);
    // Losses near 0 with a wide spread: the lower bound would pass 0.
    const lossRuns = [0.01, 0.5, 0.02].map((s, i) => run(i + 1, { epochs: 3, start: s }));
    const loss = curveChart({ metric: 'val_loss', groups: [group('l', lossRuns)], controls: controls(), colors });
    const low = loss.columns.find((c) => c.name === 'l 95% low');
    expect(Math.min(...(low?.points.map((p) => p[1] ?? 1) ?? []))).toBe(0);
    expect((loss.option as { yAxis: { min: number } }).yAxis.min).toBeGreaterThanOrEqual(0);
  });

  it('describes the chart for screen readers (ECharts aria)', () => {
    const chart = curveChart({ metric: 'val_loss', groups: [three], controls: controls({ smoothing: 0.5 }), colors });
    const aria = (chart.option as { aria: { enabled: boolean; label: { description: string } } }).aria;
    expect(aria.enabled).toBe(true);
    expect(aria.label.description).toMatch(/^Line chart of val_loss against epoch, the mean over runs of 1 group\(s\).*smoothed.*weight 0\.5/);
    expect(aria.label.description).toContain('adam from 1.000 to');
  });

  it('exports the drawn data as CSV: x, then one column per series', () => {
    const chart = curveChart({ metric: 'val_loss', groups: [group('a, b', [run(1, { epochs: 2 })])], controls: controls({ view: 'seeds' }), colors });
    expect(chartCsv(chart)).toBe('epoch,"a, b · run 1"\n1,1\n2,0.5\n');
  });

  it('maps a run onto wall time by interpolating its own elapsed_s (series downsampled apart)', () => {
    const r: RunCurves = {
      id: 1,
      label: 'r',
      series: {
        val_loss: [
          [1, 1],
          [2, 0.5],
          [3, 0.2],
        ],
        elapsed_s: [
          [1, 1],
          [3, 3],
        ],
      },
    };
    expect(runPoints(r, 'val_loss', 'wall')).toEqual([
      [1, 1],
      [2, 0.5],
      [3, 0.2],
    ]);
  });
});

describe('curve controls in the address', () => {
  it('round-trips, leaves defaults out and ignores bad values', () => {
    const c: CurveControls = { x: 'evals', view: 'seeds', smoothing: 0.6, logY: true };
    const query = controlsToQuery(c);
    expect(query).toEqual({ x: 'evals', view: 'seeds', smooth: '0.6', log: '1' });
    expect(controlsFromQuery(query)).toEqual(c);
    expect(controlsToQuery(DEFAULT_CONTROLS)).toEqual({ x: undefined, view: undefined, smooth: undefined, log: undefined });
    expect(controlsFromQuery({ x: 'bogus', view: 'x', smooth: '7', log: 'yes' })).toEqual(DEFAULT_CONTROLS);
  });
});
