/**
 * The standard normal distribution's upper tail, for the Mann–Whitney normal approximation. No
 * dependency: the complementary error function by the Chebyshev fit of Numerical Recipes
 * (`erfcc`), whose fractional error is below 1.2e-7 everywhere: far finer than any decision at a
 * significance level of a few percent needs.
 */

/** erfc(x) = 1 − erf(x), with fractional error < 1.2e-7. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** Two-sided tail probability of a standard normal: P(|Z| ≥ |z|). */
export function normalTwoSided(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}
