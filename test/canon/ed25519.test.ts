import { toHex, utf8 } from '../../src/core/bytes';
import {
  formatPublicKey, formatSignature, generateKeyPair, parsePublicKey, parseSignature, publicKeyFromSeed, sign, verify,
} from '../../src/canon/ed25519';

const msg = utf8('refs/gatos/journal/default/user/alice');

describe('ed25519 sign and verify', () => {
  const kp = generateKeyPair();
  const sig = sign(kp.seed, msg);

  it('generates 32-byte seeds and keys, and derives the same public key from the seed', () => {
    expect(kp.seed.length).toBe(32);
    expect(kp.publicKey.length).toBe(32);
    expect(toHex(publicKeyFromSeed(kp.seed))).toBe(toHex(kp.publicKey));
  });

  it('round-trips: a signature verifies under its key and message', () => {
    expect(sig.length).toBe(64);
    expect(verify(kp.publicKey, msg, sig)).toBe(true);
  });

  it('is deterministic (RFC 8032 signatures have no randomness)', () => {
    expect(toHex(sign(kp.seed, msg))).toBe(toHex(sig));
  });

  it('refuses another message, another key, or a changed signature', () => {
    expect(verify(kp.publicKey, utf8('refs/gatos/journal/default/user/mallory'), sig)).toBe(false);
    expect(verify(generateKeyPair().publicKey, msg, sig)).toBe(false);
    for (const i of [0, 31, 32, 63]) {
      const bad = Uint8Array.from(sig);
      bad[i] = (bad[i] as number) ^ 0x01;
      expect(verify(kp.publicKey, msg, bad)).toBe(false);
    }
  });

  it('answers false, never throws, for malformed keys and signatures', () => {
    expect(verify(new Uint8Array(31), msg, sig)).toBe(false);
    expect(verify(new Uint8Array(33), msg, sig)).toBe(false);
    expect(verify(kp.publicKey, msg, sig.subarray(0, 63))).toBe(false);
    expect(verify(kp.publicKey, msg, new Uint8Array([...sig, 0]))).toBe(false);
    expect(verify(new Uint8Array(0), msg, new Uint8Array(0))).toBe(false);
    // y = 2^255 - 1 (all ones with the sign bit) is not a valid field element encoding.
    expect(verify(new Uint8Array(32).fill(0xff), msg, sig)).toBe(false);
    // S >= L (the group order) is refused: S = 2^256 - 1 in the upper half.
    const bigS = Uint8Array.from([...sig.subarray(0, 32), ...new Uint8Array(32).fill(0xff)]);
    expect(verify(kp.publicKey, msg, bigS)).toBe(false);
  });

  it('gives the same answers however often and in whatever order keys are seen (the key cache changes nothing)', () => {
    const invalidKey = new Uint8Array(32).fill(0xff);
    const others = Array.from({ length: 1100 }, () => generateKeyPair().publicKey);
    for (let round = 0; round < 2; round++) {
      expect(verify(invalidKey, msg, sig)).toBe(false);
      expect(verify(kp.publicKey, msg, sig)).toBe(true);
      // More keys than the cache holds, so the first ones are evicted and parsed again.
      for (const other of others) expect(verify(other, msg, sig)).toBe(false);
    }
  });

  it('treats a seed of the wrong length as a programming error', () => {
    expect(() => sign(new Uint8Array(31), msg)).toThrow(/32 bytes/);
  });
});

describe('ed25519 text forms', () => {
  const kp = generateKeyPair();
  const sig = sign(kp.seed, msg);

  it('formats ed25519:<64 hex> keys and ed25519:<128 hex> signatures and parses them back', () => {
    const keyText = formatPublicKey(kp.publicKey);
    const sigText = formatSignature(sig);
    expect(keyText).toMatch(/^ed25519:[0-9a-f]{64}$/);
    expect(sigText).toMatch(/^ed25519:[0-9a-f]{128}$/);
    const k = parsePublicKey(keyText);
    const s = parseSignature(sigText);
    expect(k.ok && toHex(k.value)).toBe(toHex(kp.publicKey));
    expect(s.ok && toHex(s.value)).toBe(toHex(sig));
  });

  const hex64 = 'ab'.repeat(32);
  const hex128 = 'cd'.repeat(64);

  it.each([
    ['no prefix', hex64, /must start with 'ed25519:'/],
    ['an uppercase prefix', `ED25519:${hex64}`, /must start with 'ed25519:'/],
    ['another algorithm', `ecdsa:${hex64}`, /must start with 'ed25519:'/],
    ['uppercase hex', `ed25519:${hex64.toUpperCase()}`, /not all lowercase hex/],
    ['too short', `ed25519:${hex64.slice(2)}`, /expected 64 lowercase hex digits, found 62 characters/],
    ['too long', `ed25519:${hex64}ab`, /found 66 characters/],
    ['an odd length', `ed25519:${hex64.slice(1)}`, /found 63 characters/],
    ['a signature in place of a key', `ed25519:${hex128}`, /found 128 characters/],
    ['whitespace', `ed25519: ${hex64}`, /not all lowercase hex/],
    ['base64 instead of hex', `ed25519:${Buffer.from(hex64, 'hex').toString('base64')}`, /not all lowercase hex/],
  ])('refuses a public key with %s', (_what, text, pattern) => {
    const r = parsePublicKey(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALUE_INVALID');
      expect(r.error.message).toMatch(pattern);
      expect(r.error.hint).toMatch(/64 lowercase hex digits/);
    }
  });

  it.each([
    ['a key in place of a signature', `ed25519:${hex64}`, /expected 128 lowercase hex digits, found 64/],
    ['uppercase hex', `ed25519:${hex128.toUpperCase()}`, /not all lowercase hex/],
    ['no prefix', hex128, /must start with 'ed25519:'/],
  ])('refuses a signature with %s', (_what, text, pattern) => {
    const r = parseSignature(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(pattern);
  });
});
