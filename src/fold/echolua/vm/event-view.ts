/**
 * A step's event without building it. Most folds only read fields of their
 * event (`event.payload`, `event.type`); for them the runtime passes one
 * reused EventView instead of a new event table per event, and converts a
 * field to a Lua string only when the fold reads it. That is safe only when
 * the view can never be seen as a value: `paramOnlyIndexed` proves from the
 * ELC that the parameter appears nowhere but as `param.<constant name>`
 * (not stored, passed, compared, captured, reassigned or called with `:`).
 * Otherwise the runtime builds the table. What a fold computes is the same
 * either way; memory is charged as for the table (see runtime.ts). The compiler
 * reads such a parameter's fields through `EventView.reader`, picked once per
 * `event.<name>` (compile.ts), not through the generic index path.
 */
import type { FoldEvent } from '../../contract';
import type { ElcBlock, ElcExpr, ElcProto, ElcStmt, ElcTarget } from '../elc';
import { textToBin } from './strings';
import type { Value } from './values';

/** Envelope strings repeat (a few journals, actors, types): convert each once, bounded. */
export class EnvelopeCache {
  private readonly seen = new Map<string, string>();

  bin(s: string): string {
    let b = this.seen.get(s);
    if (b === undefined) {
      b = textToBin(s);
      if (this.seen.size < 1024) this.seen.set(s, b);
    }
    return b;
  }
}

/**
 * The last text of one envelope field and its byte string: a step that reads
 * `event.type` twice, and runs of events sharing a journal or actor, then
 * skip the cache's Map lookup (profiled at about 1.5% of the bench fold).
 */
class LastBin {
  private text: string | undefined = undefined;
  private bin = '';

  of(text: string, cache: EnvelopeCache): string {
    if (text !== this.text) {
      this.bin = cache.bin(text);
      this.text = text;
    }
    return this.bin;
  }
}

export class EventView {
  private ev: FoldEvent | undefined = undefined;
  private payload: Value = undefined;
  private readonly type = new LastBin();
  private readonly journal = new LastBin();
  private readonly actor = new LastBin();

  constructor(private readonly cache: EnvelopeCache) {}

  /** The host event the view reads (the superinstruction reads its ulid and commit text in place, compile.ts). */
  host(): FoldEvent {
    return this.ev as FoldEvent;
  }

  /** Points the view at the next event; `payload` is the event's payload already converted (and charged). */
  reset(ev: FoldEvent, payload: Value): void {
    this.ev = ev;
    this.payload = payload;
  }

  /** How each event field is read; a compiled `event.<name>` picks its reader once (no switch per read). */
  private static readonly READERS: ReadonlyMap<string, (v: EventView) => Value> = new Map<string, (v: EventView) => Value>([
    ['payload', (v) => v.payload],
    ['type', (v) => v.type.of((v.ev as FoldEvent).type, v.cache)],
    ['journal', (v) => v.journal.of((v.ev as FoldEvent).journal, v.cache)],
    ['actor', (v) => v.actor.of((v.ev as FoldEvent).actor, v.cache)],
    ['ulid', (v) => textToBin((v.ev as FoldEvent).ulid)],
    ['commit', (v) => textToBin((v.ev as FoldEvent).commit)],
  ]);

  /** `view.get(key)` for a constant key, as a function (a field events do not have reads nil). */
  static reader(key: string): (v: EventView) => Value {
    return EventView.READERS.get(key) ?? (() => undefined);
  }

  /** `event[key]`, as the event table would answer. */
  get(key: Value): Value {
    const read = typeof key === 'string' ? EventView.READERS.get(key) : undefined;
    return read === undefined ? undefined : read(this);
  }
}

/** True when local `slot` of `p` is only ever read as `slot.<constant string>`. */
export function paramOnlyIndexed(p: ElcProto, slot: number): boolean {
  if (p.boxed.includes(slot)) return false;
  try {
    block(p.body, slot);
    return true;
  } catch (e) {
    if (e === ESCAPES) return false;
    throw e;
  }
}

const ESCAPES = new Error('escapes');

function slotUse(s: number, slot: number): void {
  if (s === slot) throw ESCAPES;
}

function block(b: ElcBlock, slot: number): void {
  for (const s of b) stmt(s, slot);
}

function stmt(s: ElcStmt, slot: number): void {
  switch (s[0]) {
    case 'local': for (const x of s[1]) slotUse(x, slot); exprs(s[2], slot); return;
    case 'set': for (const t of s[1]) target(t, slot); exprs(s[2], slot); return;
    case 'x': expr(s[1], slot); return;
    case 'if': for (const [c, b] of s[1]) { expr(c, slot); block(b, slot); } block(s[2], slot); return;
    case 'while': expr(s[1], slot); block(s[2], slot); return;
    case 'repeat': block(s[1], slot); expr(s[2], slot); return;
    case 'fornum': slotUse(s[1], slot); expr(s[2], slot); expr(s[3], slot); expr(s[4], slot); block(s[5], slot); return;
    case 'forin': for (const x of s[1]) slotUse(x, slot); exprs(s[2], slot); block(s[3], slot); return;
    case 'ret': exprs(s[1], slot); return;
    case 'break': return;
    case 'do': block(s[1], slot); return;
    // The event slot of 'lat' is read for its ulid, journal and commit fields only: a field use.
    case 'lat': expr(s[2], slot); expr(s[3], slot); expr(s[4], slot); return;
  }
}

function target(t: ElcTarget, slot: number): void {
  if (t[0] === 'l') slotUse(t[1], slot);
  else if (t[0] === 'ix') {
    expr(t[1], slot);
    expr(t[2], slot);
  }
}

function exprs(es: readonly ElcExpr[], slot: number): void {
  for (const e of es) expr(e, slot);
}

function expr(e: ElcExpr, slot: number): void {
  switch (e[0]) {
    case 'l': slotUse(e[1], slot); return;
    case 'k': case 'q': case 'u': case 'g': case 'va': return;
    case 'ix': {
      const o = e[1];
      const k = e[2];
      // The one allowed use: a constant string field of the parameter.
      if (o[0] === 'l' && o[1] === slot && k[0] === 'k' && k[1] instanceof Uint8Array) return;
      expr(o, slot);
      expr(k, slot);
      return;
    }
    case 'call': expr(e[1], slot); exprs(e[2], slot); return;
    case 'self': expr(e[1], slot); exprs(e[3], slot); return;
    case 'one': expr(e[1], slot); return;
    // An inner function reaches the slot only as an upvalue, which makes it boxed (checked above too).
    case 'fn': if (e[1].up.some((u) => u[0] === 0 && u[1] === slot)) throw ESCAPES; return;
    case 'tbl': for (const f of e[1]) { if (f[0] === 'i') expr(f[1], slot); else { expr(f[1], slot); expr(f[2], slot); } } return;
    default:
      expr(e[1] as ElcExpr, slot);
      if (e.length === 3) expr(e[2] as ElcExpr, slot);
  }
}
