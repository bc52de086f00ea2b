/**
 * Reading the events of a journal window (start exclusive .. end) as
 * FoldEvents, oldest first. Reads are pipelined on the adapter's one
 * cat-file process, one read per event (`<commit>:event.cbor`), and the
 * window is found by walking it alone (linearRange), so a window costs what
 * it holds, not what the journal holds. Adapter (reads git).
 */
import { err, gateError, ok, type Result } from '../core/result';
import { parseJournalRef } from '../actors';
import type { FoldEvent } from '../fold/contract';
import { foldEventFromEnvelope } from '../fold/event-input';
import type { GitRepo } from '../git';
import { EVENT_FILE } from '../events/commit';
import type { VerifyMemo } from '../events/memo';
import { readEnvelope } from '../events/envelope';

const CHUNK = 512;

/**
 * `known`: the window's commits (start..end, oldest first) when the caller has listed them already;
 * `memo`: the envelopes this run verified (the push's own events), neither read nor decoded again.
 */
export async function readWindow(repo: GitRepo, journal: string, start: string | null, end: string, known?: readonly string[], memo?: VerifyMemo): Promise<Result<FoldEvent[]>> {
  const j = parseJournalRef(journal);
  if (!j.ok) return j;
  let ids: readonly string[] = [];
  // A window on linear history is found by walking the window alone; else git's general walk.
  const lin = start && !known ? await repo.linearRange(start, end) : undefined;
  if (known) {
    ids = known;
  } else if (lin?.ok && lin.value?.ancestor) {
    ids = lin.value.ids;
  } else {
    const walked: string[] = [];
    for await (const id of repo.walk({ include: [end], exclude: start ? [start] : [], order: 'reverse-topo' })) {
      if (!id.ok) return err(id.error);
      walked.push(id.value);
    }
    ids = walked;
  }
  const out: FoldEvent[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const recalled = chunk.map((id) => memo?.recalledEnvelope(id));
    const blobs = await Promise.all(chunk.map((id, k) => (recalled[k] ? undefined : repo.readBlob(`${id}:${EVENT_FILE}`))));
    for (let k = 0; k < chunk.length; k++) {
      const id = chunk[k] as string;
      let e = recalled[k];
      if (!e) {
        const b = blobs[k];
        if (!b || !b.ok) return err(gateError('PROOF_INVALID', `${journal}: commit ${id} holds no ${EVENT_FILE}`, { hint: 'a journal holds only event commits written by gatos event add' }));
        const env = readEnvelope(b.value);
        if (!env.ok) return err({ ...env.error, message: `${journal}: commit ${id}: ${env.error.message}` });
        e = env.value;
      }
      if (e.ns !== j.value.ns || e.actor !== j.value.actor.id) {
        return err(gateError('PROOF_INVALID', `${journal}: commit ${id} is an event of ${e.actor} in ${e.ns}, not of this journal`, { hint: 'an actor writes only to its own journal of the namespace' }));
      }
      const fe = foldEventFromEnvelope({ type: e.type, ulid: e.ulid, actor: e.actor, payload: e.payload }, { journal, commit: id });
      if (!fe.ok) return fe;
      out.push(fe.value);
    }
  }
  return ok(out);
}
