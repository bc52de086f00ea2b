/**
 * Folding a window onto a base: the fold's initial state, or a checkpoint's
 * saved state. The same function serves the producer (making a checkpoint)
 * and the verifier (recomputing one), so both see the same bytes. Pure.
 */
import { blake3Text } from '../canon/digest';
import { err, gateError, ok, type Result } from '../core/result';
import type { EmittedFiles, FoldEvent, FoldRuntime } from '../fold/contract';
import { compareStamps, describeEvent, findRepeat, orderEvents } from '../fold/order';
import { stateRoot } from '../fold/state-root';
import { RESERVED_DIR, type Stamp } from './proof';

export interface Computed {
  readonly files: EmittedFiles;
  readonly stateRoot: string;
  readonly savedState: Uint8Array;
  readonly foldStateRoot: string;
  readonly watermark: Stamp | null;
}

export function maxStamp(a: Stamp | null, events: readonly FoldEvent[]): Stamp | null {
  let best = a;
  for (const e of events) if (!best || compareStamps(e, best) > 0) best = { ulid: e.ulid, journal: e.journal, commit: e.commit };
  return best;
}

/** Whether every event sorts after the watermark (so appending them equals refolding everything). */
export function allAfter(watermark: Stamp | null, events: readonly FoldEvent[]): boolean {
  return !watermark || events.every((e) => compareStamps(e, watermark) > 0);
}

export function computeCheckpoint(runtime: FoldRuntime, base: Uint8Array | null, baseWatermark: Stamp | null, events: readonly FoldEvent[]): Result<Computed> {
  const ordered = orderEvents(events);
  const repeat = findRepeat(ordered);
  if (repeat) return err(gateError('DUP_COMMIT', `${describeEvent(repeat)} is read twice`, { hint: 'a window names each journal once' }));
  let state: unknown;
  if (base) {
    const loaded = runtime.loadState(base);
    if (!loaded.ok) return loaded;
    state = loaded.value;
  } else {
    state = runtime.init();
  }
  const stepped = ordered.length ? runtime.step(state, ordered) : ok(state);
  if (!stepped.ok) return stepped;
  const files = runtime.emit(stepped.value);
  if (!files.ok) return files;
  for (const p of files.value.keys()) {
    if (p === RESERVED_DIR || p.startsWith(`${RESERVED_DIR}/`)) return err(gateError('FOLD_ERROR', `the fold emits ${p}, inside the reserved folder ${RESERVED_DIR}/`, { hint: 'emit state under another folder, e.g. state/' }));
  }
  const root = stateRoot(files.value);
  if (!root.ok) return root;
  const saved = runtime.saveState(stepped.value);
  return ok({ files: files.value, stateRoot: root.value, savedState: saved, foldStateRoot: blake3Text(saved), watermark: maxStamp(baseWatermark, ordered) });
}
