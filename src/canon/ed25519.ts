/**
 * ed25519 through node:crypto (OpenSSL), the one verifier used everywhere:
 * verifiers that disagree on edge cases would break determinism.
 *
 * Text forms (documented in docs/encodings.md):
 *   public key  ed25519:<64 lowercase hex>    (the 32-byte RFC 8032 encoding)
 *   signature   ed25519:<128 lowercase hex>   (R || S, 64 bytes)
 * Private keys never travel as text inside the repository; see src/keys.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { concatBytes, fromHex, toHex } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';

const SPKI_PREFIX = fromHex('302a300506032b6570032100') as Uint8Array;
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420') as Uint8Array;

export const PUBLIC_KEY_LEN = 32;
export const SEED_LEN = 32;
export const SIGNATURE_LEN = 64;

export interface Ed25519KeyPair {
  /** The 32-byte private seed. */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function generateKeyPair(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length));
  const pub = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length));
  return { seed, publicKey: pub };
}

export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const pub = createPublicKey(privateKeyObject(seed));
  return new Uint8Array(pub.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length));
}

export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, privateKeyObject(seed)));
}

/**
 * RFC 8032 verification as OpenSSL performs it (S < L, canonical point
 * encodings). Any malformed key or signature is simply `false`.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.byteLength !== PUBLIC_KEY_LEN || signature.byteLength !== SIGNATURE_LEN) return false;
  const key = publicKeyObject(publicKey);
  if (!key) return false;
  try {
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * Parsed keys, by their hex. Building a KeyObject cost a third of each
 * verification (measured in bench/canon.bench.ts) and a push verifies many
 * signatures by few keys. The cache changes no answer: a key that does not
 * parse is remembered as null and still gives false.
 */
const KEY_CACHE_LIMIT = 1024;
// eslint-disable-next-line no-restricted-syntax -- module state allowed: a bounded memo of parsing a public key: the answer is a function of the key bytes alone, whatever ran before
const keyCache = new Map<string, KeyObject | null>();

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = toHex(publicKey);
  const cached = keyCache.get(id);
  if (cached !== undefined) return cached;
  let key: KeyObject | null;
  try {
    key = createPublicKey({ key: Buffer.from(concatBytes([SPKI_PREFIX, publicKey])), format: 'der', type: 'spki' });
  } catch {
    key = null;
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next();
    if (!oldest.done) keyCache.delete(oldest.value);
  }
  keyCache.set(id, key);
  return key;
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.byteLength !== SEED_LEN) throw new Error(`ed25519 seed must be ${SEED_LEN} bytes`);
  return createPrivateKey({ key: Buffer.from(concatBytes([PKCS8_PREFIX, seed])), format: 'der', type: 'pkcs8' });
}

export function formatPublicKey(publicKey: Uint8Array): string {
  return `ed25519:${toHex(publicKey)}`;
}

export function formatSignature(signature: Uint8Array): string {
  return `ed25519:${toHex(signature)}`;
}

export function parsePublicKey(text: string): Result<Uint8Array> {
  return parseTagged(text, PUBLIC_KEY_LEN, 'public key');
}

export function parseSignature(text: string): Result<Uint8Array> {
  return parseTagged(text, SIGNATURE_LEN, 'signature');
}

function parseTagged(text: string, len: number, what: string): Result<Uint8Array> {
  const hint = `an ed25519 ${what} is written 'ed25519:' followed by ${len * 2} lowercase hex digits`;
  if (!text.startsWith('ed25519:')) {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not an ed25519 ${what}: it must start with 'ed25519:'`, { hint }));
  }
  const hex = text.slice('ed25519:'.length);
  const bytes = fromHex(hex);
  if (!bytes || bytes.byteLength !== len) {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not an ed25519 ${what}: expected ${len * 2} lowercase hex digits, found ${hex.length} characters${bytes ? '' : ' that are not all lowercase hex'}`, { hint }));
  }
  return ok(bytes);
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
