/**
 * Verdict records (src/gate/record.ts): pre-receive notes each update it
 * allowed, keyed by (ref, old, new, receive-pack session), under
 * $GIT_DIR/gatos/verdicts/, which clients cannot write (only the host
 * account can). The update hook of the same push honours that decision, so
 * a push that changes the active bundle is not decided twice under two
 * bundles; it consumes the record. hooks/update (a shell stub) reads the
 * same records without Node; this is the Node side. Adapter (filesystem,
 * /proc).
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ACTIVE_POLICY_REF } from '../actors';
import { isOurHook } from '../push/hook-marker';
import { RECORD_MAX_AGE_S, SESSION_PATTERN, recordAllows, recordKey, recordText, type RefUpdate } from '../gate';

const DIR = ['gatos', 'verdicts'];
/** Records older than this are left over from pushes that died or that git refused after pre-receive; they are pruned. */
const STALE_MS = RECORD_MAX_AGE_S * 1000;

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
 * The receive-pack session both hooks of one push share: their parent
 * process (`$PPID` in hooks/update, `process.ppid` here: git runs each hook
 * as its own child, `#!/usr/bin/env node` execs node in place, and the stub
 * execs node too), named by boot id, pid and start time so that no other
 * process, even one that reuses the pid, has the same name. Undefined when
 * /proc cannot tell (no records then: the update hook decides by itself).
 */
export function receivePackSession(ppid: number = process.ppid): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').split('\n', 1)[0] ?? '';
    const start = startTimeOfStat(readFileSync(`/proc/${ppid}/stat`, 'utf8'));
    const session = `${boot}.${ppid}.${start ?? ''}`;
    return start !== undefined && SESSION_PATTERN.test(session) ? session : undefined;
  } catch {
    return undefined;
  }
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
}

export function writeRecords(r: RecordsInput): void {
  const dir = dirOf(r.gitDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  prune(dir, r.nowMs);
  for (const update of r.updates) {
    const key = recordKey(update, r.session);
    if (key === undefined) continue;
    const rec = { update, session: r.session, policyBefore: r.policyBefore, policyAfter: r.policyAfter, writtenAt: r.uptimeS };
    writeFileSync(path.join(dir, key), recordText(rec), { mode: 0o600 });
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
 * Whether pre-receive allowed exactly this update in exactly this push
 * (src/gate/record.ts: recordAllows). The record is consumed: emptied, as
 * the stub does with a builtin (an empty record allows nothing; pre-receive
 * prunes it with the stale ones).
 */
export function takeRecord(gitDir: string, u: RefUpdate, session: string, active: string, uptimeS: number): boolean {
  const key = recordKey(u, session);
  if (key === undefined) return false;
  const file = path.join(dirOf(gitDir), key);
  let text: string;
  try {
    if (!lstatSync(file).isFile()) return false;
    text = readFileSync(file, 'utf8');
    writeFileSync(file, '');
  } catch {
    return false;
  }
  return recordAllows(text, { update: u, session, active, now: uptimeS });
}

/** Removes consumed (empty) records, which allow nothing, and stale ones: the folder holds only records in flight. */
function prune(dir: string, nowMs: number): void {
  for (const name of readdirSync(dir)) {
    const f = path.join(dir, name);
    try {
      const st = statSync(f);
      // unlinkSync: rmSync's first call loads Node's rimraf module, about 0.6 ms of a cold hook's CPU (decision 0046).
      if (st.size === 0 || nowMs - st.mtimeMs > STALE_MS) unlinkSync(f);
    } catch {
      // Another push pruned it first.
    }
  }
}
