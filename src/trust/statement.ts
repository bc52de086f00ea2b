/**
 * Signed statements (actor records, grants, revocations): canonical JSON
 * objects signed over their canonical bytes without `sig`; `key` (inside the
 * signed bytes) names the signing key. Their ids are content ids: blake3 of
 * the same bytes, so a statement's file name is its own checksum. Pure.
 */
import { blake3 } from '../canon/digest';
import { formatPublicKey, formatSignature, parsePublicKey, parseSignature, sign, verify } from '../canon/ed25519';
import { canonicalJson, type JsonValue } from '../canon/jcs';
import { toHex } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';

export type JsonObject = { readonly [k: string]: JsonValue };

export interface SigningKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

function unsigned(o: JsonObject): JsonObject {
  const rest: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'sig') rest[k] = v;
  return rest;
}

/** The bytes a statement's signature covers. */
export function signedBytes(o: JsonObject): Result<Uint8Array> {
  return canonicalJson(unsigned(o));
}

/** The statement's id: lowercase hex of blake3 over its signed bytes. */
export function statementId(o: JsonObject): Result<string> {
  const b = signedBytes(o);
  return b.ok ? ok(toHex(blake3(b.value))) : b;
}

/** `o` with `key` set to the signer's public key and `sig` added. */
export function signStatement<T extends JsonObject>(o: T, key: SigningKey): Result<T & { key: string; sig: string }> {
  const withKey = { ...o, key: formatPublicKey(key.publicKey) };
  const bytes = signedBytes(withKey);
  if (!bytes.ok) return bytes;
  return ok({ ...withKey, sig: formatSignature(sign(key.seed, bytes.value)) });
}

/** Checks `sig` over the statement with its `key`; says nothing about whether the key is trusted. */
export function checkSignature(o: JsonObject, what: string): Result<Uint8Array> {
  const keyText = o.key;
  const sigText = o.sig;
  if (typeof keyText !== 'string' || typeof sigText !== 'string') return err(gateError('SIG_INVALID', `${what} is not signed: 'key' and 'sig' are required`, { hint: 'sign it with gatos trust' }));
  const key = parsePublicKey(keyText);
  if (!key.ok) return key;
  const sig = parseSignature(sigText);
  if (!sig.ok) return sig;
  const bytes = signedBytes(o);
  if (!bytes.ok) return bytes;
  if (!verify(key.value, bytes.value, sig.value)) return err(gateError('SIG_INVALID', `${what}: the signature does not verify with its key ${keyText}`, { hint: 'the file was changed after it was signed; sign it again' }));
  return ok(key.value);
}
