/**
 * The private key file's content: canonical JSON naming the actor, the
 * public key and the 32-byte seed. Parsing checks that the seed gives the
 * stated public key, so a file cannot sign as another key than it claims.
 * Pure; the file itself is handled by ./store.ts.
 */
import { formatPublicKey, publicKeyFromSeed } from '../canon/ed25519';
import { canonicalJson } from '../canon/jcs';
import { bytesEqual, fromHex, toHex } from '../core/bytes';
import { err, expectOk, gateError, ok, type Result } from '../core/result';
import { Fields } from '../trust/shape';
import { readCanonicalJson } from '../trust';
import type { SigningKey } from '../trust';

export const KEY_FILE_TYPE = 'gatos/private-key';

export interface ActorKey extends SigningKey {
  readonly actor: string;
}

export function formatKeyFile(k: ActorKey): Uint8Array {
  return expectOk(canonicalJson({ actor: k.actor, public: formatPublicKey(k.publicKey), seed: toHex(k.seed), type: KEY_FILE_TYPE, v: 1 }));
}

export function parseKeyFile(bytes: Uint8Array, file: string): Result<ActorKey> {
  const o = readCanonicalJson(bytes, file);
  if (!o.ok) return o;
  const f = new Fields(o.value, file);
  for (const r of [f.only(['actor', 'public', 'seed', 'type', 'v']), f.literal('type', KEY_FILE_TYPE), f.literal('v', 1)]) if (!r.ok) return r;
  const actor = f.actor('actor');
  if (!actor.ok) return actor;
  const pub = f.string('public', /^ed25519:[0-9a-f]{64}$/);
  if (!pub.ok) return pub;
  const seedHex = f.string('seed', /^[0-9a-f]{64}$/);
  if (!seedHex.ok) return seedHex;
  const seed = fromHex(seedHex.value) as Uint8Array;
  const publicKey = publicKeyFromSeed(seed);
  if (!bytesEqual(fromHex(pub.value.slice('ed25519:'.length)) as Uint8Array, publicKey)) {
    return err(gateError('ENCODING_INVALID', `${file}: the seed does not give the stated public key ${pub.value}`, { hint: 'the key file is damaged; make a new key with gatos key new' }));
  }
  return ok({ actor: actor.value, seed, publicKey });
}
