// The HTML report read back as a reviewer would check it, from its inline SVG and its tables:
// no band, interval or axis bound outside the metric's domain (accuracy within [0, 1], losses
// and times >= 0) even where a 3-run t-interval reaches past them; no band where fewer than 3
// runs remain; each group drawn in seriesColor(i) of its place in the comparison, in the
// boxplots, the curves and the tables alike; the A12 of the pair beside every p-value; a
// first section that names the test and gives a verdict per metric; and in reports of
// database experiments the optimizer's type in the optimizer column, the experiment's name in
// its own.
import { describe, expect, it } from 'vitest';
import { seriesColor } from '../src-shared/format/palette.ts';
import type { ResultEpoch, ResultGroup } from '../src-shared/stats/comparison.ts';
import { renderHtmlReport } from '../src-main/report/html-report.ts';

/** Runs' per-epoch values: run r reaches epoch e while e <= lengths[r]. */
function group(input: { name: string; evalsPerEpoch: number; lengths: number[]; acc: number[]; loss: number[]; time: number[] }): ResultGroup {
  const epochs: ResultEpoch[] = [];
  input.lengths.forEach((length, run) => {
    for (let epoch = 1; epoch <= length; epoch++) {
      epochs.push({
        run,
        epoch,
        metrics: {
          val_acc: input.acc[run],
          val_loss: input.loss[run] / epoch,
          train_loss: input.loss[run] / (2 * epoch),
          model_evals: input.evalsPerEpoch * epoch,
        },
      });
    }
  });
  return {
    dataset: 'iris',
    optimizer: input.name,
    source: `experiment ${input.name.length}`,
    runs: input.lengths.map((length, run) => ({
      index: run,
      metrics: {
        test_acc: input.acc[run],
        test_loss: input.loss[run],
        val_acc: input.acc[run],
        val_loss: input.loss[run],
        time: input.time[run],
        model_evals: input.evalsPerEpoch * length,
      },
    })),
    epochs,
  };
}

// Values whose 95% t-intervals leave the domain: accuracies 1, 1, 0.9 (mean 0.9667, half-width
// 4.303 * 0.0577 / sqrt(3) = 0.143, so up to 1.11); losses 0.01, 0.02, 0.9 (down to -0.96);
// times 1-50 ms (down to -0.06 s). Run 0 of each group trains 8 epochs, the others 5: epochs 6
// to 8 have one run, and must have no band.
const groups = [
  group({ name: 'my adam run', evalsPerEpoch: 120, lengths: [8, 5, 5], acc: [1, 1, 0.9], loss: [0.01, 0.02, 0.9], time: [0.001, 0.002, 0.05] }),
  group({
    name: 'cmaes, big population',
    evalsPerEpoch: 3400,
    lengths: [8, 5, 5, 5],
    acc: [0.7, 1, 0.95, 1],
    loss: [2.5, 0.05, 0.1, 0.02],
    time: [0.3, 0.01, 0.02, 0.5],
  }),
  group({ name: 'sgd', evalsPerEpoch: 100, lengths: [8, 5, 5], acc: [0.8, 0.85, 1], loss: [0.5, 0.4, 0.001], time: [0.004, 0.006, 0.09] }),
];

const html = renderHtmlReport({
  title: 'Domain test',
  groups,
  configs: new Map(),
  environment: { evolab: 'test', node: 'v22', machine: 'test', backends: ['js'], created: '2026-01-01T00:00:00Z' },
  descriptions: [
    { source: groups[0].source, experiment: 'my adam run', optimizer: 'adam', config: { optimizer: { type: 'adam', lr: 0.1 } }, seeds: [0, 1, 2] },
    {
      source: groups[1].source,
      experiment: 'cmaes, big population',
      optimizer: 'cmaes',
      config: { optimizer: { type: 'cmaes', population: 80 } },
      seeds: [0, 1, 2, 3],
    },
    { source: groups[2].source, experiment: 'sgd', optimizer: 'sgd', config: { optimizer: { type: 'sgd', lr: 1 } }, seeds: [7, 8, 9] },
  ],
});

interface Chart {
  readonly title: string;
  readonly svg: string;
  /** Pixel y -> value, from the y axis' tick labels. */
  readonly yValue: (y: number) => number;
  readonly yLabels: number[];
  /** The y axis line's ends, in pixels. */
  readonly axisEnds: [number, number];
  /** Pixel x -> value from the x axis' numeric tick labels (null for category axes). */
  readonly xValue: ((x: number) => number) | null;
  /** Points of every band area, in pixels. */
  readonly bandPoints: [number, number][];
  /** Strokes of the visible mean lines, in drawing order. */
  readonly lineColors: string[];
  /** Strokes of the boxes, in drawing order. */
  readonly boxColors: string[];
}

const number = (text: string): number => Number(text.replace(/\u202f/g, ''));

function linear(points: { pixel: number; value: number }[]): (pixel: number) => number {
  const [a, b] = [points[0], points[points.length - 1]];
  return (pixel) => a.value + ((pixel - a.pixel) * (b.value - a.value)) / (b.pixel - a.pixel);
}

function charts(document: string): Chart[] {
  return [...document.matchAll(/<svg[\s\S]*?<\/svg>/g)].map(([svg]) => {
    const title = /font-weight:bold;"[^>]*>([^<]+)<\/text>/.exec(svg)?.[1] ?? '';
    const texts = [...svg.matchAll(/<text[^>]*text-anchor="(\w+)"[^>]*transform="translate\(([\d.]+) ([\d.]+)\)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({
      anchor: m[1],
      x: Number(m[2]),
      y: Number(m[3]),
      text: m[4],
    }));
    const yTicks = texts.filter((t) => t.anchor === 'end').map((t) => ({ pixel: t.y, value: number(t.text) }));
    const xTicks = texts.filter((t) => t.anchor === 'middle' && /^[\d.]+$/.test(t.text)).map((t) => ({ pixel: t.x, value: number(t.text) }));
    const axis = /<path d="M([\d.]+) ([\d.]+)L\1 ([\d.]+)"[^>]*stroke-linecap="round"/.exec(svg);
    const bandPoints = [...svg.matchAll(/<path d="([^"]*)"[^>]*fill-opacity="0\.16"/g)].flatMap((m) =>
      [...m[1].matchAll(/(-?[\d.]+) (-?[\d.]+)/g)].map((p): [number, number] => [Number(p[1]), Number(p[2])]),
    );
    return {
      title,
      svg,
      yValue: linear(yTicks),
      yLabels: yTicks.map((t) => t.value),
      axisEnds: [Number(axis?.[2]), Number(axis?.[3])],
      xValue: xTicks.length >= 2 && !title.includes('model evaluations') ? linear(xTicks) : null,
      bandPoints,
      lineColors: [...svg.matchAll(/stroke="(#[0-9a-f]{6})" stroke-width="1\.8"/g)].map((m) => m[1]),
      boxColors: [...svg.matchAll(/stroke="(#[0-9a-f]{6})" stroke-width="1\.5" ecmeta_series_index="0"/g)].map((m) => m[1]),
    };
  });
}

const domain = (title: string): [number, number] => (/acc/.test(title) ? [0, 1] : [0, Infinity]);

describe('the report HTML', () => {
  const all = charts(html);

  it('draws 4 boxplots and, per curve metric, the epoch and the evaluation-matched chart', () => {
    expect(all.map((c) => c.title)).toEqual([
      'test_acc',
      'test_loss',
      'time (ms)',
      'model_evals',
      'val_loss per epoch',
      'val_loss per model evaluations',
      'val_acc per epoch',
      'val_acc per model evaluations',
      'train_loss per epoch',
      'train_loss per model evaluations',
    ]);
  });

  it('keeps every axis bound, tick and band inside the metric domain', () => {
    for (const chart of all) {
      const [low, high] = domain(chart.title);
      // Half a pixel of rounding in the SVG's coordinates, as a value.
      const slack = Math.abs(chart.yValue(0.5) - chart.yValue(0));
      expect(chart.yLabels.length, chart.title).toBeGreaterThanOrEqual(2);
      for (const v of chart.yLabels) expect(v, chart.title).toBeGreaterThanOrEqual(low);
      for (const v of chart.yLabels) expect(v, chart.title).toBeLessThanOrEqual(high);
      for (const end of chart.axisEnds) {
        expect(chart.yValue(end), `${chart.title} axis`).toBeGreaterThanOrEqual(low - slack);
        expect(chart.yValue(end), `${chart.title} axis`).toBeLessThanOrEqual(high + slack);
      }
      for (const [, y] of chart.bandPoints) {
        expect(chart.yValue(y), `${chart.title} band`).toBeGreaterThanOrEqual(low - slack);
        expect(chart.yValue(y), `${chart.title} band`).toBeLessThanOrEqual(high + slack);
      }
    }
    // The clipping is exercised: the accuracy bands reach 1 and the loss bands 0.
    const acc = all.find((c) => c.title === 'val_acc per epoch');
    const loss = all.find((c) => c.title === 'val_loss per epoch');
    expect(Math.max(...(acc?.bandPoints.map(([, y]) => acc.yValue(y)) ?? []))).toBeCloseTo(1, 2);
    expect(Math.min(...(loss?.bandPoints.map(([, y]) => loss.yValue(y)) ?? []))).toBeCloseTo(0, 2);
  });

  it('draws no band where fewer than 3 runs remain', () => {
    for (const chart of all.filter((c) => c.title.endsWith('per epoch'))) {
      expect(chart.bandPoints.length, chart.title).toBeGreaterThan(0);
      const xValue = chart.xValue;
      expect(xValue).not.toBeNull();
      // Epochs 1-5 have 3 or 4 runs; 6-8 one.
      const lastBanded = Math.max(...chart.bandPoints.map(([x]) => (xValue === null ? Number.NaN : xValue(x))));
      expect(lastBanded, chart.title).toBeCloseTo(5, 1);
    }
  });

  it('gives the i-th group seriesColor(i) everywhere', () => {
    const expected = [0, 1, 2].map(seriesColor);
    for (const chart of all.slice(0, 4)) expect(chart.boxColors, chart.title).toEqual(expected);
    for (const chart of all.slice(4)) expect(chart.lineColors, chart.title).toEqual(expected);
    const compared = /<table class="compared">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect([...compared.matchAll(/class="sw" style="background:(#[0-9a-f]{6})"/g)].map((m) => m[1])).toEqual(expected);
  });

  it('prints the A12 of the pair beside every p-value', () => {
    const matrices = [...html.matchAll(/<table class="matrix">[\s\S]*?<\/table>/g)].map((m) => m[0]);
    expect(matrices).toHaveLength(6); // test_acc, test_loss, val_acc, val_loss, time, model_evals
    for (const matrix of matrices) {
      const cells = [...matrix.matchAll(/<td class="num">([^]*?)<\/td>/g)].map((m) => m[1]).filter((c) => c !== '');
      expect(cells).toHaveLength(3 * 2);
      for (const c of cells) expect(c).toMatch(/^(<b>)?(\d\.\d+(e-\d+)?|0\.\d+|1\.0)(<\/b>)? \(A12 [01]\.\d\d\)$/);
    }
  });

  it('opens with what was compared and the verdict per metric, the test named', () => {
    const first = html.slice(0, html.indexOf('<figure'));
    expect(first).toContain('<h2>What was compared</h2>');
    expect(first).toContain('<h2>Verdict per metric</h2>');
    expect(first).toContain('Test: <b>Mann-Whitney U, one-sided, Holm-adjusted, α = 0.05</b>');
    const verdicts = /<table class="verdicts">[\s\S]*?<\/table>/.exec(first)?.[0] ?? '';
    for (const metric of ['test_acc', 'test_loss', 'val_acc', 'val_loss', 'time', 'model_evals']) expect(verdicts).toContain(`<b>${metric}</b>`);
    expect(verdicts.match(/<tr>/g)).toHaveLength(1 + 6); // the header and one row per metric
  });

  it('puts the optimizer in the optimizer column and the experiment in its own', () => {
    const compared = /<table class="compared">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect(compared).toContain('<th>optimizer and settings</th><th>experiment</th>');
    const rows = [
      ...compared.matchAll(/<tr><td><span class="sw"[^>]*><\/span><b>([^<]+)<\/b>(?:<br><span class="dim">([^<]*)<\/span>)?<\/td><td>([^<]*)/g),
    ].map((m) => [m[1], m[2], m[3].trim()]);
    expect(rows).toEqual([
      ['adam', 'lr 0.1', 'my adam run'],
      ['cmaes', 'population 80', 'cmaes, big population'],
      ['sgd', 'lr 1', 'sgd'],
    ]);
    expect(compared).toContain('<td class="num">7–9</td>'); // sgd's seeds
  });

  it('writes every number of the tables in its metric format', () => {
    // Times in one unit (the column's largest value, cmaes' CI bound 0.584 s, is below 1 s: ms,
    // 3 significant digits -> no decimals), the unit in each cell. adam: 1, 2, 50 ms -> mean
    // 17.67, sd 28.01, CI 17.67 ± 4.303 * 28.01 / sqrt(3) = [-51.9, 87.2] -> [0, 87].
    expect(html).toContain('<td class="num">18 ± 28 ms</td>');
    expect(html).toContain('<td class="num">[0, 87] ms</td>');
    expect(html).not.toMatch(/\[-\d/); // no interval reads below 0
    const accuracy = [...html.matchAll(/<section class="keep metric">[\s\S]*?<\/section>/g)].map((m) => m[0]).filter((t) => /_acc </.test(t));
    expect(accuracy).toHaveLength(2);
    for (const table of accuracy) {
      for (const [, low, high] of table.matchAll(/\[(\d\.\d{4}), (\d\.\d{4})\]/g)) {
        expect(Number(low)).toBeGreaterThanOrEqual(0);
        expect(Number(high)).toBeLessThanOrEqual(1);
      }
    }
    expect(html).toContain('<td class="num">[0.8232, 1.0000]</td>'); // adam's test_acc: 0.9667 + 0.143 -> 1
  });
});
