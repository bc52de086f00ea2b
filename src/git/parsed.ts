/**
 * What was derived from a loose object's bytes, kept with the object itself
 * (decision 0053). A one-event push parsed its commit three times (the walk,
 * the commit read, the `<id>:event.cbor` lookup) and read the journal's old
 * tip again, commit, tree and envelope, that the push before had parsed and
 * decoded already; in the warm daemon each of these ran cold, between other
 * processes, and together they cost about a tenth of its decision.
 *
 * Only objects the loose reader made and checked (loose.ts: type, size and
 * hash against the id) have a slot; an object from cat-file is derived from
 * every time, as before. A slot lives exactly as long as its object: within
 * one push (LooseObjects' recent objects) or across pushes while the
 * daemon's LooseCache keeps the object, which it hands out only for the very
 * file it was read from. A derivation is a function of the object's bytes
 * and of what `key` names (the object format; for a fold's answer on an
 * event, the bundle commit, the fold, the journal and the event's commit:
 * decision 0056), so a kept answer is what deriving again would give; both
 * the bytes and the answers are read-only to every caller. Adapter (holds no state of its own beyond
 * the objects' lifetime).
 */
import type { GateError, Result } from '../core/result';
import type { GitObject } from './cat-file';
import type { ObjectFormat } from './object-id';
import { parseCommit, type Commit } from './parse-commit';
import { parseTree, type TreeEntry } from './parse-tree';

/** Answers derived from one object's bytes, by what derived them. */
type Slot = Map<string, unknown>;

/**
 * Answers kept per object at most: a commit's or tree's parse, its event tree, its envelope, its signature check and
 * one answer per fold that reads its journal need five or six; more are checks by other keys or signatures over the same bytes (a journal's old tip, kept across
 * pushes, under made-up signatures push after push), derived every time rather than hoarded.
 */
const MAX_ANSWERS = 16;

/** Keyed by the object and by its bytes: a caller may hold either (an event's envelope is the blob's bytes). */
// Weakly keyed by objects the loose reader checked; each answer is a function of the object's bytes alone.
const slots = new WeakMap<object, Slot>();

/** Gives `o` (just read and checked by the loose reader) a slot for what is derived from its bytes. */
export function keepDerived(o: GitObject): void {
  const slot: Slot = new Map();
  slots.set(o, slot);
  slots.set(o.data, slot);
}

/**
 * `derive()` of `of` (a loose object, or its bytes), computed once for the
 * object's lifetime under `key`; without a slot (not a loose object) simply
 * `derive()`. `key` must name everything the answer depends on besides the
 * bytes (the object format, say).
 */
export function derived<T>(of: GitObject | Uint8Array, key: string, derive: () => T): T {
  const slot = slots.get(of);
  if (slot === undefined) return derive();
  if (slot.has(key)) return slot.get(key) as T;
  const v = derive();
  if (slot.size < MAX_ANSWERS) slot.set(key, v);
  return v;
}

/** parseCommit of `o`, once for a loose object's lifetime. */
export function parsedCommit(o: GitObject, format: ObjectFormat): Result<Commit, GateError> {
  return derived(o, `commit ${format}`, () => parseCommit(o.id, o.data, format));
}

/** parseTree of `o`, once for a loose object's lifetime. */
export function parsedTree(o: GitObject, format: ObjectFormat): Result<TreeEntry[], GateError> {
  return derived(o, `tree ${format}`, () => parseTree(o.id, o.data, format));
}
