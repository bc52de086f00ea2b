/**
 * Event-CID: the content id of an event's canonical bytes (the envelope
 * without `sig`, as DAG-CBOR): CIDv1, codec dag-cbor (0x71), multihash
 * blake3 (0x1e) with a 32-byte digest, written in base32 lowercase with the
 * multibase prefix 'b' (the usual "bafy..." text form of CIDv1).
 */
import { CID } from 'multiformats/cid';
import { base32 } from 'multiformats/bases/base32';
import { bytesEqual } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import { blake3 } from './digest';

export const DAG_CBOR_CODEC = 0x71;
export const BLAKE3_MULTIHASH = 0x1e;
const DIGEST_LEN = 32;


/**
 * The Event-CID of `canonicalBytes`. The caller passes bytes that
 * decodeStrict accepted (or that encodeCanonical produced): the CID names
 * bytes, and only canonical bytes give every verifier the same CID.
 */
export function eventCid(canonicalBytes: Uint8Array): string {
  // CIDv1's bytes are four one-byte varints (version, codec, hash, length) and the digest; its text is their
  // multibase base32. Built here, without a CID object (whose cache and checks cost as much as the hash).
  const cid = new Uint8Array(CID_HEAD.length + DIGEST_LEN);
  cid.set(CID_HEAD);
  cid.set(blake3(canonicalBytes), CID_HEAD.length);
  return `b${base32Text(cid)}`;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const ASCII = new TextDecoder();

/**
 * RFC 4648 base32 in lower case without padding, what multiformats' base32
 * writes after its 'b' (test/canon/cid.test.ts compares them), as one
 * string from its character codes: adding a character at a time allocated a
 * string per character, a third of an envelope's decoding garbage.
 */
export function base32Text(bytes: Uint8Array): string {
  const codes = new Uint8Array(Math.ceil((bytes.length * 8) / 5));
  let n = 0;
  let bits = 0;
  let buffer = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | (bytes[i] as number)) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      codes[n++] = BASE32.charCodeAt((buffer >> bits) & 31);
    }
  }
  if (bits > 0) codes[n++] = BASE32.charCodeAt((buffer << (5 - bits)) & 31);
  return ASCII.decode(codes);
}

const CID_HEAD = Uint8Array.of(1, DAG_CBOR_CODEC, BLAKE3_MULTIHASH, DIGEST_LEN);

/** The parts of a parsed Event-CID. */
export interface EventCid {
  readonly text: string;
  /** The 32-byte BLAKE3 digest of the event's canonical bytes. */
  readonly digest: Uint8Array;
}

/**
 * Parses an Event-CID strictly: base32 lowercase ('b' prefix), CIDv1,
 * dag-cbor, blake3, 32 bytes, and written exactly as eventCid writes it.
 */
export function parseEventCid(text: string): Result<EventCid> {
  const hint = "an Event-CID is CIDv1(dag-cbor, blake3) in base32 lowercase, starting 'bafyr4i'; compute it from the event's canonical bytes";
  const fail = (why: string) => err(gateError('VALUE_INVALID', `'${clip(text)}' is not an Event-CID: ${why}`, { hint }));
  if (!/^b[a-z2-7]+$/.test(text)) return fail("expected 'b' followed by lowercase base32 (a-z, 2-7)");
  let cid: CID;
  try {
    cid = CID.parse(text, base32);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  if (cid.version !== 1) return fail(`it is a CIDv${cid.version}, expected CIDv1`);
  if (cid.code !== DAG_CBOR_CODEC) return fail(`its codec is 0x${cid.code.toString(16)}, expected dag-cbor (0x71)`);
  if (cid.multihash.code !== BLAKE3_MULTIHASH) return fail(`its hash is 0x${cid.multihash.code.toString(16)}, expected blake3 (0x1e)`);
  if (cid.multihash.digest.length !== DIGEST_LEN) return fail(`its digest has ${cid.multihash.digest.length} bytes, expected ${DIGEST_LEN}`);
  const again = CID.createV1(DAG_CBOR_CODEC, cid.multihash);
  if (again.toString(base32) !== text || !bytesEqual(again.bytes, cid.bytes)) return fail('it is not written in its one canonical form');
  return ok({ text, digest: new Uint8Array(cid.multihash.digest) });
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
