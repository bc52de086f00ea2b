/**
 * or-set and 2p-set over elements that are strings or integers. Both emit
 * their present elements as a sorted list: integers first in numeric order,
 * then strings in code point order.
 *
 * or-set: an element is present when an add comes after every remove of it
 * in event order, so it can be removed and added again. In the classic
 * OR-set a remove cancels the add-tags it has observed; a fold sees one
 * total order, so "observed" means "earlier in that order", and an add tag
 * survives iff no remove comes after it, i.e. iff the latest add is after
 * the latest remove. The cell therefore keeps only those two stamps; join
 * takes the later of each: associative, commutative, idempotent, and
 * independent of how events were batched or ordered on arrival. An event
 * matching both the add and the remove selector counts as a remove.
 *
 * 2p-set: an element is present once added and never removed; a removed
 * element stays removed. Cell: two flags; join ORs them (ACI).
 */
import type { CborValue } from '../../canon/cbor';
import type { JsonValue } from '../../canon/jcs';
import type { FoldInput } from '../contract';
import { compareCodePoints, compareStamps, type EventStamp } from '../order';
import { loadInteger, loadStamp, saveStamp, type CellKind } from './cell';

export type Element = string | bigint;

/** A map key unique per element: integers and strings never collide. */
export function elementKey(e: Element): string {
  return typeof e === 'bigint' ? `i${e}` : `s${e}`;
}

export function compareElements(a: Element, b: Element): number {
  if (typeof a === 'bigint') {
    if (typeof b !== 'bigint') return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof b === 'bigint') return 1;
  return compareCodePoints(a, b);
}

function loadElement(data: unknown): Element | undefined {
  return typeof data === 'string' ? data : loadInteger(data);
}

function later(a: EventStamp | null, b: EventStamp | null): EventStamp | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareStamps(a, b) >= 0 ? a : b;
}

export interface OrEntry {
  readonly e: Element;
  add: EventStamp | null;
  rem: EventStamp | null;
}
export type OrCell = Map<string, OrEntry>;

function orPresent(x: OrEntry): boolean {
  return x.add !== null && (x.rem === null || compareStamps(x.add, x.rem) > 0);
}

function sortedEntries<T extends { readonly e: Element }>(cell: Map<string, T>): T[] {
  return [...cell.values()].sort((a, b) => compareElements(a.e, b.e));
}

export const orSetCell: CellKind<OrCell> = {
  kind: 'or-set',
  valueShape: 'element',
  apply(cell, value, stamp, remove, newer) {
    const c = cell ?? new Map<string, OrEntry>();
    const e = value as Element;
    const k = elementKey(e);
    let entry = c.get(k);
    if (entry === undefined) {
      entry = { e, add: null, rem: null };
      c.set(k, entry);
    }
    if (remove) entry.rem = newer ? stamp : later(entry.rem, stamp);
    else entry.add = newer ? stamp : later(entry.add, stamp);
    return c;
  },
  latestStamp(cell) {
    let best: EventStamp | null = null;
    for (const x of cell.values()) best = later(best, later(x.add, x.rem));
    return best ?? undefined;
  },
  join(a, b) {
    const out: OrCell = new Map();
    for (const [k, x] of a) out.set(k, { e: x.e, add: x.add, rem: x.rem });
    for (const [k, y] of b) {
      const x = out.get(k);
      out.set(k, x ? { e: x.e, add: later(x.add, y.add), rem: later(x.rem, y.rem) } : { e: y.e, add: y.add, rem: y.rem });
    }
    return out;
  },
  save(cell) {
    return sortedEntries(cell).map((x): CborValue => [x.e, x.add ? saveStamp(x.add) : null, x.rem ? saveStamp(x.rem) : null]);
  },
  load(data) {
    if (!Array.isArray(data)) return undefined;
    const out: OrCell = new Map();
    for (const item of data as unknown[]) {
      if (!Array.isArray(item) || item.length !== 3) return undefined;
      const e = loadElement(item[0]);
      const add = item[1] === null ? null : loadStamp(item[1]);
      const rem = item[2] === null ? null : loadStamp(item[2]);
      if (e === undefined || add === undefined || rem === undefined || (add === null && rem === null)) return undefined;
      if (out.has(elementKey(e))) return undefined;
      out.set(elementKey(e), { e, add, rem });
    }
    return out;
  },
  render(cell) {
    return cell === undefined ? [] : sortedEntries(cell).filter(orPresent).map((x): JsonValue => x.e);
  },
};

export interface TwoPEntry {
  readonly e: Element;
  added: boolean;
  removed: boolean;
}
export type TwoPCell = Map<string, TwoPEntry>;

export const twoPSetCell: CellKind<TwoPCell> = {
  kind: '2p-set',
  valueShape: 'element',
  apply(cell, value, _stamp, remove) {
    const c = cell ?? new Map<string, TwoPEntry>();
    const e = value as Element;
    const k = elementKey(e);
    let entry = c.get(k);
    if (entry === undefined) {
      entry = { e, added: false, removed: false };
      c.set(k, entry);
    }
    if (remove) entry.removed = true;
    else entry.added = true;
    return c;
  },
  join(a, b) {
    const out: TwoPCell = new Map();
    for (const [k, x] of a) out.set(k, { ...x });
    for (const [k, y] of b) {
      const x = out.get(k);
      out.set(k, x ? { e: x.e, added: x.added || y.added, removed: x.removed || y.removed } : { ...y });
    }
    return out;
  },
  save(cell) {
    return sortedEntries(cell).map((x): CborValue => [x.e, x.added, x.removed]);
  },
  load(data) {
    if (!Array.isArray(data)) return undefined;
    const out: TwoPCell = new Map();
    for (const item of data as unknown[]) {
      if (!Array.isArray(item) || item.length !== 3) return undefined;
      const e = loadElement(item[0]);
      const [, added, removed] = item as [unknown, unknown, unknown];
      if (e === undefined || typeof added !== 'boolean' || typeof removed !== 'boolean' || (!added && !removed)) return undefined;
      if (out.has(elementKey(e))) return undefined;
      out.set(elementKey(e), { e, added, removed });
    }
    return out;
  },
  render(cell) {
    return cell === undefined ? [] : sortedEntries(cell).filter((x) => x.added && !x.removed).map((x): JsonValue => x.e);
  },
};

export function isElement(v: FoldInput): v is Element {
  return typeof v === 'string' || typeof v === 'bigint';
}
