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
 * eventMessage with the Sig and Signer values already written
 * (formatSignature, formatPublicKey): the gate reads them out of the
 * message it checks, and writing the bytes back as hex cost as much again.
 */
export function eventMessageWith(e: EncodedEnvelope, sig: string, signer: string): Result<string> {
  const subject = `${e.envelope.type} ${e.envelope.ulid}\n`;
  const trailers = [
    { key: EVENT_KEYS.eventCid, value: e.cid },
    { key: EVENT_KEYS.sigAlg, value: 'ed25519' },
    { key: EVENT_KEYS.sig, value: sig },
    { key: EVENT_KEYS.signer, value: signer },
    { key: EVENT_KEYS.policyRoot, value: e.envelope.policy_root },
    { key: EVENT_KEYS.foldRoot, value: e.envelope.fold_root },
  ];
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
