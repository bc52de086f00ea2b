/**
 * g-counter and pn-counter, with the journal as the replica.
 *
 * g-counter cell: journal -> count. An event adds its value (>= 0; without
 * a value path, 1) to its own journal's count; the counter's value is the
 * sum. join is the pointwise maximum: associative, commutative, idempotent.
 * Each journal's count only grows and only its own events touch it, so
 * states folded from disjoint sets of journals merge to exactly the state
 * of folding them all.
 *
 * pn-counter cell: two g-counters, P for positive values and N for the
 * magnitudes of negative ones; value = sum(P) - sum(N); join joins each half.
 */
import type { CborValue } from '../../canon/cbor';
import { FoldFailure, isRecord, loadInteger, type CellKind } from './cell';
import { checkedAdd, sumValues } from './int64';

export type GCell = Map<string, bigint>;

function addTo(cell: GCell, journal: string, v: bigint): GCell | FoldFailure {
  const next = checkedAdd(cell.get(journal) ?? 0n, v);
  if (next instanceof FoldFailure) return next;
  cell.set(journal, next);
  return cell;
}

function joinG(a: GCell, b: GCell): GCell {
  const out = new Map(a);
  for (const [j, v] of b) {
    const mine = out.get(j);
    if (mine === undefined || v > mine) out.set(j, v);
  }
  return out;
}

function saveG(cell: GCell): CborValue {
  const out: Record<string, CborValue> = {};
  for (const [j, v] of cell) out[j] = v;
  return out;
}

function loadG(data: unknown): GCell | undefined {
  if (!isRecord(data)) return undefined;
  const out: GCell = new Map();
  for (const [j, raw] of Object.entries(data)) {
    const v = loadInteger(raw);
    if (v === undefined || v < 0n) return undefined;
    out.set(j, v);
  }
  return out;
}

const negativeInGCounter = new FoldFailure('a g-counter only grows, but the value is negative', "use 'pn-counter' for values that can be negative");

export const gCounterCell: CellKind<GCell> = {
  kind: 'g-counter',
  valueShape: 'integer',
  apply(cell, value, stamp) {
    const v = value as bigint;
    if (v < 0n) return negativeInGCounter;
    return addTo(cell ?? new Map(), stamp.journal, v);
  },
  join: joinG,
  save: saveG,
  load: loadG,
  render(cell) {
    return cell === undefined ? 0n : sumValues(cell.values());
  },
};

export interface PnCell {
  readonly p: GCell;
  readonly n: GCell;
}

export const pnCounterCell: CellKind<PnCell> = {
  kind: 'pn-counter',
  valueShape: 'integer',
  apply(cell, value, stamp) {
    const v = value as bigint;
    const c = cell ?? { p: new Map(), n: new Map() };
    const r = v >= 0n ? addTo(c.p, stamp.journal, v) : addTo(c.n, stamp.journal, -v);
    return r instanceof FoldFailure ? r : c;
  },
  join(a, b) {
    return { p: joinG(a.p, b.p), n: joinG(a.n, b.n) };
  },
  save(cell) {
    return { n: saveG(cell.n), p: saveG(cell.p) };
  },
  load(data) {
    if (!isRecord(data) || Object.keys(data).length !== 2) return undefined;
    const p = loadG(data.p);
    const n = loadG(data.n);
    return p && n ? { p, n } : undefined;
  },
  render(cell) {
    if (cell === undefined) return 0n;
    const p = sumValues(cell.p.values());
    if (p instanceof FoldFailure) return p;
    const n = sumValues(cell.n.values());
    if (n instanceof FoldFailure) return n;
    return checkedAdd(p, -n);
  },
};
