/**
 * The epoch facts of one update (docs/epochs.md), for the pure checks in
 * src/gate/epoch.ts: a pushed anchor verified as an event and read, with
 * its namespace as the push leaves it; and for journal and state updates
 * in a namespace with anchors, whether the new tip still descends from what
 * the latest anchor recorded. A namespace without anchors costs one
 * for-each-ref. Every read that fails refuses (EPOCH_BROKEN with the
 * reason, or GATE_ERROR when git itself failed). Adapter.
 */
import type { VerifyMemo } from '../events';
import { chainTip, type EpochFact } from '../gate/epoch';
import type { RefUpdate } from '../gate';
import type { RefClass } from '../gate/ref-class';
import type { GitRepo } from '../git';
import { epochContext, listAnchors, linkOf, readAnchor, stateAt } from '../epoch/read';

function unreadable(e: { code: string; message: string; hint?: string }): EpochFact {
  const code = e.code === 'GIT_ERROR' ? 'GATE_ERROR' : 'EPOCH_BROKEN';
  return { anchor: { ok: false, code, reason: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
}

async function descends(repo: GitRepo, ancestor: string, tip: string): Promise<boolean> {
  if (ancestor === tip) return true;
  const a = await repo.isAncestor(ancestor, tip);
  return a.ok && a.value;
}

/** `{ epoch }` for an update that concerns epochs, `{}` otherwise (spread into the update's facts). */
export async function epochFacts(repo: GitRepo, u: RefUpdate, cls: RefClass, memo: VerifyMemo, now: number, pushed: ReadonlyMap<string, string>): Promise<{ epoch?: EpochFact }> {
  if (cls.plane === 'epoch') {
    if (u.newId === repo.zeroId || u.oldId === u.newId) return { epoch: {} };
    const a = await readAnchor(repo, u.newId, { verify: { now, memo } });
    if (!a.ok) return { epoch: unreadable(a.error) };
    const ctx = await epochContext(repo, cls.ns, pushed, u.ref);
    if (!ctx.ok) return { epoch: unreadable(ctx.error) };
    return { epoch: { anchor: { ok: true, anchor: a.value }, context: ctx.value } };
  }
  if ((cls.plane !== 'journal' && cls.plane !== 'state') || u.newId === repo.zeroId || u.oldId === u.newId) return {};
  const ns = cls.plane === 'journal' ? cls.journal.ns : cls.ns;
  const anchors = await listAnchors(repo, ns);
  if (!anchors.ok) return { epoch: unreadable(anchors.error) };
  if (anchors.value.length === 0) return {};
  const tipLink = chainTip(anchors.value.map(linkOf));
  const latest = anchors.value.find((r) => r.anchor.commit === tipLink?.commit);
  if (!latest) return { epoch: unreadable({ code: 'EPOCH_BROKEN', message: `namespace ${ns} has no single last anchor (forked or broken chain)`, hint: 'ask the operator: gatos epoch compact --dry-run lists the chain' }) };
  const a = latest.anchor;
  const current = { seq: a.seq, start: a.ts };
  if (cls.plane === 'journal') {
    const recorded = a.heads.get(u.ref);
    if (!recorded) return { epoch: { current } };
    return { epoch: { current, crossing: { anchor: latest.ref, recorded, descends: await descends(repo, recorded, u.newId) } } };
  }
  if (!a.state) return { epoch: { current } };
  const s = await stateAt(repo, a.state.checkpoint);
  return { epoch: { current, crossing: { anchor: latest.ref, recorded: a.state.checkpoint, descends: await descends(repo, a.state.checkpoint, u.newId), stateRootMatches: s.ok && s.value.stateRoot === a.state.stateRoot } } };
}
