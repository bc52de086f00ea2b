import { appendAll } from '../../src/core/arrays';

describe('appendAll', () => {
  it('appends in order, to what is there', () => {
    const a = [1, 2];
    appendAll(a, [3, 4]);
    expect(a).toEqual([1, 2, 3, 4]);
  });

  it('appends more items than push(...items) can take as arguments', () => {
    const items = Array.from({ length: 300_000 }, (_, i) => i);
    expect(() => [].push(...(items as never[]))).toThrow(RangeError);
    const a: number[] = [];
    appendAll(a, items);
    expect(a.length).toBe(300_000);
    expect(a[299_999]).toBe(299_999);
  });
});
