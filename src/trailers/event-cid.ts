/**
 * Event-CID: CIDv1 with the dag-cbor codec and a BLAKE3-256 multihash, in
 * the multibase base32 text form ('b' + RFC 4648 lowercase, no padding).
 * The binary form is fixed for this one kind of CID, so the parser checks
 * the exact bytes rather than accepting any CID and inspecting it:
 *   0x01 (CIDv1)  0x71 (dag-cbor)  0x1e (blake3)  0x20 (32 bytes)  digest
 * Only the canonical text decodes: lowercase, no padding, zero spare bits.
 */
import { err, gateError, ok, type Result } from '../core/result';

export interface EventCid {
  readonly text: string;
  /** The 32-byte BLAKE3 digest of the event's canonical bytes. */
  readonly digest: Uint8Array;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const PREFIX = [0x01, 0x71, 0x1e, 0x20];
const DIGEST_LEN = 32;
const HINT = "an Event-CID is a CIDv1 (dag-cbor, blake3-256) in base32: 'b' followed by 58 lowercase base32 characters";

export function parseEventCid(text: string): Result<EventCid> {
  if (!text.startsWith('b')) {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not an event CID: it must start with 'b' (base32)`, { hint: HINT }));
  }
  const bytes = decodeBase32(text.slice(1));
  if (!bytes) {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not an event CID: after 'b' it must be canonical lowercase base32 without padding`, { hint: HINT }));
  }
  const prefixOk = PREFIX.every((b, i) => bytes[i] === b);
  if (!prefixOk || bytes.byteLength !== PREFIX.length + DIGEST_LEN) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not an event CID: expected CIDv1, dag-cbor, blake3-256 (bytes 01 71 1e 20 and a 32-byte digest), found ${bytes.byteLength} bytes starting ${head || '(none)'}`, { hint: HINT }));
  }
  return ok({ text, digest: bytes.slice(PREFIX.length) });
}

export function formatEventCid(digest: Uint8Array): string {
  if (digest.byteLength !== DIGEST_LEN) throw new Error(`an event CID digest has ${DIGEST_LEN} bytes, got ${digest.byteLength}`);
  const bytes = new Uint8Array(PREFIX.length + DIGEST_LEN);
  bytes.set(PREFIX);
  bytes.set(digest, PREFIX.length);
  return `b${encodeBase32(bytes)}`;
}

function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** Canonical unpadded base32: undefined for foreign characters, a dangling character or non-zero spare bits. */
function decodeBase32(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || acc !== 0) return undefined;
  return new Uint8Array(out);
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
