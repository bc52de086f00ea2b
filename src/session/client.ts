/**
 * `gatos session start|save|undo|merge|status` (docs/sessions.md): a session
 * forks the state of a namespace at its checkpoint, folds the actor's own
 * journal events into its saved state, steps back to an earlier state, and
 * merges by a checkpoint whose state is the join (checked here with the
 * gate's own check, src/session/check.ts, before anything is written for
 * good). Everything happens in the local repository; the client pushes.
 * Adapter (git).
 */
import { actorIdentity, journalRef, JOURNAL_PREFIX, parseActor, stateRef, type Actor } from '../actors';
import { loadBundle, type LoadedBundle } from '../bundle/load';
import { activeBundle } from '../bundle/publish';
import { computeCheckpoint } from '../checkpoint/compute';
import { chooseFold, makeCheckpoint, readResumePoint } from '../checkpoint/make';
import { readWindow } from '../checkpoint/window';
import { nextUlid } from '../canon/ulid';
import { err, gateError, ok, type Result } from '../core/result';
import type { GitRepo } from '../git';
import type { ActorKey } from '../keys';
import { ObjectBatch } from '../workspace/object-batch';
import { checkMerge, previewJoin, readSessionCommit, sessionCommitObjects, sessionFold, type MergeOutcome, type SessionCommit, type SessionError } from './check';
import { parseSessionRef, sessionRefOf, SESSIONS_PREFIX, type SessionInfo } from './format';

/** Writes a session commit (no ref moves). */
export async function writeSessionCommit(repo: GitRepo, info: SessionInfo, state: Uint8Array, parents: readonly string[], actor: string, now: number): Promise<Result<string>> {
  const batch = new ObjectBatch(repo.format);
  const who = actorIdentity(actor, now);
  const built = sessionCommitObjects(repo.format, info, state, parents, who, who);
  batch.addAll(built.objects);
  const w = await batch.write(repo);
  return w.ok ? ok(built.commit.id) : w;
}

async function active(repo: GitRepo): Promise<Result<LoadedBundle>> {
  const a = await activeBundle(repo);
  if (!a.ok) return a;
  if (!a.value) return err(gateError('NOT_FOUND', 'there is no active policy bundle', { hint: 'fetch refs/gatos/policies/active (or publish one with gatos policy publish)' }));
  return loadBundle(repo, a.value);
}

export interface Started {
  readonly ref: string;
  readonly ulid: string;
  readonly commit: string;
  readonly base: string;
  readonly fold: string;
}

/** Forks the namespace's state at its checkpoint: a new session ref whose first commit carries that checkpoint's saved state. */
export async function startSession(repo: GitRepo, req: { ns: string; foldId?: string; key: ActorKey; now: number; random: Uint8Array }): Promise<Result<Started>> {
  const actor = parseActor(req.key.actor);
  if (!actor.ok) return actor;
  const bundle = await active(repo);
  if (!bundle.ok) return bundle;
  const entry = chooseFold(bundle.value, req.ns, req.foldId);
  if (!entry.ok) return entry;
  const ref = stateRef(req.ns);
  if (!ref.ok) return ref;
  const tip = await repo.readRef(ref.value);
  if (!tip.ok) return err(tip.error);
  if (!tip.value) return err(gateError('NOT_FOUND', `${ref.value} has no checkpoint to fork`, { hint: `fetch it, or fold one first: gatos fold checkpoint --ns ${req.ns}` }));
  const base = await readResumePoint(repo, tip.value);
  if (!base.ok) return base;
  if (base.value.proof.foldRoot !== entry.value.foldRoot) return err(gateError('PROOF_INVALID', `${ref.value} was folded by ${base.value.proof.foldRoot}, not by fold '${entry.value.id}' (${entry.value.foldRoot})`, { hint: `checkpoint it with the active bundle first: gatos fold checkpoint --ns ${req.ns}` }));
  const ulid = nextUlid(req.now * 1000, req.random);
  if (!ulid.ok) return ulid;
  const info: SessionInfo = { verb: 'start', ns: req.ns, fold: entry.value.id, foldRoot: entry.value.foldRoot, base: tip.value };
  const commit = await writeSessionCommit(repo, info, base.value.savedState, [], actor.value.id, req.now);
  if (!commit.ok) return commit;
  const sref = sessionRefOf(actor.value, ulid.value);
  const u = await repo.updateRefs([{ ref: sref, newId: commit.value, expectedId: repo.zeroId }], { message: `gatos session start ${req.ns}` });
  if (!u.ok) return u;
  return ok({ ref: sref, ulid: ulid.value, commit: commit.value, base: tip.value, fold: entry.value.id });
}

/** A session named by its ULID (one of `actor`'s) or its full ref, and its tip. */
export async function resolveSession(repo: GitRepo, actor: Actor, name: string): Promise<Result<{ ref: string; owner: Actor; tip: SessionCommit }>> {
  const ref = name.startsWith(SESSIONS_PREFIX) ? name : sessionRefOf(actor, name);
  const parsed = parseSessionRef(ref);
  if (!parsed || !parsed.ok) return err(gateError('USAGE', `'${name}' names no session`, { hint: 'name a session by its ULID or its ref (gatos session status lists them)' }));
  const id = await repo.readRef(ref);
  if (!id.ok) return err(id.error);
  if (!id.value) return err(gateError('NOT_FOUND', `there is no session ${ref} here`, { hint: 'gatos session status lists the sessions of this clone; fetch refs/gatos/sessions/* for others' }));
  const tip = await readSessionCommit(repo, id.value);
  if (!tip.ok) return tip;
  return ok({ ref, owner: parsed.value.actor, tip: tip.value });
}

/** The acting actor's session `name`, not merged yet (save and undo step on it). */
async function openSession(repo: GitRepo, key: ActorKey, name: string): Promise<Result<{ actor: Actor; ref: string; owner: Actor; tip: SessionCommit }>> {
  const actor = parseActor(key.actor);
  if (!actor.ok) return actor;
  const s = await resolveSession(repo, actor.value, name);
  if (!s.ok) return s;
  const { ref, tip } = s.value;
  if (tip.info.verb === 'merge') return err(gateError('USAGE', `${ref} is merged (into ${tip.info.merge ?? '?'})`, { hint: 'a merged session is done: start a new one with gatos session start' }));
  return ok({ actor: actor.value, ...s.value });
}

/** Writes one step on top of the session's tip and moves its ref (compare-and-swap). */
async function stepSession(repo: GitRepo, o: { ref: string; tip: SessionCommit; actor: Actor }, info: SessionInfo, state: Uint8Array, now: number): Promise<Result<string>> {
  const commit = await writeSessionCommit(repo, info, state, [o.tip.id], o.actor.id, now);
  if (!commit.ok) return commit;
  const u = await repo.updateRefs([{ ref: o.ref, newId: commit.value, expectedId: o.tip.id }], { message: `gatos session ${info.verb}` });
  return u.ok ? commit : u;
}

/** Where the session's state has folded the actor's journal to: its last head, or where its base folded that journal. */
async function foldedTo(repo: GitRepo, s: SessionCommit, journal: string): Promise<Result<string | null>> {
  if (s.info.head !== undefined) return ok(s.info.head);
  const base = await readResumePoint(repo, s.info.base);
  if (!base.ok) return base;
  return ok(base.value.proof.window.find((w) => w.journal === journal)?.end ?? null);
}

export interface Stepped {
  readonly ref: string;
  readonly commit: string;
  readonly written: boolean;
  readonly events: number;
  readonly head: string | null;
}

/** Folds the actor's new events on its own journal of the session's namespace into the session's state. */
export async function saveSession(repo: GitRepo, req: { session: string; key: ActorKey; now: number }): Promise<Result<Stepped>> {
  const s = await openSession(repo, req.key, req.session);
  if (!s.ok) return s;
  const { ref, tip } = s.value;
  const journal = journalRef(tip.info.ns, s.value.owner);
  if (!journal.ok) return journal;
  const head = await repo.readRef(journal.value);
  if (!head.ok) return err(head.error);
  const from = await foldedTo(repo, tip, journal.value);
  if (!from.ok) return from;
  if (!head.value || head.value === from.value) return ok({ ref, commit: tip.id, written: false, events: 0, head: head.value ?? null });
  const events = await readWindow(repo, journal.value, from.value, head.value);
  if (!events.ok) return events;
  const bundle = await active(repo);
  if (!bundle.ok) return bundle;
  const fold = sessionFold(bundle.value, tip.info);
  if (!fold.ok) return fold;
  const c = computeCheckpoint(fold.value.runtime, tip.state, null, events.value);
  if (!c.ok) return c;
  const info: SessionInfo = { verb: 'save', ns: tip.info.ns, fold: tip.info.fold, foldRoot: tip.info.foldRoot, base: tip.info.base, head: head.value };
  const commit = await stepSession(repo, s.value, info, c.value.savedState, req.now);
  if (!commit.ok) return commit;
  return ok({ ref, commit: commit.value, written: true, events: events.value.length, head: head.value });
}

/** A new session commit with an earlier state of the session: `to`, or the state before the tip's. */
export async function undoSession(repo: GitRepo, req: { session: string; to?: string; key: ActorKey; now: number }): Promise<Result<Stepped & { restored: string; journal: string; journalHead: string | null }>> {
  const s = await openSession(repo, req.key, req.session);
  if (!s.ok) return s;
  const { ref, tip } = s.value;
  const target = req.to ?? tip.parents[0];
  if (target === undefined) return err(gateError('USAGE', `${ref} has no earlier state: it was just started`, { hint: 'save events into it first (gatos session save)' }));
  const resolved = await repo.run(['rev-parse', '--verify', '--quiet', `${target}^{commit}`]);
  const id = resolved.ok ? resolved.value.stdout.toString('utf8').trim() : '';
  const on = id === '' || id === tip.id ? ok(false) : await repo.isAncestor(id, tip.id);
  if (!on.ok || !on.value) return err(gateError('USAGE', `'${target}' is not an earlier commit of ${ref}`, { hint: 'name a commit of the session (git log ' + ref + ')' }));
  const t = await readSessionCommit(repo, id);
  if (!t.ok) return t;
  const info: SessionInfo = { verb: 'undo', ns: tip.info.ns, fold: tip.info.fold, foldRoot: tip.info.foldRoot, base: tip.info.base, ...(t.value.info.head !== undefined ? { head: t.value.info.head } : {}) };
  const commit = await stepSession(repo, s.value, info, t.value.state, req.now);
  if (!commit.ok) return commit;
  const journal = journalRef(tip.info.ns, s.value.owner);
  if (!journal.ok) return journal;
  const jh = await repo.readRef(journal.value);
  const folded = await foldedTo(repo, t.value, journal.value);
  return ok({ ref, commit: commit.value, written: true, events: 0, head: folded.ok ? folded.value : null, restored: id, journal: journal.value, journalHead: jh.ok ? (jh.value ?? null) : null });
}

export interface Merged {
  readonly ref: string;
  readonly commit: string;
  readonly checkpoint: string;
  readonly outcome: MergeOutcome;
}

/**
 * Merges the session: folds the namespace onto its state ref (a checkpoint)
 * and writes the merge commit naming it, only when the gate's check accepts
 * the pair; otherwise both refs are put back and the error says why (for a
 * conflict: the governance.conflict event to record). With `retry`, a merge
 * commit the server refused is replaced: its checkpoint is dropped here and
 * the merge redone on the state ref as it now stands.
 */
export async function mergeSession(repo: GitRepo, req: { session: string; key: ActorKey; now: number; conflictEvent?: string; retry?: boolean }): Promise<Result<Merged, SessionError>> {
  const actor = parseActor(req.key.actor);
  if (!actor.ok) return actor;
  const s = await resolveSession(repo, actor.value, req.session);
  if (!s.ok) return s;
  const { ref, tip } = s.value;
  const sref = stateRef(tip.info.ns);
  if (!sref.ok) return sref;
  let from = tip;
  if (tip.info.verb === 'merge' && !req.retry) return err(gateError('USAGE', `${ref} is merged (into ${tip.info.merge ?? '?'})`, { hint: 'a merged session is done; if the server refused that merge, merge again with --retry' }));
  if (tip.info.verb === 'merge') {
    // A merge the server did not take: merge again from the state it merged, without its checkpoint.
    const parent = tip.parents[0] === undefined ? undefined : await readSessionCommit(repo, tip.parents[0]);
    if (!parent || !parent.ok) return err(gateError('PROOF_INVALID', `${ref}: the merge ${tip.id} has no session commit below it`));
    from = parent.value;
    const now = await repo.readRef(sref.value);
    if (now.ok && now.value !== undefined && now.value === tip.info.merge) {
      const cp = await readResumePoint(repo, now.value);
      if (!cp.ok) return cp;
      const back = await repo.updateRefs([{ ref: sref.value, newId: cp.value.proof.prev ?? repo.zeroId, expectedId: now.value }], { message: 'gatos session merge: drop the unaccepted merge checkpoint' });
      if (!back.ok) return back;
    }
  }
  const before = await repo.readRef(sref.value);
  if (!before.ok) return err(before.error);
  const bundle = await active(repo);
  if (!bundle.ok) return bundle;
  const cp = await makeCheckpoint(repo, { ns: tip.info.ns, foldId: tip.info.fold, key: req.key, now: req.now });
  if (!cp.ok) return cp;
  if (!cp.value.written) return err(gateError('USAGE', `nothing to merge: ${sref.value} already folds every event of ${tip.info.ns}`, { hint: 'append and save events in the session first (gatos event add, gatos session save)' }));
  const putBack = async (): Promise<void> => {
    await repo.updateRefs([{ ref: sref.value, newId: before.value ?? repo.zeroId, expectedId: cp.value.commit }], { message: 'gatos session merge: refused, put back' });
  };
  const info: SessionInfo = { ...from.info, verb: 'merge', merge: cp.value.commit, ...(req.conflictEvent !== undefined ? { conflict: req.conflictEvent } : {}) };
  const mId = await writeSessionCommit(repo, info, from.state, [from.id], actor.value.id, req.now);
  if (!mId.ok) {
    await putBack();
    return mId;
  }
  const m = await readSessionCommit(repo, mId.value);
  if (!m.ok) {
    await putBack();
    return m;
  }
  const refs = await repo.forEachRef([`${JOURNAL_PREFIX}${tip.info.ns}`]);
  if (!refs.ok) {
    await putBack();
    return err(refs.error);
  }
  const v = await checkMerge(repo, m.value, from, bundle.value, { stateBefore: before.value, stateAfter: cp.value.commit, journals: new Map(refs.value.map((r) => [r.ref, r.id])) });
  if (!v.ok) {
    await putBack();
    return v;
  }
  const u = await repo.updateRefs([{ ref, newId: mId.value, expectedId: tip.id }], { message: 'gatos session merge' });
  if (!u.ok) {
    await putBack();
    return u;
  }
  return ok({ ref, commit: mId.value, checkpoint: cp.value.commit, outcome: v.value });
}

export interface SessionStatus {
  readonly ref: string;
  readonly actor: string;
  readonly ulid: string;
  readonly tip: string;
  readonly step: SessionInfo['verb'];
  readonly ns: string;
  readonly fold: string;
  readonly base: string;
  readonly head: string | null;
  readonly merged_into: string | null;
  /** Against the state ref's tip here: the paths a merge would conflict at (none: the join exists); null when merged or unknown. */
  readonly conflicts: readonly { path: string; rule: string }[] | null;
  readonly problem?: string;
}

/** The sessions of this clone (or the one named), each with where it stands against the state ref. */
export async function sessionStatus(repo: GitRepo, only?: { actor: Actor; name: string }): Promise<Result<SessionStatus[]>> {
  let refs: { ref: string; id: string }[];
  if (only) {
    const s = await resolveSession(repo, only.actor, only.name);
    if (!s.ok) return s;
    refs = [{ ref: s.value.ref, id: s.value.tip.id }];
  } else {
    const r = await repo.forEachRef([SESSIONS_PREFIX.slice(0, -1)]);
    if (!r.ok) return err(r.error);
    refs = r.value.map((x) => ({ ref: x.ref, id: x.id }));
  }
  const bundle = await active(repo);
  const out: SessionStatus[] = [];
  for (const { ref, id } of refs.sort((a, b) => (a.ref < b.ref ? -1 : 1))) {
    const p = parseSessionRef(ref);
    if (!p || !p.ok) continue;
    const s = await readSessionCommit(repo, id);
    if (!s.ok) {
      out.push({ ref, actor: p.value.actor.id, ulid: p.value.ulid, tip: id, step: 'start', ns: '', fold: '', base: '', head: null, merged_into: null, conflicts: null, problem: s.error.message });
      continue;
    }
    const i = s.value.info;
    let conflicts: SessionStatus['conflicts'] = null;
    let problem: string | undefined;
    if (i.verb !== 'merge' && bundle.ok) {
      const fold = sessionFold(bundle.value, i);
      const st = await repo.readRef(`refs/gatos/state/${i.ns}`);
      const cp = st.ok && st.value ? await readResumePoint(repo, st.value) : undefined;
      const base = await readResumePoint(repo, i.base);
      if (!fold.ok) problem = fold.error.message;
      else if (!base.ok) problem = base.error.message;
      else if (cp && cp.ok) {
        const j = previewJoin(fold.value.lattices, cp.value.savedState, s.value.state, base.value.savedState);
        if (j.ok) conflicts = j.value.map((c) => ({ path: c.path, rule: c.rule }));
        else problem = j.error.message;
      }
    }
    out.push({ ref, actor: p.value.actor.id, ulid: p.value.ulid, tip: id, step: i.verb, ns: i.ns, fold: i.fold, base: i.base, head: i.head ?? null, merged_into: i.merge ?? null, conflicts, ...(problem ? { problem } : {}) });
  }
  return ok(out);
}
