/**
 * The daemon's scheduling priority (decisions 0060, 0065 and 0066). While
 * git unpacks a push and checks its connectivity, the daemon reads the
 * quarantine and decides the push ahead; the push's own git processes are
 * what it waits for then, so they go first. While the hook waits for the
 * verdict, git's processes of that push sleep and the daemon has the CPU to
 * itself, so a lower priority costs the decision little.
 *
 * A nice value alone does not make git go first: a thread that runs keeps
 * the CPU for the rest of its time slice (about 1.5 ms here) however nice
 * it is. Linux (6.12 and later) lets a waking thread whose slice is shorter
 * than the running one's preempt it, so by default the daemon's threads get
 * a slice twice the kernel's (longSliceFor), and every git process, on the
 * kernel's slice, preempts them as it wakes or starts; under contention the
 * daemon still has its nice share. Under `--sched idle` the daemon runs
 * under SCHED_IDLE instead: a CPU running only it counts as free too, but a
 * saturated host starves it. Adapter (the process's scheduling): Node has
 * no call for either, so perl's syscall() (or util-linux's chrt -T, 2.41
 * and later) sets the slice, and util-linux's or busybox's chrt the policy.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

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

/** Linux's SCHED_IDLE policy number (sched(7)); a thread's policy is the 41st field of /proc/<pid>/task/<tid>/stat. */
export const SCHED_IDLE = 5;

/** The scheduling policy of each thread of `pid`; undefined where /proc cannot tell. */
export function threadPolicies(pid: number | 'self' = 'self'): Map<number, number> | undefined {
  const dir = `/proc/${pid}/task`;
  try {
    const policies = new Map<number, number>();
    for (const name of readdirSync(dir)) {
      const stat = readFileSync(`${dir}/${name}/stat`, 'latin1');
      // The command name (2nd field) may hold spaces and parentheses: count from the last ')'; the 3rd field on.
      const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
      if (!Number.isInteger(policy)) return undefined;
      policies.set(Number(name), policy);
    }
    return policies;
  } catch {
    return undefined;
  }
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
  const chrt = (args: string[]): string | undefined => {
    // A chrt that hangs must not hold the daemon's start: after 10 s it is killed and the daemon runs at --nice.
    const r = spawnSync('chrt', args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no chrt command (util-linux or busybox)' : r.error.message;
    return r.status === 0 ? undefined : r.stderr.trim() || `chrt exited ${String(r.status)}`;
  };
  let failed = chrt(['-a', '-i', '-p', '0', String(process.pid)]);
  const after = threadPolicies() ?? new Map<number, number>();
  for (const tid of notIdle(after)) failed = chrt(['-i', '-p', '0', String(tid)]) ?? failed;
  const left = notIdle(threadPolicies() ?? new Map([[0, -1]]));
  return left.length === 0 ? { idle: true } : { idle: false, reason: failed ?? `${left.length} threads kept their policy` };
}

/** The time slice of each thread of `pid` in ns (the se.slice line of /proc/<pid>/task/<tid>/sched, Linux 6.6+). */
export function threadSlices(pid: number | 'self' = 'self'): Map<number, number> | undefined {
  const dir = `/proc/${pid}/task`;
  try {
    const slices = new Map<number, number>();
    for (const name of readdirSync(dir)) {
      const m = /^se\.slice\s*:\s*(\d+)$/m.exec(readFileSync(`${dir}/${name}/sched`, 'latin1'));
      if (!m) return undefined;
      slices.set(Number(name), Number(m[1]));
    }
    return slices;
  } catch {
    return undefined;
  }
}

/** The kernel clamps a custom slice to 0.1-100 ms (sched_setattr(2)'s sched_runtime for SCHED_OTHER). */
const MIN_SLICE_NS = 100_000;
const MAX_SLICE_NS = 100_000_000;

/**
 * The daemon's slice for a kernel whose own is `baseNs`: twice as long, so that every git process, on the kernel's
 * slice, preempts the daemon as it wakes (measured in decision 0066: 3 and 10 ms did the same here, where the
 * kernel's is 1.4 ms; a longer one only makes the daemon wait longer under contention).
 */
export function longSliceFor(baseNs: number): number {
  return Math.min(MAX_SLICE_NS, Math.max(MIN_SLICE_NS, 2 * baseNs));
}

/** sched_setattr's system call number where perl can pack its 64-bit struct natively (asm-generic's 274 elsewhere). */
const SCHED_SETATTR: Partial<Record<NodeJS.Architecture, number>> = { x64: 314, arm64: 274, riscv64: 274, loong64: 274, ppc64: 355, s390x: 345 };

/**
 * perl's syscall(): sched_setattr(tid, {size 48, SCHED_OTHER, flags 0, the thread's own nice, ..., sched_runtime}) for
 * each tid; the nice is passed as it is, so only the slice changes. Exits 1 naming each thread it could not set.
 */
const PERL_SET_SLICE = 'my ($nr, $ns, @tids) = @ARGV; my $bad = 0; for my $t (@tids) { my $n = getpriority(0, $t); my $a = pack("LLQlLQQQ", 48, 0, 0, $n, 0, $ns, 0, 0); if (syscall($nr, $t + 0, $a, 0) != 0) { print STDERR "thread $t: $!\n"; $bad++; } } exit($bad ? 1 : 0);';

export type SliceOutcome = { readonly long: true; readonly sliceNs: number } | { readonly long: false; readonly reason: string };

/** A tool's run (10 s at most, so one that hangs cannot hold the daemon's start); undefined when it exited 0, else why not. */
function ran(cmd: string, args: readonly string[]): string | undefined {
  // Only PATH: no PERL5OPT or PERL5LIB of the daemon's environment reaches perl.
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `no ${cmd} command` : r.error.message;
  return r.status === 0 ? undefined : r.stderr.trim() || `${cmd} exited ${String(r.status)}`;
}

/**
 * Every thread of this process that is not yet on `targetNs` (by default longSliceFor the main thread's slice, which
 * is the kernel's: a slice is never inherited) to it, keeping its policy and nice: with perl's syscall(), or where
 * that fails, util-linux's chrt -T (which may reset the nice: put back). Checked in /proc afterwards; where the
 * main thread's slice did not take, the reason. Threads made later get the kernel's slice: call it again once they
 * exist.
 */
export function runLongSlice(targetNs?: number): SliceOutcome {
  const before = threadSlices();
  const base = before?.get(process.pid);
  if (!before || base === undefined) return { long: false, reason: 'the kernel shows no time slices in /proc/self/task/*/sched (Linux 6.6 or later)' };
  const target = targetNs ?? longSliceFor(base);
  const off = (slices: Map<number, number>): number[] => [...slices].filter(([, ns]) => ns !== target).map(([tid]) => tid);
  const todo = off(before);
  if (todo.length === 0) return { long: true, sliceNs: target };
  const nr = SCHED_SETATTR[process.arch];
  const perl = nr === undefined ? `no sched_setattr number known for ${process.arch}` : ran('perl', ['-e', PERL_SET_SLICE, String(nr), String(target), ...todo.map(String)]);
  const reasons = perl === undefined ? [] : [perl];
  if (perl !== undefined) {
    let chrt: string | undefined;
    for (const tid of off(threadSlices() ?? before)) {
      let nice: number;
      try {
        nice = getPriority(tid);
      } catch {
        continue; // ended meanwhile
      }
      chrt = ran('chrt', ['-o', '-T', String(target), '-p', '0', String(tid)]) ?? chrt;
      try {
        if (getPriority(tid) !== nice) setPriority(tid, nice);
      } catch {
        // Ended meanwhile, or a nice that cannot be put back: niceAtLeast runs after this.
      }
    }
    if (chrt !== undefined) reasons.push(chrt);
  }
  const after = threadSlices();
  if (after?.get(process.pid) === target) return { long: true, sliceNs: target };
  return { long: false, reason: reasons.length > 0 ? reasons.join('; ') : 'the kernel kept its slice (custom slices need Linux 6.12 or later)' };
}
