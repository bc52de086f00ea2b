/**
 * The note pre-receive leaves for update: "in this very push, this exact
 * update was decided, and allowed". pre-receive decides the whole push at
 * once under the bundle active before it; in a non-atomic push git writes
 * each ref right after its update hook, so when the push changes the active
 * bundle, the update hook of a later ref runs under the new one. It must
 * honour pre-receive's decision for the push instead of deciding again.
 *
 * The push is named by its receive-pack process, the parent both hooks
 * share, the "session": the machine's boot id, its pid, and what tells this
 * process from any other that had or will have the pid: the inode number of
 * its standard input (`i<number>`, from /proc/<pid>/fdinfo/0), the pipe or
 * socket of this one connection, which no later process holds, or, on a
 * kernel whose fdinfo shows no inode (or for a stdin that is no pipe or
 * socket), its start time. So a record left by a
 * push that died before its update hook ran can never serve another
 * receive-pack, even one that reuses the pid.
 *
 * A record is a folder named by the session and the ref (its slashes
 * written as `%`: a ref of the plain characters below has no `%`, a session
 * no `_`, so names never collide), holding a file for each policy commit the
 * update may be allowed under, `v4.<old>.<new>.<commit>`: the commit
 * pre-receive decided under and the one this push makes active (a second
 * name of the same file when the push moves the policy; a bundle moved by a
 * concurrent push means deciding again). The name carries everything that
 * must match, so the update stub reads only the content: the time the record
 * was written, in whole seconds since the machine booted (what the stub can
 * read from /proc/uptime without starting a process), honoured for
 * RECORD_MAX_AGE_S only. A ref outside those characters, or a name too long
 * for the file system, gets no record, and its update hook decides by
 * itself. The stub builds the same names with builtins (v2 spent about 6 ms
 * of each update hook on sha256sum and date, decision 0038; v3 read nine
 * lines in clear, a byte per system call, decision 0050). Pure.
 */
import type { RefUpdate } from './ref-update';

export const RECORD_VERSION = 'v4';
/** How long after pre-receive wrote it a record may be honoured (the update hooks run seconds later). */
export const RECORD_MAX_AGE_S = 600;

/** A session name: boot id, pid, and the inode of its stdin (`i<n>`) or its start time (hooks/update's stub builds the same string). */
export const SESSION_PATTERN = /^[0-9a-f-]{1,64}\.[0-9]{1,10}\.i?[0-9]{1,20}$/;

/** The ref names a record can be kept for: what hooks/update's fast path accepts. */
const RECORD_REF = /^refs\/[A-Za-z0-9._+@-]+(\/[A-Za-z0-9._+@-]+)*$/;
/** File names stay within NAME_MAX (255 bytes) on every common file system. */
const MAX_NAME = 255;

/** The record's folder for this update's ref in this session; undefined when the ref cannot have one (then the update hook decides). */
export function recordKey(u: RefUpdate, session: string): string | undefined {
  if (!SESSION_PATTERN.test(session) || !RECORD_REF.test(u.ref) || u.ref.split('/').some((c) => c.startsWith('.'))) return undefined;
  const name = `${session}_${u.ref.replaceAll('/', '%')}`;
  return name.length <= MAX_NAME ? name : undefined;
}

const ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The file in the record's folder that allows this update under this policy commit; undefined for ids that are not plain hex. */
export function recordLeaf(u: RefUpdate, policy: string): string | undefined {
  if (!ID.test(u.oldId) || !ID.test(u.newId) || !ID.test(policy)) return undefined;
  return `${RECORD_VERSION}.${u.oldId}.${u.newId}.${policy}`;
}

/** The record's content: the time it was written. */
export function recordText(writtenAt: number): string {
  return `${writtenAt}\n`;
}

/**
 * Whether the content of the record found under the update's exact name
 * (its ref, ids, session and the active commit) allows it: one line, the
 * time written, at most RECORD_MAX_AGE_S before `now` (whole seconds since
 * boot). Anything else, an emptied (consumed) record too, means no.
 */
export function recordAllows(text: string, now: number): boolean {
  const m = /^([0-9]{1,15})\n$/.exec(text);
  if (!m) return false;
  const age = now - Number(m[1]);
  return age >= 0 && age <= RECORD_MAX_AGE_S;
}
