/**
 * A bundle commit checked whole: the exact objects `gatos policy publish`
 * writes for the bundle's own sources. The sources (gatos/**) are built
 * again (every .rgs compiled into compiled/policy.rgc, every fold source into
 * its compiled/folds/<id>.rgf, the manifest), and the files must be exactly
 * those, byte for byte; the tree must be the one publish writes for them (no
 * empty folder, no other mode or entry); the commit must be publish's commit
 * (its message, one author who is also the committer, at most one parent,
 * no other header), compared by object id. So a bundle's sources are
 * authoritative: `gatos policy explain` on them explains what the gate
 * enforces. Pure (node:crypto for object ids).
 */
import { bytesEqual } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import type { Commit, ObjectFormat } from '../git';
import { formatTrailers } from '../trailers';
import { commitData, filesToObjects, objectId } from '../workspace/git-objects';
// The hooks get src/hooks/compilers-part.ts in place of './build' (scripts/build.mjs): the compilers load only when a bundle is rebuilt.
import { buildBundle, type Bundle } from './build';
import { WORKSPACE_DIRS } from './workspace-dirs';
import { BUNDLE_ID_TRAILER, LEGACY_BUNDLE_ID_TRAILER, bundleFoldRoot, declaredBundleIds } from './fold-root';
import { MANIFEST_FILE, POLICY_FILE } from './manifest';

const HINT = 'publish bundles with gatos policy publish, from the sources the bundle carries; a bundle commit, tree or compiled file must not be edited';

/**
 * The message publish writes for a bundle: Bundle-Id (its content root),
 * Policy-Code-Root and Fold-Root (the bundle's fold_root, fold-root.ts).
 * `legacy`: the message publish wrote before decision 0029, whose
 * Policy-Root trailer held the bundle-id; such commits still load.
 */
export function publishMessage(bundle: Pick<Bundle, 'id' | 'manifest'>, legacy = false): Result<string> {
  if (legacy) {
    return formatTrailers(`policy bundle ${bundle.id}\n`, [
      { key: LEGACY_BUNDLE_ID_TRAILER, value: `blake3:${bundle.id}` },
      { key: 'Policy-Code-Root', value: bundle.manifest.policyCodeRoot },
    ]);
  }
  return formatTrailers(`policy bundle ${bundle.id}\n`, [
    { key: BUNDLE_ID_TRAILER, value: `blake3:${bundle.id}` },
    { key: 'Policy-Code-Root', value: bundle.manifest.policyCodeRoot },
    { key: 'Fold-Root', value: bundleFoldRoot(bundle.manifest.folds) },
  ]);
}

function refuse(commit: string, message: string): Result<never> {
  return err(gateError('PROOF_INVALID', `policy bundle ${commit}: ${message}`, { hint: HINT }));
}

function differs(path: string): string {
  if (path === POLICY_FILE) return `${POLICY_FILE} is not the compilation of the bundle's gatos/policies/*.rgs sources`;
  if (path === MANIFEST_FILE) return `${MANIFEST_FILE} is not the manifest its sources give`;
  if (path.startsWith('compiled/folds/')) return `${path} is not the compilation of its fold source under gatos/folds/`;
  return `${path} differs from what its sources give`;
}

/** The bundle `files` (read from `commit`'s tree) is exactly what publish writes, objects included. */
export function checkPublished(format: ObjectFormat, commit: Commit, files: ReadonlyMap<string, Uint8Array>): Result<Bundle> {
  const sources = new Map<string, Uint8Array>();
  for (const [p, b] of files) if (WORKSPACE_DIRS.some((d) => p.startsWith(`${d}/`))) sources.set(p, b);
  const rebuilt = buildBundle(sources);
  if (!rebuilt.ok) return refuse(commit.id, `its sources do not build (${rebuilt.error.code}: ${rebuilt.error.message}${rebuilt.diagnostics[0] ? `; ${rebuilt.diagnostics[0].message}` : ''})`);
  const want = rebuilt.bundle.files;
  for (const p of [...new Set([...files.keys(), ...want.keys()])].sort()) {
    const have = files.get(p);
    const expected = want.get(p);
    if (!have) return refuse(commit.id, `${p} is missing: its sources compile to it`);
    if (!expected) return refuse(commit.id, `${p} is not a file gatos policy publish writes for these sources`);
    if (!bytesEqual(have, expected)) return refuse(commit.id, differs(p));
  }
  if (filesToObjects(format, want).root !== commit.tree) return refuse(commit.id, `its tree ${commit.tree} is not the one publish writes for its files (an empty folder, another mode or another entry)`);
  if (commit.parents.length > 1) return refuse(commit.id, `it has ${commit.parents.length} parents; publish writes one commit on top of the active bundle`);
  // A commit that declares no Bundle-Id was published before decision 0029: it is checked against that form.
  const message = publishMessage(rebuilt.bundle, declaredBundleIds(commit.message ?? '').legacy);
  if (!message.ok) return message;
  const expected = objectId(format, 'commit', commitData({ tree: commit.tree, parents: commit.parents, author: commit.author, committer: commit.author, message: message.value }));
  if (expected !== commit.id) {
    if (commit.message !== message.value) return refuse(commit.id, `its message is not the one publish writes for bundle ${rebuilt.bundle.id} (subject, Bundle-Id, Policy-Code-Root and Fold-Root trailers, nothing else)`);
    if (commit.extraHeaders.length > 0) return refuse(commit.id, `its commit carries headers publish never writes: ${commit.extraHeaders.map((h) => h.key).join(', ')}`);
    return refuse(commit.id, 'its commit is not the one publish writes (a committer other than its author, or bytes git would write otherwise)');
  }
  return ok(rebuilt.bundle);
}
