/**
 * decodeStrict's one pass (readDagCbor, src/canon/cbor-scan.ts) checks the
 * structure and builds the value together; before, the structure was
 * scanned and @ipld/dag-cbor then decoded the bytes again. These tests hold
 * the one pass to both halves of what it replaced: it refuses every input the
 * independent criterion refuses (the bytes decode and re-encode to
 * themselves), and the value it builds is the very value @ipld/dag-cbor
 * builds, down to each number's type, each byte string's class and each
 * map's key order, on hand-made edges, the published vectors
 * (../shared/vectors) and mutated encodings.
 */
import fc from 'fast-check';
import * as dagCbor from '@ipld/dag-cbor';
import { bytesEqual, fromHexLoose, toHex } from '../../src/core/bytes';
import { decodeStrict, encodeCanonical } from '../../src/canon/cbor';
import { MAX_CBOR_DEPTH, readDagCbor } from '../../src/canon/cbor-scan';
import { dagCborValues, reencodes } from '../helpers/dag-cbor-values';
import { describeWithVectors, readVectorJson } from '../helpers/vectors';

/** Where `a` and `b` differ (type, class, bytes, key order), or undefined when they are the same value. */
function difference(a: unknown, b: unknown, at = '$'): string | undefined {
  if (typeof a !== typeof b) return `${at}: ${typeof a} against ${typeof b}`;
  if (typeof a === 'number') return Object.is(a, b) ? undefined : `${at}: ${a} against ${String(b)}`;
  if (typeof a !== 'object' || a === null || b === null) return a === b ? undefined : `${at}: ${String(a)} against ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${at}: another class`;
  if (a instanceof Uint8Array) return bytesEqual(a, b as Uint8Array) ? undefined : `${at}: other bytes`;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b as object);
  if (ka.join('\0') !== kb.join('\0')) return `${at}: keys ${ka.join(',')} against ${kb.join(',')}`;
  for (const k of ka) {
    const d = difference((a as Record<string | symbol, unknown>)[k], (b as Record<string | symbol, unknown>)[k], `${at}.${String(k)}`);
    if (d) return d;
  }
  return undefined;
}

/** decodeStrict's value, which must be @ipld/dag-cbor's. */
function expectSameAsDecoder(bytes: Uint8Array): void {
  const r = decodeStrict(bytes);
  if (!r.ok) throw new Error(`${toHex(bytes)}: ${r.error.message}`);
  expect(difference(r.value, dagCbor.decode(bytes))).toBeUndefined();
}

describe('the one-pass strict decoder builds what @ipld/dag-cbor builds', () => {
  it.each([
    ['2^53 - 1 in eight bytes: a number', '1b001fffffffffffff'],
    ['2^53: a BigInt', '1b0020000000000000'],
    ['2^64 - 1', '1bffffffffffffffff'],
    ['2^32 in eight bytes', '1b0000000100000000'],
    ['-(2^53 - 1): a number', '3b001ffffffffffffe'],
    ['-2^53: a BigInt', '3b001fffffffffffff'],
    ['-2^64', '3bffffffffffffffff'],
    ['-2^32 - 1', '3b0000000100000000'],
    ['the largest four-byte integers', '821affffffff3affffffff'],
    ['a float64 that is not an integer', 'fbc010666666666666'],
    ['2^53 as a float64', 'fb4340000000000000'],
    ['a map with a __proto__ key: an own property, the prototype untouched', 'a2616202695f5f70726f746f5f5fa1616101'],
    ['long and non-ASCII text, a key of 40 bytes', 'a262c3a9782a78787878787878787878787878787878787878787878787878787878787878787878787878787878c3a978286161616161616161616161616161616161616161616161616161616161616161616161616161616101'],
    ['byte strings, empty and not', '824043010203'],
    ['nested arrays and maps', 'a3616180616281a0616383f5f4f6'],
  ])('%s', (_why, hex) => {
    expectSameAsDecoder(fromHexLoose(hex));
  });

  it('gives byte strings as plain Uint8Array copies when the input is a Buffer view (as git hands it out)', () => {
    const bytes = encodeCanonical({ b: Uint8Array.of(1, 2, 3) });
    const big = Buffer.alloc(bytes.length + 8);
    big.set(bytes, 4);
    const view = big.subarray(4, 4 + bytes.length);
    const r = decodeStrict(view);
    if (!r.ok) throw new Error(r.error.message);
    expect(difference(r.value, dagCbor.decode(view))).toBeUndefined();
    const b = (r.value as { b: Uint8Array }).b;
    expect(Object.getPrototypeOf(b)).toBe(Uint8Array.prototype);
    big.fill(0);
    expect([...b]).toEqual([1, 2, 3]);
  });

  it('refuses nesting one level past the limit, accepts it at the limit', () => {
    const nested = (levels: number): Uint8Array => Uint8Array.from([...new Array<number>(levels).fill(0x81), 0x00]);
    expect(decodeStrict(nested(MAX_CBOR_DEPTH)).ok).toBe(true);
    const r = decodeStrict(nested(MAX_CBOR_DEPTH + 1));
    expect(!r.ok && r.error.message).toMatch(/at byte 513: items are nested more than 512 levels deep/);
  });

  it('refuses counts larger than the input without allocating them', () => {
    for (const hex of ['9bffffffffffffffff', 'bbffffffffffffffff', '9a7fffffff01']) {
      const r = decodeStrict(fromHexLoose(hex));
      expect(!r.ok && r.error.message).toMatch(/the input ends where an item should start/);
    }
  });

  it('leaves a CID and a text string behind U+FEFF to the decoder and its re-encode proof', () => {
    expect(readDagCbor(fromHexLoose('d82a4100')).reencode).toBe(true);
    const bom = encodeCanonical({ a: '\uFEFFx' });
    expect(readDagCbor(bom)).toEqual({ reencode: true });
    expect(decodeStrict(bom).ok).toBe(false);
  });
});

describe('the one-pass decoder\'s cache of recent ASCII strings', () => {
  it('never answers a string for other bytes: every two-character string, strings that share slots, arbitrary lists', () => {
    // 8,836 strings of two printable characters in 512 slots: every slot holds many, and each replaces another.
    const printable = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i));
    const pairs = printable.flatMap((a) => printable.map((b) => a + b));
    for (const list of [pairs, [...pairs].reverse(), pairs.map((p) => `${p}${'-'.repeat(60)}${p}`)]) {
      const r = decodeStrict(encodeCanonical(list));
      expect(r.ok && r.value).toEqual(list);
    }
    const keys = decodeStrict(encodeCanonical(Object.fromEntries(pairs.map((k) => [k, k]))));
    expect(keys.ok && Object.entries(keys.value as object).every(([k, v]) => k === v)).toBe(true);
    fc.assert(fc.property(fc.array(fc.string({ minLength: 0, maxLength: 90 }), { minLength: 1, maxLength: 20 }), (list) => {
      const r = decodeStrict(encodeCanonical(list));
      expect(r.ok && r.value).toEqual(list);
    }), { numRuns: 500 });
  });
});

describeWithVectors('the one-pass decoder on the published vectors', () => {
  it('builds the decoder\'s value for every DAG-CBOR fixture and RFC 8949 example it accepts, and accepts only what re-encodes', () => {
    const fixtures = readVectorJson<{ hex: string }[]>('dag-cbor', 'fixtures-dag-cbor.json').map((f) => f.hex);
    const examples = readVectorJson<{ hex: string }[]>('rfc8949', 'appendix_a.json').map((e) => e.hex);
    let built = 0;
    for (const hex of [...fixtures, ...examples]) {
      const bytes = fromHexLoose(hex);
      const r = readDagCbor(bytes);
      expect(decodeStrict(bytes).ok).toBe(reencodes(bytes));
      if (r.violation || r.reencode) continue;
      expect(difference(r.value, dagCbor.decode(bytes))).toBeUndefined();
      built++;
    }
    // Every example but the CIDs and the refused ones is built in one pass.
    expect(built).toBeGreaterThan(100);
  });
});

describe('the one-pass decoder on mutated encodings', () => {
  const value = dagCborValues([fc.constantFrom('__proto__', 'constructor', 'toString')], fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('__proto__', 'constructor', 'a')));

  it('accepts exactly what re-encodes to itself, and then the decoder\'s value, from Buffers too', () => {
    fc.assert(fc.property(value, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'drop', 'insert', 'none'), fc.boolean(), (v, pos, byte, how, buffer) => {
      const good = encodeCanonical(v);
      const i = pos % good.length;
      const plain = how === 'none' ? good : how === 'flip' ? Uint8Array.from(good, (x, j) => (j === i ? byte : x))
        : how === 'drop' ? Uint8Array.from([...good.subarray(0, i), ...good.subarray(i + 1)])
        : Uint8Array.from([...good.subarray(0, i), byte, ...good.subarray(i)]);
      const bytes = buffer ? Buffer.concat([Buffer.of(7), plain]).subarray(1) : plain;
      const r = decodeStrict(bytes);
      expect(r.ok).toBe(reencodes(bytes));
      if (r.ok) expect(difference(r.value, dagCbor.decode(bytes))).toBeUndefined();
    }), { numRuns: 1500 });
  });
});
