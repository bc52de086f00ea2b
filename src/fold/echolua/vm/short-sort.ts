/**
 * Sorting many short Lua strings (at most 8 bytes each) by radix instead of
 * by comparison. Profiled on the benchmark's emit (dkeys over 50,000 ids),
 * Array.prototype.sort spent its time loading the two strings of every
 * comparison, scattered over the heap, n log n times; here each string is
 * read once into two words and the passes run over typed arrays.
 *
 * The order is the default sort's for these strings: code units that are
 * bytes, compared bytewise, a proper prefix first. With the bytes padded by
 * zeros to 8, comparing (padded bytes, length) gives exactly that order: if
 * the padded bytes tie, one string is the other plus NUL bytes, so the
 * shorter comes first; if they differ where only one string still has bytes,
 * the other is a prefix, whose zero padding is the smaller digit.
 */

/** Below this, the default sort is as fast and the typed arrays are not worth making. */
const MIN_ITEMS = 256;
const MAX_BYTES = 8;

/**
 * Sorts `keys` in place when every item is a string of at most 8 code units,
 * each below 256, and there are enough of them to pay; returns false (and
 * leaves `keys` as it was) otherwise.
 */
export function radixSortShortStrings(keys: unknown[]): boolean {
  const n = keys.length;
  if (n < MIN_ITEMS) return false;
  // hi: bytes 0-3, lo: bytes 4-7, most significant first; zero where the string has ended.
  const hi = new Int32Array(n);
  const lo = new Int32Array(n);
  const len = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = keys[i];
    if (typeof s !== 'string' || s.length > MAX_BYTES) return false;
    let h = 0;
    let l = 0;
    let high = 0;
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      high |= c;
      if (j < 4) h |= c << ((3 - j) << 3);
      else l |= c << ((7 - j) << 3);
    }
    if (high > 0xff) return false;
    hi[i] = h;
    lo[i] = l;
    len[i] = s.length;
  }
  // Least significant digit first: the length, then bytes 7 down to 0; each pass is stable.
  let order = new Int32Array(n);
  let next = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const digits = new Uint8Array(n);
  const count = new Int32Array(257);
  const pass = (): void => {
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const d = (digits[i] as number) + 1;
      count[d] = (count[d] as number) + 1;
    }
    // A digit every item shares cannot reorder anything.
    for (let d = 1; d <= 256; d++) if (count[d] === n) return;
    for (let d = 1; d <= 256; d++) (count[d] as number) += count[d - 1] as number;
    for (let i = 0; i < n; i++) {
      const k = order[i] as number;
      const d = digits[k] as number;
      const at = count[d] as number;
      count[d] = at + 1;
      next[at] = k;
    }
    const t = order;
    order = next;
    next = t;
  };
  digits.set(len);
  pass();
  for (const words of [lo, hi]) {
    for (let shift = 0; shift < 32; shift += 8) {
      for (let i = 0; i < n; i++) digits[i] = (words[i] as number) >>> shift;
      pass();
    }
  }
  const items = keys.slice();
  for (let i = 0; i < n; i++) keys[i] = items[order[i] as number];
  return true;
}
