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
import { foldEventFromEnvelope } from '../fold/event-input';
import type { Envelope } from './envelope';

/** Folds `e` (on `journal`, in `commit`) alone with every fold of `bundles` that reads the journal; the first failure. */
export function checkFoldable(bundles: readonly LoadedBundle[], e: Envelope, journal: string, commit: string): Result<void> {
  const seen = new Set<string>();
  let input: ReturnType<typeof foldEventFromEnvelope> | undefined;
  for (const b of bundles) {
    for (const entry of b.foldsFor(journal)) {
      if (seen.has(entry.foldRoot)) continue;
      seen.add(entry.foldRoot);
      input ??= foldEventFromEnvelope(e, { journal, commit });
      const fail = (message: string, hint?: string): Result<never> =>
        err(gateError('FOLD_ERROR', `event ${commit}: fold '${entry.id}' (${entry.foldRoot}) cannot fold it: ${message}`, { hint: hint ?? 'every event must be one its folds can process: a journal cannot be rewritten, so an event no fold can fold would block every later checkpoint' }));
      if (!input.ok) return fail(input.error.message, input.error.hint);
      const rt = b.fold(entry.id);
      if (!rt.ok) return err(rt.error);
      const stepped = rt.value.runtime.step(rt.value.runtime.init(), [input.value]);
      if (!stepped.ok) return fail(stepped.error.message, stepped.error.hint);
      const emitted = rt.value.runtime.checkEmit(stepped.value);
      if (!emitted.ok) return fail(emitted.error.message, emitted.error.hint);
    }
  }
  return ok(undefined);
}
