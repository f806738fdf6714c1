// The Analysis tab's option builders: what each chart draws (bars sorted, log axes for
// log-scaled parameters, the chosen contour pair, one EDF line per study with the right
// steps), the legends' formatting of small values, the aria descriptions, and the sampler
// label of the study list.
import { describe, expect, it } from 'vitest';
import { contourOption, edfOption, empiricalDistribution, importanceOption, sliceOption, type AnalysedTrial } from './analysis-charts.ts';
import { samplerLabel, SCORE_RAMP, type SpaceParameter, type ThemeColors } from './study-format.ts';

const colors: ThemeColors = { fg: '#000', muted: '#666', line: '#ccc', bg: '#fff', panel: '#eee' };
const lr: SpaceParameter = { path: 'optimizer.lr', type: 'loguniform', log: true, low: 1e-4, high: 0.1, choices: [] };
const beta: SpaceParameter = { path: 'optimizer.beta1', type: 'uniform', log: false, low: 0.5, high: 0.99, choices: [] };
const act: SpaceParameter = { path: 'model.activation', type: 'categorical', log: false, low: null, high: null, choices: ['relu', 'tanh'] };
const space = [lr, beta, act];
const paths = space.map((p) => p.path);
const trials: AnalysedTrial[] = [
  { number: 0, params: { 'optimizer.lr': 0.01, 'optimizer.beta1': 0.9, 'model.activation': 'relu' }, value: 3.47e-6 },
  { number: 1, params: { 'optimizer.lr': 0.001, 'optimizer.beta1': 0.6, 'model.activation': 'tanh' }, value: 0.2 },
  { number: 2, params: { 'optimizer.lr': 0.05, 'optimizer.beta1': 0.7, 'model.activation': 'relu' }, value: 0.5 },
];

type Axis = { type: string; name: string; data?: string[]; min?: number; max?: number };
type Series = { name: string; data: unknown[]; step?: string };

describe('analysis chart options', () => {
  it('draws importance bars most important on top, names the method and describes the chart', () => {
    const option = importanceOption({
      importances: [
        { path: 'optimizer.lr', importance: 0.7, divergence: 2 },
        { path: 'optimizer.beta1', importance: 0.2, divergence: 0.6 },
        { path: 'model.activation', importance: 0.1, divergence: 0.3 },
      ],
      paths,
      colors,
    });
    // Category y-axis runs bottom-up: the last entry is the top bar.
    expect((option.yAxis as Axis).data).toEqual(['activation', 'beta1', 'lr']);
    expect((option.series as Series[])[0].data).toEqual([0.1, 0.2, 0.7]);
    expect((option.title as { text: string }).text).toBe('PED-ANOVA importance (Watanabe et al. 2023), top 10% vs all');
    const aria = option.aria as { enabled: boolean; label: { description: string } };
    expect(aria.enabled).toBe(true);
    expect(aria.label.description).toContain('lr 70.0%, beta1 20.0%, activation 10.0%');
  });

  it('draws one slice grid per parameter, a log x-axis for a loguniform one, a category axis for a categorical one', () => {
    const option = sliceOption({ trials, space, metric: 'val_loss', colors, columns: 3 });
    const axes = option.xAxis as Axis[];
    expect(axes.map((a) => a.type)).toEqual(['log', 'value', 'category']);
    expect(axes[2].data).toEqual(['relu', 'tanh']);
    expect((option.grid as unknown[]).length).toBe(3);
    const series = option.series as Series[];
    expect(series[0].data).toEqual([
      [0.01, 3.47e-6, 0],
      [0.001, 0.2, 1],
      [0.05, 0.5, 2],
    ]);
    // Coloured by trial number (dimension 2).
    expect((option.visualMap as { dimension: number; min: number; max: number }).dimension).toBe(2);
    expect(option.height).toBe(260);
  });

  it('puts the chosen pair on the contour axes and shows small values in the colour legend', () => {
    const option = contourOption({ trials, x: lr, y: beta, paths, metric: 'val_loss', direction: 'minimize', colors });
    expect((option.xAxis as Axis).name).toBe('lr');
    expect((option.xAxis as Axis).type).toBe('log');
    expect((option.yAxis as Axis).name).toBe('beta1');
    const visualMap = option.visualMap as { formatter: (v: number) => string; inRange: { color: string[] }; min: number };
    expect(visualMap.min).toBe(3.47e-6);
    expect(visualMap.formatter(3.47e-6)).toBe('3.47e-6');
    // Minimise: the lowest value gets the best (last) ramp colour.
    expect(visualMap.inRange.color[0]).toBe(SCORE_RAMP[6]);
    // The best trial is ringed.
    expect((option.series as Series[])[1].name).toBe('best trial #0');
    const swapped = contourOption({ trials, x: act, y: lr, paths, metric: 'val_loss', direction: 'maximize', colors });
    expect((swapped.xAxis as Axis).type).toBe('category');
    expect((swapped.yAxis as Axis).name).toBe('lr');
    expect((swapped.series as Series[])[1].name).toBe('best trial #2');
  });

  it('computes the EDF as steps of 1/n, ties as one step, and draws one line per study', () => {
    expect(empiricalDistribution([0.3, 0.1, 0.2, 0.2, Number.NaN])).toEqual([
      [0.1, 0.25],
      [0.2, 0.75],
      [0.3, 1],
    ]);
    const option = edfOption({
      studies: [
        { name: 'a', values: [1, 2] },
        { name: 'b', values: [3] },
      ],
      metric: 'val_loss',
      palette: ['#111', '#222'],
      log: false,
      colors,
    });
    const series = option.series as Series[];
    expect(series.map((s) => s.name)).toEqual(['a', 'b']);
    expect(series[1].data).toEqual([[3, 1]]);
    expect(series[0].step).toBe('end');
    expect((option.yAxis as Axis).max).toBe(1);
  });

  it('names the sampler of a study in the list', () => {
    expect(samplerLabel({ kind: 'tune', method: 'TPE, 50 trials, asha pruning' })).toBe('TPE');
    expect(samplerLabel({ kind: 'tune', method: 'random search, 12 trials' })).toBe('random search');
    expect(samplerLabel({ kind: 'gpbt', method: 'GPBT n 6, 4 generations of 2 epochs, time, tpe' })).toBe('GPBT (TPE)');
    expect(samplerLabel({ kind: 'gpbt', method: 'GPBT n 6, 4 generations of 2 epochs, no-time, random' })).toBe('GPBT (random)');
    expect(samplerLabel({ kind: 'pbt', method: 'PBT n 8, 5 generations of 1 epoch' })).toBe('PBT');
  });
});
