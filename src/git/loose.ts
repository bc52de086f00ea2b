/**
 * Loose objects read in this process, before anything asks `git cat-file`:
 * a small push's objects sit loose in its quarantine (receive-pack unpacks
 * packs below transfer.unpackLimit), and starting cat-file cost a decision
 * of the warm daemon about 3 ms of its 20 here (decision 0038). Only the
 * directories git itself reads for this environment are looked in: the
 * object directory (the quarantine's during a push), the alternates git was
 * given and those listed in the object directories' info/alternates. Every
 * object is checked whole: its header's type and size against its contents,
 * and the hash of header and contents against the id asked for. Anything
 * else (not loose, larger than MAX_LOOSE_BYTES, unreadable, not what its name
 * says) answers undefined, and cat-file, which also reads packs, decides.
 * Adapter (filesystem).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import type { GitObject, ObjectType } from './cat-file';
import type { Env } from './env';
import type { ObjectFormat } from './object-id';
import { keepDerived } from './parsed';

/** Larger objects go to cat-file, which streams them; reading them here would hold the event loop. */
export const MAX_LOOSE_BYTES = 1 << 20;
const TYPES: ReadonlySet<string> = new Set(['blob', 'tree', 'commit', 'tag']);
const MAX_HEADER = 32;

/**
 * The object directories git reads in `env` (absolute), first the one it
 * writes to; undefined when a quoted alternate (git's C quoting) makes the
 * list something this reader would have to guess at.
 */
export function objectDirectories(env: Env, cwd: string): string[] | undefined {
  const gitDir = env.GIT_DIR;
  if (gitDir === undefined || gitDir === '') return undefined;
  const primary = path.resolve(cwd, env.GIT_OBJECT_DIRECTORY || path.join(path.resolve(cwd, gitDir), 'objects'));
  const alternates = env.GIT_ALTERNATE_OBJECT_DIRECTORIES ?? '';
  if (alternates.startsWith('"')) return undefined;
  const dirs = [primary, ...alternates.split(':').filter((p) => p !== '').map((p) => path.resolve(cwd, p))];
  // One level of info/alternates (git follows them deeper; an object only deeper is read by cat-file).
  for (const dir of [...dirs]) {
    const file = path.join(dir, 'info', 'alternates');
    let text: string;
    try {
      // Usually absent: a stat that throws nothing first (a throwing read cost ~15 us per directory, every push).
      if (statSync(file, { throwIfNoEntry: false }) === undefined) continue;
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#') || line.startsWith('"')) continue;
      dirs.push(path.resolve(dir, line));
    }
  }
  return [...new Set(dirs)];
}

/** Objects up to this size are kept once read, up to RECENT_BYTES in all (then the set starts afresh). */
export const RECENT_OBJECT_BYTES = 64 * 1024;
const RECENT_BYTES = 1024 * 1024;

/**
 * The loose file an object was read from, as one stat names it: its device,
 * inode, size and modification time. Not its path or change time: git moves a
 * push's objects out of the quarantine by a link or a rename, which keeps
 * the inode, the size and the modification time and changes the other two.
 */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

function sameFile(a: FileIdentity, s: Stats): boolean {
  return a.ino === s.ino && a.dev === s.dev && a.size === s.size && a.mtimeMs === s.mtimeMs;
}

/**
 * Objects read from loose files, kept across readers (the warm daemon's
 * pushes, decision 0049): each push reads the journal's previous tip, which
 * the push before read from its quarantine, from the repository's object
 * store. An entry answers only when the loose file found for its id is the
 * very file it was read from (device, inode, size and modification time,
 * from the stat every lookup makes anyway), in any of the directories this
 * reader looks in, which git's move out of the quarantine keeps: an object
 * since removed, packed or rewritten is looked up as if nothing were kept,
 * and the decision sees what reading the disk would give. The id names the
 * bytes, and the first read checked the type, the size and the hash. Bounded
 * in bytes; the least recently used entries go first.
 */
export class LooseCache {
  private readonly kept = new Map<string, { readonly from: FileIdentity; readonly object: GitObject }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 4 * 1024 * 1024,
    private readonly maxObjectBytes = RECENT_OBJECT_BYTES,
  ) {}

  /** One entry per file: the same object loose in two repositories (a fork, a mirror) is two files, kept apart. */
  private static key(id: string, s: Stats): string {
    return `${id} ${s.dev}:${s.ino}`;
  }

  get(id: string, s: Stats): GitObject | undefined {
    const key = LooseCache.key(id, s);
    const k = this.kept.get(key);
    if (k === undefined || !sameFile(k.from, s)) return undefined;
    // Most recently used last: eviction takes the first.
    this.kept.delete(key);
    this.kept.set(key, k);
    return k.object;
  }

  set(id: string, s: Stats, object: GitObject): void {
    if (object.size > this.maxObjectBytes) return;
    const key = LooseCache.key(id, s);
    const old = this.kept.get(key);
    if (old) {
      this.kept.delete(key);
      this.bytes -= old.object.size;
    }
    this.kept.set(key, { from: { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs }, object });
    this.bytes += object.size;
    for (const [oldest, k] of this.kept) {
      if (this.bytes <= this.maxBytes) break;
      this.kept.delete(oldest);
      this.bytes -= k.object.size;
    }
  }

  get size(): number {
    return this.kept.size;
  }
}

export class LooseObjects {
  /**
   * Objects this reader has read and checked, by id: one push reads an
   * event's commit up to four times (its type, the walk, the commit, then
   * `<id>:event.cbor`), each a stat, a read, an inflate and a hash. An id
   * names its bytes, and a reader serves one environment (one push), so a
   * kept object is exactly what reading it again would give.
   */
  private readonly recent = new Map<string, GitObject>();
  private recentBytes = 0;

  private readonly dirs: readonly string[];

  constructor(
    dirs: readonly string[],
    private readonly format: ObjectFormat,
    /** Kept across readers (the daemon's): answers only for the very file it came from. */
    private readonly shared?: LooseCache,
    /**
     * The largest object (header and contents) this reader inflates; larger answer undefined. A prefetch reads only
     * what a LooseCache keeps: a 16 KB file of zeros inflates to 16 MiB (decision 0053's seventh attack pass).
     */
    private readonly maxInflated = 16 * MAX_LOOSE_BYTES,
  ) {
    this.dirs = dirs.map((d) => path.resolve(d));
  }

  /** The object `id` (a full id) if it is loose in one of the directories and is exactly what its name says. */
  read(id: string): GitObject | undefined {
    const kept = this.recent.get(id);
    if (kept) return kept;
    const o = this.readFile(id);
    if (o && o.size <= RECENT_OBJECT_BYTES) {
      if (this.recentBytes + o.size > RECENT_BYTES) {
        this.recent.clear();
        this.recentBytes = 0;
      }
      this.recent.set(id, o);
      this.recentBytes += o.size;
    }
    return o;
  }

  private readFile(id: string): GitObject | undefined {
    // The directories are absolute and resolved (objectDirectories): no path.join per lookup.
    const name = `/${id.slice(0, 2)}/${id.slice(2)}`;
    for (const dir of this.dirs) {
      const file = dir + name;
      // Sized first: a large loose object is cat-file's to stream, not this process's to read and drop.
      // Absent is the common answer (a large push's objects are packed): no exception, which cost ~15 us each.
      let s: Stats | undefined;
      try {
        s = statSync(file, { throwIfNoEntry: false });
      } catch {
        continue;
      }
      if (s === undefined) continue;
      // A zlib stream (git writes whole ones) is never much larger than what it inflates to.
      if (s.size > MAX_LOOSE_BYTES || s.size > this.maxInflated + 1024) return undefined;
      const kept = this.shared?.get(id, s);
      if (kept) return kept;
      const compressed = readSized(file, s.size);
      if (compressed === undefined) continue;
      const o = this.parse(id, compressed);
      if (o && this.shared) this.shared.set(id, s, o);
      return o;
    }
    return undefined;
  }

  private parse(id: string, compressed: Buffer): GitObject | undefined {
    let raw: Buffer;
    try {
      raw = inflateSync(compressed, { maxOutputLength: this.maxInflated });
    } catch {
      return undefined;
    }
    const nul = raw.subarray(0, MAX_HEADER).indexOf(0);
    if (nul < 0) return undefined;
    const [type = '', sizeText = '', ...rest] = raw.subarray(0, nul).toString('latin1').split(' ');
    if (rest.length > 0 || !TYPES.has(type) || !/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) return undefined;
    const size = Number(sizeText);
    if (raw.length - nul - 1 !== size) return undefined;
    if (createHash(this.format).update(raw).digest('hex') !== id) return undefined;
    const o: GitObject = { id, type: type as ObjectType, size, data: raw.subarray(nul + 1) };
    keepDerived(o);
    return o;
  }
}

/**
 * The first `size` bytes of `file` (its size by the stat just made), with one
 * open and one read: readFileSync would fstat it again. A file that changed
 * meanwhile gives bytes that do not inflate or hash to the id asked for.
 */
function readSized(file: string, size: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, null);
      if (n === 0) break;
      got += n;
    }
    return got === size ? buf : buf.subarray(0, got);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
