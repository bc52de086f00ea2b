/**
 * state_root: one BLAKE3 digest over the tree of files a fold emitted.
 * The serialization (docs/state-root.md has a worked example in hex):
 *
 *   "gatos-state-v1" 0x00            15 bytes of magic
 *   u32be(number of files)
 *   for each file, paths in code point (= UTF-8 byte) order:
 *     u32be(byte length of the UTF-8 path) || UTF-8 path
 *     blake3(content)                  32 bytes
 *
 *   state_root = "blake3:" + hex(blake3(serialization))
 *
 * Digests of contents (not the contents) keep the serialization small, so a
 * verifier can recompute the root from per-file digests it cached, and a
 * length prefix on every path keeps ('ab','c') apart from ('a','bc').
 */
import { blake3, type PrefixedDigest } from '../canon/digest';
import { concatBytes, toHex, utf8 } from '../core/bytes';
import { ok, type Result } from '../core/result';
import type { EmittedFiles } from './contract';
import { checkEmitTree } from './emit-path';

export const STATE_ROOT_MAGIC = utf8('gatos-state-v1\u0000');

function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

/** The bytes state_root hashes; fails for an invalid tree (bad path, repeat, file/directory clash). */
export function serializeStateTree(files: EmittedFiles): Result<Uint8Array> {
  const paths = checkEmitTree(files.keys());
  if (!paths.ok) return paths;
  const parts: Uint8Array[] = [STATE_ROOT_MAGIC, u32be(paths.value.length)];
  for (const p of paths.value) {
    const pathBytes = utf8(p);
    parts.push(u32be(pathBytes.byteLength), pathBytes, blake3(files.get(p) as Uint8Array));
  }
  return ok(concatBytes(parts));
}

export function stateRoot(files: EmittedFiles): Result<PrefixedDigest> {
  const bytes = serializeStateTree(files);
  if (!bytes.ok) return bytes;
  return ok(`blake3:${toHex(blake3(bytes.value))}` as PrefixedDigest);
}
