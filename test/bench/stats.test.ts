import { median, medianInterval } from '../../bench/stats';

/** P(B <= j) for B ~ Binomial(n, 1/2), exactly: sum of C(n, i) over 2^n, as a pair of BigInts. */
function binomialCdf(n: number, j: number): [bigint, bigint] {
  let c = 1n;
  let sum = 0n;
  for (let i = 0; i <= j; i++) {
    sum += c;
    c = (c * BigInt(n - i)) / BigInt(i + 1);
  }
  return [sum, 1n << BigInt(n)];
}

/** Whether 1 - 2 P(B <= k-1) >= 95%, in exact arithmetic: 2 * sum * 100 <= 5 * 2^n. */
function covers95(n: number, k: number): boolean {
  const [sum, all] = binomialCdf(n, k - 1);
  return 2n * sum * 100n <= 5n * all;
}

describe('median', () => {
  it('takes the middle of an odd sample and the mean of the two middles of an even one, in any order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('medianInterval (the sign test\'s interval for a median)', () => {
  // The sign test's tables: n = 10 gives [x(2), x(9)] at 97.9%, n = 20 gives [x(6), x(15)] at 95.9%.
  it.each([
    [10, 2, 0.9785],
    [20, 6, 0.9586],
  ])('for n = %i takes ranks k = %i and n+1-k (coverage %f)', (n, k, coverage) => {
    const xs = Array.from({ length: n }, (_, i) => n - i);
    const got = medianInterval(xs);
    expect(got?.ranks).toEqual([k, n + 1 - k]);
    expect(got?.low).toBe(k);
    expect(got?.high).toBe(n + 1 - k);
    expect(got?.coverage).toBeCloseTo(coverage, 3);
  });

  it.each([6, 7, 16, 31, 104, 208, 1000, 2000])('for n = %i picks the widest ranks exact arithmetic says still cover 95%%', (n) => {
    const got = medianInterval(Array.from({ length: n }, (_, i) => i));
    const k = got?.ranks[0] ?? 0;
    expect(covers95(n, k)).toBe(true);
    expect(covers95(n, k + 1)).toBe(false);
  });

  it('has no interval for a sample too small to reach the confidence', () => {
    expect(medianInterval([1, 2, 3, 4, 5])).toBeUndefined();
    expect(medianInterval([])).toBeUndefined();
    expect(medianInterval([1, 2, 3, 4, 5, 6])?.ranks).toEqual([1, 6]);
  });

  it('tells a shifted sample from zero only when the shift stands out of its spread', () => {
    const noise = Array.from({ length: 104 }, (_, i) => ((i * 37) % 104) / 104 - 0.5);
    expect(medianInterval(noise.map((x) => x - 0.3))?.high).toBeLessThan(0);
    const straddles = medianInterval(noise.map((x) => x - 0.01));
    expect(straddles?.low).toBeLessThan(0);
    expect(straddles?.high).toBeGreaterThan(0);
  });
});
