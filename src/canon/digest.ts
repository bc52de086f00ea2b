/**
 * Content digests and their prefixed text forms. SHA-256 names compiled
 * artifacts (policy_root, fold_root), BLAKE3 names content (state_root,
 * Event-CID). Parsing is strict: lowercase hex of the exact length.
 */
import { createHash } from 'node:crypto';
import { blake3 as blake3Impl } from '@noble/hashes/blake3.js';
import { blake3Chunk, CHUNK_LEN } from './blake3-chunk';
import { fromHex, toHex } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';

export type DigestAlg = 'sha256' | 'blake3';

/** A digest as text: `sha256:<64 hex>` or `blake3:<64 hex>`. */
export type PrefixedDigest = `${DigestAlg}:${string}`;

export interface Digest {
  readonly alg: DigestAlg;
  readonly bytes: Uint8Array;
}

const DIGEST_LEN: Record<DigestAlg, number> = { sha256: 32, blake3: 32 };

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function blake3(data: Uint8Array): Uint8Array {
  return data.length <= CHUNK_LEN ? blake3Chunk(data) : blake3Impl(data);
}

export function digest(alg: DigestAlg, data: Uint8Array): Digest {
  return { alg, bytes: alg === 'sha256' ? sha256(data) : blake3(data) };
}

export function formatDigest(d: Digest): PrefixedDigest {
  return `${d.alg}:${toHex(d.bytes)}`;
}

/** `sha256:<hex>` of `data`. */
export function sha256Text(data: Uint8Array): PrefixedDigest {
  return formatDigest(digest('sha256', data));
}

/** `blake3:<hex>` of `data`. */
export function blake3Text(data: Uint8Array): PrefixedDigest {
  return formatDigest(digest('blake3', data));
}

/**
 * Parses a prefixed digest. `expect` restricts the algorithm where the field
 * fixes it (Fold-Root is always sha256, State-Root always blake3).
 */
export function parseDigest(text: string, expect?: DigestAlg): Result<Digest> {
  const colon = text.indexOf(':');
  const alg = colon < 0 ? '' : text.slice(0, colon);
  const hex = colon < 0 ? text : text.slice(colon + 1);
  if (alg !== 'sha256' && alg !== 'blake3') {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not a digest: expected 'sha256:<hex>' or 'blake3:<hex>'`, {
      hint: 'write the algorithm, a colon and 64 lowercase hex digits',
    }));
  }
  if (expect && alg !== expect) {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' uses ${alg}, expected ${expect}`, { hint: `write '${expect}:<hex>'` }));
  }
  const want = DIGEST_LEN[alg] * 2;
  const bytes = fromHex(hex);
  if (!bytes || hex.length !== want) {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not a ${alg} digest: expected ${want} lowercase hex digits after '${alg}:', found ${describeHex(hex)}`, {
      hint: 'digests are written in lowercase hex of the exact length',
    }));
  }
  return ok({ alg, bytes });
}

function describeHex(hex: string): string {
  if (/[A-F]/.test(hex) && /^[0-9a-fA-F]*$/.test(hex)) return `uppercase hex`;
  if (!/^[0-9a-f]*$/.test(hex)) return `characters that are not hex`;
  return `${hex.length} digits`;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
