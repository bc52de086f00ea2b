/**
 * The integer ranges of the canonical encodings (docs/encodings.md,
 * "Integers"; decision 0021). The FAQ asks for u64 and s128 carried exactly:
 *
 *   - canonical JSON carries every integer from -2^127 to 2^127-1 (s128,
 *     which holds every u64) as its exact digits, and refuses larger ones;
 *   - canonical DAG-CBOR carries -2^64 .. 2^64-1 (major types 0 and 1: every
 *     u64 and s64). DAG-CBOR has no bignums (tags 2 and 3 are outside its
 *     data model), so an s128 beyond that has no DAG-CBOR form: refused with
 *     this range in the message, never rounded;
 *   - the fold VM computes with s64 (-2^63 .. 2^63-1): a payload integer
 *     outside it is refused when the envelope is read (the producer before
 *     signing, the gate before accepting), so no journal holds an event a
 *     fold cannot read. Pure.
 */
export const U64_MAX = 2n ** 64n - 1n;
export const S64_MIN = -(2n ** 63n);
export const S64_MAX = 2n ** 63n - 1n;
export const S128_MIN = -(2n ** 127n);
export const S128_MAX = 2n ** 127n - 1n;
export const CBOR_INT_MIN = -(2n ** 64n);
export const CBOR_INT_MAX = U64_MAX;

export interface IntRange {
  readonly min: bigint;
  readonly max: bigint;
  /** How messages name it. */
  readonly name: string;
}

export const JSON_INT_RANGE: IntRange = { min: S128_MIN, max: S128_MAX, name: 'the canonical JSON integer range (signed 128-bit, -2^127 to 2^127-1)' };
export const CBOR_INT_RANGE: IntRange = { min: CBOR_INT_MIN, max: CBOR_INT_MAX, name: "DAG-CBOR's integer range (-2^64 to 2^64-1)" };
export const FOLD_INT_RANGE: IntRange = { min: S64_MIN, max: S64_MAX, name: 'the fold integer range (signed 64-bit, -2^63 to 2^63-1)' };

export function inRange(n: bigint, r: IntRange): boolean {
  return n >= r.min && n <= r.max;
}

/** The first bigint in `value` outside `r`, with its path, or undefined. Walks plain data only. */
export function findOutOfRange(value: unknown, r: IntRange, path: (string | number)[] = [], depth = 0): { value: bigint; path: (string | number)[] } | undefined {
  if (typeof value === 'bigint') return inRange(value, r) ? undefined : { value, path: [...path] };
  if (depth > 600 || value === null || typeof value !== 'object' || value instanceof Uint8Array) return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries) {
    path.push(k);
    const hit = findOutOfRange(v, r, path, depth + 1);
    path.pop();
    if (hit) return hit;
  }
  return undefined;
}
