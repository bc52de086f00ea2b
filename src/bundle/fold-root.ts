/**
 * The fold_root of a bundle, and which trailer names a bundle commit's own
 * bundle-id. A bundle may carry several folds; where a record names the
 * bundle as a whole (audit entries, `gate check --json`, the bundle commit,
 * proofs) its fold_root is one digest over all of them:
 * sha256 of the canonical JSON {"folds": {<fold id>: <fold_root>, …},
 * "type": "gatos/bundle-folds", "v": 1} (keys sorted by JCS, so the folds'
 * order never matters; a bundle without folds has a fold_root too).
 * docs/formats.md §5. Pure.
 */
import { canonicalJson, type JsonValue } from '../canon/jcs';
import { sha256Text } from '../canon/digest';
import { expectOk } from '../core/result';
import { parseTrailers, trailerValues } from '../trailers';

export const BUNDLE_FOLDS_TYPE = 'gatos/bundle-folds';
/** The bundle commit's own content root (blake3:<bundle-id>). Bundles published before 0029 wrote it as Policy-Root. */
export const BUNDLE_ID_TRAILER = 'Bundle-Id';
export const LEGACY_BUNDLE_ID_TRAILER = 'Policy-Root';

export function bundleFoldRoot(folds: readonly { readonly id: string; readonly foldRoot: string }[]): string {
  const map: Record<string, JsonValue> = {};
  for (const f of folds) map[f.id] = f.foldRoot;
  return sha256Text(expectOk(canonicalJson({ folds: map, type: BUNDLE_FOLDS_TYPE, v: 1 })));
}

/**
 * The bundle-ids a bundle commit's message declares: its Bundle-Id trailers,
 * or, for a commit that has none (published before decision 0029), its
 * Policy-Root trailers, which then held blake3:<bundle-id>.
 */
export function declaredBundleIds(message: string): { values: string[]; legacy: boolean } {
  const trailers = parseTrailers(message);
  const current = trailerValues(trailers, BUNDLE_ID_TRAILER);
  if (current.length > 0) return { values: current, legacy: false };
  return { values: trailerValues(trailers, LEGACY_BUNDLE_ID_TRAILER), legacy: true };
}
