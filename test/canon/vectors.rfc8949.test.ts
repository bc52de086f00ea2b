/**
 * RFC 8949 Appendix A examples (../shared/vectors/rfc8949/appendix_a.json).
 * Each example is classified below by the DAG-CBOR rule that admits or
 * refuses it; the test requires the table to cover every example, each valid
 * one to decode strictly and re-encode to its bytes, and each invalid one to
 * be rejected by decodeStrict for the reason written beside it.
 */
import { fromHexLoose, toHex } from '../../src/core/bytes';
import { decodeStrict, encodeCanonical } from '../../src/canon/cbor';
import { describeWithVectors, readVectorJson, reportCount } from '../helpers/vectors';

interface Example {
  readonly hex: string;
  readonly roundtrip: boolean;
  readonly decoded?: unknown;
  readonly diagnostic?: string;
}

type Verdict = { readonly valid: true } | { readonly valid: false; readonly why: string; readonly rule: RegExp };

const VALID: Verdict = { valid: true };
const reject = (why: string, rule: RegExp): Verdict => ({ valid: false, why, rule });

const FLOAT16 = reject('float16: DAG-CBOR floats are always float64', /float16/);
const FLOAT32 = reject('float32: DAG-CBOR floats are always float64', /float32/);
const NAN_INF = reject('NaN and the infinities are outside the DAG-CBOR data model', /NaN|Infinity/);
const TAG = reject('a tag other than 42 (DAG-CBOR admits only CIDs)', /tag \d+ is not allowed/);
const SIMPLE = reject('simple values other than false, true and null are outside the data model', /simple value \d+ is not allowed/);
const INDEFINITE = reject('indefinite-length items: DAG-CBOR lengths are always definite', /indefinite-length/);

const TABLE: Readonly<Record<string, Verdict>> = {
  // Integers: minimal heads, the full range [-2^64, 2^64-1].
  '00': VALID, '01': VALID, '0a': VALID, '17': VALID, '1818': VALID, '1819': VALID, '1864': VALID,
  '1903e8': VALID, '1a000f4240': VALID, '1b000000e8d4a51000': VALID, '1bffffffffffffffff': VALID,
  '3bffffffffffffffff': VALID, '20': VALID, '29': VALID, '3863': VALID, '3903e7': VALID,
  // Bignums are tags 2 and 3.
  'c249010000000000000000': TAG, 'c349010000000000000000': TAG,
  // Floats: only non-integral finite float64 survive.
  'f90000': FLOAT16, 'f98000': FLOAT16, 'f93c00': FLOAT16, 'f93e00': FLOAT16, 'f97bff': FLOAT16,
  'f90001': FLOAT16, 'f90400': FLOAT16, 'f9c400': FLOAT16,
  'fa47c35000': FLOAT32, 'fa7f7fffff': FLOAT32,
  'fb3ff199999999999a': VALID, 'fb7e37e43c8800759c': VALID, 'fbc010666666666666': VALID,
  // Special floats: the f9/fa forms are also short floats; the scan reports the width first.
  'f97c00': FLOAT16, 'f97e00': FLOAT16, 'f9fc00': FLOAT16,
  'fa7f800000': FLOAT32, 'fa7fc00000': FLOAT32, 'faff800000': FLOAT32,
  'fb7ff0000000000000': NAN_INF, 'fb7ff8000000000000': NAN_INF, 'fbfff0000000000000': NAN_INF,
  // Simple values.
  'f4': VALID, 'f5': VALID, 'f6': VALID,
  'f7': reject('undefined is outside the data model', /undefined/),
  'f0': SIMPLE, 'f818': SIMPLE, 'f8ff': SIMPLE,
  // Tags 0 (date text), 1 (epoch), 23 (base16 hint), 24 (embedded CBOR), 32 (URI).
  'c074323031332d30332d32315432303a30343a30305a': TAG, 'c11a514b67b0': TAG, 'c1fb41d452d9ec200000': TAG,
  'd74401020304': TAG, 'd818456449455446': TAG, 'd82076687474703a2f2f7777772e6578616d706c652e636f6d': TAG,
  // Strings.
  '40': VALID, '4401020304': VALID, '60': VALID, '6161': VALID, '6449455446': VALID, '62225c': VALID,
  '62c3bc': VALID, '63e6b0b4': VALID, '64f0908591': VALID,
  // Definite arrays and maps with sorted text keys.
  '80': VALID, '83010203': VALID, '8301820203820405': VALID,
  '98190102030405060708090a0b0c0d0e0f101112131415161718181819': VALID,
  'a0': VALID, 'a26161016162820203': VALID, '826161a161626163': VALID, 'a56161614161626142616361436164614461656145': VALID,
  'a201020304': reject('map keys must be text strings', /map key is an unsigned integer/),
  // Indefinite lengths.
  '5f42010243030405ff': INDEFINITE, '7f657374726561646d696e67ff': INDEFINITE, '9fff': INDEFINITE,
  '9f018202039f0405ffff': INDEFINITE, '9f01820203820405ff': INDEFINITE, '83018202039f0405ff': INDEFINITE,
  '83019f0203ff820405': INDEFINITE, '9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff': INDEFINITE,
  'bf61610161629f0203ffff': INDEFINITE, '826161bf61626163ff': INDEFINITE, 'bf6346756ef563416d7421ff': INDEFINITE,
};

describeWithVectors('RFC 8949 Appendix A examples', () => {
  // Read lazily: a skipped suite still runs this callback to collect its tests.
  let cached: Example[] | undefined;
  const examples = (): Example[] => (cached ??= readVectorJson<Example[]>('rfc8949', 'appendix_a.json'));

  it('classifies every example, and only those', () => {
    const hexes = examples().map((e) => e.hex);
    expect(hexes.filter((h) => !(h in TABLE))).toEqual([]);
    expect(Object.keys(TABLE).filter((h) => !hexes.includes(h))).toEqual([]);
  });

  it('round-trips every valid example and rejects every invalid one for its rule', () => {
    let valid = 0;
    let validOk = 0;
    let invalid = 0;
    let invalidOk = 0;
    const failures: string[] = [];
    for (const ex of examples()) {
      const verdict = TABLE[ex.hex];
      if (!verdict) continue;
      const r = decodeStrict(fromHexLoose(ex.hex), `example ${ex.hex}`);
      if (verdict.valid) {
        valid++;
        if (!r.ok) failures.push(`${ex.hex}: ${r.error.message}`);
        else if (toHex(encodeCanonical(r.value)) !== ex.hex) failures.push(`${ex.hex}: re-encodes differently`);
        else if (ex.decoded !== undefined && !sameValue(r.value, ex.decoded)) failures.push(`${ex.hex}: decodes to ${String(r.value)}`);
        else validOk++;
      } else {
        invalid++;
        if (r.ok) failures.push(`${ex.hex}: accepted, but ${verdict.why}`);
        else if (!verdict.rule.test(r.error.message)) failures.push(`${ex.hex}: rejected for another reason: ${r.error.message}`);
        else invalidOk++;
      }
    }
    reportCount('rfc8949 appendix A valid DAG-CBOR examples round-trip', validOk, valid);
    reportCount('rfc8949 appendix A non-DAG-CBOR examples rejected', invalidOk, invalid);
    expect(failures).toEqual([]);
    expect(valid + invalid).toBe(examples().length);
  });
});

/**
 * Compares with the published JSON value. Integers past 2^53 lost digits when
 * the JSON was parsed, so those compare as doubles here (cbor.test.ts checks
 * 2^64 - 1 and -2^64 exactly).
 */
function sameValue(ours: unknown, published: unknown): boolean {
  if (typeof ours === 'bigint') return Number(ours) === published;
  if (Array.isArray(ours)) return Array.isArray(published) && ours.length === published.length && ours.every((x, i) => sameValue(x, published[i]));
  if (ours !== null && typeof ours === 'object' && !(ours instanceof Uint8Array)) {
    if (published === null || typeof published !== 'object') return false;
    const a = Object.keys(ours).sort();
    const b = Object.keys(published).sort();
    return a.join('\0') === b.join('\0') && a.every((k) => sameValue((ours as Record<string, unknown>)[k], (published as Record<string, unknown>)[k]));
  }
  return Object.is(ours, published);
}
