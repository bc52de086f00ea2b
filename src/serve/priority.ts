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
 * it is. Linux lets a waking thread whose slice is shorter than the running
 * one's preempt it (when its deadline is the earliest, as on the shorter
 * slice it nearly always is), so by default the daemon's threads get a
 * slice twice the kernel's (longSliceFor; Linux 6.17 and later, see
 * kernelTakesLongSlices) and git's processes, on the kernel's slice, take
 * the CPU from them as they wake or start; under contention the daemon
 * still has its nice share. Under `--sched idle` the daemon runs under
 * SCHED_IDLE instead: preempted by anything, and a CPU running only it
 * counts as free, but a saturated host starves it. Adapter (the process's
 * scheduling): Node has no call for either, so perl's syscall() (or
 * util-linux's chrt -T, 2.41 and later) sets the slice, and util-linux's or
 * busybox's chrt the policy.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { getPriority, release as osRelease, setPriority } from 'node:os';

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

/**
 * The daemon's slice where its main thread started on `startNs` (the kernel's, 0.75-3 ms by default): twice that, so
 * that git's processes, on the kernel's slice, have the shorter one. At most 10 ms: 3 and 10 ms did the same here
 * (decision 0066), a longer one only makes the daemon wait longer under contention, and a slice inherited from
 * whoever started the daemon is not doubled past it. At least the kernel's floor of 0.1 ms.
 */
export function longSliceFor(startNs: number): number {
  return Math.min(10_000_000, Math.max(100_000, 2 * startNs));
}

/**
 * Whether Linux `release` (os.release()) runs a long slice as decision 0066 measured it: custom slices came in 6.12,
 * but before 6.17 a running thread kept the CPU for its whole slice against threads already queued beside it (since
 * then, for the shortest slice queued), so a long slice made them wait longer.
 */
export function kernelTakesLongSlices(release: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 6 || (major === 6 && minor >= 17);
}

/** sched_getattr's and sched_setattr's system call numbers where perl packs the 64-bit struct natively; none elsewhere. */
const SCHED_ATTR_CALLS: Partial<Record<NodeJS.Architecture, readonly [get: number, set: number]>> = {
  x64: [315, 314],
  arm64: [275, 274],
  riscv64: [275, 274],
  loong64: [275, 274],
  ppc64: [356, 355],
  s390x: [346, 345],
};

/**
 * perl's syscall(): for each thread still in /proc/<pid>/task (a thread id that ended is never set, nor one reused by
 * another process), read its attributes (struct sched_attr, 48 bytes: size, policy, flags, nice, priority, runtime,
 * deadline, period) and write them back with only the runtime, the slice, changed: its policy, nice and
 * SCHED_RESET_ON_FORK flag stay. Only SCHED_OTHER (0) and SCHED_BATCH (3) threads; any other is left as it is.
 * Exits 1 naming each thread it could not set.
 */
const PERL_SET_SLICE =
  'my ($get, $set, $pid, $ns, @tids) = @ARGV; my $bad = 0; ' +
  'for my $t (@tids) { next unless -d "/proc/$pid/task/$t"; my $a = "\\0" x 48; ' +
  'if (syscall($get + 0, $t + 0, $a, 48, 0) != 0) { print STDERR "thread $t: $!\\n"; $bad++; next; } ' +
  'my ($size, $policy, $flags, $nice) = unpack("LLQl", $a); next unless $policy == 0 || $policy == 3; ' +
  'my $b = pack("LLQlLQQQ", 48, $policy, $flags & 1, $nice, 0, $ns, 0, 0); ' +
  'if (syscall($set + 0, $t + 0, $b, 0) != 0) { print STDERR "thread $t: $!\\n"; $bad++; } } exit($bad ? 1 : 0);';

export type SliceOutcome = { readonly long: true; readonly sliceNs: number; readonly by: 'perl' | 'chrt' | 'already' } | { readonly long: false; readonly reason: string };

/** A tool's run within `deadline` (Date.now() ms), so that tools that hang cannot hold the daemon's start for long; undefined when it exited 0, else why not. */
function ran(cmd: string, args: readonly string[], deadline: number): string | undefined {
  const timeout = deadline - Date.now();
  if (timeout <= 0) return `no time left for ${cmd}`;
  // Only PATH: no PERL5OPT or PERL5LIB of the daemon's environment reaches perl.
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `no ${cmd} command` : r.error.message;
  return r.status === 0 ? undefined : r.stderr.trim() || `${cmd} exited ${String(r.status)}`;
}

/** How long setting the slice may take in all (its tools included) before the daemon starts without it. */
const SLICE_DEADLINE_MS = 10_000;

/**
 * Every SCHED_OTHER or SCHED_BATCH thread of this process to longSliceFor the main thread's slice, keeping its
 * policy, nice and reset-on-fork flag: with perl's syscall(), or where that fails, util-linux's chrt -o -T (2.41 and
 * later; SCHED_OTHER threads only, and their nice is put back). Threads and processes made later inherit the slice
 * (the daemon's own git processes too: they yield to the push's). Checked in /proc afterwards; where the main
 * thread's slice did not take, the reason.
 */
export function runLongSlice(release = osRelease()): SliceOutcome {
  if (!kernelTakesLongSlices(release)) return { long: false, reason: `Linux ${release} keeps a long slice running against queued threads (6.17 and later do not)` };
  const before = threadSlices();
  const start = before?.get(process.pid);
  if (!before || start === undefined) return { long: false, reason: 'the kernel shows no time slices in /proc/self/task/*/sched' };
  const target = longSliceFor(start);
  const policies = threadPolicies() ?? new Map<number, number>();
  const settable = (tid: number): boolean => [0, 3].includes(policies.get(tid) ?? -1);
  const off = (slices: Map<number, number>): number[] => [...slices].filter(([tid, ns]) => ns !== target && settable(tid)).map(([tid]) => tid);
  const todo = off(before);
  if (todo.length === 0) return settable(process.pid) ? { long: true, sliceNs: target, by: 'already' } : { long: false, reason: 'the main thread runs under neither SCHED_OTHER nor SCHED_BATCH' };
  const deadline = Date.now() + SLICE_DEADLINE_MS;
  const calls = SCHED_ATTR_CALLS[process.arch];
  const perl = calls === undefined ? `no sched_setattr number known for ${process.arch}` : ran('perl', ['-e', PERL_SET_SLICE, String(calls[0]), String(calls[1]), String(process.pid), String(target), ...todo.map(String)], deadline);
  const reasons = perl === undefined ? [] : [perl];
  const byPerl = threadSlices()?.get(process.pid) === target;
  let chrt: string | undefined;
  if (!byPerl) {
    for (const tid of off(threadSlices() ?? before).filter((t) => policies.get(t) === 0)) {
      let nice: number;
      try {
        nice = getPriority(tid);
      } catch {
        continue; // ended meanwhile
      }
      chrt = ran('chrt', ['-o', '-T', String(target), '-p', '0', String(tid)], deadline);
      if (chrt !== undefined) break; // one failure says it: the next thread would fail the same way
      try {
        if (getPriority(tid) !== nice) setPriority(tid, nice);
      } catch {
        // Ended meanwhile, or a nice that cannot be put back: niceAtLeast runs after this.
      }
    }
    if (chrt !== undefined) reasons.push(chrt);
  }
  if (threadSlices()?.get(process.pid) === target) return { long: true, sliceNs: target, by: byPerl ? 'perl' : 'chrt' };
  return { long: false, reason: reasons.length > 0 ? reasons.join('; ') : 'the kernel kept its slice' };
}
