/** keepNewest (src/core/newest.ts): a map bounded to its newest entries. */
import { keepNewest } from '../../src/core/newest';

describe('keepNewest', () => {
  it('keeps the newest entries by insertion, a key set again counting as new', () => {
    const m = new Map<string, number>();
    keepNewest(m, 'a', 1, 2);
    keepNewest(m, 'b', 2, 2);
    keepNewest(m, 'a', 3, 2);
    keepNewest(m, 'c', 4, 2);
    expect([...m]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
    keepNewest(m, 'd', 5, 0);
    expect(m.size).toBe(0);
  });
});
