/**
 * Reading session commits and deciding a session merge (docs/sessions.md,
 * decision 0033). The gate (src/push/session.ts) and `gatos session merge`
 * call the same checks, so a merge the client writes is the merge the gate
 * accepts. Every malformed piece is an error value with a code (fail
 * closed). Adapter (reads git).
 */
import { JOURNAL_PREFIX, STATE_PREFIX } from '../actors';
import type { LoadedBundle } from '../bundle/load';
import { readCheckpoint, readResumePoint } from '../checkpoint/make';
import { FOLD_STATE_FILE } from '../checkpoint/proof';
import { bytesEqual } from '../core/bytes';
import type { ErrorCode } from '../core/codes';
import { err, gateError, ok, type GateError, type Result } from '../core/result';
import { readEnvelopeAt } from '../events/read';
import type { FoldRuntime } from '../fold/contract';
import { decodeState } from '../fold/echolua/state';
import type { LatticeKind } from '../fold/echolua/vm/lattice';
import type { Value } from '../fold/echolua/vm/values';
import { checkResolvedMerge, checkSessionMerge, joinSessionStates, type SessionConflict } from '../fold/session-merge';
import { foldLattices } from '../bundle/fold-lattices';
import type { GitRepo } from '../git';
import type { Identity, ObjectFormat } from '../git';
import { commitData, filesToObjects, makeObject, type GitObjectBytes } from '../workspace/git-objects';
import { readTreeFiles } from '../workspace/read-tree';
import { CONFLICT_EVENT_TYPE, conflictPayload, parseConflictPayload, parseSessionMessage, sameConflicts, sessionMessage, type ConflictRecord, type SessionInfo } from './format';

export interface SessionCommit {
  readonly id: string;
  readonly parents: readonly string[];
  readonly info: SessionInfo;
  /** The saved fold state the commit carries. */
  readonly state: Uint8Array;
}

function fail(code: ErrorCode, message: string, hint?: string): Result<never> {
  return err(gateError(code, message, hint ? { hint } : {}));
}

/**
 * The objects of a session commit: a tree holding the saved fold state alone,
 * and the commit (no header but tree, parents, author and committer; the
 * message sessionMessage writes). `gatos session` writes exactly these, and
 * the gate rebuilds them to compare ids (objects, not fields).
 */
export function sessionCommitObjects(format: ObjectFormat, info: SessionInfo, state: Uint8Array, parents: readonly string[], author: Identity, committer: Identity): { readonly commit: GitObjectBytes; readonly objects: readonly GitObjectBytes[] } {
  const tree = filesToObjects(format, new Map([[FOLD_STATE_FILE, state]]));
  const commit = makeObject(format, 'commit', commitData({ tree: tree.root, parents, author, committer, message: sessionMessage(info) }));
  return { commit, objects: [...tree.objects, commit] };
}

/**
 * A session commit: its message parsed, and the commit exactly the one
 * sessionCommitObjects builds from it, its parents, its identities and its
 * saved fold state: an extra header, text beside the trailers, a folder or a
 * file beside the state would ride along on a field-by-field check.
 */
export async function readSessionCommit(repo: GitRepo, id: string): Promise<Result<SessionCommit>> {
  const c = await repo.readCommit(id);
  if (!c.ok) return fail('NOT_FOUND', `${id} is not a commit in this repository`);
  if (c.value.parents.length > 1) return fail('PROOF_INVALID', `session commit ${id} is a merge (${c.value.parents.length} parents); a session is linear`, 'write session commits with gatos session');
  const info = parseSessionMessage(c.value.message ?? '', repo.format);
  if (!info.ok) return err({ ...info.error, message: `session commit ${id}: ${info.error.message}` });
  const files = await readTreeFiles(repo, c.value.tree, 2);
  if (!files.ok) return err({ ...files.error, message: `session commit ${id}: ${files.error.message}` });
  const state = files.value.get(FOLD_STATE_FILE);
  if (!state || files.value.size !== 1) return fail('PROOF_INVALID', `session commit ${id}: its tree must hold ${FOLD_STATE_FILE} and nothing else, it holds ${[...files.value.keys()].join(', ') || 'nothing'}`, 'write session commits with gatos session');
  const decoded = decodeState(state);
  if (!decoded.ok) return fail('PROOF_INVALID', `session commit ${id}: ${FOLD_STATE_FILE} is not a fold state: ${decoded.error.message}`);
  const rebuilt = sessionCommitObjects(repo.format, info.value, state, c.value.parents, c.value.author, c.value.committer).commit.id;
  if (rebuilt !== id) return fail('PROOF_INVALID', `session commit ${id} is not the commit gatos session writes for its trailers and state (${rebuilt}): a header, text or file beside them`, 'write session commits with gatos session; a session commit holds its subject, its trailers and .gatos/fold-state.cbor, nothing else');
  return ok({ id, parents: c.value.parents, info: info.value, state });
}

export interface SessionFold {
  readonly runtime: FoldRuntime;
  /** The lattices the fold declares: a YAML fold's reducers; none for an EchoLua fold. */
  readonly lattices: ReadonlyMap<string, LatticeKind>;
}

/** The session's fold in `bundle`: the same fold_root the session names, and its declared lattices. */
export function sessionFold(bundle: LoadedBundle, info: SessionInfo): Result<SessionFold> {
  const f = bundle.fold(info.fold);
  if (!f.ok) return f;
  if (f.value.entry.foldRoot !== info.foldRoot) return fail('PROOF_INVALID', `the session folds with fold '${info.fold}' at ${info.foldRoot}, but the active bundle's fold '${info.fold}' is ${f.value.entry.foldRoot}`, 'the fold changed since the session started: start a new session (gatos session start)');
  const lattices = foldLattices(bundle, info.fold);
  return lattices.ok ? ok({ runtime: f.value.runtime, lattices: lattices.value }) : lattices;
}

function stateValue(bytes: Uint8Array, what: string): Result<Value> {
  const v = decodeState(bytes);
  return v.ok ? v : fail('PROOF_INVALID', `${what} is not a fold state: ${v.error.message}`);
}

/** `ancestor` is `descendant` or one of its ancestors. */
async function descends(repo: GitRepo, ancestor: string, descendant: string): Promise<Result<boolean>> {
  if (ancestor === descendant) return ok(true);
  const a = await repo.isAncestor(ancestor, descendant);
  return a.ok ? ok(a.value) : err(a.error);
}

/** How the repository stands for a merge: the state ref's tip before it and after it, and the namespace's journal heads. */
export interface MergeContext {
  /** The state ref's tip before the merge (the server's, in the gate). */
  readonly stateBefore: string | undefined;
  /** The state ref's tip the merge leaves (the push's new tip, in the gate). */
  readonly stateAfter: string | undefined;
  /** The journal heads of the namespace as the merge leaves them. */
  readonly journals: ReadonlyMap<string, string>;
}

export type MergeOutcome = { readonly kind: 'join' } | { readonly kind: 'resolved'; readonly conflicts: readonly SessionConflict[] };

/** A refused merge; a conflict carries the record its governance.conflict event must hold. */
export interface SessionError extends GateError {
  readonly record?: ConflictRecord;
}

/** The conflict refusal: its message names every path and rule id; its hint is the event to record. */
export function conflictError(session: string, state: string, ns: string, conflicts: readonly SessionConflict[]): SessionError {
  const list = conflicts.map((c) => `${c.path} (${c.rule})`).join(', ');
  const payload = JSON.stringify(conflictPayload({ session, state, conflicts }));
  const e = gateError('SESSION_CONFLICT', `the session ${session} conflicts with ${state} where no lattice covers the state: ${list}`, {
    hint: `record the conflict, push it, then merge again naming it: gatos event add --ns ${ns} --type ${CONFLICT_EVENT_TYPE} --caps journal:append --payload '${payload}'; gatos session merge <ulid> --retry --conflict-event <its commit>`,
  });
  return { ...e, record: { session, state, conflicts } };
}

/**
 * Decides the merge commit `m` (its parent `from` holds the session state
 * being merged): its checkpoint is the one new checkpoint on the state ref,
 * directly on the tip before the merge; the session forked from that line;
 * and the checkpoint's state is the join of the tip's state and the
 * session's, three ways from the session's base (checkSessionMerge), or, where they conflict, the conflict is
 * the one an accepted governance.conflict event records and the state
 * resolves exactly it (checkResolvedMerge).
 */
export async function checkMerge(repo: GitRepo, m: SessionCommit, from: SessionCommit, bundle: LoadedBundle, ctx: MergeContext): Promise<Result<MergeOutcome, SessionError>> {
  const info = m.info;
  const cp = info.merge as string;
  const ref = `${STATE_PREFIX}${info.ns}`;
  if (ctx.stateAfter !== cp) return fail('PROOF_INVALID', `session merge ${m.id} names checkpoint ${cp}, which is not the new tip of ${ref} in this push`, 'push the merge checkpoint and the session ref together: git push origin <your journal> refs/gatos/state/<ns> <session ref>');
  if (!bytesEqual(m.state, from.state)) return fail('PROOF_INVALID', `session merge ${m.id} carries another state than the session commit it merges (${from.id})`, 'write merges with gatos session merge');
  const c = await readCheckpoint(repo, cp);
  if (!c.ok) return c;
  const p = c.value.proof;
  if (p.ns !== info.ns || p.foldId !== info.fold || p.foldRoot !== info.foldRoot) return fail('PROOF_INVALID', `checkpoint ${cp} folds ${p.ns} with fold '${p.foldId}' (${p.foldRoot}), not the session's ${info.ns} with '${info.fold}' (${info.foldRoot})`);
  if (p.prev === null || p.prev !== ctx.stateBefore) return fail('PROOF_INVALID', `checkpoint ${cp} is not directly on ${ref}'s tip ${ctx.stateBefore ?? '(none)'}: a session merge is the one new checkpoint of its push`, 'fetch refs/gatos/state/<ns>, then gatos session merge again');
  const forked = await descends(repo, info.base, p.prev);
  if (!forked.ok) return forked;
  if (!forked.value) return fail('PROOF_INVALID', `the session's base ${info.base} is not on ${ref} below ${p.prev}`);
  const fold = sessionFold(bundle, info);
  if (!fold.ok) return fold;
  const prev = await readResumePoint(repo, p.prev);
  if (!prev.ok) return prev;
  const forkedFrom = await readResumePoint(repo, info.base);
  if (!forkedFrom.ok) return forkedFrom;
  const base = stateValue(forkedFrom.value.savedState, `the state of the session's base ${info.base}`);
  if (!base.ok) return base;
  const ours = stateValue(prev.value.savedState, `the state of ${p.prev}`);
  const theirs = stateValue(from.state, `the state of session commit ${from.id}`);
  const merged = stateValue(c.value.savedState, `the state of checkpoint ${cp}`);
  if (!ours.ok) return ours;
  if (!theirs.ok) return theirs;
  if (!merged.ok) return merged;
  const v = checkSessionMerge(fold.value.lattices, ours.value, theirs.value, merged.value, base.value);
  if (v.kind === 'error') return fail('PROOF_INVALID', `session merge ${m.id}: ${v.message}`);
  if (v.kind === 'not-join') return notJoin(m.id, cp, v.reducers);
  if (v.kind === 'join') {
    if (info.conflict !== undefined) return fail('SESSION_CONFLICT', `session merge ${m.id} names the conflict event ${info.conflict}, but the merge has no conflict`, 'merge without --conflict-event');
    return ok({ kind: 'join' });
  }
  if (info.conflict === undefined) return err(conflictError(from.id, p.prev, info.ns, v.conflicts));
  const recorded = await recordedConflict(repo, info.conflict, info.ns, ctx.journals);
  if (!recorded.ok) return recorded;
  const r = recorded.value;
  if (r.session !== from.id || r.state !== p.prev || !sameConflicts(r.conflicts, v.conflicts)) {
    const e = conflictError(from.id, p.prev, info.ns, v.conflicts);
    return err({ ...e, message: `the governance.conflict event ${info.conflict} does not record exactly this merge's conflict (session ${r.session}, state ${r.state}, ${r.conflicts.length} conflicts); ${e.message}` });
  }
  const resolved = checkResolvedMerge(fold.value.lattices, ours.value, theirs.value, merged.value, v.conflicts, base.value);
  if (resolved.kind === 'error') return fail('PROOF_INVALID', `session merge ${m.id}: ${resolved.message}`);
  if (resolved.kind === 'not-join') return notJoin(m.id, cp, resolved.reducers);
  return ok({ kind: 'resolved', conflicts: v.conflicts });
}

function notJoin(m: string, cp: string, parts: readonly string[]): Result<never> {
  return fail('SESSION_NOT_JOIN', `session merge ${m}: the state of checkpoint ${cp} is not the join of the state it merges into and the session's, at ${parts.join(', ')}`, "the session's state must be its base folded with the events it merges: fold them with gatos session save (an undone step's events stay on your journal; drop them before merging), then gatos session merge");
}

/** The governance.conflict event `id`: an event of namespace `ns` on one of its journals, with a well-formed payload. */
async function recordedConflict(repo: GitRepo, id: string, ns: string, journals: ReadonlyMap<string, string>): Promise<Result<ConflictRecord>> {
  const e = await readEnvelopeAt(repo, id);
  if (!e.ok) return fail('PROOF_INVALID', `the conflict event ${id} is not an event: ${e.error.message}`);
  const env = e.value.envelope;
  if (env.type !== CONFLICT_EVENT_TYPE || env.ns !== ns) return fail('PROOF_INVALID', `the conflict event ${id} is a ${env.type} event of ${env.ns}, not a ${CONFLICT_EVENT_TYPE} event of ${ns}`);
  let on = false;
  for (const [journal, head] of journals) {
    if (!journal.startsWith(`${JOURNAL_PREFIX}${ns}/`)) continue;
    const d = await descends(repo, id, head);
    if (!d.ok) return d;
    if (d.value) {
      on = true;
      break;
    }
  }
  if (!on) return fail('PROOF_INVALID', `the conflict event ${id} is on no journal of ${ns}`, 'push the governance.conflict event first (or in the same push), then the merge');
  const parsed = parseConflictPayload(env.payload);
  return parsed.ok ? parsed : fail('PROOF_INVALID', `the conflict event ${id}: ${parsed.error.message}`, parsed.error.hint);
}

/** The session join the client reports before merging (status): joined, or the conflicts. */
export function previewJoin(lattices: ReadonlyMap<string, LatticeKind>, ours: Uint8Array, theirs: Uint8Array, base: Uint8Array): Result<readonly SessionConflict[]> {
  const a = stateValue(ours, 'the state');
  const b = stateValue(theirs, 'the session state');
  const z = stateValue(base, 'the base state');
  if (!a.ok) return a;
  if (!b.ok) return b;
  if (!z.ok) return z;
  const j = joinSessionStates(lattices, a.value, b.value, z.value);
  if (j.kind === 'error') return fail('PROOF_INVALID', j.message);
  return ok(j.kind === 'conflict' ? j.conflicts : []);
}
