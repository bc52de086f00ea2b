/**
 * Publishing a bundle: one commit on top of the active one, then
 * refs/gatos/policies/<bundle-id> and refs/gatos/policies/active moved
 * together by compare-and-swap, both fast-forward. Adapter (git).
 */
import { err, gateError, ok, type Result } from '../core/result';
import { ACTIVE_POLICY_REF, actorIdentity, bundleRef } from '../actors';
import type { GitRepo } from '../git';
import { declaredBundleIds } from './fold-root';
import { commitData, filesToObjects } from '../workspace/git-objects';
import { ObjectBatch } from '../workspace/object-batch';
import type { Bundle } from './build';
import { publishMessage } from './published';
import { writeVerified } from './verified-cache';

export interface Published {
  readonly commit: string;
  readonly id: string;
  /** False when the active bundle already had this content. */
  readonly changed: boolean;
  readonly previous?: string;
}

export async function activeBundle(repo: GitRepo): Promise<Result<string | undefined>> {
  const r = await repo.readRef(ACTIVE_POLICY_REF);
  return r.ok ? ok(r.value) : err(r.error);
}

export async function publishBundle(repo: GitRepo, bundle: Bundle, who: { actor?: string; now: number }): Promise<Result<Published>> {
  const ref = bundleRef(bundle.id);
  if (!ref.ok) return ref;
  return repo.retryOnConflict(async (): Promise<Result<Published>> => {
    const active = await activeBundle(repo);
    if (!active.ok) return active;
    if (active.value) {
      const c = await repo.readCommit(active.value);
      if (!c.ok) return err(c.error);
      if (declaredBundleIds(c.value.message ?? '').values[0] === `blake3:${bundle.id}`) {
        return ok({ commit: active.value, id: bundle.id, changed: false, previous: active.value });
      }
    }
    const existing = await repo.readRef(ref.value);
    if (!existing.ok) return err(existing.error);
    const message = publishMessage(bundle);
    if (!message.ok) return message;
    const batch = new ObjectBatch(repo.format);
    const { objects, root } = filesToObjects(repo.format, bundle.files);
    batch.addAll(objects);
    const ident = who.actor ? actorIdentity(who.actor, who.now) : { name: 'gatos', email: 'gatos@gatos.invalid', seconds: who.now, tz: '+0000' };
    const commit = batch.add('commit', commitData({ tree: root, parents: active.value ? [active.value] : [], author: ident, committer: ident, message: message.value }));
    const w = await batch.write(repo);
    if (!w.ok) return w;
    if (existing.value) {
      const ff = await repo.isAncestor(existing.value, commit);
      if (!ff.ok) return err(ff.error);
      if (!ff.value) return err(gateError('FF_VIOLATION', `${ref.value} exists outside the active lineage`, { hint: 'policy refs move fast-forward only; fetch the policy refs and publish again' }));
    }
    const u = await repo.updateRefs(
      [
        { ref: ref.value, newId: commit, expectedId: existing.value ?? repo.zeroId },
        { ref: ACTIVE_POLICY_REF, newId: commit, expectedId: active.value ?? repo.zeroId },
      ],
      { message: `gatos policy publish ${bundle.id}` },
    );
    if (!u.ok) return u;
    // This commit is, by construction, exactly what publish writes for its sources: record it as verified, so
    // loading it here again (gov, event add, an installed gate's first push) need not recompile them (decision 0012).
    writeVerified(repo.gitDir, commit, bundle.id);
    return ok({ commit, id: bundle.id, changed: true, ...(active.value ? { previous: active.value } : {}) });
  });
}
