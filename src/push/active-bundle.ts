/**
 * Loading a bundle for the gate: the producer's loader (src/bundle) checks
 * the tree against its Policy-Root and Policy-Code-Root; here the compiled
 * policy is loaded against that root. Loaded bundles are kept in the push's
 * memo (src/events/memo.ts), never beyond the push. Adapter.
 */
import { bundleFoldRoot } from '../bundle/fold-root';
import { ACTIVE_POLICY_REF } from '../actors';
import { POLICY_FILE, loadBundle, type LoadedBundle } from '../bundle';
import { keepLoaded, type BundleSource } from '../bundle/load';
import { err, gateError, ok, type Result } from '../core/result';
import type { ActiveBundle } from '../gate';
import type { VerifyMemo } from '../events/memo';
import type { GitRepo } from '../git';
import { loadPolicy } from '../rgs';
import { preparePolicy, type CompiledPolicy } from '../rgs/load';
import { decodeStrict } from '../canon/cbor';
import type { PrefixedDigest } from '../canon/digest';
import { BundleObjects } from './bundle-objects';
import { readBundleRecord, writeBundleRecord } from './bundle-record';
import type { Trace } from './trace';
import { deferCodeCacheWrite } from '../loader/code-cache';

export interface GateBundle extends ActiveBundle {
  readonly loaded: LoadedBundle;
  /** bundleFoldRoot(folds), computed once when the bundle loads: the daemon decides many pushes with one bundle. */
  readonly foldRoot: string;
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
  return gateBundle(b.value, loadPolicy(bytes, { expectedRoot: b.value.manifest.policyCodeRoot }));
}

function gateBundle(loaded: LoadedBundle, policy: Result<CompiledPolicy>): Result<GateBundle> {
  const { commit, manifest } = loaded;
  if (!policy.ok) return err(gateError(policy.error.code, `policy bundle ${commit}: ${policy.error.message}`, policy.error.hint ? { hint: policy.error.hint } : {}));
  return ok({
    commit,
    policyCodeRoot: manifest.policyCodeRoot,
    policy: policy.value,
    trust: loaded.trust,
    folds: manifest.folds.map((f) => ({ id: f.id, foldRoot: f.foldRoot, engine: f.engine, inputs: [...f.inputs] })),
    loaded,
    foldRoot: bundleFoldRoot(manifest.folds),
  });
}

export interface ActiveOptions {
  /**
   * Keep the decoded bundle in $GIT_DIR/gatos/cache/active-bundle and load it
   * from there while the active ref names the same commit (bundle-record.ts):
   * the cold hooks, which load it on every push. `gatos doctor` and the daemon
   * load in full.
   */
  readonly record?: boolean;
  /** Told when the bundle came from the record (GATOS_TRACE). */
  readonly trace?: Pick<Trace, 'note'>;
}

/** The bundle refs/gatos/policies/active names. No active bundle is an error: the gate never runs without a policy. */
export async function activeGateBundle(repo: GitRepo, memo: VerifyMemo, opts: ActiveOptions = {}): Promise<Result<GateBundle>> {
  const r = await repo.readRef(ACTIVE_POLICY_REF);
  if (!r.ok) return err(r.error);
  if (!r.value) return err(gateError('NOT_FOUND', `${ACTIVE_POLICY_REF} does not exist: the gate has no policy`, { hint: 'install the gate with a template: ./install.sh <repo> --template minimal' }));
  const kept = opts.record ? readBundleRecord(repo.gitDir, r.value) : undefined;
  if (kept) {
    const g = gateBundle(kept.loaded, preparePolicy(kept.loaded.manifest.policyCodeRoot as PrefixedDigest, kept.policyDoc));
    // A record whose policy no longer prepares is no record: load in full (which refuses it, or rewrites the record).
    if (g.ok) {
      keepLoaded(memo.bundles, kept.loaded);
      opts.trace?.note(`the active bundle ${r.value} came from its record in gatos/cache`);
      return g;
    }
  }
  // The hooks load the same active bundle on every push: its verified bundle-id and its objects are kept in $GIT_DIR/gatos/cache.
  const objects = new BundleObjects(repo);
  const b = await bundleAt(objects, r.value, memo, true);
  if (b.ok) {
    objects.save();
    if (opts.record) recordBundle(repo.gitDir, b.value.loaded);
  }
  return b;
}

/**
 * Writes the active-bundle record after a full load; its policy document is
 * decoded again (once per active commit). Once written, the next push loads
 * from it, so that push, not this one, writes a missing V8 code cache
 * (deferCodeCacheWrite): a cache written here would carry the full load's
 * code, which later pushes never run, and lack the record's.
 */
function recordBundle(gitDir: string, loaded: LoadedBundle): void {
  const doc = decodeStrict(loaded.files.get(POLICY_FILE) as Uint8Array, 'compiled policy');
  if (doc.ok && writeBundleRecord(gitDir, { loaded, policyDoc: doc.value })) deferCodeCacheWrite();
}
