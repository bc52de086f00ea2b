/**
 * The daemon's time slice (decision 0066). Linux lets a waking thread whose
 * slice is shorter than the running one's preempt it (when its deadline is
 * the earliest, as on the shorter slice it nearly always is), so by default
 * the daemon's threads get a slice twice the kernel's (longSliceFor; Linux
 * 6.17 and later, see kernelTakesLongSlices) and git's processes, on the
 * kernel's slice, take the CPU from them as they wake or start; under
 * contention the daemon still has its nice share. Adapter (the process's
 * scheduling): Node has no call for it, so perl's syscall() sets it, or
 * util-linux's chrt -T (2.41 and later).
 */
import { getPriority, release as osRelease, setPriority } from 'node:os';
import { perThread, threadPolicies } from './priority';
import { TOOLS_DEADLINE_MS, runTool } from './run-tool';

/** The time slice of each thread of `pid` in ns (the se.slice line of /proc/<pid>/task/<tid>/sched, Linux 6.6+). */
export function threadSlices(pid: number | 'self' = 'self'): Map<number, number> | undefined {
  return perThread(pid, 'sched', (text) => {
    const m = /^se\.slice\s*:\s*(\d+)$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  });
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
  const deadline = Date.now() + TOOLS_DEADLINE_MS;
  const calls = SCHED_ATTR_CALLS[process.arch];
  const perl = calls === undefined ? `no sched_setattr number known for ${process.arch}` : runTool('perl', ['-e', PERL_SET_SLICE, String(calls[0]), String(calls[1]), String(process.pid), String(target), ...todo.map(String)], deadline, 'perl-base');
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
      chrt = runTool('chrt', ['-o', '-T', String(target), '-p', '0', String(tid)], deadline, 'util-linux 2.41 or later');
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
