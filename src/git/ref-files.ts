/**
 * Refs read from git's files backend in this process, for the two questions
 * a push asks most and can answer without starting git (each git process
 * cost the warm daemon about 3 ms, decision 0038): one ref's id, and "is
 * there any ref under this prefix" (usually not: epochs, sessions). A loose
 * ref file overrides packed-refs, as in git; git replaces loose files by a
 * rename and rewrites packed-refs before it removes a loose file, so either
 * read is a value git held at some moment. Anything this reader would have
 * to guess at answers undefined and the caller asks git: a reftable
 * repository, a symbolic, symlinked or malformed ref, an unreadable file, a packed-refs
 * line it does not know. Adapter (filesystem).
 */
import { closeSync, constants, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { keepNewest } from '../core/newest';
import { isObjectId, type ObjectFormat } from './object-id';

type Loose = { readonly kind: 'id'; readonly id: string } | { readonly kind: 'none' } | { readonly kind: 'dir' };

/** A plain ref name this reader may turn into a path. */
const PLAIN_REF = /^refs\/[A-Za-z0-9._+@/-]+$/;

function plain(ref: string): boolean {
  return PLAIN_REF.test(ref) && !ref.split('/').some((c) => c === '' || c.startsWith('.') || c.endsWith('.lock'));
}

// Absent is the usual answer: asked without an exception (each thrown one cost ~15 us, several times a push).
const absent = (p: string): boolean => {
  try {
    return statSync(p, { throwIfNoEntry: false }) === undefined;
  } catch {
    return false;
  }
};

/**
 * What one view of a repository (one push's) found of its ref backend. Each ref read asked two stats of absent files
 * (six a push in the daemon's request path alone); a view now asks once, for refs it finds. An answer of absence is
 * checked against the backend again (`stillFiles`): a migration to reftable (`git refs migrate`) while a push is decided
 * removes the files, and a view that kept "files" would read every ref as absent (found by the twelfth attack pass).
 */
export interface RefBackendMemo {
  files?: boolean;
}

/** Refs kept as files in this very folder: not reftable, not a linked work tree's folder (whose refs live in its commondir). */
function filesBackend(gitDir: string, memo?: RefBackendMemo): boolean {
  if (memo?.files !== undefined) return memo.files;
  const files = absent(path.join(gitDir, 'reftable')) && absent(path.join(gitDir, 'commondir'));
  if (memo) memo.files = files;
  return files;
}

/** Before an answer of absence: the files backend, asked afresh where a memo answered before. */
function stillFiles(gitDir: string, memo?: RefBackendMemo): boolean {
  if (memo === undefined) return true;
  memo.files = undefined;
  return filesBackend(gitDir, memo);
}

/** A loose ref's file is an id and a newline; anything this long is not one (git reads it). */
const LOOSE_MAX_BYTES = 96;
const LOOSE_OPEN = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** The loose file at `ref`: an id, nothing there, a directory, or undefined (something else: ask git). */
function loose(gitDir: string, format: ObjectFormat, ref: string): Loose | undefined {
  const file = path.join(gitDir, ref);
  const buf = Buffer.alloc(LOOSE_MAX_BYTES);
  let n: number;
  let fd: number | undefined;
  try {
    // One open, one read, one close. A symlink is git's to read (one naming refs/... is a symbolic ref relative to the
    // git directory, not to its folder): O_NOFOLLOW refuses it. O_NONBLOCK: a FIFO or device at a ref's path, which
    // git never makes, reads as nothing instead of holding the push.
    fd = openSync(file, LOOSE_OPEN);
    // Until the end of the file or the bound: a file system may return less than asked (git reads to the end too).
    n = 0;
    for (let got = -1; got !== 0 && n < LOOSE_MAX_BYTES; n += got) got = readSync(fd, buf, n, LOOSE_MAX_BYTES - n, n);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'none' };
    if (code === 'EISDIR') return { kind: 'dir' };
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (n >= LOOSE_MAX_BYTES) return undefined;
  const text = buf.toString('latin1', 0, n);
  const id = text.endsWith('\n') ? text.slice(0, -1) : text;
  return isObjectId(format, id) ? { kind: 'id', id } : undefined;
}

/** A larger packed-refs is git's to search (it binary-searches its sorted file); parsing it whole per question would cost more than the process. */
const MAX_PACKED_BYTES = 1 << 20;
/** packed-refs files whose parse is kept (the daemon's repositories; a hook's one): at most this many, each at most MAX_PACKED_BYTES. */
const PACKED_KEPT = 4;

/**
 * The last parse of each packed-refs file, kept with the very bytes it was parsed from: a read answers from it only
 * when the file's bytes now are those bytes (compared whole, never by the file's times or inode, which a rewrite
 * within one clock tick into a reused inode could repeat). Reading and comparing 1 MiB costs far less than parsing
 * it again (decision 0058).
 */
const packedKept = new Map<string, { readonly format: ObjectFormat; readonly bytes: Buffer; readonly refs: ReadonlyMap<string, string> | undefined }>();

/** packed-refs' text as name → id; undefined for a line this reader does not know. */
function parsePacked(text: string, format: ObjectFormat): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# pack-refs with:')) continue;
    if (line.startsWith('^')) {
      if (!isObjectId(format, line.slice(1))) return undefined;
      continue;
    }
    const space = line.indexOf(' ');
    const id = line.slice(0, space);
    const ref = line.slice(space + 1);
    if (space < 0 || !isObjectId(format, id) || !ref.startsWith('refs/')) return undefined;
    out.set(ref, id);
  }
  return out;
}

/** packed-refs as name → id; empty when there is none; undefined for a line this reader does not know. */
function packed(gitDir: string, format: ObjectFormat): ReadonlyMap<string, string> | undefined {
  const file = path.join(gitDir, 'packed-refs');
  let bytes: Buffer;
  try {
    // Usually absent: asked without an exception (a thrown ENOENT cost a push's decision more than the stat).
    const st = statSync(file, { throwIfNoEntry: false });
    if (st === undefined) return new Map();
    if (st.size > MAX_PACKED_BYTES) return undefined;
    bytes = readFileSync(file);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? new Map() : undefined;
  }
  // Grown past the bound between the stat and the read: git's, as above.
  if (bytes.length > MAX_PACKED_BYTES) return undefined;
  const kept = packedKept.get(file);
  if (kept && kept.format === format && kept.bytes.equals(bytes)) return kept.refs;
  const refs = parsePacked(bytes.toString('latin1'), format);
  keepNewest(packedKept, file, { format, bytes, refs }, PACKED_KEPT);
  return refs;
}

/** The id of `ref` ({ id: undefined } when it does not exist), or undefined when git must answer. */
export function readRefFile(gitDir: string, format: ObjectFormat, ref: string, memo?: RefBackendMemo): { readonly id: string | undefined } | undefined {
  if (!plain(ref) || !filesBackend(gitDir, memo)) return undefined;
  const l = loose(gitDir, format, ref);
  if (l === undefined) return undefined;
  if (l.kind === 'id') return { id: l.id };
  const p = packed(gitDir, format);
  if (!p) return undefined;
  const id = p.get(ref);
  return id !== undefined || stillFiles(gitDir, memo) ? { id } : undefined;
}

/**
 * True when no ref matches the for-each-ref prefix `pattern` (a ref name or
 * a folder of refs, with or without its trailing slash): nothing loose at
 * that path and nothing packed at or below it. False or undefined: ask git.
 */
export function noRefsUnder(gitDir: string, format: ObjectFormat, pattern: string, memo?: RefBackendMemo): boolean | undefined {
  const prefix = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  if (!plain(prefix) || !filesBackend(gitDir, memo)) return undefined;
  const l = loose(gitDir, format, prefix);
  if (l === undefined || l.kind !== 'none') return false;
  const p = packed(gitDir, format);
  if (!p) return undefined;
  for (const ref of p.keys()) if (ref === prefix || ref.startsWith(`${prefix}/`)) return false;
  return stillFiles(gitDir, memo) ? true : undefined;
}
