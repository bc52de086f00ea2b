/**
 * The event commit (docs/formats.md §6): a tree holding only event.cbor, the
 * journal's previous tip as parent, the actor as author and committer at the
 * envelope's time, and the trailers. Every byte follows from the envelope
 * and the signature, so the same event always has the same commit id. Pure.
 */
import { formatPublicKey, formatSignature } from '../canon/ed25519';
import { signFast } from '../keys/signer';
import { ok, type Result } from '../core/result';
import { actorIdentity } from '../actors';
import type { ObjectFormat } from '../git';
import { EVENT_KEYS, formatTrailers } from '../trailers';
import type { SigningKey } from '../trust';
import { commitData, makeObject, treeData, type GitObjectBytes } from '../workspace/git-objects';
import type { EncodedEnvelope } from './envelope';

export const EVENT_FILE = 'event.cbor';

/** Values a trailer line carries verbatim: one line, no surrounding whitespace (what formatTrailers requires). */
const PLAIN_VALUE = /^[!-~](?:[ -~]*[!-~])?$/;

/**
 * The event commit's message: the subject `<type> <ulid>`, a blank line and
 * the six trailers, exactly what formatTrailers writes for a message that is
 * only a subject (a subject is never a trailer block). Built directly: the
 * gate rebuilds it for every pushed event. Values that are not plain
 * printable ASCII go through formatTrailers, which checks them.
 */
export function eventMessage(e: EncodedEnvelope, sig: Uint8Array, signer: Uint8Array): Result<string> {
  return eventMessageWith(e, formatSignature(sig), formatPublicKey(signer));
}

/**
 * Whether `message` is the event message of `e` with these Sig and Signer
 * values (as formatSignature and formatPublicKey write them): eventMessage's
 * text compared piece by piece where it is plain, without building it (the
 * gate asks this of every pushed event).
 */
export function isEventMessage(message: string, e: EncodedEnvelope, sig: string, signer: string): boolean {
  const { type, ulid } = e.envelope;
  const values = trailerValues(e, sig, signer);
  if (!PLAIN_SUBJECT.test(`${type} ${ulid}\n`) || !values.every((v) => PLAIN_VALUE.test(v))) {
    const built = eventMessageWith(e, sig, signer);
    return built.ok && built.value === message;
  }
  let at = 0;
  const next = (piece: string): boolean => {
    if (!message.startsWith(piece, at)) return false;
    at += piece.length;
    return true;
  };
  if (!next(type) || !next(' ') || !next(ulid) || !next('\n\n')) return false;
  for (let i = 0; i < TRAILER_ORDER.length; i++) {
    if (!next(TRAILER_ORDER[i] as string) || !next(': ') || !next(values[i] as string) || !next('\n')) return false;
  }
  return at === message.length;
}

/** The trailer keys of an event message, in eventMessage's order. */
const TRAILER_ORDER = [EVENT_KEYS.eventCid, EVENT_KEYS.sigAlg, EVENT_KEYS.sig, EVENT_KEYS.signer, EVENT_KEYS.policyRoot, EVENT_KEYS.foldRoot] as const;

/** The trailer values of an event message, in TRAILER_ORDER. */
function trailerValues(e: EncodedEnvelope, sig: string, signer: string): string[] {
  return [e.cid, 'ed25519', sig, signer, e.envelope.policy_root, e.envelope.fold_root];
}

function eventMessageWith(e: EncodedEnvelope, sig: string, signer: string): Result<string> {
  const subject = `${e.envelope.type} ${e.envelope.ulid}\n`;
  const values = trailerValues(e, sig, signer);
  const trailers = TRAILER_ORDER.map((key, i) => ({ key, value: values[i] as string }));
  if (!PLAIN_SUBJECT.test(subject) || !trailers.every((t) => PLAIN_VALUE.test(t.value))) return formatTrailers(subject, trailers);
  let out = `${subject}\n`;
  for (const t of trailers) out += `${t.key}: ${t.value}\n`;
  return ok(out);
}

/** A subject with no ':' cannot even look like a trailer; others go through formatTrailers. */
const PLAIN_SUBJECT = /^[A-Za-z0-9._-]+ [0-9A-Z]+\n$/;

export interface EventObjects {
  readonly commit: string;
  readonly objects: readonly GitObjectBytes[];
}

/** Signs the envelope and builds blob, tree and commit. */
export function buildEventCommit(format: ObjectFormat, e: EncodedEnvelope, key: SigningKey, parent: string | undefined): Result<EventObjects> {
  const sig = signFast(key, e.bytes);
  return eventCommitWithSig(format, e, sig, key.publicKey, parent);
}

export function eventCommitWithSig(format: ObjectFormat, e: EncodedEnvelope, sig: Uint8Array, signer: Uint8Array, parent: string | undefined): Result<EventObjects> {
  const message = eventMessage(e, sig, signer);
  if (!message.ok) return message;
  const blob = makeObject(format, 'blob', e.bytes);
  const tree = makeObject(format, 'tree', treeData([{ name: EVENT_FILE, mode: '100644', id: blob.id }]));
  const who = actorIdentity(e.envelope.actor, e.envelope.ts);
  const commit = makeObject(format, 'commit', commitData({ tree: tree.id, parents: parent ? [parent] : [], author: who, committer: who, message: message.value }));
  return ok({ commit: commit.id, objects: [blob, tree, commit] });
}
