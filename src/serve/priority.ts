/**
 * The daemon's scheduling priority (decisions 0060 and 0065). While git
 * unpacks a push and checks its connectivity, the daemon reads the
 * quarantine and decides the push ahead; the push's own git processes are
 * what it waits for then, so they go first. While the hook waits for the
 * verdict, git's processes of that push sleep and the daemon has the CPU to
 * itself, so a lower priority costs the decision little. A nice value alone
 * does not make git go first: a thread that runs keeps the CPU for the rest
 * of its time slice (about 1.5 ms here) however nice it is; hence the long
 * slice by default (./time-slice.ts, decision 0066) or, under `--sched
 * idle`, SCHED_IDLE: preempted by anything, and a CPU running only it
 * counts as free, but a saturated host starves it. Adapter (the process's
 * scheduling; util-linux's or busybox's `chrt` sets the policy, since Node
 * has no call for it).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { TOOLS_DEADLINE_MS, runTool } from './run-tool';

/** Measured (decision 0060): git's side of a push finishes sooner, the hook's wait is unchanged. */
export const DEFAULT_NICE = 10;
export const MAX_NICE = 19;

export interface NiceOutcome {
  /** Threads moved to `nice`. */
  readonly changed: number;
  /** Threads already at `nice` or lower priority, left alone. */
  readonly kept: number;
  /** Threads whose priority could not be read or set (they keep theirs). */
  readonly failed: number;
}

/**
 * Every thread of this process (Linux: each is its own scheduling entity, and a thread made later inherits its
 * maker's) to at least `nice`; a thread already lower in priority keeps its own, since raising one back needs
 * privilege. Where /proc/self/task cannot be read, the calling thread (the whole process elsewhere).
 */
export function niceAtLeast(nice: number): NiceOutcome {
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task')
      .map(Number)
      .filter((t) => Number.isSafeInteger(t) && t > 0);
  } catch {
    tids = [0];
  }
  let changed = 0;
  let kept = 0;
  let failed = 0;
  for (const tid of tids) {
    try {
      if (getPriority(tid) >= nice) {
        kept++;
        continue;
      }
      setPriority(tid, nice);
      changed++;
    } catch {
      // A thread that ended meanwhile, or a host that forbids it: the daemon runs as it was started.
      failed++;
    }
  }
  return { changed, kept, failed };
}

/** The nice value of this process's main thread (0 where it cannot be read). */
export function ownNice(): number {
  try {
    return getPriority(process.pid);
  } catch {
    return 0;
  }
}

/** Linux's SCHED_IDLE policy number (sched(7)); a thread's policy is the 41st field of /proc/<pid>/task/<tid>/stat. */
export const SCHED_IDLE = 5;

/**
 * A value of each thread of `pid`, parsed from its file `file` under /proc/<pid>/task/<tid>/ by `parse`; undefined
 * where /proc cannot be read or `parse` finds nothing for a thread.
 */
export function perThread(pid: number | 'self', file: string, parse: (text: string) => number | undefined): Map<number, number> | undefined {
  const dir = `/proc/${pid}/task`;
  try {
    const values = new Map<number, number>();
    for (const name of readdirSync(dir)) {
      const v = parse(readFileSync(`${dir}/${name}/${file}`, 'latin1'));
      if (v === undefined) return undefined;
      values.set(Number(name), v);
    }
    return values;
  } catch {
    return undefined;
  }
}

/** The scheduling policy of each thread of `pid`; undefined where /proc cannot tell. */
export function threadPolicies(pid: number | 'self' = 'self'): Map<number, number> | undefined {
  return perThread(pid, 'stat', (stat) => {
    // The command name (2nd field) may hold spaces and parentheses: count from the last ')'; the 3rd field on.
    const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
    return Number.isInteger(policy) ? policy : undefined;
  });
}

export type IdleOutcome = { readonly idle: true } | { readonly idle: false; readonly reason: string };

/** The threads of `policies` not yet under SCHED_IDLE. */
function notIdle(policies: Map<number, number>): number[] {
  return [...policies].filter(([, p]) => p !== SCHED_IDLE).map(([tid]) => tid);
}

/** Whether every thread of this process runs under SCHED_IDLE (false where /proc cannot tell). */
export function allThreadsIdle(): boolean {
  const policies = threadPolicies();
  return policies !== undefined && notIdle(policies).length === 0;
}

/**
 * Every thread of this process under SCHED_IDLE (threads and processes it makes later inherit it): one `chrt` for
 * the whole process, then one per thread it left (busybox's chrt has no --all-tasks). Checked in /proc afterwards;
 * where it did not take, the reason.
 */
export function runIdle(): IdleOutcome {
  const before = threadPolicies();
  if (!before) return { idle: false, reason: '/proc/self/task cannot be read' };
  if (notIdle(before).length === 0) return { idle: true };
  // Tools that hang must not hold the daemon's start: 10 s in all, then it runs at --nice.
  const deadline = Date.now() + TOOLS_DEADLINE_MS;
  const chrt = (args: string[]): string | undefined => runTool('chrt', args, deadline, 'util-linux or busybox');
  let failed = chrt(['-a', '-i', '-p', '0', String(process.pid)]);
  const after = threadPolicies() ?? new Map<number, number>();
  for (const tid of notIdle(after)) failed = chrt(['-i', '-p', '0', String(tid)]) ?? failed;
  const left = notIdle(threadPolicies() ?? new Map([[0, -1]]));
  return left.length === 0 ? { idle: true } : { idle: false, reason: failed ?? `${left.length} threads kept their policy` };
}
