/** Array helpers for lists whose length the input decides. Pure. */

/**
 * Appends every item of `items` to `target`. `target.push(...items)` passes
 * each item as an argument, and past about 120,000 of them V8 overflows the
 * call stack: a journal window or a push can be that long.
 */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
