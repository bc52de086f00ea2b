/**
 * The trailers of an event commit on a journal: Event-CID, Sig-Alg, Sig,
 * Signer, Policy-Root and Fold-Root (the FAQ binds fold_root wherever
 * policy_root is recorded). All are required and appear once. Signer is the
 * signing key (`ed25519:<64 hex>`), which the trust graph maps to an actor;
 * checking the signature itself belongs to the verifier, not the parser.
 */
import { formatDigest, type Digest } from '../canon/digest';
import { formatPublicKey, formatSignature } from '../canon/ed25519';
import { err, ok, type Result } from '../core/result';
import { parseEventCid, type EventCid } from '../canon/cid';
import type { TrailerInput } from './format';
import type { TrailerProblem } from './problems';
import { TrailerReader, type ReadOptions } from './reader';
import {
  parseCommitId,
  parseDigestOf,
  parseEd25519PublicKey,
  parseEd25519Signature,
  parseSigAlg,
  type ObjectFormat,
} from './values';

export const EVENT_KEYS = {
  eventCid: 'Event-CID',
  sigAlg: 'Sig-Alg',
  sig: 'Sig',
  signer: 'Signer',
  policyRoot: 'Policy-Root',
  foldRoot: 'Fold-Root',
} as const;

export interface EventTrailers {
  readonly eventCid: EventCid;
  readonly sigAlg: 'ed25519';
  /** The 64-byte signature over the envelope's canonical bytes. */
  readonly sig: Uint8Array;
  /** The signer's 32-byte public key. */
  readonly signer: Uint8Array;
  readonly policyRoot: string;
  readonly foldRoot: Digest;
}

const K = EVENT_KEYS;

export function parseEventTrailers(message: string, objectFormat: ObjectFormat, options: ReadOptions = {}): Result<EventTrailers, TrailerProblem[]> {
  const r = new TrailerReader(message, options);
  const eventCid = r.required(K.eventCid, parseEventCid, "b<base32 CIDv1 of the envelope's dag-cbor bytes, blake3>");
  const sigAlg = r.required(K.sigAlg, parseSigAlg, 'ed25519');
  const sig = r.required(K.sig, parseEd25519Signature, 'ed25519:<128 hex>');
  const signer = r.required(K.signer, parseEd25519PublicKey, 'ed25519:<64 hex public key>');
  const policyRoot = r.required(K.policyRoot, (t) => parseCommitId(t, objectFormat), `<${objectFormat === 'sha1' ? 40 : 64}-hex policy bundle commit id>`);
  const foldRoot = r.required(K.foldRoot, parseDigestOf('sha256'), 'sha256:<64 hex>');
  if (r.problems.length > 0 || !eventCid || !sigAlg || !sig || !signer || !policyRoot || !foldRoot) return err(r.problems);
  return ok({
    eventCid: eventCid.value,
    sigAlg: sigAlg.value,
    sig: sig.value,
    signer: signer.value,
    policyRoot: policyRoot.value,
    foldRoot: foldRoot.value,
  });
}

/** The trailers of `e` in canonical order; feed them to formatTrailers. */
export function eventTrailerInputs(e: EventTrailers): TrailerInput[] {
  return [
    { key: K.eventCid, value: e.eventCid.text },
    { key: K.sigAlg, value: e.sigAlg },
    { key: K.sig, value: formatSignature(e.sig) },
    { key: K.signer, value: formatPublicKey(e.signer) },
    { key: K.policyRoot, value: e.policyRoot },
    { key: K.foldRoot, value: formatDigest(e.foldRoot) },
  ];
}
