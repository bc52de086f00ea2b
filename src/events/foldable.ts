/**
 * An accepted event can never make a later checkpoint impossible
 * (docs/decisions/0013-no-event-blocks-a-checkpoint.md). Before the gate
 * accepts an event, every fold that will read it (the folds of its own
 * bundle and of the active one whose inputs match its journal) folds it
 * alone, from the fold's initial state, and emits: an event a fold cannot
 * fold or whose state it cannot emit (a field the fold reads missing or of
 * the wrong type, a value a reducer refuses) is refused with FOLD_ERROR.
 * The text rule (src/canon/text.ts) is checked earlier, with the envelope.
 * Pure: the bundles are loaded by the caller.
 */
import { err, gateError, ok, type Result } from '../core/result';
import type { LoadedBundle } from '../bundle/load';
import type { FoldEntry } from '../bundle/manifest';
import { foldEventFromEnvelope } from '../fold/event-input';
import type { Envelope } from './envelope';

/**
 * Where one fold's answer for an event may be kept: `kept(key, derive)` is
 * derive() or an earlier derive() under the same key (decision 0056: the
 * daemon keeps it with the loose object of the event's bytes). The key
 * names everything the answer depends on besides the envelope: the bundle
 * commit (which names the fold's file, its source and the fold's id), the
 * fold's id, the journal and the event's commit.
 */
export type KeepAnswer = (key: string, derive: () => Result<void>) => Result<void>;

const fresh: KeepAnswer = (_key, derive) => derive();

/** The key of `entry`'s answer (of bundle `commit`) for the event in `eventCommit` on `journal`. */
function foldableKey(commit: string, entry: FoldEntry, journal: string, eventCommit: string): string {
  return `foldable ${commit} ${entry.id} ${journal} ${eventCommit}`;
}

/** Folds `e` (on `journal`, in `commit`) alone with every fold of `bundles` that reads the journal; the first failure. */
export function checkFoldable(bundles: readonly LoadedBundle[], e: Envelope, journal: string, commit: string, kept: KeepAnswer = fresh): Result<void> {
  const seen = new Set<string>();
  let input: ReturnType<typeof foldEventFromEnvelope> | undefined;
  for (const b of bundles) {
    for (const entry of b.foldsFor(journal)) {
      if (seen.has(entry.foldRoot)) continue;
      seen.add(entry.foldRoot);
      const answer = kept(foldableKey(b.commit, entry, journal, commit), () => {
        input ??= foldEventFromEnvelope(e, { journal, commit });
        return foldOne(b, entry, input, commit);
      });
      if (!answer.ok) return answer;
    }
  }
  return ok(undefined);
}

/** `entry` of `b` folds the event (`input`, from the envelope) alone and emits. */
function foldOne(b: LoadedBundle, entry: FoldEntry, input: ReturnType<typeof foldEventFromEnvelope>, commit: string): Result<void> {
  const fail = (message: string, hint?: string): Result<never> =>
    err(gateError('FOLD_ERROR', `event ${commit}: fold '${entry.id}' (${entry.foldRoot}) cannot fold it: ${message}`, { hint: hint ?? 'every event must be one its folds can process: a journal cannot be rewritten, so an event no fold can fold would block every later checkpoint' }));
  if (!input.ok) return fail(input.error.message, input.error.hint);
  const rt = b.fold(entry.id);
  if (!rt.ok) return err(rt.error);
  const stepped = rt.value.runtime.step(rt.value.runtime.init(), [input.value]);
  if (!stepped.ok) return fail(stepped.error.message, stepped.error.hint);
  const emitted = rt.value.runtime.checkEmit(stepped.value);
  if (!emitted.ok) return fail(emitted.error.message, emitted.error.hint);
  return ok(undefined);
}
