/**
 * One evaluation's view of a request. Twenty rules read the same few
 * attributes (intent, ref, actor.kind, ...) dozens of times per request; a
 * frame reads and type-checks each attribute path at most once and hands
 * the checked value to every later read. Only successful reads are kept: a
 * missing or ill-typed attribute is re-read and fails again, with the same
 * EvalFailure text, wherever it is used.
 */
import { parseIp } from './cidr';
import { CONTEXT_NAMES, CONTEXT } from './schema';
import type { Request } from './values';

/** Marks a slot not read yet in this evaluation (no request value can be it). */
export const UNREAD: unique symbol = Symbol('unread');

function slotsOfContext(): ReadonlyMap<string, number> {
  const slots = new Map<string, number>();
  for (const name of CONTEXT_NAMES) {
    slots.set(name, slots.size);
    const t = CONTEXT[name]?.type;
    if (t?.kind === 'record') for (const field of Object.keys(t.fields).sort()) slots.set(`${name}.${field}`, slots.size);
  }
  return slots;
}

const SLOT_OF = slotsOfContext();

/** Built by pushes so its copies are packed arrays (fast indexed reads). */
function blankSlots(n: number): readonly unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(UNREAD);
  return out;
}

const BLANK = blankSlots(SLOT_OF.size);

/** The slot of an attribute path ('intent', 'actor.kind'), or undefined for paths that are not cached (map entries). */
export function slotOf(path: string): number | undefined {
  return SLOT_OF.get(path);
}

export class Frame {
  /** Checked values by slot, or UNREAD. */
  readonly slots: unknown[] = BLANK.slice();
  private lastIp: { readonly text: string; readonly ip: Uint8Array | undefined } | undefined;
  constructor(readonly request: Request) {}

  /** parseIp, remembered for the last text: several in_cidr tests of one evaluation read the same client_ip. Callers never mutate the bytes. */
  ipOf(text: string): Uint8Array | undefined {
    if (this.lastIp?.text !== text) this.lastIp = { text, ip: parseIp(text) };
    return this.lastIp.ip;
  }
}
