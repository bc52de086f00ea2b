/**
 * The daemon's scheduling priority (decision 0060). While git unpacks a
 * push and checks its connectivity, the daemon reads the quarantine and
 * decides the push ahead; the push's own git processes are what it waits
 * for then, so they go first. While the hook waits for the verdict, git's
 * processes of that push sleep and the daemon has the CPU to itself, so a
 * lower priority costs the decision little. Adapter (the process's
 * scheduling).
 */
import { readdirSync } from 'node:fs';
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
