/**
 * Sorting many short Lua strings (at most 32 bytes each) by radix instead of
 * by comparison. Profiled on the benchmark's emit (dkeys over 50,000 ids),
 * Array.prototype.sort spent its time loading the two strings of every
 * comparison, scattered over the heap, n log n times; here each string is
 * read once into a row of bytes and the passes run over typed arrays.
 *
 * The order is the default sort's for these strings: code units that are
 * bytes, compared bytewise, a proper prefix first. With every row padded by
 * zeros to the longest key, comparing (padded bytes, length) gives exactly
 * that order: if the padded bytes tie, one string is the other plus NUL
 * bytes, so the shorter comes first; if they differ where only one string
 * still has bytes, the other is a prefix, whose zero padding is the smaller
 * digit.
 *
 * Most significant digit first: ids share long prefixes (`order-item-`, a
 * ULID's time) and are told apart within a few bytes after them, so a range
 * stops at the first byte its keys share no more, and small ranges finish by
 * insertion, where a least significant pass would visit every byte of every
 * key.
 */

/** Below this, the default sort is as fast and the typed arrays are not worth making. */
const MIN_ITEMS = 256;
export const MAX_SORT_BYTES = 32;
/** Ranges this small are finished by insertion instead of another counting pass over 256 digits. */
const SMALL_RANGE = 24;

/**
 * Sorts `keys` in place when every item is a string of at most 32 code
 * units, each below 256, and there are enough of them to pay; returns false
 * (and leaves `keys` as it was) otherwise.
 */
export function radixSortShortStrings(keys: unknown[]): boolean {
  const n = keys.length;
  if (n < MIN_ITEMS) return false;
  let width = 0;
  for (let i = 0; i < n; i++) {
    const s = keys[i];
    if (typeof s !== 'string' || s.length > MAX_SORT_BYTES) return false;
    if (s.length > width) width = s.length;
  }
  const rows = new Rows(keys as string[], width);
  if (!rows.filled) return false;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  sortRange(rows, order, 0, n, 0);
  const items = keys.slice();
  for (let i = 0; i < n; i++) keys[i] = items[order[i] as number];
  return true;
}

/** Each key's bytes in a zero-padded row of `width`, and its length: digit `width` of a key. */
class Rows {
  readonly bytes: Uint8Array;
  readonly lengths: Uint8Array;
  /** False when some code unit is above 255 (then the rows are not the keys). */
  readonly filled: boolean;

  constructor(
    keys: readonly string[],
    readonly width: number,
  ) {
    const bytes = new Uint8Array(keys.length * width);
    const lengths = new Uint8Array(keys.length);
    let high = 0;
    for (let i = 0, at = 0; i < keys.length; i++, at += width) {
      const s = keys[i] as string;
      for (let j = 0; j < s.length; j++) {
        const c = s.charCodeAt(j);
        high |= c;
        bytes[at + j] = c;
      }
      lengths[i] = s.length;
    }
    this.bytes = bytes;
    this.lengths = lengths;
    this.filled = high <= 0xff;
  }

  /** Digit d of key k: its padded byte d, then (d = width) its length. */
  digit(k: number, d: number): number {
    return d < this.width ? (this.bytes[k * this.width + d] as number) : (this.lengths[k] as number);
  }

  /** Whether key a sorts before key b, given that they agree on every digit before d. */
  less(a: number, b: number, d: number): boolean {
    const bytes = this.bytes;
    const width = this.width;
    for (let i = a * width + d, j = b * width + d, end = a * width + width; i < end; i++, j++) {
      const x = bytes[i] as number;
      const y = bytes[j] as number;
      if (x !== y) return x < y;
    }
    return (this.lengths[a] as number) < (this.lengths[b] as number);
  }
}

/**
 * Sorts order[lo..hi), whose keys agree on every digit before d. Ranges wait
 * on an explicit stack: recursion depth would follow the key width.
 */
function sortRange(rows: Rows, order: Int32Array, lo: number, hi: number, d: number): void {
  const moved = new Int32Array(order.length);
  const count = new Int32Array(257);
  const stack: number[] = [lo, hi, d];
  const last = rows.width;
  while (stack.length > 0) {
    const digit = stack.pop() as number;
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    if (end - start <= SMALL_RANGE) {
      insertionSort(rows, order, start, end, digit);
      continue;
    }
    count.fill(0);
    for (let i = start; i < end; i++) {
      const c = rows.digit(order[i] as number, digit) + 1;
      count[c] = (count[c] as number) + 1;
    }
    // A digit the whole range shares: no move, look at the next one (after the length, the keys are equal).
    if (count[rows.digit(order[start] as number, digit) + 1] === end - start) {
      if (digit < last) stack.push(start, end, digit + 1);
      continue;
    }
    count[0] = start;
    for (let c = 1; c <= 256; c++) (count[c] as number) += count[c - 1] as number;
    // count[c] is now where digit c's bucket starts.
    for (let i = start; i < end; i++) {
      const k = order[i] as number;
      const c = rows.digit(k, digit);
      const at = count[c] as number;
      count[c] = at + 1;
      moved[at] = k;
    }
    order.set(moved.subarray(start, end), start);
    if (digit === last) continue;
    // count[c] is now where digit c's bucket ends.
    let from = start;
    for (let c = 0; c < 256 && from < end; c++) {
      const to = count[c] as number;
      if (to - from > 1) stack.push(from, to, digit + 1);
      from = to;
    }
  }
}

function insertionSort(rows: Rows, order: Int32Array, lo: number, hi: number, d: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const k = order[i] as number;
    let j = i;
    while (j > lo && rows.less(k, order[j - 1] as number, d)) {
      order[j] = order[j - 1] as number;
      j--;
    }
    order[j] = k;
  }
}
