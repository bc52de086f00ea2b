import { williamsOrder } from '../../bench/williams';

describe('williamsOrder (the daemon bench\'s push order)', () => {
  it.each([2, 4, 8, 10])('gives %i pushes a permutation each round, and each ordered pair once over that many rounds', (n) => {
    const follows = new Map<string, number>();
    for (let round = 0; round < n; round++) {
      const order = williamsOrder(n, round);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      for (let k = 1; k < n; k++) {
        const pair = `${order[k - 1]}>${order[k]}`;
        follows.set(pair, (follows.get(pair) ?? 0) + 1);
      }
    }
    expect(follows.size).toBe(n * (n - 1));
    expect([...follows.values()].every((c) => c === 1)).toBe(true);
  });

  it('repeats every n rounds', () => {
    expect(williamsOrder(8, 11)).toEqual(williamsOrder(8, 3));
    expect(williamsOrder(8, 0)).toEqual([0, 1, 7, 2, 6, 3, 5, 4]);
  });
});
