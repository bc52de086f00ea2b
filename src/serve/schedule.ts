/**
 * How `gatos serve` schedules itself at start (`--sched`, `--nice`;
 * decisions 0060, 0065 and 0066): its nice value, then SCHED_IDLE or its
 * long time slice, and from what it got, whether it may wait on the CPU for
 * requests it decided ahead. It logs what it could not set, and why.
 * Adapter (the process's scheduling).
 */
import { DEFAULT_NICE, allThreadsIdle, niceAtLeast, ownNice, runIdle } from './priority';
import type { DaemonOptions } from './server';
import { runLongSlice } from './time-slice';

export const SCHEDS = ['normal', 'plain', 'idle'] as const;
export type Sched = (typeof SCHEDS)[number];
export const isSched = (s: string): s is Sched => (SCHEDS as readonly string[]).includes(s);

export interface Scheduled {
  /** Whether the daemon may wait on the CPU for requests (request-wait.ts). */
  readonly waits: boolean;
  /** For gatos_daemon_scheduling_info. */
  readonly info: NonNullable<DaemonOptions['scheduling']>;
}

export function scheduleDaemon(sched: Sched, nice: number, log: (line: string) => void): Scheduled {
  if (nice > 0) {
    const n = niceAtLeast(nice);
    if (n.failed > 0) log(`note: ${n.failed} of ${n.changed + n.kept + n.failed} threads could not be set to nice ${nice}; they run as started`);
  }
  const idle = sched === 'idle' ? runIdle() : undefined;
  if (idle && !idle.idle) log(`note: SCHED_IDLE could not be set (${idle.reason}); running at nice ${nice}, without waiting for requests on the CPU`);
  // Under SCHED_IDLE (set just now, or by its supervisor: systemd's CPUSchedulingPolicy=idle) anything preempts it
  // already: no slice to set.
  const underIdle = allThreadsIdle();
  const slice = sched === 'normal' && !underIdle ? runLongSlice() : undefined;
  // chrt -T (where perl could not set the slice) may have reset a nice value: put it back.
  if (slice && nice > 0) niceAtLeast(nice);
  // It may wait only where git's processes preempt it (under SCHED_IDLE, or on its long slice): otherwise the wait
  // takes the CPU from the very git processes the push waits for. On the slice only at nice 10 or more: at nice 0 the
  // slice and the wait together slowed pushes. Never under --sched plain, the operator's way to turn the wait off.
  const niceNow = ownNice();
  const waits = sched !== 'plain' && (underIdle || (slice?.long === true && niceNow >= DEFAULT_NICE));
  if (underIdle && waits) log("under SCHED_IDLE: git's processes preempt it; it waits on the CPU for requests it decided ahead");
  else if (slice?.long) log(`time slice ${(slice.sliceNs / 1e6).toFixed(2)} ms${slice.by === 'already' ? '' : ` (set with ${slice.by})`}: git's processes preempt it; ${waits ? 'it waits on the CPU for requests it decided ahead' : `at nice ${niceNow}, below ${DEFAULT_NICE}, it does not wait on the CPU for requests`}`);
  else if (slice) log(`note: a longer time slice could not be set (${slice.reason}); running at nice ${nice} with the kernel's slice, without waiting for requests on the CPU`);
  return { waits, info: { sched, policy: underIdle ? 'idle' : 'normal', ...(slice?.long ? { sliceNs: slice.sliceNs } : {}) } };
}
