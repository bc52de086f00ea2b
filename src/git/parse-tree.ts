/**
 * Parses the bytes of a tree object: entries of `<mode> <name>\0<raw id>`,
 * with the raw id 20 (SHA-1) or 32 (SHA-256) bytes long. Pure. Unknown modes
 * are refused (fail closed) rather than treated as blobs.
 */
import { toHex } from '../core/bytes';
import { strictUtf8 } from './text';
import { err, ok, type Result } from '../core/result';
import { gitError, type GitError } from './errors';
import { rawLength, type ObjectFormat } from './object-id';

export type TreeEntryType = 'blob' | 'tree' | 'commit';

export interface TreeEntry {
  /** As git writes it: "100644", "100755", "120000" (symlink), "40000" (tree), "160000" (submodule). */
  readonly mode: string;
  readonly type: TreeEntryType;
  readonly id: string;
  readonly nameBytes: Uint8Array;
  /** The name when it is valid UTF-8; undefined otherwise (see nameBytes). */
  readonly name: string | undefined;
}

const MODE_TYPES: Readonly<Record<string, TreeEntryType>> = {
  '100644': 'blob',
  '100755': 'blob',
  // Written by very old git; still found in real histories.
  '100664': 'blob',
  '120000': 'blob',
  '40000': 'tree',
  '160000': 'commit',
};

export function typeOfMode(mode: string): TreeEntryType | undefined {
  return Object.prototype.hasOwnProperty.call(MODE_TYPES, mode) ? MODE_TYPES[mode] : undefined;
}

export function parseTree(id: string, data: Uint8Array, format: ObjectFormat): Result<TreeEntry[], GitError> {
  const bad = (why: string) => err(gitError('malformed', ['cat-file', 'tree', id], `not a well-formed tree: ${why}`));
  const idLen = rawLength(format);
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(32, at);
    if (sp === -1) return bad(`entry at byte ${at} has no mode`);
    const mode = Buffer.from(data.subarray(at, sp)).toString('latin1');
    const type = typeOfMode(mode);
    if (!type) return bad(`unknown mode ${JSON.stringify(mode.slice(0, 10))} at byte ${at}`);
    const nul = data.indexOf(0, sp + 1);
    if (nul === -1 || nul === sp + 1) return bad(`entry at byte ${at} has no name`);
    if (nul + 1 + idLen > data.length) return bad(`entry at byte ${at} is cut short`);
    const nameBytes = data.subarray(sp + 1, nul);
    entries.push({ mode, type, id: toHex(data.subarray(nul + 1, nul + 1 + idLen)), nameBytes, name: strictUtf8(nameBytes) });
    at = nul + 1 + idLen;
  }
  return ok(entries);
}
