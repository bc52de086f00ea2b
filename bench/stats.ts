/**
 * The few statistics the benches report. A median of interleaved rounds says
 * where a figure sits; the interval says whether two rows differ at all: the
 * daemon bench's rows sit within a few tenths of a millisecond of the sketch,
 * and six runs of one build read 0.91-1.09x (decision 0064). Pure.
 */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A distribution-free confidence interval for a median: two order statistics of the sample. */
export interface MedianInterval {
  readonly low: number;
  readonly high: number;
  /** The probability that the interval holds the population's median (at least the confidence asked for). */
  readonly coverage: number;
  /** The 1-based ranks of low and high in the sorted sample. */
  readonly ranks: readonly [number, number];
}

/**
 * The interval [x(k), x(n+1-k)] of the sorted sample with the largest k whose
 * coverage, 1 - 2 P(B <= k-1) for B ~ Binomial(n, 1/2), is at least
 * `confidence` (the sign test's interval: it assumes only independent rounds,
 * no shape of the distribution). Undefined when the sample is too small for
 * any such interval (n = 5 at 95%).
 */
export function medianInterval(xs: readonly number[], confidence = 0.95): MedianInterval | undefined {
  const n = xs.length;
  if (n === 0 || !(confidence > 0 && confidence < 1)) return undefined;
  // P(B = j) in logs, so that no 2^-n underflows for large samples.
  let logPmf = -n * Math.LN2;
  let below = 0;
  let k = 0;
  for (let j = 0; 2 * j < n; j++) {
    if (1 - 2 * (below + Math.exp(logPmf)) < confidence) break;
    below += Math.exp(logPmf);
    k = j + 1;
    logPmf += Math.log(n - j) - Math.log(j + 1);
  }
  if (k === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return { low: s[k - 1] as number, high: s[n - k] as number, coverage: 1 - 2 * below, ranks: [k, n + 1 - k] };
}
