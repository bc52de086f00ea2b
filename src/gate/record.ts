/**
 * The note pre-receive leaves for update: "in this very push, this exact
 * update was decided, and allowed". pre-receive decides the whole push at
 * once under the bundle active before it; in a non-atomic push git writes
 * each ref right after its update hook, so when the push changes the active
 * bundle, the update hook of a later ref runs under the new one. It must
 * honour pre-receive's decision for the push instead of deciding again.
 *
 * The push is named by its receive-pack process, the parent both hooks
 * share: the machine's boot id, its pid and its start time (together unique
 * for as long as the machine keeps any file), the "session". The key is
 * (ref, old, new, session), so a record left by a push that died before its
 * update hook ran can never serve another receive-pack, even one that reuses
 * the pid. The content keeps the policy commit pre-receive decided under and
 * the one this push makes active (the same when it changes no policy): the
 * active commit the update hook sees must be one of the two, so a bundle
 * moved by a concurrent push means deciding again. Records also carry their
 * time, in whole seconds since the machine booted (what the update stub can
 * read from /proc/uptime without starting a process), and are honoured for
 * RECORD_MAX_AGE_S only. The file name is the session and the ref, its
 * slashes written as `%` (a ref of the plain characters below has no `%`, a
 * session no `_`, so names never collide); a ref outside those characters
 * gets no record, and its update hook decides by itself. The shell stub
 * builds the same name with builtins: no sha256sum, no date (v2 spent about
 * 6 ms of each update hook on those processes, decision 0038). Pure.
 */
import type { RefUpdate } from './ref-update';

export const RECORD_VERSION = 'gatos-verdict-v3';
/** How long after pre-receive wrote it a record may be honoured (the update hooks run seconds later). */
export const RECORD_MAX_AGE_S = 600;

/** A session name: boot id, pid and start time of receive-pack (hooks/update's stub builds the same string). */
export const SESSION_PATTERN = /^[0-9a-f-]{1,64}\.[0-9]{1,10}\.[0-9]{1,20}$/;

export interface VerdictRecord {
  readonly update: RefUpdate;
  readonly session: string;
  /** The active bundle commit pre-receive decided under. */
  readonly policyBefore: string;
  /** The commit this push makes refs/gatos/policies/active (policyBefore when the push does not move it). */
  readonly policyAfter: string;
  /** Whole seconds since the machine booted when pre-receive wrote it (the session names the boot). */
  readonly writtenAt: number;
}

/** The ref names a record can be kept for: what hooks/update's fast path accepts. */
const RECORD_REF = /^refs\/[A-Za-z0-9._+@-]+(\/[A-Za-z0-9._+@-]+)*$/;
/** File names stay within NAME_MAX (255 bytes) on every common file system. */
const MAX_NAME = 255;

/** The record's file name for this update in this session; undefined when the ref cannot have one (then the update hook decides). */
export function recordKey(u: RefUpdate, session: string): string | undefined {
  if (!SESSION_PATTERN.test(session) || !RECORD_REF.test(u.ref) || u.ref.split('/').some((c) => c.startsWith('.'))) return undefined;
  const name = `${session}_${u.ref.replaceAll('/', '%')}`;
  return name.length <= MAX_NAME ? name : undefined;
}

/** The record's content: the key's parts in clear, so a reader can check them, not only the name. */
export function recordText(r: VerdictRecord): string {
  const u = r.update;
  return `${RECORD_VERSION}\n${u.ref}\n${u.oldId}\n${u.newId}\n${r.session}\n${r.policyBefore}\n${r.policyAfter}\n${r.writtenAt}\nallowed\n`;
}

/** What the update hook knows when it reads a record: its own update and session, the active commit now, the time now. */
export interface RecordQuery {
  readonly update: RefUpdate;
  readonly session: string;
  readonly active: string;
  /** Whole seconds since boot, now. */
  readonly now: number;
}

/**
 * Whether `text` is an allowing record for exactly this update in exactly
 * this session, written within RECORD_MAX_AGE_S, with the active commit one
 * of the two it names. Any other byte means no.
 */
export function recordAllows(text: string, q: RecordQuery): boolean {
  const lines = text.split('\n');
  if (lines.length !== 10 || lines[9] !== '') return false;
  const [version, ref, oldId, newId, session, before, after, written, verdict] = lines as [string, string, string, string, string, string, string, string, string];
  if (version !== RECORD_VERSION || verdict !== 'allowed') return false;
  if (ref !== q.update.ref || oldId !== q.update.oldId || newId !== q.update.newId || session !== q.session || !SESSION_PATTERN.test(session)) return false;
  if (q.active === '' || (q.active !== before && q.active !== after)) return false;
  if (!/^[0-9]{1,15}$/.test(written)) return false;
  const age = q.now - Number(written);
  return age >= 0 && age <= RECORD_MAX_AGE_S;
}
