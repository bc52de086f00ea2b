/**
 * Waiting on the CPU for a push's request once its decision was made ahead
 * (decision 0065). The request usually comes 1-4 ms later (git still checks
 * the push's connectivity, then starts the hook); a daemon that sleeps in
 * the meantime wakes cold, and on this kind of machine that costs the hook
 * more than the decision made ahead saved. So the daemon polls the request
 * FIFOs it serves, without blocking, for at most REQUEST_WAIT_MS. Only a
 * daemon that git's processes preempt waits (schedule.ts: on its long time
 * slice, decision 0066, or under SCHED_IDLE), so the wait never keeps the
 * push's own git processes off the CPU. Nothing
 * read here is served differently: the chunk goes to the same line reader
 * as the FIFO's own reads. Pure but for the reads it is given.
 */

/** Measured (decision 0065): most requests come within it after a decision made ahead; longer waits only burn CPU. */
export const REQUEST_WAIT_MS = 5;

/** A request FIFO as the wait polls it. */
export interface WaitingRequests {
  /** What the FIFO holds now, read without blocking; undefined when it holds nothing (or cannot be read). */
  readWaiting(): string | undefined;
}

export interface TakenRequest<S extends WaitingRequests> {
  readonly source: S;
  readonly chunk: string;
}

/**
 * Polls `sources` in turn until one of them holds something, or `ms` have passed by `now` (nanoseconds); the first
 * chunk read, with its source, or undefined. At least one round of reads is made, whatever `ms`.
 */
export function waitForRequest<S extends WaitingRequests>(sources: readonly S[], ms: number, now: () => bigint): TakenRequest<S> | undefined {
  const end = now() + BigInt(Math.max(0, Math.round(ms * 1e6)));
  // Every empty read of a non-blocking FIFO throws EAGAIN, thousands a wait; their stacks are never looked at.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (;;) {
      for (const source of sources) {
        const chunk = source.readWaiting();
        if (chunk !== undefined && chunk.length > 0) return { source, chunk };
      }
      if (now() >= end) return undefined;
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** At most this much waiting in any second (5% of a CPU), however many pushes are in flight. */
export const WAIT_BUDGET_MS_PER_S = 50;

/** The time spent waiting, by the second it started in (nanosecond clock readings), against a bound per second. */
export class WaitBudget {
  private second = -1n;
  private spentNs = 0n;

  constructor(private readonly msPerSecond: number) {}

  /** Whether a wait of up to `ms` starting at `now` stays within this second's bound. */
  allows(now: bigint, ms: number): boolean {
    this.roll(now);
    return this.spentNs + BigInt(Math.round(ms * 1e6)) <= BigInt(Math.round(this.msPerSecond * 1e6));
  }

  /** Counts a wait from `start` to `end`. */
  spent(start: bigint, end: bigint): void {
    this.roll(start);
    this.spentNs += end - start;
  }

  private roll(now: bigint): void {
    const second = now / 1_000_000_000n;
    if (second !== this.second) {
      this.second = second;
      this.spentNs = 0n;
    }
  }
}
