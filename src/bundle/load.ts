/**
 * Loading a published bundle from its commit and checking it whole: the
 * commit, tree and files exactly as publish writes them for the bundle's
 * own sources (published.ts), the tree's bundle-id against the commit's Bundle-Id trailer (Policy-Root before decision 0029), the compiled
 * policy against Policy-Code-Root and the manifest, every trust file, and,
 * on demand, each fold's bytes against its fold_root. A caller that loads
 * many may pass the bundles it loaded already (`loaded`). Adapter (reads git).
 */
import { sha256Text } from '../canon/digest';
import { err, gateError, ok, type Result } from '../core/result';
import { anyRefMatcher, type RefMatcher } from '../fold/glob';
import type { FoldRuntime } from '../fold/contract';
import { decodeUtf8 } from '../core/bytes';
import { loadCompiledFold } from '../fold/load';
import type { GitRepo } from '../git';
import { parseTrailers, trailerValues } from '../trailers';
import { readTrustSet, type TrustSet } from '../trust';
import { readTreeFiles } from '../workspace/read-tree';
import { lazySourceOrigin } from './build';
import { bundleFoldRoot, declaredBundleIds } from './fold-root';
import { checkPublished } from './published';
import { readVerified, writeVerified } from './verified-cache';
import { findFold, foldFile, MANIFEST_FILE, POLICY_FILE, readManifest, type FoldEntry, type Manifest } from './manifest';

export interface LoadedBundle {
  readonly commit: string;
  readonly id: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly manifest: Manifest;
  readonly trust: TrustSet;
  fold(id: string): Result<{ entry: FoldEntry; runtime: FoldRuntime }>;
  /** The folds whose inputs match a journal ref. */
  foldsFor(journal: string): FoldEntry[];
}

function bad(commit: string, message: string): Result<never> {
  return err(gateError('PROOF_INVALID', `policy bundle ${commit}: ${message}`, { hint: 'publish bundles with gatos policy publish; a bundle commit must not be edited' }));
}

export interface LoadOptions {
  /**
   * Keep a record that this commit was verified whole in $GIT_DIR/gatos/cache
   * (verified-cache.ts): the hooks, for the active bundle they load on every
   * push. A record is read for any commit (only the hooks write one, after
   * the full check); it skips the bundle-id and the rebuild from sources,
   * every other check still runs.
   */
  readonly verifiedCache?: boolean;
  /**
   * Bundles this run loaded already, by commit id (a commit never changes),
   * owned by the caller and filled in here: one push's events mostly bind
   * one bundle (src/events/memo.ts). Absent: the bundle is loaded afresh.
   */
  readonly loaded?: Map<string, LoadedBundle>;
}

/** What loading a bundle reads: its commit, trees and blobs (a GitRepo, or a view of one: src/push/bundle-objects.ts). */
export type BundleSource = Pick<GitRepo, 'gitDir' | 'format' | 'readCommit' | 'readTree' | 'readBlob'>;

export async function loadBundle(repo: BundleSource, commit: string, opts: LoadOptions = {}): Promise<Result<LoadedBundle>> {
  const cached = opts.loaded?.get(commit);
  if (cached) return ok(cached);
  const c = await repo.readCommit(commit);
  if (!c.ok && c.error.code === 'ENCODING_INVALID') return bad(commit, c.error.message);
  if (!c.ok) return err(gateError('NOT_FOUND', `policy bundle ${commit} is not in this repository`, { hint: 'fetch refs/gatos/policies/* or publish one with gatos policy publish' }));
  const files = await readTreeFiles(repo, c.value.tree);
  if (!files.ok) return files;
  const trailers = parseTrailers(c.value.message ?? '');
  const { values: declared, legacy } = declaredBundleIds(c.value.message ?? '');
  // A record only ever confirms the trailer; one that says anything else is ignored, never believed.
  const recorded = readVerified(repo.gitDir, c.value.id);
  const fromRecord = recorded !== undefined && declared.length === 1 && declared[0] === `blake3:${recorded}`;
  // No record: the whole commit is checked against what publish writes for its sources (which recompiles them: decision 0012).
  let id: string;
  if (fromRecord && recorded !== undefined) id = recorded;
  else {
    const whole = checkPublished(repo.format, c.value, files.value);
    if (!whole.ok) return whole;
    id = whole.value.id;
  }
  if (declared.length !== 1 || declared[0] !== `blake3:${id}`) return bad(commit, `its files have bundle-id ${id}, but its Bundle-Id trailer says ${declared.join(', ') || 'nothing'}`);
  const mBytes = files.value.get(MANIFEST_FILE);
  if (!mBytes) return bad(commit, `${MANIFEST_FILE} is missing`);
  const manifest = readManifest(mBytes);
  if (!manifest.ok) return manifest;
  const policy = files.value.get(POLICY_FILE);
  if (!policy) return bad(commit, `${POLICY_FILE} is missing`);
  const pcr = sha256Text(policy);
  const pcrTrailer = trailerValues(trailers, 'Policy-Code-Root');
  if (pcr !== manifest.value.policyCodeRoot || pcrTrailer.length !== 1 || pcrTrailer[0] !== pcr) return bad(commit, `the compiled policy's root ${pcr} differs from the manifest or the Policy-Code-Root trailer`);
  const foldRoot = bundleFoldRoot(manifest.value.folds);
  const frTrailer = trailerValues(trailers, 'Fold-Root');
  if (!legacy && (frTrailer.length !== 1 || frTrailer[0] !== foldRoot)) return bad(commit, `its Fold-Root trailer ${frTrailer.join(', ') || '(none)'} is not the fold_root ${foldRoot} of its folds`);
  const trustFiles = new Map<string, Uint8Array>();
  for (const [p, b] of files.value) if (p.startsWith('gatos/trust/')) trustFiles.set(p.slice('gatos/trust/'.length), b);
  const trust = readTrustSet(trustFiles);
  if (!trust.ok) return trust;
  const loaded = loadedBundle(commit, id, files.value, manifest.value, trust.value);
  // Recorded only once everything above held; a recorded id never skips the other checks.
  if (opts.verifiedCache && !fromRecord) writeVerified(repo.gitDir, c.value.id, id);
  if (opts.loaded) keepLoaded(opts.loaded, loaded);
  return ok(loaded);
}

/** Adds `b` to a run's loaded bundles (LoadOptions.loaded), which hold at most 16. */
export function keepLoaded(loaded: Map<string, LoadedBundle>, b: LoadedBundle): void {
  if (loaded.size >= 16) loaded.clear();
  loaded.set(b.commit, b);
}

/**
 * A bundle from what checking it found: its commit, bundle-id, files,
 * manifest and trust set. Each fold is loaded from its file when first asked
 * for, against the manifest's fold_root. For loadBundle, and for the cold
 * hooks' record of the active bundle (src/push/bundle-record.ts), which keeps
 * exactly these.
 */
export function loadedBundle(commit: string, id: string, files: ReadonlyMap<string, Uint8Array>, m: Manifest, trust: TrustSet): LoadedBundle {
  const runtimes = new Map<string, FoldRuntime>();
  let matchers: RefMatcher[] | undefined;
  let lastFolds: { readonly journal: string; readonly folds: readonly FoldEntry[] } | undefined;
  return {
    commit,
    id,
    files,
    manifest: m,
    trust,
    fold(foldId) {
      const entry = findFold(m, foldId);
      if (!entry.ok) return entry;
      const have = runtimes.get(foldId);
      if (have) return ok({ entry: entry.value, runtime: have });
      const bytes = files.get(foldFile(foldId));
      if (!bytes) return bad(commit, `${foldFile(foldId)} is missing`);
      if (sha256Text(bytes) !== entry.value.foldRoot) return bad(commit, `${foldFile(foldId)} does not have the manifest's fold_root ${entry.value.foldRoot}`);
      const src = entry.value.source;
      const rt = loadCompiledFold(bytes, { origin: lazySourceOrigin(() => (files.has(src) ? decodeUtf8(files.get(src) as Uint8Array) : undefined), src, bytes) });
      if (!rt.ok) return rt;
      runtimes.set(foldId, rt.value);
      return ok({ entry: entry.value, runtime: rt.value });
    },
    foldsFor(journal) {
      // Asked once per pushed event, nearly always for one journal: the matchers are built once, the last answer kept.
      matchers ??= m.folds.map((f) => anyRefMatcher(f.inputs));
      if (lastFolds?.journal !== journal) lastFolds = { journal, folds: m.folds.filter((_f, i) => (matchers as RefMatcher[])[i]?.(journal)) };
      return [...lastFolds.folds];
    },
  };
}
