/**
 * Verdict records (src/gate/record.ts): pre-receive notes each update it
 * allowed, keyed by (ref, old, new, policy commit, receive-pack session),
 * under $GIT_DIR/gatos/verdicts/, which clients cannot write (only the host
 * account can). The update hook of the same push honours that decision, so
 * a push that changes the active bundle is not decided twice under two
 * bundles; it consumes the record. hooks/update (a shell stub) reads the
 * same records without Node; this is the Node side. Adapter (filesystem,
 * /proc).
 */
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ACTIVE_POLICY_REF } from '../actors';
import { isOurHook } from '../push/hook-marker';
import { RECORD_MAX_AGE_S, SESSION_PATTERN, recordAllows, recordKey, recordLeaf, recordText, type RefUpdate } from '../gate';

const DIR = ['gatos', 'verdicts'];
/** Records older than this are left over from pushes that died or that git refused after pre-receive; they are pruned. */
const STALE_MS = RECORD_MAX_AGE_S * 1000;
/**
 * An emptied record, or an empty folder, younger than this is left alone: a
 * concurrent push's record is empty between its creation and its write, and
 * its folder between mkdir and the file; removing either would make that
 * push's update hook decide again (a non-atomic push could end half-applied,
 * docs/security.md 6.8). A consumed record allows nothing meanwhile.
 */
const GRACE_MS = 10_000;

const dirOf = (gitDir: string) => path.join(gitDir, ...DIR);

/**
 * The start time field (22nd) of a /proc/<pid>/stat line; the command name
 * (2nd, in parentheses) may hold spaces and parentheses, so fields are
 * counted after its last ')'.
 */
export function startTimeOfStat(stat: string): string | undefined {
  const close = stat.lastIndexOf(') ');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).trim().split(' ');
  const start = fields[19];
  return start !== undefined && /^[0-9]{1,20}$/.test(start) ? start : undefined;
}

/**
 * The inode number of a process's standard input, from the `ino:` line of
 * /proc/<pid>/fdinfo/0 (Linux 5.14 and later): what hooks/update reads,
 * about 50 bytes where /proc/<pid>/stat is about 320, each a system call in
 * a shell builtin (decision 0050). Undefined when the kernel does not show it.
 */
export function stdinInodeOfFdinfo(fdinfo: string): string | undefined {
  const m = /^ino:[ \t]*([0-9]{1,20})$/m.exec(fdinfo);
  return m ? m[1] : undefined;
}

/**
 * The receive-pack session both hooks of one push share: their parent
 * process (`$PPID` in hooks/update, `process.ppid` here: git runs each hook
 * as its own child, `#!/usr/bin/env node` execs node in place, and the stub
 * execs node too), named by boot id, pid, and the inode of its standard
 * input (`i<n>`: the anonymous pipe or socket of its one connection, which
 * no later process with that pid holds) or, where that is no anonymous pipe
 * or socket (a named FIFO's inode is a file's) or fdinfo shows no inode, its
 * start time, so that no other process, even one that reuses the pid, has the same
 * name. Undefined when /proc cannot tell (no records then: the update hook
 * decides by itself).
 */
export function receivePackSession(ppid: number = process.ppid): string | undefined {
  try {
    const boot = bootId();
    let fdinfo = '';
    try {
      // An anonymous pipe or a socket only: a file, a device or a named FIFO there (a file's inode, which every later
      // reader shares) is not this connection's alone. hooks/update cannot tell a named FIFO (`test -p`) and names
      // it by that inode: its name then never matches this one, and update.cjs, which builds this one, decides.
      if (/^(?:pipe|socket):\[[0-9]+\]$/.test(readlinkSync(`/proc/${ppid}/fd/0`))) fdinfo = readFileSync(`/proc/${ppid}/fdinfo/0`, 'latin1');
    } catch {
      // No standard input, or none shown: the start time names the process.
    }
    const ino = stdinInodeOfFdinfo(fdinfo);
    const which = ino !== undefined ? `i${ino}` : startTimeOfStat(readFileSync(`/proc/${ppid}/stat`, 'utf8'));
    const session = `${boot}.${ppid}.${which ?? ''}`;
    return which !== undefined && SESSION_PATTERN.test(session) ? session : undefined;
  } catch {
    return undefined;
  }
}

let boot: string | undefined;

/** This boot's id: read once per process (a process lives within one boot; the daemon asked on every push). */
function bootId(): string {
  boot ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').split('\n', 1)[0] ?? '';
  return boot;
}

/** The commit this push makes active: the new id of refs/gatos/policies/active if the push moves it, else the one decided under. */
export function policyAfterPush(updates: readonly RefUpdate[], policyBefore: string, zeroId: string): string {
  const moved = updates.find((u) => u.ref === ACTIVE_POLICY_REF && u.newId !== zeroId);
  return moved ? moved.newId : policyBefore;
}

/**
 * Whole seconds since the machine booted (/proc/uptime), the clock records
 * are dated by: the update stub reads it with a shell builtin, where the
 * wall clock would cost it a `date` process. Undefined when /proc cannot tell.
 */
export function uptimeSeconds(): number | undefined {
  try {
    const m = /^([0-9]{1,15})(\.[0-9]+)? /.exec(readFileSync('/proc/uptime', 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface RecordsInput {
  readonly gitDir: string;
  readonly updates: readonly RefUpdate[];
  readonly session: string;
  readonly policyBefore: string;
  readonly policyAfter: string;
  /** The wall clock, for pruning records left by pushes that died. */
  readonly nowMs: number;
  /** Seconds since boot (uptimeSeconds()), the date written into each record. */
  readonly uptimeS: number;
  /**
   * Runs the clean-up of older records, or skips it; absent: at once. The
   * daemon runs it after its reply, off the push's path, and at most once
   * every few seconds (it removes nothing of this push; decision 0054).
   */
  readonly pruneLater?: (prune: () => void) => void;
}

export function writeRecords(r: RecordsInput): void {
  const dir = dirOf(r.gitDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (r.pruneLater) r.pruneLater(() => pruneRecords(dir, r.nowMs));
  else pruneRecords(dir, r.nowMs);
  for (const update of r.updates) {
    const key = recordKey(update, r.session);
    const before = recordLeaf(update, r.policyBefore);
    const after = recordLeaf(update, r.policyAfter);
    if (key === undefined || before === undefined || after === undefined) continue;
    const folder = path.join(dir, key);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // A name left from before (emptied, within its grace period) is replaced, never written through: it may be a
    // second name of another record's file. O_EXCL: a fresh file of this push's own, never a link's target.
    for (const leaf of new Set([before, after])) unlinkIfThere(path.join(folder, leaf));
    writeFileSync(path.join(folder, before), recordText(r.uptimeS), { mode: 0o600, flag: 'wx' });
    // One file under both names: consuming either consumes the record.
    if (after !== before) linkSync(path.join(folder, before), path.join(folder, after));
  }
}

/**
 * Whether the gate's update hook is installed here, by what install recorded
 * ($GIT_DIR/gatos/install.json, `hooks.update`), or by hooks/update itself
 * carrying the gate's marker (placed by hand after `install --hooks
 * pre-receive`): with `--hooks pre-receive` alone (gitolite, GitLab,
 * Gitea/Forgejo) no update hook would ever read a verdict record, and
 * writing them cost a push about 0.3 ms (decision 0047). Any doubt (no
 * record, one that does not parse) answers yes: a record nobody reads is
 * pruned, while a missing one makes the update hook decide again, in Node,
 * under the bundle the push may just have made active.
 */
export function updateHookInstalled(gitDir: string): boolean {
  let recorded: boolean;
  try {
    const r = JSON.parse(readFileSync(path.join(gitDir, 'gatos', 'install.json'), 'utf8')) as unknown;
    const hooks = typeof r === 'object' && r !== null ? (r as { hooks?: unknown }).hooks : undefined;
    recorded = typeof hooks !== 'object' || hooks === null || 'update' in hooks;
  } catch {
    recorded = true;
  }
  return recorded || isOurHook(path.join(gitDir, 'hooks', 'update'));
}

/**
 * Whether pre-receive allowed exactly this update in exactly this push, under
 * the active commit (src/gate/record.ts: the record's name binds the rest,
 * recordAllows its age). The record is consumed: emptied, as the stub does
 * with a builtin (an empty record allows nothing; pre-receive prunes it with
 * the stale ones).
 */
export function takeRecord(gitDir: string, u: RefUpdate, session: string, active: string, uptimeS: number): boolean {
  const key = recordKey(u, session);
  const leaf = recordLeaf(u, active);
  if (key === undefined || leaf === undefined) return false;
  const folder = path.join(dirOf(gitDir), key);
  const file = path.join(folder, leaf);
  let text: string;
  try {
    if (!lstatSync(folder).isDirectory() || !lstatSync(file).isFile()) return false;
    text = readFileSync(file, 'utf8');
    writeFileSync(file, '');
  } catch {
    return false;
  }
  return recordAllows(text, uptimeS);
}

/** Removes a name if there is one; a missing name is no error and costs no exception (the usual case). */
function unlinkIfThere(file: string): void {
  if (lstatSync(file, { throwIfNoEntry: false }) !== undefined) unlinkSync(file);
}

/**
 * Removes what allows nothing: consumed (empty) records and empty folders
 * once older than GRACE_MS, stale records, and anything else left in the
 * folder (a v3 record file, older than this format). The folder holds only
 * records in flight. Never throws: another push may be pruning too.
 */
function pruneRecords(dir: string, nowMs: number): void {
  const gone = (st: { size: number; mtimeMs: number }): boolean => nowMs - st.mtimeMs > (st.size === 0 ? GRACE_MS : STALE_MS);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const f = path.join(dir, name);
    try {
      const st = lstatSync(f);
      if (!st.isDirectory()) {
        // unlinkSync: rmSync's first call loads Node's rimraf module, about 0.6 ms of a cold hook's CPU (decision 0046).
        if (gone(st)) unlinkSync(f);
        continue;
      }
      // A folder's time moves whenever a name is made or removed in it, and its records are written when their names
      // are made: in a folder younger than the grace period nothing is old enough to go yet. Not reading it saves a
      // cold hook five system calls per record of the last ten seconds (decision 0052).
      if (nowMs - st.mtimeMs <= GRACE_MS) continue;
      let left = 0;
      for (const leaf of readdirSync(f)) {
        const p = path.join(f, leaf);
        if (gone(statSync(p))) unlinkSync(p);
        else left++;
      }
      if (left === 0) rmdirSync(f);
    } catch {
      // Another push pruned it first.
    }
  }
}
