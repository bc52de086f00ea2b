/**
 * Proof-of-Fold on refs/gatos/state/**: every new checkpoint, oldest first,
 * is re-derived by the producer's verifier (src/checkpoint) from its parent
 * (the previous verified checkpoint: the ref's old tip, or one verified just
 * before it in this push) over its window, comparing every file, the state
 * root, the saved state and every trailer. On top, the gate requires what
 * only the server knows: the checkpoint is bound to the active bundle and
 * its fold, belongs to the ref's namespace, and folds only journal commits
 * the server holds on those journals (or this push brings to them). Adapter.
 */
import { verifyCheckpoint } from '../checkpoint';
import { ok } from '../core/result';
import type { CheckFact, OlderBundle, RefUpdate } from '../gate';
import type { Commit, GitRepo } from '../git';
import type { GateBundle } from './active-bundle';

function bad(c: string, reason: string, hint = 'recompute it with gatos fold checkpoint against the active bundle'): CheckFact {
  return { ok: false, code: 'PROOF_INVALID', reason: `checkpoint ${c}: ${reason}`, hint, commit: c };
}

export async function verifyCheckpoints(repo: GitRepo, u: RefUpdate, ns: string, commits: readonly Commit[], active: GateBundle, pushed: ReadonlyMap<string, string>): Promise<CheckFact[]> {
  const out: CheckFact[] = [];
  for (const c of commits) {
    const v = await verifyCheckpoint(repo, c.id);
    if (!v.ok) {
      out.push({ ok: false, code: v.error.code === 'GIT_ERROR' ? 'GATE_ERROR' : v.error.code, reason: v.error.message, ...(v.error.hint ? { hint: v.error.hint } : {}), commit: c.id });
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
    let outside: string | undefined;
    for (const w of p.window) {
      const tip = pushed.get(w.journal) ?? (await repo.readRef(w.journal));
      const head = typeof tip === 'string' ? tip : tip.ok ? tip.value : undefined;
      // On linear history the walk costs the distance from the window's end to the tip; else git decides.
      const lin = head ? await repo.linearRange(w.end, head) : undefined;
      const onLinear = lin?.ok === true && lin.value?.ancestor === true;
      const on = onLinear ? ok(true) : head ? await repo.isAncestor(w.end, head) : undefined;
      if (!on || !on.ok || !on.value) {
        outside = `${w.end} is not on ${w.journal} in this repository`;
        break;
      }
    }
    if (outside) {
      out.push({ ok: false, code: 'PROOF_INVALID', reason: `checkpoint ${c.id}: it folds events the server has not accepted: ${outside}`, hint: 'push the journals first (or in the same push), then the checkpoint', commit: c.id, cause: 'journal-not-on-server' });
      continue;
    }
    out.push({ ok: true, detail: `checkpoint ${c.id} refolds identically`, ...(olderBundle ? { olderBundle } : {}) });
  }
  return out;
}
