/**
 * The one key order of EchoLua (dpairs, dkeys, dvalues, saved state):
 * numbers first, by value (integers and Q32.32 compared exactly), then
 * strings bytewise, then false before true. Tables, functions and json.null
 * have no order: using them as keys where order matters is an error.
 */
import { isNumber, numCompare } from './number';
import { radixSortShortStrings } from './short-sort';
import { fail, typeName, type Value } from './values';

function rank(v: Value): number {
  if (isNumber(v)) return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  return fail('TYPE_ERROR', `a ${typeName(v)} key has no deterministic order (dpairs, dkeys and saved state need number, string or boolean keys)`);
}

export function compareKeys(a: Value, b: Value): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return numCompare(a as number, b as number);
  if (ra === 1) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  return a === b ? 0 : a === false ? -1 : 1;
}

/** Sorts keys in the EchoLua key order, with fast paths for all-string and all-small-integer key sets. */
export function sortKeys(keys: Value[]): Value[] {
  let strings = 0;
  let ints = 0;
  for (let i = 0; i < keys.length; i++) {
    const t = typeof keys[i];
    if (t === 'string') strings++;
    else if (t === 'number') ints++;
  }
  if (strings === keys.length) {
    if (radixSortShortStrings(keys)) return keys;
    // Default sort compares UTF-16 code units, which here are bytes: the string order we define.
    return keys.sort();
  }
  if (ints === keys.length) return keys.sort((a, b) => (a as number) - (b as number));
  return keys.sort(compareKeys);
}

/** Fuel for sorting n items: about n * log2(n). */
export function sortCost(n: number): number {
  return n <= 1 ? 1 : Math.ceil(n * Math.log2(n));
}

/**
 * Stable merge sort with a comparator that may throw (a Lua error).
 * `less(a, b)` says whether a must come before b.
 */
export function stableSort<T>(items: T[], less: (a: T, b: T) => boolean): T[] {
  const n = items.length;
  if (n < 2) return items;
  let src = items.slice();
  let dst = new Array<T>(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // Take from the right only when it is strictly less: that keeps equal items in order.
        if (less(src[j] as T, src[i] as T)) dst[k++] = src[j++] as T;
        else dst[k++] = src[i++] as T;
      }
      while (i < mid) dst[k++] = src[i++] as T;
      while (j < hi) dst[k++] = src[j++] as T;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}
