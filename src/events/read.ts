/** Reading an event commit's parts from git: the commit and its envelope bytes. Adapter. */
import { err, gateError, ok, type Result } from '../core/result';
import { createHash } from 'node:crypto';
import { fromHex, utf8 } from '../core/bytes';
import type { Commit, GitObject, GitError, GitRepo, ObjectFormat } from '../git';
import { derived } from '../git/parsed';
import { EVENT_FILE } from './commit';
import { decodeEnvelope, type EncodedEnvelope } from './envelope';

export interface RawEvent {
  readonly commit: Commit;
  readonly envelopeBytes: Uint8Array;
}

/** A read of event.cbor by path (see readEventFile), asked for early so that many go to git at once. */
export type EventFileRead = Promise<Result<GitObject, GitError>>;

/** `treeish`: an event commit or its tree; a commit lets the read be asked before the commit is parsed. */
export function readEventFile(repo: GitRepo, treeish: string): EventFileRead {
  return repo.readObject(`${treeish}:${EVENT_FILE}`);
}

/**
 * `known`: the commit `id` names, when the caller has read it already (a
 * push's commits are read once); `file`: readEventFile of that commit, when
 * the caller asked for it already.
 */
export async function readRawEvent(repo: GitRepo, id: string, known?: Commit, file?: EventFileRead): Promise<Result<RawEvent>> {
  const c = known && known.id === id ? ok(known) : await repo.readCommit(id);
  if (!c.ok) return err(gateError('NOT_FOUND', `${id} is not a commit in this repository`, { hint: 'name an event commit or a journal ref' }));
  const direct = await readOnlyFile(repo, c.value.tree, known && known.id === id ? file : undefined);
  if (direct) return ok({ commit: c.value, envelopeBytes: direct });
  const tree = await repo.readTree(c.value.tree);
  if (!tree.ok) return err(tree.error);
  const only = tree.value[0];
  if (tree.value.length !== 1 || !only || only.name !== EVENT_FILE || only.mode !== '100644') {
    return err(gateError('ENCODING_INVALID', `event commit ${id}: its tree must hold exactly one file, ${EVENT_FILE}; it holds ${tree.value.map((e) => e.name ?? '?').join(', ') || 'nothing'}`, { hint: 'write events with gatos event add' }));
  }
  const blob = await repo.readBlob(only.id);
  if (!blob.ok) return err(blob.error);
  return ok({ commit: c.value, envelopeBytes: blob.value });
}

/**
 * event.cbor's bytes in one read instead of two (tree, then blob), when the
 * tree is exactly the one an event has. The blob comes by path, and the tree
 * holding only that blob as a 100644 event.cbor has one id, computed here:
 * equal ids mean equal trees (git names objects by this same hash), so the
 * answer is what reading the tree would have allowed. Anything else
 * (another tree, no such path, a read failure) returns undefined and the
 * caller reads the tree, which explains what is wrong.
 */
async function readOnlyFile(repo: GitRepo, tree: string, file: EventFileRead = readEventFile(repo, tree)): Promise<Uint8Array | undefined> {
  const blob = await file;
  if (!blob.ok || blob.value.type !== 'blob') return undefined;
  const b = blob.value;
  return eventTreeOf(repo.format, b) === tree ? b.data : undefined;
}

/** eventTreeId of the blob `b`, once for the lifetime of the loose object it is (src/git/parsed.ts). */
export function eventTreeOf(format: ObjectFormat, b: GitObject): string | undefined {
  return derived(b, `event-tree ${format}`, () => eventTreeId(format, b.id));
}

/** The tree bytes before the blob's id: its one entry's mode and name. */
const EVENT_ENTRY = utf8(`100644 ${EVENT_FILE}\0`);

/**
 * The id of the tree that holds only `blob` as a 100644 event.cbor: what
 * makeObject(format, 'tree', treeData([that entry])) computes, hashed
 * directly (the gate computes one per pushed event).
 */
export function eventTreeId(format: ObjectFormat, blob: string): string | undefined {
  const raw = fromHex(blob);
  if (!raw) return undefined;
  const h = createHash(format === 'sha1' ? 'sha1' : 'sha256');
  h.update(`tree ${EVENT_ENTRY.byteLength + raw.byteLength}\0`);
  h.update(EVENT_ENTRY);
  h.update(raw);
  return h.digest('hex');
}

/**
 * decodeEnvelope of an event's bytes, once for the lifetime of the loose
 * object they are (src/git/parsed.ts): the journal's old tip, whose envelope
 * the push before decoded, is read on every push to a journal.
 */
export function decodedEnvelope(bytes: Uint8Array): Result<EncodedEnvelope> {
  return derived(bytes, 'envelope', () => decodeEnvelope(bytes));
}

/** The envelope of the event at `id` (for the tip's ULID when appending). */
export async function readEnvelopeAt(repo: GitRepo, id: string): Promise<Result<EncodedEnvelope>> {
  const raw = await readRawEvent(repo, id);
  if (!raw.ok) return raw;
  const e = decodedEnvelope(raw.value.envelopeBytes);
  return e.ok ? e : err({ ...e.error, message: `event commit ${id}: ${e.error.message}` });
}
