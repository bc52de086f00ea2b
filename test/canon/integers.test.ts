/**
 * Canonical numbers (the FAQ's "u64/s128"; decision 0021, docs/encodings.md
 * "Integers"): canonical JSON carries every s128 (so every u64) exactly;
 * DAG-CBOR carries -2^64..2^64-1 exactly and refuses what it cannot hold with
 * the range in the message; the fold range (s64) refuses payloads outside it.
 * Checked on the edges and against RFC 8949 Appendix A, read with the strict
 * JSON parser so its large integers keep every digit.
 */
import { readFileSync } from 'node:fs';
import { decodeStrict, encodeCanonical, tryEncodeCanonical } from '../../src/canon/cbor';
import { CBOR_INT_MAX, CBOR_INT_MIN, S128_MAX, S128_MIN, S64_MAX, S64_MIN, U64_MAX } from '../../src/canon/integers';
import { canonicalJsonText, parseJsonStrict } from '../../src/canon/jcs';
import type { JsonValue } from '../../src/canon/json-value';
import { fromHexLoose, toHex } from '../../src/core/bytes';
import { toFoldInput } from '../../src/fold';
import { describeWithVectors, reportCount, vectorPath } from '../helpers/vectors';

function parsed(text: string): JsonValue {
  const r = parseJsonStrict(text, 'n.json');
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const EDGES = [U64_MAX, U64_MAX + 1n, S64_MIN, S64_MAX, S64_MAX + 1n, S128_MIN, S128_MAX, -(2n ** 64n), 2n ** 100n, -(2n ** 100n) + 7n];

describe('canonical JSON integers', () => {
  test('every u64 and s128 edge reads and writes back with every digit', () => {
    for (const n of EDGES) {
      const text = `{"n":${n}}`;
      const v = parsed(text) as { n: JsonValue };
      expect(v.n).toBe(n);
      expect(canonicalJsonText(v)).toEqual({ ok: true, value: text });
    }
  });

  test('an integer beyond s128 is refused, reading and writing, naming the range', () => {
    for (const n of [S128_MAX + 1n, S128_MIN - 1n, 10n ** 40n]) {
      const r = parseJsonStrict(`[1, ${n}]`, 'big.json');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toBe(`big.json:1:5: the integer ${n} is outside the canonical JSON integer range (signed 128-bit, -2^127 to 2^127-1)`);
      const w = canonicalJsonText({ a: [n] });
      expect(w.ok || w.error.message).toBe(`cannot canonicalize JSON: the integer ${n} is outside the canonical JSON integer range (signed 128-bit, -2^127 to 2^127-1) at $.a[0]`);
    }
  });
});

describe('canonical DAG-CBOR integers', () => {
  test('-2^64 .. 2^64-1 round-trip exactly, as the shortest head', () => {
    for (const n of [CBOR_INT_MAX, CBOR_INT_MIN, S64_MAX, S64_MIN, S64_MAX + 1n, 2n ** 53n + 1n]) {
      const bytes = encodeCanonical(n);
      const back = decodeStrict(bytes);
      expect(back.ok && back.value).toBe(n);
    }
    expect(toHex(encodeCanonical(U64_MAX))).toBe('1bffffffffffffffff');
    expect(toHex(encodeCanonical(CBOR_INT_MIN))).toBe('3bffffffffffffffff');
  });

  test('an s128 beyond them has no DAG-CBOR form: a refusal naming the value, its place and the range', () => {
    const r = tryEncodeCanonical({ payload: { big: [0, U64_MAX + 1n] } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('ENCODING_INVALID');
    expect(r.error.message).toBe("the integer 18446744073709551616 at $.payload.big[1] is outside DAG-CBOR's integer range (-2^64 to 2^64-1)");
    expect(r.error.hint).toMatch(/no bignums .*decimal string/);
  });
});

describe('the fold integer range', () => {
  test('payload integers are s64: the edges pass, one past them is refused with the range and a hint', () => {
    for (const n of [S64_MIN, S64_MAX]) expect(toFoldInput({ n }).ok).toBe(true);
    for (const n of [S64_MAX + 1n, S64_MIN - 1n, U64_MAX]) {
      const r = toFoldInput({ n });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error.message).toBe(`at payload.n: the integer ${n} is outside the fold integer range (signed 64-bit, -2^63 to 2^63-1)`);
      expect(r.error.hint).toMatch(/decimal string/);
    }
  });
});

interface Example {
  readonly hex: string;
  readonly decoded?: JsonValue;
}

describeWithVectors('RFC 8949 Appendix A integers, exactly', () => {
  test('every integer example in the DAG-CBOR range decodes to its exact value and encodes to its bytes; bignums are refused', () => {
    // The strict parser keeps 18446744073709551615 exact (JSON.parse would round it to 2^64).
    const all = parsed(readFileSync(vectorPath('rfc8949', 'appendix_a.json'), 'utf8')) as unknown as Example[];
    const ints = all.filter((e) => typeof e.decoded === 'bigint' || (typeof e.decoded === 'number' && Number.isInteger(e.decoded) && !/^f[9ab]/.test(e.hex)));
    let exact = 0;
    let refused = 0;
    for (const e of ints) {
      const n = BigInt(e.decoded as number | bigint);
      const bytes = fromHexLoose(e.hex);
      if (n >= CBOR_INT_MIN && n <= CBOR_INT_MAX) {
        const d = decodeStrict(bytes);
        if (!d.ok) throw new Error(`${e.hex}: ${d.error.message}`);
        expect([e.hex, BigInt(d.value as number | bigint)]).toEqual([e.hex, n]);
        expect(toHex(encodeCanonical(d.value))).toBe(e.hex);
        exact++;
      } else {
        expect(e.hex).toMatch(/^c[23]/);
        expect(decodeStrict(bytes).ok).toBe(false);
        const w = tryEncodeCanonical(n);
        expect(w.ok || w.error.message).toMatch(/outside DAG-CBOR's integer range/);
        expect(canonicalJsonText(n)).toEqual({ ok: true, value: n.toString() });
        refused++;
      }
    }
    reportCount('rfc8949 appendix A integers exact in DAG-CBOR', exact, exact);
    reportCount('rfc8949 appendix A bignums (beyond 64 bits) refused by DAG-CBOR, exact in canonical JSON', refused, refused);
    expect(exact).toBeGreaterThanOrEqual(16);
    expect(refused).toBe(2);
  });
});
