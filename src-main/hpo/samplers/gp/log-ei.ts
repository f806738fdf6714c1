// Log expected improvement, the GP sampler's acquisition function: log EI = log sigma +
// log h(z) (Jones, Schonlau & Welch 1998, "Efficient Global Optimization of Expensive
// Black-Box Functions", eq. 15), computed in log space as in Ament et al. 2023, "Unexpected
// Improvements to Expected Improvement for Bayesian Optimization" (LogEI), so that it keeps a
// useful value and gradient far in the tail where EI itself underflows.

import { normalCdf, normalPdf } from '../../../../src-shared/stats/normal.ts';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * log h(z), h(z) = phi(z) + z Phi(z), so that EI = sigma h((best - mu) / sigma) (Jones et al.
 * 1998, eq. 15), with a = Phi(z) / h(z) and b = phi(z) / h(z), its derivatives:
 * d log EI / d mu = -a / sigma, d log EI / d sigma = b / sigma. For z < -1, h = phi (1 + z R)
 * with the Mills ratio R = Phi(z) / phi(z), computed without underflow (Ament et al. 2023's
 * LogEI computes the same log h through erfcx); below -25 the cancelling 1 + z R takes its
 * asymptotic series 1/z^2 - 3/z^4 + 15/z^6 - ... (Abramowitz & Stegun 26.2.12).
 */
export function logH(z: number): { logH: number; a: number; b: number } {
  if (z > -1) {
    const cdf = normalCdf(z);
    const pdf = normalPdf(z);
    const h = pdf + z * cdf;
    return { logH: Math.log(h), a: cdf / h, b: pdf / h };
  }
  const logPdf = -0.5 * z * z - 0.5 * LOG_2PI;
  let q: number;
  let logQ: number;
  let mills: number;
  if (z >= -25) {
    mills = normalCdf(z) / normalPdf(z);
    q = 1 + z * mills;
    logQ = Math.log(q);
  } else {
    const u = 1 / (z * z);
    const series = 1 + u * (-3 + u * (15 + u * (-105 + u * 945)));
    q = u * series;
    logQ = Math.log(u) + Math.log(series);
    mills = (1 - q) / -z;
  }
  return { logH: logPdf + logQ, a: mills / q, b: 1 / q };
}
