/**
 * Parses the bytes of a tree object: entries of `<mode> <name>\0<raw id>`,
 * with the raw id 20 (SHA-1) or 32 (SHA-256) bytes long. Pure.
 *
 * A tree is accepted only in the one form git itself writes, whatever git's
 * own receive.fsckObjects says (the gate never rests on one layer): modes
 * exactly as git writes them (no zero padding, no 100664), names neither
 * empty nor '.', '..', '.git' (in any spelling a filesystem would take for it),
 * without '/', each name once, in git's order (bytes, a tree compared as if
 * its name ended in '/'). A tree with two entries of one name is one git
 * serves one way and a reader could see another.
 */
import { toHex } from '../core/bytes';
import { err, gateError, ok, type GateError, type Result } from '../core/result';
import { strictUtf8 } from './text';
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
  '120000': 'blob',
  '40000': 'tree',
  '160000': 'commit',
};

export function typeOfMode(mode: string): TreeEntryType | undefined {
  return Object.prototype.hasOwnProperty.call(MODE_TYPES, mode) ? MODE_TYPES[mode] : undefined;
}

const SLASH = 0x2f;

/** Code points HFS+ ignores in names (git's is_hfs_dotgit). */
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * Whether a filesystem could take `name` for `.git`: any case, HFS+'s
 * ignored code points, NTFS's trailing dots and spaces and its short name
 * GIT~1 (git's fsck: hasDotgit).
 */
export function looksLikeDotGit(name: string): boolean {
  const n = name.replace(HFS_IGNORED, '').toLowerCase().replace(/[. ]+$/, '');
  return n === '.git' || n === 'git~1';
}

/** git's tree order: `a` before `b` (negative), equal only for equal names. */
function compareEntries(a: Uint8Array, aTree: boolean, b: Uint8Array, bTree: boolean): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  const ca = a.length > n ? (a[n] as number) : aTree ? SLASH : 0;
  const cb = b.length > n ? (b[n] as number) : bTree ? SLASH : 0;
  return ca - cb;
}

export function parseTree(id: string, data: Uint8Array, format: ObjectFormat): Result<TreeEntry[], GateError> {
  const bad = (why: string) =>
    err(gateError('ENCODING_INVALID', `tree ${id} is not a well-formed git tree: ${why}`, { hint: 'write trees with git itself (git fsck calls this one malformed); a forged tree is never accepted' }));
  const idLen = rawLength(format);
  const entries: TreeEntry[] = [];
  const seen = new Set<string>();
  let at = 0;
  let prev: TreeEntry | undefined;
  while (at < data.length) {
    const sp = data.indexOf(32, at);
    if (sp === -1) return bad(`entry at byte ${at} has no mode`);
    const mode = Buffer.from(data.subarray(at, sp)).toString('latin1');
    const type = typeOfMode(mode);
    if (!type) return bad(`unknown mode ${JSON.stringify(mode.slice(0, 10))} at byte ${at} (git writes 100644, 100755, 120000, 40000, 160000, unpadded)`);
    const nul = data.indexOf(0, sp + 1);
    if (nul === -1 || nul === sp + 1) return bad(`entry at byte ${at} has no name`);
    if (nul + 1 + idLen > data.length) return bad(`entry at byte ${at} is cut short`);
    const nameBytes = data.subarray(sp + 1, nul);
    const name = strictUtf8(nameBytes);
    const shown = JSON.stringify(name ?? Buffer.from(nameBytes).toString('latin1'));
    if (nameBytes.includes(SLASH)) return bad(`entry ${shown} has a '/' in its name`);
    const latin = Buffer.from(nameBytes).toString('latin1');
    if (latin === '.' || latin === '..') return bad(`entry ${shown} is '${latin}'`);
    if (looksLikeDotGit(name ?? latin)) return bad(`entry ${shown} names .git`);
    if (seen.has(latin)) return bad(`duplicate entry ${shown}`);
    seen.add(latin);
    const e: TreeEntry = { mode, type, id: toHex(data.subarray(nul + 1, nul + 1 + idLen)), nameBytes, name };
    if (prev && compareEntries(prev.nameBytes, prev.type === 'tree', nameBytes, type === 'tree') >= 0) return bad(`entries are not sorted as git sorts them (${shown} after ${JSON.stringify(prev.name ?? '')})`);
    entries.push(e);
    prev = e;
    at = nul + 1 + idLen;
  }
  return ok(entries);
}
