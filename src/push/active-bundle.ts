/**
 * Loading a bundle for the gate: the producer's loader (src/bundle) checks
 * the tree against its Policy-Root and Policy-Code-Root; here the compiled
 * policy is loaded against that root. Loaded bundles are kept in the push's
 * memo (src/events/memo.ts), never beyond the push. Adapter.
 */
import { ACTIVE_POLICY_REF } from '../actors';
import { POLICY_FILE, loadBundle, type LoadedBundle } from '../bundle';
import type { BundleSource } from '../bundle/load';
import { err, gateError, ok, type Result } from '../core/result';
import type { ActiveBundle } from '../gate';
import type { VerifyMemo } from '../events/memo';
import type { GitRepo } from '../git';
import { loadPolicy } from '../rgs';
import { BundleObjects } from './bundle-objects';

export interface GateBundle extends ActiveBundle {
  readonly loaded: LoadedBundle;
}

/**
 * `verifiedCache`: only for the active bundle, which the host chose; a pushed
 * bundle is verified in full and leaves no file behind (a client could push many).
 * `memo`: the push's, so that its events binding this bundle find it loaded.
 */
export async function bundleAt(repo: BundleSource, commit: string, memo: VerifyMemo, verifiedCache = false): Promise<Result<GateBundle>> {
  const b = await loadBundle(repo, commit, { verifiedCache, loaded: memo.bundles });
  if (!b.ok) return b;
  const bytes = b.value.files.get(POLICY_FILE) as Uint8Array;
  const policy = loadPolicy(bytes, { expectedRoot: b.value.manifest.policyCodeRoot });
  if (!policy.ok) return err(gateError(policy.error.code, `policy bundle ${commit}: ${policy.error.message}`, policy.error.hint ? { hint: policy.error.hint } : {}));
  const g: GateBundle = {
    commit,
    policyCodeRoot: b.value.manifest.policyCodeRoot,
    policy: policy.value,
    trust: b.value.trust,
    folds: b.value.manifest.folds.map((f) => ({ id: f.id, foldRoot: f.foldRoot, engine: f.engine, inputs: [...f.inputs] })),
    loaded: b.value,
  };
  return ok(g);
}

/** The bundle refs/gatos/policies/active names. No active bundle is an error: the gate never runs without a policy. */
export async function activeGateBundle(repo: GitRepo, memo: VerifyMemo): Promise<Result<GateBundle>> {
  const r = await repo.readRef(ACTIVE_POLICY_REF);
  if (!r.ok) return err(r.error);
  if (!r.value) return err(gateError('NOT_FOUND', `${ACTIVE_POLICY_REF} does not exist: the gate has no policy`, { hint: 'install the gate with a template: ./install.sh <repo> --template minimal' }));
  // The hooks load the same active bundle on every push: its verified bundle-id and its objects are kept in $GIT_DIR/gatos/cache.
  const objects = new BundleObjects(repo);
  const b = await bundleAt(objects, r.value, memo, true);
  if (b.ok) objects.save();
  return b;
}
