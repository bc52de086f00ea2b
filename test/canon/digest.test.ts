import { createHash } from 'node:crypto';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { toHex, utf8 } from '../../src/core/bytes';
import { blake3, blake3Text, digest, formatDigest, parseDigest, sha256, sha256Text } from '../../src/canon/digest';

const HEX64 = '0123456789abcdef'.repeat(4);

function refused(text: string, expect_?: 'sha256' | 'blake3'): string {
  const r = parseDigest(text, expect_);
  if (r.ok) throw new Error(`expected '${text}' to be refused`);
  expect(r.error.code).toBe('VALUE_INVALID');
  expect(r.error.hint).toBeTruthy();
  return r.error.message;
}

describe('digests', () => {
  it('computes sha256 and blake3 as their reference implementations do', () => {
    const data = utf8('gatos');
    expect(toHex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
    expect(toHex(digest('blake3', data).bytes)).toBe(toHex(nobleBlake3(data)));
    // FIPS 180-2 example "abc".
    expect(sha256Text(utf8('abc'))).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // BLAKE3 of the empty input, from the BLAKE3 reference README / test vectors (input_len 0).
    expect(blake3Text(new Uint8Array(0))).toBe('blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  });

  it('formats and parses back both algorithms', () => {
    for (const alg of ['sha256', 'blake3'] as const) {
      const d = digest(alg, utf8('x'));
      const text = formatDigest(d);
      expect(text).toMatch(new RegExp(`^${alg}:[0-9a-f]{64}$`));
      const back = parseDigest(text, alg);
      expect(back.ok && back.value.alg).toBe(alg);
      expect(back.ok && toHex(back.value.bytes)).toBe(toHex(d.bytes));
    }
  });

  it('refuses uppercase hex', () => {
    expect(refused(`sha256:${HEX64.toUpperCase()}`)).toMatch(/uppercase hex/);
    expect(refused(`blake3:${HEX64.slice(0, 63)}A`)).toMatch(/expected 64 lowercase hex digits/);
  });

  it('refuses the wrong length', () => {
    expect(refused(`sha256:${HEX64.slice(2)}`)).toMatch(/expected 64 lowercase hex digits after 'sha256:', found 62 digits/);
    expect(refused(`blake3:${HEX64}00`)).toMatch(/found 66 digits/);
    expect(refused(`sha256:${HEX64.slice(1)}`)).toMatch(/63 digits/);
    expect(refused('sha256:')).toMatch(/found 0 digits/);
  });

  it('refuses a wrong, missing or differently spelled prefix', () => {
    expect(refused(`sha1:${HEX64}`)).toMatch(/is not a digest: expected 'sha256:<hex>' or 'blake3:<hex>'/);
    expect(refused(HEX64)).toMatch(/is not a digest/);
    expect(refused(`SHA256:${HEX64}`)).toMatch(/is not a digest/);
    expect(refused(`sha-256:${HEX64}`)).toMatch(/is not a digest/);
    expect(refused(` sha256:${HEX64}`)).toMatch(/is not a digest/);
  });

  it('refuses characters that are not hex, and surrounding whitespace', () => {
    expect(refused(`blake3:${HEX64.slice(0, 63)}g`)).toMatch(/not hex/);
    expect(refused(`blake3:${HEX64}\n`)).toMatch(/not hex/);
    expect(refused(`blake3: ${HEX64.slice(1)}`)).toMatch(/not hex/);
  });

  it('refuses the other algorithm where the field fixes one', () => {
    expect(refused(`blake3:${HEX64}`, 'sha256')).toMatch(/uses blake3, expected sha256/);
    expect(parseDigest(`blake3:${HEX64}`, 'blake3').ok).toBe(true);
  });

  it('clips very long input in messages', () => {
    expect(refused(`sha256:${'a'.repeat(5000)}`).length).toBeLessThan(300);
  });

  it('computes blake3 on every block boundary up to a chunk and past it as the reference implementation does (blake3-chunk.ts)', () => {
    // Bytes that differ at every position and length, so a word or block taken from the wrong place changes the digest.
    const bytes = Uint8Array.from({ length: 2100 }, (_, i) => (i * 131 + 7) & 255);
    const lengths = [...Array.from({ length: 130 }, (_, n) => n), ...Array.from({ length: 130 }, (_, k) => 130 + 7 * k), 1023, 1024, 1025];
    for (const n of lengths) expect(toHex(blake3(bytes.subarray(n % 5, n % 5 + n)))).toBe(toHex(nobleBlake3(bytes.subarray(n % 5, n % 5 + n))));
    expect(toHex(blake3(bytes))).toBe(toHex(nobleBlake3(bytes)));
  });
});
