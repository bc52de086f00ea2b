/**
 * The facts of session refs and session merges (docs/sessions.md): every new
 * commit of a refs/gatos/sessions/** update is a well-formed session commit
 * of one session (the same namespace, fold and base throughout, `start`
 * first, nothing after a merge), and a merge commit is decided by
 * src/session/check.ts against the state ref and journals as this push
 * leaves them. A state ref that a pushed session merges into gets the same
 * decision, so a refused merge lands neither ref. Adapter.
 */
import { JOURNAL_PREFIX, STATE_PREFIX } from '../actors';
import { isZeroId, type Commit, type GitRepo } from '../git';
import type { CheckFact } from '../gate';
import type { RefClass } from '../gate/ref-class';
import { bytesEqual } from '../core/bytes';
import { err, gateError, ok, type GateError, type Result } from '../core/result';
import { readResumePoint } from '../checkpoint/make';
import { checkMerge, readSessionCommit, type MergeContext, type SessionCommit } from '../session/check';
import { parseSessionRef } from '../session/format';
import type { GateBundle } from './active-bundle';

function failed(e: GateError, commit: string): CheckFact {
  return { ok: false, code: e.code === 'GIT_ERROR' || e.code === 'NOT_FOUND' ? 'PROOF_INVALID' : e.code, reason: e.message, ...(e.hint ? { hint: e.hint } : {}), commit };
}

async function mergeContext(repo: GitRepo, ns: string, pushed: ReadonlyMap<string, string>): Promise<MergeContext | GateError> {
  const ref = `${STATE_PREFIX}${ns}`;
  const before = await repo.readRef(ref);
  if (!before.ok) return before.error;
  const refs = await repo.forEachRef([`${JOURNAL_PREFIX}${ns}`]);
  if (!refs.ok) return refs.error;
  const journals = new Map(refs.value.map((r) => [r.ref, r.id]));
  for (const [r, id] of pushed) {
    if (!r.startsWith(`${JOURNAL_PREFIX}${ns}/`)) continue;
    if (isZeroId(id)) journals.delete(r);
    else journals.set(r, id);
  }
  const after = pushed.get(ref);
  return { stateBefore: before.value, stateAfter: after !== undefined && !isZeroId(after) ? after : before.value, journals };
}

async function decideMerge(repo: GitRepo, m: SessionCommit, from: SessionCommit, active: GateBundle, pushed: ReadonlyMap<string, string>): Promise<CheckFact> {
  const ctx = await mergeContext(repo, m.info.ns, pushed);
  if (!('journals' in ctx)) return failed(ctx, m.id);
  const r = await checkMerge(repo, m, from, active.loaded, ctx);
  if (!r.ok) return failed(r.error, m.id);
  return { ok: true, detail: r.value.kind === 'join' ? `session merge ${m.id} is the join` : `session merge ${m.id} resolves its recorded conflict` };
}

/** A session's first commit: its base is a checkpoint of its namespace and fold on the state ref as the push leaves it, and it carries that checkpoint's very state. */
async function checkStart(repo: GitRepo, s: SessionCommit, pushed: ReadonlyMap<string, string>): Promise<Result<void>> {
  const { info } = s;
  const base = await readResumePoint(repo, info.base);
  if (!base.ok) return err(gateError('PROOF_INVALID', `session ${s.id} forks ${info.base}, which is not a checkpoint: ${base.error.message}`));
  const p = base.value.proof;
  if (p.ns !== info.ns || p.foldId !== info.fold || p.foldRoot !== info.foldRoot) return err(gateError('PROOF_INVALID', `session ${s.id} forks checkpoint ${info.base} of ${p.ns} (fold '${p.foldId}', ${p.foldRoot}), but names ${info.ns} (fold '${info.fold}', ${info.foldRoot})`));
  if (!bytesEqual(base.value.savedState, s.state)) return err(gateError('PROOF_INVALID', `session ${s.id} does not start from the state of the checkpoint it forks (${info.base})`, { hint: 'start sessions with gatos session start' }));
  const ref = `${STATE_PREFIX}${info.ns}`;
  const server = await repo.readRef(ref);
  if (!server.ok) return err(server.error);
  const after = pushed.get(ref);
  const tip = after !== undefined && !isZeroId(after) ? after : server.value;
  const on = tip === undefined ? ok(false) : info.base === tip ? ok(true) : await repo.isAncestor(info.base, tip);
  if (!on.ok) return err(on.error);
  if (!on.value) return err(gateError('PROOF_INVALID', `session ${s.id} forks ${info.base}, which is not on ${ref}`, { hint: `fetch ${ref} and start the session again` }));
  return ok(undefined);
}

/** The session commits of a session ref update, oldest first, each checked against its parent. */
async function sessionUpdate(repo: GitRepo, commits: readonly Commit[], active: GateBundle, pushed: ReadonlyMap<string, string>): Promise<CheckFact[]> {
  const out: CheckFact[] = [];
  const read = new Map<string, SessionCommit>();
  const get = async (id: string): Promise<SessionCommit | GateError> => {
    const have = read.get(id);
    if (have) return have;
    const r = await readSessionCommit(repo, id);
    if (!r.ok) return r.error;
    read.set(id, r.value);
    return r.value;
  };
  for (const c of commits) {
    const s = await get(c.id);
    if (!('info' in s)) {
      out.push(failed(s, c.id));
      continue;
    }
    const parentId = s.parents[0];
    if (parentId === undefined) {
      if (s.info.verb !== 'start') out.push(failed(gateError('PROOF_INVALID', `session commit ${c.id} has no parent but is a '${s.info.verb}': a session begins with gatos session start`), c.id));
      else {
        const f = await checkStart(repo, s, pushed);
        if (!f.ok) out.push(failed(f.error, c.id));
      }
      continue;
    }
    const p = await get(parentId);
    if (!('info' in p)) {
      out.push(failed({ ...p, message: `the parent of session commit ${c.id}: ${p.message}` }, c.id));
      continue;
    }
    const a = s.info;
    const b = p.info;
    if (a.verb === 'start') out.push(failed(gateError('PROOF_INVALID', `session commit ${c.id} is a 'start' with a parent: a session starts once`), c.id));
    else if (b.verb === 'merge') out.push(failed(gateError('PROOF_INVALID', `session commit ${c.id} follows the merge ${p.id}: a merged session is done`, { hint: 'start a new session (gatos session start)' }), c.id));
    else if (a.ns !== b.ns || a.fold !== b.fold || a.foldRoot !== b.foldRoot || a.base !== b.base) out.push(failed(gateError('PROOF_INVALID', `session commit ${c.id} changes the namespace, fold or base of its session`), c.id));
    else if (a.verb === 'merge') out.push(await decideMerge(repo, s, p, active, pushed));
  }
  return out;
}

/** The session facts of an update: its own commits (a session ref), or the session merges into it pushed alongside (a state ref). */
export async function sessionFactsOf(repo: GitRepo, cls: RefClass, commits: readonly Commit[], active: GateBundle, pushed: ReadonlyMap<string, string>): Promise<{ session?: CheckFact[] }> {
  if (cls.plane === 'session') return { session: await sessionUpdate(repo, commits, active, pushed) };
  if (cls.plane !== 'state') return {};
  const mine = new Set(commits.map((c) => c.id));
  const out: CheckFact[] = [];
  for (const [ref, tip] of [...pushed].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const s = parseSessionRef(ref);
    if (!s || !s.ok || isZeroId(tip)) continue;
    const m = await readSessionCommit(repo, tip);
    // A malformed session tip is the session ref's own refusal; here only merges into this ref count.
    if (!m.ok || m.value.info.verb !== 'merge' || !mine.has(m.value.info.merge as string)) continue;
    const from = m.value.parents[0] === undefined ? undefined : await readSessionCommit(repo, m.value.parents[0]);
    if (!from || !from.ok) {
      out.push({ ok: false, code: 'PROOF_INVALID', reason: `session merge ${tip} on ${ref} has no readable session commit below it`, commit: tip });
      continue;
    }
    const f = await decideMerge(repo, m.value, from.value, active, pushed);
    out.push(f.ok ? f : { ...f, reason: `${f.reason} (the merge on ${ref})` });
  }
  return { session: out };
}
