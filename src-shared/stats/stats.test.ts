// The statistics against published reference values, each with its source:
//   [R]   R's wilcox.test, as quoted (with the R code) in scipy's test suite:
//         scipy/stats/tests/test_hypotests.py, class TestMannWhitneyU (test_basic,
//         test_continuity, test_tie_correct) and scipy/stats/tests/test_morestats.py,
//         class TestWilcoxon (test_accuracy_wilcoxon, test_wilcoxon_tie, test_onesided,
//         test_exact_pval)
//   [MW]  Mann & Whitney (1947), "On a test of whether one of two random variables is
//         stochastically larger than the other", Ann. Math. Statist. 18, table p. 52 (the CDF
//         of U, 3 decimals), as tabulated in TestMannWhitneyU.test_exact_distribution
//   [NIST] NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2, critical values of
//         Student's t (3 decimals)
//   [Holm] Holm (1979), the step-down rule, worked by hand below
// Agreement is asserted to 1e-6 unless the source has fewer digits.
import { describe, expect, it } from 'vitest';
import { a12Magnitude, varghaDelaneyA12 } from './effect-size.ts';
import { holmAdjust } from './holm.ts';
import { mannWhitneyExactSf, mannWhitneyU } from './mann-whitney.ts';
import { normalCdf, normalQuantile } from './normal.ts';
import { studentTQuantile } from './student-t.ts';
import { quantile, summarize } from './summary.ts';
import { wilcoxonSignedRank } from './wilcoxon.ts';

const close = (actual: number, expected: number, tolerance = 1e-6) => expect(Math.abs(actual - expected)).toBeLessThan(tolerance);

describe('Mann-Whitney U', () => {
  // [R] TestMannWhitneyU: x has 3 values, y 13 (no ties).
  const x = [210.05211, 110.19063, 307.918612];
  const y = [
    436.08811482466416, 416.37397329768191, 179.96975939463582, 197.8118754228619, 34.038757281225756, 138.54220550921517, 128.7769351470246,
    265.92721427951852, 275.6617533155341, 592.34083395416258, 448.73177590617018, 300.61495185038905, 187.97508449019588,
  ];

  it.each([
    ['two-sided', 'asymptotic', 0.6865041817876],
    ['less', 'asymptotic', 0.3432520908938],
    ['greater', 'asymptotic', 0.7047591913255],
    ['two-sided', 'exact', 0.7035714285714],
    ['less', 'exact', 0.3517857142857],
    ['greater', 'exact', 0.6946428571429],
  ] as const)('[R] %s, %s: U = 16, p as wilcox.test', (alternative, method, p) => {
    const result = mannWhitneyU(x, y, { alternative, method });
    expect(result.u).toBe(16);
    close(result.p, p);
  });

  it.each([
    ['two-sided', true, 0.6865041817876],
    ['less', true, 0.7047591913255],
    ['greater', true, 0.3432520908938],
    ['two-sided', false, 0.6377328900502],
    ['less', false, 0.6811335549749],
    ['greater', false, 0.3188664450251],
  ] as const)('[R] samples swapped, %s, continuity %s (correct = TRUE/FALSE)', (alternative, continuity, p) => {
    const result = mannWhitneyU(y, x, { alternative, method: 'asymptotic', continuity });
    expect(result.u).toBe(23);
    close(result.p, p);
  });

  it('[R] corrects the variance for ties (wilcox.test(x, y, exact = FALSE))', () => {
    const a = [1, 2, 3, 4];
    const base = [1, 2, 3, 4, 5];
    const dy = [0, 1, 0, 1, 0].map((v) => v * 0.01);
    const dy2 = [0, 0, 1, 0, 0].map((v) => v * 0.01);
    const ys = [
      base.map((v) => v - 0.01),
      base.map((v, i) => v - dy[i]),
      base.map((v, i) => v - dy2[i]),
      base,
      base.map((v, i) => v + dy2[i]),
      base.map((v, i) => v + dy[i]),
      base.map((v) => v + 0.01),
    ];
    const u = [10, 9, 8.5, 8, 7.5, 7, 6];
    const p = [1, 0.9017048037317, 0.804080657472, 0.7086240584439, 0.6197963884941, 0.5368784563079, 0.3912672792826];
    ys.forEach((b, i) => {
      const result = mannWhitneyU(a, b, { method: 'asymptotic' });
      expect(result.u).toBe(u[i]);
      close(result.p, p[i]);
    });
  });

  it('[MW] exact null distribution: CDF of U for m = 1..6, n = 3..6 (table p. 52)', () => {
    const table: Record<number, Record<number, number[]>> = {
      3: { 1: [0.25, 0.5, 0.75], 2: [0.1, 0.2, 0.4, 0.6], 3: [0.05, 0.1, 0.2, 0.35, 0.5, 0.65] },
      4: { 2: [0.067, 0.133, 0.267, 0.4, 0.6], 4: [0.014, 0.029, 0.057, 0.1, 0.171, 0.243, 0.343, 0.443, 0.557] },
      5: {
        3: [0.018, 0.036, 0.071, 0.125, 0.196, 0.286, 0.393, 0.5, 0.607],
        5: [0.004, 0.008, 0.016, 0.028, 0.048, 0.075, 0.111, 0.155, 0.21, 0.274, 0.345, 0.421, 0.5, 0.579],
      },
      6: { 6: [0.001, 0.002, 0.004, 0.008, 0.013, 0.021, 0.032, 0.047, 0.066, 0.09, 0.12, 0.155, 0.197, 0.242, 0.294, 0.35, 0.409, 0.469, 0.531] },
    };
    for (const [n, rows] of Object.entries(table)) {
      for (const [m, cdf] of Object.entries(rows)) {
        cdf.forEach((expected, u) => close(1 - mannWhitneyExactSf(u + 1, Number(m), Number(n)), expected, 1e-3 + 1e-12));
      }
    }
  });

  it("chooses like scipy's method='auto': exact for a sample <= 8 without ties, else asymptotic", () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6, 7]).method).toBe('exact');
    expect(mannWhitneyU([1, 2, 3], [3, 5, 6, 7]).method).toBe('asymptotic');
    const big = Array.from({ length: 9 }, (_, i) => i);
    expect(
      mannWhitneyU(
        big,
        big.map((v) => v + 0.5),
      ).method,
    ).toBe('asymptotic');
    // Completely separated samples of 5: p = 2 / C(10, 5) two-sided.
    close(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 2 / 252, 1e-12);
  });
});

describe('Wilcoxon signed-rank', () => {
  it('[R] asymptotic with and without continuity correction (paired, exact = FALSE)', () => {
    const x = [120, 114, 181, 188, 180, 146, 121, 191, 132, 113, 127, 112];
    const y = [133, 143, 119, 189, 112, 199, 198, 113, 115, 121, 142, 187];
    const plain = wilcoxonSignedRank(x, y, { method: 'asymptotic' });
    expect(plain.statistic).toBe(34);
    close(plain.p, 0.6948866023724735);
    close(wilcoxonSignedRank(x, y, { method: 'asymptotic', correction: true }).p, 0.7240816609153895);
  });

  it('[R] one-sided with ties and a zero difference', () => {
    const x = [125, 115, 130, 140, 140, 115, 140, 125, 140, 135];
    const y = [110, 122, 125, 120, 140, 124, 123, 137, 135, 145];
    const less = wilcoxonSignedRank(x, y, { alternative: 'less', method: 'asymptotic' });
    expect(less.statistic).toBe(27);
    close(less.p, 0.7031847042787);
    close(wilcoxonSignedRank(x, y, { alternative: 'less', method: 'asymptotic', correction: true }).p, 0.72336564289);
    close(wilcoxonSignedRank(x, y, { alternative: 'greater', method: 'asymptotic' }).p, 0.2968152957213);
    close(wilcoxonSignedRank(x, y, { alternative: 'greater', method: 'asymptotic', correction: true }).p, 0.3176446594176);
  });

  it('[R] all differences tied (wilcox.test(rep(0.1, 10), exact = FALSE))', () => {
    const d = new Array<number>(10).fill(0.1);
    close(wilcoxonSignedRank(d, null, { method: 'asymptotic' }).p, 0.001565402258002551);
    close(wilcoxonSignedRank(d, null, { method: 'asymptotic', correction: true }).p, 0.00190419504300439);
  });

  it('[R] exact p-values (wilcox.test(x - y, exact = TRUE))', () => {
    const x = [1.81, 0.82, 1.56, -0.48, 0.81, 1.28, -1.04, 0.23, -0.75, 0.14];
    const y = [0.71, 0.65, -0.2, 0.85, -1.1, -0.45, -0.84, -0.24, -0.68, -0.76];
    close(wilcoxonSignedRank(x, y, { method: 'exact' }).p, 0.10546875);
    close(wilcoxonSignedRank(x, y, { alternative: 'less', method: 'exact' }).p, 0.95800781256);
    close(wilcoxonSignedRank(x, y, { alternative: 'greater', method: 'exact' }).p, 0.052734375);
    const a = Array.from({ length: 20 }, (_, i) => i + 0.5);
    const b = Array.from({ length: 20 }, (_, i) => 20 - i);
    close(wilcoxonSignedRank(a, b, { method: 'exact' }).p, 0.8694877624511719);
    close(wilcoxonSignedRank(a, b, { alternative: 'less', method: 'exact' }).p, 0.4347438812255859);
    close(wilcoxonSignedRank(a, b, { alternative: 'greater', method: 'exact' }).p, 0.5795888900756836);
    // Auto picks exact without ties or zeros, at most 50 pairs.
    expect(wilcoxonSignedRank(a, b).method).toBe('exact');
  });

  it('uses the exact permutation distribution for small samples with zeros or ties, asymptotic above 13 pairs', () => {
    // d = -2..4: one zero, ties |1|, |2|. Enumerating the 2^6 sign flips of the non-zero
    // differences gives P(min(R+, R-) as extreme) = 22/64 = 0.34375.
    const small = wilcoxonSignedRank([-2, -1, 0, 1, 2, 3, 4], null);
    expect(small).toMatchObject({ method: 'permutation', statistic: 5 });
    close(small.p, 0.34375, 1e-12);
    expect(
      wilcoxonSignedRank(
        Array.from({ length: 14 }, (_, i) => i - 5),
        null,
      ).method,
    ).toBe('asymptotic');
  });
});

describe('Holm correction', () => {
  it('[Holm] step-down: sorted p times (m - i + 1), made monotone, in input order', () => {
    // sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max(0.06, 0.04) = 0.06
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => close(adjusted[i], v, 1e-15));
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]); // 0.5 * 2 = 1, then max(1, 0.9 * 1)
    expect(holmAdjust([Number.NaN, 0.01])).toEqual([Number.NaN, 0.01]);
  });
});

describe('effect size and summaries', () => {
  it('A12 = P(X > Y) + P(X = Y) / 2 (Vargha & Delaney 2000, eq. 14)', () => {
    expect(varghaDelaneyA12([1, 2, 3], [1, 2, 3])).toBe(0.5);
    expect(varghaDelaneyA12([4, 5], [1, 2, 3])).toBe(1);
    // pairs: (2,1)>, (2,2)=, (2,3)<, (3,1)>, (3,2)>, (3,3)= -> (3 + 2/2) / 6
    expect(varghaDelaneyA12([2, 3], [1, 2, 3])).toBeCloseTo(4 / 6, 15);
    expect(a12Magnitude(0.5)).toBe('negligible');
    expect(a12Magnitude(0.29)).toBe('large');
  });

  it('[NIST] t quantiles for the 95% interval, and the interval itself', () => {
    close(studentTQuantile(0.975, 1), 12.706, 5e-4);
    close(studentTQuantile(0.975, 4), 2.776, 5e-4);
    close(studentTQuantile(0.975, 24), 2.064, 5e-4);
    close(studentTQuantile(0.995, 9), 3.25, 5e-4);
    // mean 4.242857..., s = 2.807049..., t(0.975, 6) = 2.447 [NIST]: half width 2.447 * s / sqrt(7)
    const s = summarize([2.5, 3.1, 4.7, 1.2, 9.9, 3.3, 5.0]);
    close(s.mean, 29.7 / 7, 1e-12);
    close(s.ci95[1] - s.mean, (2.447 * s.std) / Math.sqrt(7), 1e-3);
    // sorted 1.2 2.5 3.1 3.3 4.7 5.0 9.9: median the 4th; q1 at position 1.5 -> 2.5 + 0.5 * 0.6; q3 at 4.5 -> 4.7 + 0.5 * 0.3
    close(s.median, 3.3, 1e-12);
    close(s.q1, 2.8, 1e-12);
    close(s.q3, 4.85, 1e-12);
    close(s.iqr, 2.05, 1e-12);
    expect(Number.isNaN(summarize([1]).std)).toBe(true);
  });

  it('normal distribution helpers agree with tables (Phi(1.96) = 0.975002, z(0.95) = 1.644854)', () => {
    close(normalCdf(1.96), 0.9750021048517795);
    close(normalQuantile(0.95), 1.6448536269514722);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});
