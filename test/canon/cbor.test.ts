import fc from 'fast-check';
import * as dagCbor from '@ipld/dag-cbor';
import { bytesEqual, fromHexLoose, toHex, utf8 } from '../../src/core/bytes';
import { decodeStrict, encodeCanonical, tryEncodeCanonical } from '../../src/canon/cbor';
import { MAX_CBOR_DEPTH, scanDagCbor, scanForDecode } from '../../src/canon/cbor-scan';
import { dagCborValues, reencodes } from '../helpers/dag-cbor-values';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';

function rejection(hex: string): string {
  const r = decodeStrict(fromHexLoose(hex), 'test item');
  if (r.ok) throw new Error(`expected ${hex} to be rejected`);
  expect(r.error.code).toBe('ENCODING_INVALID');
  expect(r.error.hint).toBeTruthy();
  expect(r.error.message.startsWith('test item is not canonical DAG-CBOR: ')).toBe(true);
  return r.error.message;
}

function accepted(hex: string): unknown {
  const r = decodeStrict(fromHexLoose(hex));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('decodeStrict rejects every non-canonical form with the rule and the offset', () => {
  it.each([
    // [why, hex (hand-assembled), expected message]
    ['unsorted keys {"b":1,"a":1}', 'a2616201616101', /at byte 4: map keys are out of order: "a" comes after "b"/],
    ['length-first order {"aa":1,"b":2}', 'a262616101616202', /at byte 5: map keys are out of order: "b" comes after "aa"; keys sort by length/],
    ['duplicate keys {"a":1,"a":1}', 'a2616101616101', /at byte 4: a map has the key "a" twice/],
    ['non-minimal int 0 as 18 00', '1800', /at byte 0: an unsigned integer head uses 2 bytes for 0/],
    ['non-minimal int 23 as 19 0017', '190017', /head uses 3 bytes for 23/],
    ['non-minimal int 1 in 8 bytes', '1b0000000000000001', /head uses 9 bytes for 1/],
    ['non-minimal negative -1 as 38 00', '3800', /a negative integer head uses 2 bytes/],
    ['non-minimal string length', '780161', /a text string head uses 2 bytes for 1/],
    ['non-minimal array length inside', '8199000101', /at byte 1: an array head uses 3 bytes for 1/],
    ['indefinite-length array', '9f01ff', /at byte 0: an indefinite-length an array appears|indefinite-length/],
    ['indefinite-length map', 'bf616101ff', /indefinite-length a map|indefinite-length/],
    ['indefinite-length text', '7f6161ff', /indefinite-length/],
    ['indefinite-length bytes', '5f4101ff', /indefinite-length/],
    ['invalid UTF-8 (c3 followed by 28)', '62c328', /at byte 0: a text string is not valid UTF-8/],
    ['UTF-8 surrogate encoding ed a0 80', '63eda080', /not valid UTF-8/],
    ['invalid UTF-8 in a map key', 'a161ff01', /at byte 1: a text string is not valid UTF-8/],
    ['float32 1.0', 'fa3f800000', /at byte 0: a float32 appears; DAG-CBOR floats are always float64/],
    ['float16 1.5', 'f93e00', /a float16 appears/],
    ['float64 NaN', 'fb7ff8000000000000', /NaN is not allowed/],
    ['float64 Infinity', 'fb7ff0000000000000', /Infinity is not allowed/],
    ['float64 holding 1.0', 'fb3ff0000000000000', /a float64 holds the integer 1; integral values up to 2\^53 are encoded as integers/],
    ['float64 holding -0', 'fb8000000000000000', /holds the integer -0/],
    ['trailing bytes after 0', '0000', /at byte 1: 1 byte\(s\) follow the item, which ends at offset 1/],
    ['trailing break byte', '01ff', /1 byte\(s\) follow the item/],
    ['undefined', 'f7', /undefined is not in the DAG-CBOR data model/],
    ['simple(16)', 'f0', /simple value 16 is not allowed/],
    ['simple(255)', 'f8ff', /simple value 255 is not allowed/],
    ['tag 1 (epoch time)', 'c11a514b67b0', /tag 1 is not allowed; DAG-CBOR allows only tag 42/],
    ['tag 42 around text', 'd82a6161', /tag 42 must wrap a byte string/],
    ['tag 42 without the 0x00 prefix', 'd82a4101', /must start with the 0x00 multibase prefix/],
    ['integer map key {1:2}', 'a10102', /at byte 1: a map key is an unsigned integer; DAG-CBOR map keys are text strings/],
    ['truncated string', '6461', /a text string of 4 bytes runs past the end/],
    ['truncated head', '19', /ends inside an item head/],
    ['empty input', '', /the input ends where an item should start/],
    ['reserved additional info 28', '1c', /reserved additional information 28/],
    ['lone break', 'ff', /"break" byte/],
  ])('%s', (_why, hex, pattern) => {
    expect(rejection(hex)).toMatch(pattern);
  });

  it('names the artifact given by the caller', () => {
    const r = decodeStrict(fromHexLoose('f7'), 'compiled policy');
    expect(!r.ok && r.error.message).toMatch(/^compiled policy is not canonical DAG-CBOR/);
  });

  it('refuses nesting past the limit without overflowing the stack', () => {
    const deep = new Uint8Array(100_000).fill(0x81);
    expect(rejection(toHex(deep) + '00')).toMatch(new RegExp(`nested more than ${MAX_CBOR_DEPTH} levels`));
  });

  it('refuses a length that claims more bytes than exist, without allocating them', () => {
    expect(rejection('5bffffffffffffffff')).toMatch(/byte string of 18446744073709551615 bytes runs past the end/);
  });

  it('refuses a CID whose bytes are not a CID', () => {
    expect(rejection('d82a4100')).toMatch(/does not decode/);
  });
});

describe('decodeStrict accepts canonical data', () => {
  it('accepts the edges of each rule', () => {
    expect(accepted('17')).toBe(23);
    expect(accepted('1818')).toBe(24);
    expect(accepted('1bffffffffffffffff')).toBe(2n ** 64n - 1n);
    expect(accepted('3bffffffffffffffff')).toBe(-(2n ** 64n));
    expect(accepted('fb3ff199999999999a')).toBe(1.1);
    // 2^53 is not a safe integer, so the encoder writes it as a float64 and it round-trips.
    expect(accepted('fb4340000000000000')).toBe(2 ** 53);
    expect(accepted('a2616101616202')).toEqual({ a: 1, b: 2 });
    expect(accepted('a261610262626201')).toEqual({ a: 2, bb: 1 });
    expect(accepted('f6')).toBeNull();
  });

  const value = dagCborValues([
    // The two things the decoder may not give back byte for byte: a string behind U+FEFF and a CID.
    fc.string({ unit: 'grapheme', maxLength: 8 }).map((t) => `\uFEFF${t}`),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((d) => CID.createV1(0x71, Digest.create(0x12, d))),
  ]);

  it('round-trips values: encode, decode strictly, get the same value and bytes', () => {
    fc.assert(fc.property(value, (v) => {
      const bytes = encodeCanonical(v);
      const r = decodeStrict(bytes);
      // The decoder drops a leading U+FEFF, so such a string never comes back as its bytes: refused.
      expect(r.ok).toBe(reencodes(bytes));
      if (r.ok) {
        expect(r.value).toEqual(v);
        expect(bytesEqual(encodeCanonical(r.value), bytes)).toBe(true);
      }
    }), { numRuns: 400 });
  });

  it('refuses a text string that starts with U+FEFF, which would not decode to its bytes', () => {
    expect(decodeStrict(encodeCanonical({ a: '\uFEFFx' })).ok).toBe(false);
    expect(decodeStrict(encodeCanonical({ a: 'x\uFEFF' })).ok).toBe(true);
  });

  it('decodes strictly exactly what decodes and re-encodes to itself, on mutated encodings', () => {
    // What the re-encode proof accepts, decodeStrict accepts, with the same value; where the
    // scan says no proof is needed, the proof would hold.
    fc.assert(fc.property(value, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'drop', 'insert', 'none'), (v, pos, byte, how) => {
      const good = encodeCanonical(v);
      const i = pos % good.length;
      const bad = how === 'none' ? good : how === 'flip' ? Uint8Array.from(good, (x, j) => (j === i ? byte : x))
        : how === 'drop' ? Uint8Array.from([...good.subarray(0, i), ...good.subarray(i + 1)])
        : Uint8Array.from([...good.subarray(0, i), byte, ...good.subarray(i)]);
      const proof = reencodes(bad);
      const scan = scanForDecode(bad);
      if (scan.violation === undefined && !scan.reencode) expect(proof).toBe(true);
      const r = decodeStrict(bad);
      expect(r.ok).toBe(proof);
      if (r.ok) expect(r.value).toEqual(dagCbor.decode(bad));
    }), { numRuns: 5000 });
  });

  it('the structural scan and the re-encode proof agree on mutated encodings', () => {
    // Flip, drop or insert one byte of a canonical encoding: the scan must reject
    // exactly the cases where decode + re-encode fails to give the bytes back.
    fc.assert(fc.property(value, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'drop', 'insert'), (v, pos, byte, how) => {
      const good = encodeCanonical(v);
      const i = pos % good.length;
      const bad = how === 'flip' ? Uint8Array.from(good, (x, j) => (j === i ? byte : x))
        : how === 'drop' ? Uint8Array.from([...good.subarray(0, i), ...good.subarray(i + 1)])
        : Uint8Array.from([...good.subarray(0, i), byte, ...good.subarray(i)]);
      // Flagged items (a CID, a string behind U+FEFF) are left to the proof itself.
      const scan = scanForDecode(bad);
      if (scan.violation !== undefined || !scan.reencode) expect(scanDagCbor(bad) === undefined).toBe(reencodes(bad));
    }), { numRuns: 2000 });
  });
});

describe('encodeCanonical', () => {
  it('sorts keys length-first and writes minimal integers (derived by hand)', () => {
    // {"bb":1,"a":-1,"c":[]} -> a3, 61 61 20 ("a":-1), 61 63 80 ("c":[]), 62 62 62 01 ("bb":1)
    expect(toHex(encodeCanonical({ bb: 1, a: -1, c: [] }))).toBe('a36161206163806262620' + '1');
    expect(toHex(encodeCanonical(500))).toBe('1901f4');
    expect(toHex(encodeCanonical(utf8('x')))).toBe('4178');
  });

  it('reports values outside the data model as errors, not crashes', () => {
    const r = tryEncodeCanonical({ a: undefined });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('ENCODING_INVALID');
  });
});
