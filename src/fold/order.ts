/**
 * The one total order in which every fold sees events, whichever journals
 * they come from: by ULID, then journal ref, then commit id, each compared
 * by Unicode code points (the same as comparing their UTF-8 bytes). ULIDs
 * are time-ordered, so this is "oldest first"; the journal and commit only
 * break ties, which makes the order total and independent of how events
 * were read or batched.
 */
import type { FoldEvent } from './contract';

/** What an event's position in the order depends on; also the LWW stamp of a write. */
export interface EventStamp {
  readonly ulid: string;
  readonly journal: string;
  readonly commit: string;
}

const HIGH_UNIT = /[\ud800-\uffff]/;

/**
 * Compares strings by code point. JavaScript's `<` compares UTF-16 code
 * units, which puts U+E000..U+FFFF after supplementary characters; mapping
 * surrogates above that range restores code point (and UTF-8 byte) order.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  // Code units and code points order alike unless both strings hold a unit from U+D800 up: the
  // common case (ULIDs, refs, ids) then compares natively instead of a unit at a time.
  if (!HIGH_UNIT.test(a) || !HIGH_UNIT.test(b)) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Negative when `a` comes first, 0 for the same position (the same event), positive otherwise. */
export function compareStamps(a: EventStamp, b: EventStamp): number {
  if (a.ulid !== b.ulid) return compareCodePoints(a.ulid, b.ulid);
  if (a.journal !== b.journal) return compareCodePoints(a.journal, b.journal);
  if (a.commit !== b.commit) return compareCodePoints(a.commit, b.commit);
  return 0;
}

/** True when `events` is strictly increasing (sorted and free of repeats). */
export function isStrictlyOrdered(events: readonly EventStamp[]): boolean {
  for (let i = 1; i < events.length; i++) {
    if (compareStamps(events[i - 1] as EventStamp, events[i] as EventStamp) >= 0) return false;
  }
  return true;
}

/**
 * `events` in fold order. Returns the input itself when it is already
 * ordered (the common case: readers deliver events sorted), else a sorted copy.
 */
export function orderEvents<E extends EventStamp>(events: readonly E[]): readonly E[] {
  if (isStrictlyOrdered(events)) return events;
  return [...events].sort(compareStamps);
}

/**
 * `events` in fold order plus whether they needed sorting. An already
 * strictly ordered batch (the common case: readers deliver events sorted)
 * is returned as is and cannot hold a repeat; only a sorted copy is
 * searched for one.
 */
export function orderBatch<E extends EventStamp>(events: readonly E[]): { readonly ordered: readonly E[]; readonly repeat: E | undefined } {
  if (isStrictlyOrdered(events)) return { ordered: events, repeat: undefined };
  const ordered = [...events].sort(compareStamps);
  return { ordered, repeat: findRepeat(ordered) };
}

/** The first pair of events with the same position, if any (the same event delivered twice). */
export function findRepeat<E extends EventStamp>(ordered: readonly E[]): E | undefined {
  for (let i = 1; i < ordered.length; i++) {
    const e = ordered[i] as E;
    if (compareStamps(ordered[i - 1] as E, e) === 0) return e;
  }
  return undefined;
}

export function describeEvent(e: Pick<FoldEvent, 'journal' | 'commit' | 'ulid'>): string {
  return `event ${e.ulid} (journal ${e.journal}, commit ${e.commit})`;
}
