/**
 * One evaluation's view of a request. Twenty rules read the same few
 * attributes (intent, ref, actor.kind, ...) dozens of times per request; a
 * frame reads and type-checks each attribute path at most once and hands
 * the checked value to every later read. Only successful reads are kept: a
 * missing or ill-typed attribute is re-read and fails again, with the same
 * EvalFailure text, wherever it is used.
 */
import { CONTEXT_NAMES, CONTEXT } from './schema';
import type { Request } from './values';

/** Marks a slot not read yet in this evaluation (no request value can be it). */
export const UNREAD: unique symbol = Symbol('unread');

const SLOT_OF = new Map<string, number>();
for (const name of CONTEXT_NAMES) {
  SLOT_OF.set(name, SLOT_OF.size);
  const t = CONTEXT[name]?.type;
  if (t?.kind === 'record') for (const field of Object.keys(t.fields).sort()) SLOT_OF.set(`${name}.${field}`, SLOT_OF.size);
}

/** Built by pushes so its copies are packed arrays (fast indexed reads). */
const BLANK: unknown[] = [];
for (let i = 0; i < SLOT_OF.size; i++) BLANK.push(UNREAD);

/** The slot of an attribute path ('intent', 'actor.kind'), or undefined for paths that are not cached (map entries). */
export function slotOf(path: string): number | undefined {
  return SLOT_OF.get(path);
}

export class Frame {
  /** Checked values by slot, or UNREAD. */
  readonly slots: unknown[] = BLANK.slice();
  constructor(readonly request: Request) {}
}
