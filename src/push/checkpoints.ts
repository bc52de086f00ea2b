/**
 * Proof-of-Fold on refs/gatos/state/**: every new checkpoint, oldest first,
 * is re-derived by the producer's verifier (src/checkpoint) from its parent
 * (the previous verified checkpoint: the ref's old tip, or one verified just
 * before it in this push) over its window, enforcing every rule the producer
 * applies and comparing the rebuilt commit id. The server's journals (as
 * this push leaves them) are handed to it, so the window must name every
 * journal the fold reads, each end on its journal. On top, the gate requires
 * what only the server knows: the checkpoint is bound to the active bundle
 * (or one before it) and its fold, and belongs to the ref's namespace; its
 * signer is handed on, and the gate decides whether it holds state:checkpoint
 * there in the active trust graph (src/gate/authority.ts). Adapter.
 */
import { JOURNAL_PREFIX } from '../actors';
import { PUSH_JOURNALS_FIRST, verifyCheckpoint } from '../checkpoint';
import { err, ok, type Result } from '../core/result';
import type { VerifyMemo } from '../events/memo';
import type { CheckpointFact, OlderBundle, RefUpdate } from '../gate';
import { isZeroId, type Commit, type GitRepo } from '../git';
import type { GateBundle } from './active-bundle';

function bad(c: string, reason: string, hint = 'recompute it with gatos fold checkpoint against the active bundle'): CheckpointFact {
  return { ok: false, code: 'PROOF_INVALID', reason: `checkpoint ${c}: ${reason}`, hint, commit: c };
}

/**
 * The journal heads as this push leaves the server: its journal refs, with
 * the push's own new tips over them (a checkpoint may fold journal events
 * pushed alongside it). A ref the push deletes is left out.
 */
async function journalsAfterPush(repo: GitRepo, pushed: ReadonlyMap<string, string>): Promise<Result<Map<string, string>>> {
  const refs = await repo.forEachRef([JOURNAL_PREFIX.slice(0, -1)]);
  if (!refs.ok) return err(refs.error);
  const heads = new Map(refs.value.map((r) => [r.ref, r.id]));
  for (const [ref, id] of pushed) {
    if (!ref.startsWith(JOURNAL_PREFIX)) continue;
    if (isZeroId(id)) heads.delete(ref);
    else heads.set(ref, id);
  }
  return ok(heads);
}

export async function verifyCheckpoints(repo: GitRepo, u: RefUpdate, ns: string, commits: readonly Commit[], active: GateBundle, memo: VerifyMemo, pushed: ReadonlyMap<string, string>): Promise<CheckpointFact[]> {
  const out: CheckpointFact[] = [];
  const journals = commits.length > 0 ? await journalsAfterPush(repo, pushed) : ok(new Map<string, string>());
  for (const c of commits) {
    if (!journals.ok) {
      out.push({ ok: false, code: 'GATE_ERROR', reason: `checkpoint ${c.id}: the journals could not be listed: ${journals.error.message}`, commit: c.id });
      continue;
    }
    // Completeness is judged against the server's journals: the window names every one its fold reads.
    const v = await verifyCheckpoint(repo, c.id, { journals: journals.value, memo });
    if (!v.ok) {
      // Window ends on no server journal: the update hook alone must say why it cannot know better (decide-push.ts, updateHookAlone).
      const cause = v.error.hint === PUSH_JOURNALS_FIRST ? { cause: 'journal-not-on-server' as const } : {};
      out.push({ ok: false, code: v.error.code === 'GIT_ERROR' ? 'GATE_ERROR' : v.error.code, reason: v.error.message, ...(v.error.hint ? { hint: v.error.hint } : {}), commit: c.id, ...cause });
      continue;
    }
    const p = v.value.proof;
    if (p.ns !== ns) {
      out.push(bad(c.id, `it folds namespace ${p.ns}, but sits on ${u.ref}`));
      continue;
    }
    const foldRootMatches = active.folds.some((f) => f.id === p.foldId && f.foldRoot === p.foldRoot);
    let olderBundle: OlderBundle | undefined;
    if (p.policyRoot !== active.commit) {
      // Folded under another bundle: only an ancestor of the active one can count (the policy then decides, src/gate/checkpoint-bundle.ts);
      // any other bundle could carry a trust graph of the pusher's making.
      const older = await repo.isAncestor(p.policyRoot, active.commit);
      if (!older.ok || !older.value) {
        out.push(bad(c.id, `its Policy-Root ${p.policyRoot} is not the active bundle ${active.commit} or one before it`, 'fetch refs/gatos/policies/active and recompute the checkpoint'));
        continue;
      }
      olderBundle = { commit: c.id, policyRoot: p.policyRoot, foldRootMatches };
    } else if (!foldRootMatches) {
      out.push(bad(c.id, `its Fold-Root ${p.foldRoot} (fold '${p.foldId}') is not a fold of the active bundle`, 'fetch refs/gatos/policies/active and recompute the checkpoint'));
      continue;
    }
    out.push({ ok: true, detail: `checkpoint ${c.id} refolds identically`, signer: { commit: c.id, actor: p.actor, key: p.key, ns: p.ns, ts: p.ts }, ...(olderBundle ? { olderBundle } : {}) });
  }
  return out;
}
