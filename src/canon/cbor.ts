/**
 * Canonical DAG-CBOR. Encoding goes through @ipld/dag-cbor, which sorts map
 * keys (length first, then bytewise), writes minimal integers and float64
 * only. Decoding is strict: one pass (cbor-scan.ts) checks the structure,
 * names the first broken rule and its byte offset, and builds the value as
 * @ipld/dag-cbor would. Where the value may not say what the bytes say (a
 * CID, a string starting with U+FEFF) the bytes go to @ipld/dag-cbor's
 * decoder (which checks CIDs) and the value is re-encoded and must give the
 * input bytes back. Elsewhere the scan's rules are that proof already
 * (test/canon/cbor.test.ts checks it on mutations, and that both decoders
 * give the same value).
 */
import * as dagCbor from '@ipld/dag-cbor';
import { bytesEqual, toHex } from '../core/bytes';
import { readDagCbor } from './cbor-scan';
import { err, gateError, ok, type GateError, type Result } from '../core/result';
import { CBOR_INT_RANGE, findOutOfRange } from './integers';
import { formatJsonPath } from './json-value';

/** A value DAG-CBOR can carry (CIDs excepted, which we do not use). */
export type CborValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly CborValue[]
  | { readonly [key: string]: CborValue };

/** Canonical bytes of `value`; throws only for values outside the data model (a bug). */
export function encodeCanonical(value: unknown): Uint8Array {
  return dagCbor.encode(value);
}

/** Like encodeCanonical, but reports an unencodable value as an error value. */
export function tryEncodeCanonical(value: unknown): Result<Uint8Array> {
  try {
    return ok(dagCbor.encode(value));
  } catch (e) {
    // Only on failure: name an integer DAG-CBOR cannot hold (the encoder's own message speaks of decoding).
    const big = findOutOfRange(value, CBOR_INT_RANGE);
    if (big) return err(gateError('ENCODING_INVALID', `the integer ${big.value} at ${formatJsonPath(big.path)} is outside ${CBOR_INT_RANGE.name}`, { hint: 'DAG-CBOR has no bignums (tags 2 and 3); write a larger number as a decimal string' }));
    return err(gateError('ENCODING_INVALID', `value cannot be encoded as DAG-CBOR: ${messageOf(e)}`));
  }
}

/**
 * Decodes `bytes` and proves they are the one canonical encoding of the value.
 * `what` names the artifact in messages ("compiled policy", "event envelope").
 */
export function decodeStrict(bytes: Uint8Array, what = 'CBOR data'): Result<unknown> {
  const scan = readDagCbor(bytes);
  if (scan.violation) return err(decodeError(what, `at byte ${scan.violation.offset}: ${scan.violation.message}`));
  // The scan proves the rest; decoding again and re-encoding only where it cannot.
  if (!scan.reencode) return ok(scan.value);
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (e) {
    return err(decodeError(what, `it does not decode: ${messageOf(e)}`));
  }
  let again: Uint8Array;
  try {
    again = dagCbor.encode(value);
  } catch (e) {
    return err(decodeError(what, `it decodes to a value DAG-CBOR cannot hold: ${messageOf(e)}`));
  }
  if (!bytesEqual(again, bytes)) {
    return err(decodeError(what, firstDifference(bytes, again)));
  }
  return ok(value);
}

function decodeError(what: string, detail: string): GateError {
  return gateError('ENCODING_INVALID', `${what} is not canonical DAG-CBOR: ${detail}`, {
    hint: 'canonical DAG-CBOR has sorted map keys, minimal integers, definite lengths, float64 floats, unique keys and nothing after the item',
  });
}

function firstDifference(input: Uint8Array, canonical: Uint8Array): string {
  let i = 0;
  while (i < input.length && i < canonical.length && input[i] === canonical[i]) i++;
  if (i === canonical.length && input.length > canonical.length) {
    return `${input.length - canonical.length} byte(s) follow the item at offset ${canonical.length}`;
  }
  const got = toHex(input.subarray(i, i + 8));
  const want = toHex(canonical.subarray(i, i + 8));
  return `bytes differ from the canonical re-encoding at offset ${i} (got ${got || 'end'}, canonical ${want || 'end'})`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
