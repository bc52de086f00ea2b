/** Reading an event commit's parts from git: the commit and its envelope bytes. Adapter. */
import { err, gateError, ok, type Result } from '../core/result';
import type { Commit, GitRepo } from '../git';
import { EVENT_FILE } from './commit';
import { decodeEnvelope, type EncodedEnvelope } from './envelope';

export interface RawEvent {
  readonly commit: Commit;
  readonly envelopeBytes: Uint8Array;
}

/** `known`: the commit `id` names, when the caller has read it already (a push's commits are read once). */
export async function readRawEvent(repo: GitRepo, id: string, known?: Commit): Promise<Result<RawEvent>> {
  const c = known && known.id === id ? ok(known) : await repo.readCommit(id);
  if (!c.ok) return err(gateError('NOT_FOUND', `${id} is not a commit in this repository`, { hint: 'name an event commit or a journal ref' }));
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

/** The envelope of the event at `id` (for the tip's ULID when appending). */
export async function readEnvelopeAt(repo: GitRepo, id: string): Promise<Result<EncodedEnvelope>> {
  const raw = await readRawEvent(repo, id);
  if (!raw.ok) return raw;
  const e = decodeEnvelope(raw.value.envelopeBytes);
  return e.ok ? e : err({ ...e.error, message: `event commit ${id}: ${e.error.message}` });
}
