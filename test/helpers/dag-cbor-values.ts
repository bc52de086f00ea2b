/**
 * Generated DAG-CBOR values for the strict decoder's property tests
 * (test/canon/cbor.test.ts, test/canon/cbor-one-pass.test.ts), and the
 * independent criterion both hold it to.
 */
import fc from 'fast-check';
import * as dagCbor from '@ipld/dag-cbor';
import { bytesEqual } from '../../src/core/bytes';

/** Values the encoder writes: every leaf kind of the data model (CIDs aside), each leaf in `extra`, nested in arrays and maps with `key` keys. */
export function dagCborValues(extra: readonly fc.Arbitrary<unknown>[], key: fc.Arbitrary<string> = fc.string({ unit: 'grapheme' })): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isSafeInteger(d) && !Object.is(d, -0)),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 40 }),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER)),
    ...extra,
  );
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 5 }), fc.dictionary(key, tie('value'), { maxKeys: 5 })),
  })).value;
}

/** The independent criterion: the bytes decode and re-encode to themselves. */
export function reencodes(bytes: Uint8Array): boolean {
  try {
    return bytesEqual(dagCbor.encode(dagCbor.decode(bytes)), bytes);
  } catch {
    return false;
  }
}
