/**
 * Signing many messages with one key. Building node:crypto's private
 * KeyObject from the seed costs more than the signature itself (about
 * 1.2 ms against 0.06 ms per event, measured in bench/producer.bench.ts), so
 * it is built once per key and kept beside it. Same RFC 8032 signatures as
 * src/canon/ed25519.ts's sign (tested against it).
 */
import { createPrivateKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { concatBytes, fromHex } from '../core/bytes';
import type { SigningKey } from '../trust';

const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420') as Uint8Array;
const objects = new WeakMap<SigningKey, KeyObject>();

export function signFast(key: SigningKey, message: Uint8Array): Uint8Array {
  let k = objects.get(key);
  if (!k) {
    k = createPrivateKey({ key: Buffer.from(concatBytes([PKCS8_PREFIX, key.seed])), format: 'der', type: 'pkcs8' });
    objects.set(key, k);
  }
  return new Uint8Array(nodeSign(null, message, k));
}
