/**
 * Retrying a compare-and-swap that lost a race. The attempt is the caller's:
 * it re-reads the ref, recomputes what to write and swaps again (the audit
 * path appends to a chain, so a stale parent must not be reused). Delays grow
 * from about 25 ms to at most 500 ms, with jitter so writers that collided
 * once do not collide again in lockstep.
 */
import { err, type GateError, type Result } from '../core/result';
import { isConflict } from './errors';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly tries?: number;
  readonly baseMs?: number;
  readonly capMs?: number;
  /** A number in [0, 1); tests pass a fixed one. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const RETRY_DEFAULTS = { tries: 5, baseMs: 25, capMs: 500 } as const;

/** The wait before retry number `retry` (1-based): half fixed, half random, of min(cap, base * 2^(retry-1)). */
export function backoffMs(retry: number, random: number, baseMs: number = RETRY_DEFAULTS.baseMs, capMs: number = RETRY_DEFAULTS.capMs): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** (retry - 1));
  return ceiling / 2 + (ceiling / 2) * random;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function retryOnConflict<T>(attempt: (n: number) => Promise<Result<T, GateError>>, opts: RetryOptions = {}): Promise<Result<T, GateError>> {
  const tries = Math.max(1, opts.tries ?? RETRY_DEFAULTS.tries);
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? realSleep;
  let last: Result<T, GateError> | undefined;
  for (let n = 1; n <= tries; n++) {
    if (n > 1) await sleep(backoffMs(n - 1, random(), opts.baseMs, opts.capMs));
    last = await attempt(n);
    if (last.ok || !isConflict(last.error)) return last;
  }
  const e = (last as { ok: false; error: GateError }).error;
  return err({ ...e, message: `${e.message} (gave up after ${tries} attempts)` });
}
