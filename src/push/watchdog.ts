/**
 * The time budget: a decision that takes longer than the configured budget
 * is abandoned and the push refused with GATE_ERROR. The clock here is a
 * safety net for the host (GitHub Enterprise allows 5 s for all hooks), not
 * part of any decision. Adapter.
 */
export type Timed<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly elapsedMs: number };

export async function withBudget<T>(budgetMs: number, work: () => Promise<T>): Promise<Timed<T>> {
  // hrtime, not performance.now(): the `performance` global loads perf_hooks (~1-2 ms of start-up).
  const start = process.hrtime.bigint();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Timed<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false, elapsedMs: Math.round(Number(process.hrtime.bigint() - start) / 1e6) }), budgetMs);
  });
  try {
    return await Promise.race([work().then((value): Timed<T> => ({ done: true, value })), timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
