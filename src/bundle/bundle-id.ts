/**
 * bundle-id: a content id over every file of a bundle tree. It reuses the
 * state-tree serialization of docs/state-root.md (sorted paths, a length
 * before each, blake3 of each content) behind its own magic, so a bundle id
 * can never equal a state root of the same files. Pure.
 */
import { blake3 } from '../canon/digest';
import { concatBytes, toHex, utf8 } from '../core/bytes';
import { ok, type Result } from '../core/result';
import { serializeStateTree } from '../fold/state-root';

export const BUNDLE_ID_MAGIC = utf8('gatos-bundle-v1\u0000');

export function bundleId(files: ReadonlyMap<string, Uint8Array>): Result<string> {
  const tree = serializeStateTree(files);
  if (!tree.ok) return tree;
  return ok(toHex(blake3(concatBytes([BUNDLE_ID_MAGIC, tree.value]))));
}
